package handler_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"image"
	"image/color"
	_ "image/jpeg" // tiles without a mask
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"tilefunc/handler"
	"tilefunc/internal/testenv"
	"tilefunc/tiles"
)

// chromium is Debian's browser, which scripts/deps.sh installs.
const chromium = "/usr/bin/chromium"

// screenshotDir is where the viewer tests leave their screenshots
// (dist/ is git-ignored).
const screenshotDir = "../dist/screenshots"

// viewerCase is one map page to open: what it shows, where to click.
type viewerCase struct {
	name     string
	path     string  // the map page, from the server's root
	lon, lat float64 // where to click, inside the layer
	basemap  bool    // the page draws the basemap under the layer
	rgb      bool    // the layer's colours are the point values (a plain RGB image)
	// colormap, when set, is chosen in the page's controls before the
	// click: the layer must reload with it.
	colormap string
	minZoom  int // the view's least zoom (the TileJSON's minzoom)
}

// The map pages of a search, an item, an asset and a collection, each in another
// tile matrix set, in headless Chromium: the tiles the page asks for are
// drawn where they belong (the screenshot's pixels are the tiles'), a
// click shows the values the point route answers there, the controls
// reload the layer, and nothing is written to the console.
func TestMapPageInChromium(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	basemap, basemapHits := basemapServer(t)
	url, _ := serve(t, cat.DatabaseURL, nil, []string{testenv.COGDir(t)}, "public, max-age=3600", func(s *handler.Server) {
		s.ViewerBasemap = basemap + "/{z}/{x}/{y}.png"
		s.ViewerBasemapAttribution = "test <basemap>"
	})
	e := &env{url: url, catalog: cat}
	// The search's bbox is its mosaic's bounds, where the page opens.
	rgb := e.register(t, `{"collections":["demo-rgb"],"bbox":[-9.5,40,10.5,50]}`)
	browser := newBrowser(t)
	for _, c := range []viewerCase{
		{name: "search-WebMercatorQuad", path: "/searches/" + rgb + "/WebMercatorQuad/map.html?assets=visual", lon: 5.5, lat: 45, basemap: true, rgb: true},
		{name: "search-WebMercatorQuad-minzoom", path: "/searches/" + rgb + "/WebMercatorQuad/map.html?assets=visual&minzoom=8", lon: 0.3, lat: 45.2, basemap: true, rgb: true, minZoom: 8},
		{name: "item-WorldCRS84Quad", path: "/collections/demo-rgb/items/rgb_west/WorldCRS84Quad/map.html?assets=visual", lon: -4.5, lat: 44, rgb: true},
		{name: "asset-WorldMercatorWGS84Quad", path: "/collections/demo-rgb/items/rgb_east/assets/visual/WorldMercatorWGS84Quad/map.html", lon: 5.5, lat: 45, rgb: true},
		{name: "collection-EuropeanETRS89_LAEAQuad", path: "/collections/demo-elevation/EuropeanETRS89_LAEAQuad/map.html?assets=elevation&rescale=0,3000", lon: 2, lat: 36, colormap: "viridis"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := basemapHits.Load()
			checkMapPage(t, browser, e.url, c)
			if hits := basemapHits.Load() - before; c.basemap != (hits > 0) {
				t.Errorf("basemap tiles fetched: %d, want them: %v", hits, c.basemap)
			}
		})
	}
}

// basemapServer stands in for OpenStreetMap (the test stays offline): a
// grey tile for every request, counted.
func basemapServer(t *testing.T) (string, *atomic.Int64) {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	hits := &atomic.Int64{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(b.Bytes())
	}))
	t.Cleanup(ts.Close)
	return ts.URL, hits
}

// newBrowser starts headless Chromium; a missing browser fails the test
// (scripts/deps.sh installs it), as a viewer nobody checked is not tested.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no %s (scripts/deps.sh installs Debian's chromium): %v", chromium, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("hide-scrollbars", true), chromedp.WindowSize(1024, 768))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", chromium, err)
	}
	return ctx
}

// pageLog is what a tab did: its requests' answers and console messages.
type pageLog struct {
	mu        sync.Mutex
	responses map[string]int64 // URL: status
	console   []string
}

func (l *pageLog) listen(ev any) {
	if r, ok := ev.(*network.EventResponseReceived); ok {
		l.mu.Lock()
		l.responses[r.Response.URL] = r.Response.Status
		l.mu.Unlock()
	}
}

func checkMapPage(t *testing.T, browser context.Context, base string, c viewerCase) {
	ctx, log := openPage(t, browser, base+c.path)
	query := waitForTiles(t, ctx, "")
	if z, err := chromedp.Run(ctx, chromedp.Evaluate[int](`map.getZoom()`)); err != nil || z < c.minZoom {
		t.Errorf("the page opened at zoom %d (%v), want %d or more", z, err, c.minZoom)
	}
	shot := checkTilesDrawn(t, ctx, log, base, c.name)
	if c.colormap != "" {
		query = applyColormap(t, ctx, c.colormap)
		shot = checkTilesDrawn(t, ctx, log, base, c.name+"-"+c.colormap)
	}
	checkPointPopup(t, ctx, base, c, query, shot)
	log.noConsoleErrors(t)
}

// openPage opens url in a new tab of the browser, closed when the test
// ends, recording its answers and console errors from the start.
func openPage(t *testing.T, browser context.Context, url string) (context.Context, *pageLog) {
	t.Helper()
	log := &pageLog{responses: map[string]int64{}}
	tab, cancel := chromedp.NewContext(browser, chromedp.WithListener(log.listen))
	t.Cleanup(cancel)
	ctx, stop := context.WithTimeout(tab, 40*time.Second)
	t.Cleanup(stop)
	if err := chromedp.Do(tab); err != nil { // opens the tab: the console is read from here on
		t.Fatal(err)
	}
	go func() {
		for m, err := range chromedp.Console(tab) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				log.mu.Lock()
				log.console = append(log.console, m.String()+" "+m.URL)
				log.mu.Unlock()
			}
		}
	}()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1024, 768), chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	return ctx, log
}

func (l *pageLog) noConsoleErrors(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.console {
		t.Errorf("console: %s", m)
	}
}

// The map page opens in every tile matrix set: it loads the tiles its view
// needs (none where the set's area misses the layer), or, for the sets
// Leaflet's grid cannot draw, says why; nothing reaches the console.
func TestMapPageOpensInEveryTileMatrixSet(t *testing.T) {
	e := newEnv(t, false)
	browser := newBrowser(t)
	// Negative zooms (CDB1GlobalGrid) and coalesced rows (both).
	refused := map[string]bool{"CDB1GlobalGrid": true, "GNOSISGlobalGrid": true}
	for _, id := range tiles.TMSIDs() {
		t.Run(id, func(t *testing.T) {
			ctx, log := openPage(t, browser, e.url+"/collections/demo-rgb/"+id+"/map.html?assets=visual")
			_, err := chromedp.Run(ctx, chromedp.Poll[string](`document.body.dataset.error || document.body.dataset.tilesLoaded`))
			if err != nil {
				t.Fatalf("the page never loaded: %v", err)
			}
			msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.error || ""`))
			if refused[id] != (msg != "") {
				t.Errorf("error %q, want one: %v", msg, refused[id])
			}
			log.noConsoleErrors(t)
		})
	}
}

// waitForTiles waits until the layer's first view has loaded (the page
// publishes how many tiles did, and their query) and the tiles have faded
// in; it returns the tiles' query.
func waitForTiles(t *testing.T, ctx context.Context, want string) string {
	t.Helper()
	js := `document.body.dataset.error || (document.body.dataset.tilesLoaded && document.body.dataset.tileQuery.includes(` + strconv.Quote(want) + `) &&
		[...document.querySelectorAll("img.leaflet-tile")].every(i => getComputedStyle(i).opacity === "1") && document.body.dataset.tileQuery)`
	q, err := chromedp.Run(ctx, chromedp.Poll[string](js, chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		t.Fatalf("the page never said its tiles loaded: %v", err)
	}
	if errText, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.error || ""`)); errText != "" {
		t.Fatalf("the page failed: %s", errText)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.tilesLoaded`))
	if err != nil || n == "" || n == "0" {
		t.Fatalf("tiles loaded: %q (%v), want some", n, err)
	}
	return q
}

// shownTile is a layer tile as the page shows it: its URL and its box on
// the screen, in CSS pixels.
type shownTile struct {
	Src                      string
	Left, Top, Width, Height float64
}

// checkTilesDrawn takes a screenshot (saved under dist/screenshots) and
// checks that each tile of the layer the page shows was fetched from the
// server and that its opaque pixels are on the screen where it is drawn.
func checkTilesDrawn(t *testing.T, ctx context.Context, log *pageLog, base, name string) image.Image {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name+".png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	shot, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tiles, err := chromedp.Run(ctx, chromedp.Evaluate[[]shownTile](`[...document.querySelectorAll("img.leaflet-tile-loaded")]
		.filter(i => i.src.startsWith(`+strconv.Quote(base)+`))
		.map(i => { const r = i.getBoundingClientRect(); return {Src: i.src, Left: r.left, Top: r.top, Width: r.width, Height: r.height}; })`))
	if err != nil {
		t.Fatal(err)
	}
	if len(tiles) < 4 {
		t.Fatalf("the page shows %d tiles of the layer, want 4 or more", len(tiles))
	}
	panel := panelBox(t, ctx)
	compared, differ := 0, 0
	for _, tl := range tiles {
		log.mu.Lock()
		status := log.responses[tl.Src]
		log.mu.Unlock()
		if status != http.StatusOK {
			t.Errorf("tile %s: the page got status %d, want 200", tl.Src, status)
			continue
		}
		n, d := compareTile(t, shot, decodeImage(t, get(t, tl.Src)), tl, panel)
		compared, differ = compared+n, differ+d
	}
	t.Logf("%s: %d tiles shown, %d of %d opaque tile pixels differ on the screen", name, len(tiles), differ, compared)
	if compared < 200 || differ > compared/20 {
		t.Errorf("%d of %d opaque tile pixels differ on the screen (want at most 5%% of at least 200)", differ, compared)
	}
	return shot
}

// decodeImage decodes a PNG or JPEG answer (a tile without a mask is a
// JPEG, as titiler answers).
func decodeImage(t *testing.T, r response) image.Image {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	img, _, err := image.Decode(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("not an image (%s): %v", r.header.Get("Content-Type"), err)
	}
	return img
}

// compareTile samples tile pixels on a 16x16 grid and compares the opaque
// ones with the screenshot where the tile is drawn (under the control
// panel excepted); it returns how many it compared and how many differed.
func compareTile(t *testing.T, shot, tile image.Image, tl shownTile, panel image.Rectangle) (compared, differ int) {
	tw, th := tile.Bounds().Dx(), tile.Bounds().Dy()
	for j := 0; j < 16; j++ {
		for i := 0; i < 16; i++ {
			u, v := (float64(i)+0.5)/16, (float64(j)+0.5)/16
			want := color.NRGBAModel.Convert(tile.At(int(u*float64(tw)), int(v*float64(th)))).(color.NRGBA)
			x, y := int(tl.Left+u*tl.Width), int(tl.Top+v*tl.Height)
			if want.A != 255 || !image.Pt(x, y).In(shot.Bounds()) || image.Pt(x, y).In(panel) {
				continue
			}
			compared++
			if !sameColour(shot.At(x, y), want, 12) {
				differ++
			}
		}
	}
	return compared, differ
}

func sameColour(c color.Color, want color.NRGBA, tol int) bool {
	got := color.NRGBAModel.Convert(c).(color.NRGBA)
	d := func(a, b uint8) bool { return int(a)-int(b) <= tol && int(b)-int(a) <= tol }
	return d(got.R, want.R) && d(got.G, want.G) && d(got.B, want.B)
}

// panelBox is the screen box of the page's controls.
func panelBox(t *testing.T, ctx context.Context) image.Rectangle {
	r, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`(r => [r.left, r.top, r.right, r.bottom].map(Math.ceil))(document.getElementById("panel").getBoundingClientRect())`))
	if err != nil || len(r) != 4 {
		t.Fatalf("panel box: %v %v", r, err)
	}
	return image.Rect(r[0]-2, r[1]-2, r[2]+2, r[3]+2)
}

// applyColormap picks a colormap in the controls, applies it and waits for
// the layer to reload with it; it returns the tiles' new query.
func applyColormap(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Poll[chromedp.Void](`document.querySelector("select[name=colormap_name]").dataset.loaded`),
		chromedp.SetValue(chromedp.CSS("select[name=colormap_name]"), name),
		chromedp.Click(chromedp.CSS("#panel button")))
	if err != nil {
		t.Fatal(err)
	}
	q := waitForTiles(t, ctx, "colormap_name="+name)
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "colormap_name="+name) {
		t.Errorf("the page's URL %s does not follow the controls", loc)
	}
	return q
}

// popupRow is one value the popup shows.
type popupRow struct{ Name, Band, Value string }

// popupDoc is what the popup shows: where, and the values there.
type popupDoc struct {
	Lon, Lat string
	Rows     []popupRow
}

// checkPointPopup clicks at c.lon, c.lat and checks the popup shows what
// the point route answers there, asked with the tiles' query.
func checkPointPopup(t *testing.T, ctx context.Context, base string, c viewerCase, query string, shot image.Image) {
	t.Helper()
	xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`(p => [p.x, p.y])(map.latLngToContainerPoint([%g, %g]))`, c.lat, c.lon)))
	if err != nil {
		t.Fatal(err)
	}
	if xy[0] < 0 || xy[1] < 0 || xy[0] >= 1024 || xy[1] >= 768 {
		t.Fatalf("%g, %g is off the screen, at %v", c.lon, c.lat, xy)
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(xy[0], xy[1])); err != nil {
		t.Fatal(err)
	}
	popup, err := chromedp.Run(ctx, chromedp.Poll[popupDoc](`(b => b && b.dataset.done && {Lon: b.dataset.lon, Lat: b.dataset.lat,
		Rows: [...b.querySelectorAll("tr[data-band]")].map(r => ({Name: r.parentElement.dataset.name, Band: r.dataset.band, Value: r.querySelector(".value").textContent}))})
(document.querySelector(".leaflet-popup-content .point"))`, chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		t.Fatalf("no popup after a click at %v: %v", xy, err)
	}
	lon, _ := strconv.ParseFloat(popup.Lon, 64)
	lat, _ := strconv.ParseFloat(popup.Lat, 64)
	if d := (lon-c.lon)*(lon-c.lon) + (lat-c.lat)*(lat-c.lat); d > 0.01 {
		t.Errorf("the popup is at %s, %s; clicked at %g, %g", popup.Lon, popup.Lat, c.lon, c.lat)
	}
	want := pointRows(t, get(t, base+pointPath(c.path)+popup.Lon+","+popup.Lat+query))
	if fmt.Sprint(popup.Rows) != fmt.Sprint(want) {
		t.Errorf("the popup shows %v, the point route answers %v", popup.Rows, want)
	}
	if c.rgb && len(want) == 3 {
		// The layer is the values themselves: they are the colour clicked.
		var v [3]uint8
		for i, r := range want {
			n, _ := strconv.Atoi(r.Value)
			v[i] = uint8(n)
		}
		if got := shot.At(int(xy[0]), int(xy[1])); !sameColour(got, color.NRGBA{v[0], v[1], v[2], 255}, 12) {
			t.Errorf("the screen is %v where the point route answers %v", got, v)
		}
	}
}

// pointPath is the point route beside a map page: .../{tms}/map.html?...
// becomes .../point/.
func pointPath(mapPath string) string {
	p, _, _ := strings.Cut(mapPath, "?")
	return p[:strings.LastIndex(p[:strings.LastIndex(p, "/")], "/")] + "/point/"
}

// pointRows are the values of a point answer, a mosaic's (per item) or an
// item's, as the popup writes them.
func pointRows(t *testing.T, r response) []popupRow {
	t.Helper()
	type values struct {
		Name      string
		Values    []*float64
		BandNames []string `json:"band_names"`
	}
	var doc struct {
		values
		Assets []values
	}
	if r.status != http.StatusOK {
		t.Fatalf("point: %d %s", r.status, r.body)
	}
	r.json(t, &doc)
	list := doc.Assets
	if list == nil {
		list = []values{doc.values}
	}
	var rows []popupRow
	for _, a := range list {
		for i, v := range a.Values {
			s := "no data"
			if v != nil {
				s = strconv.FormatFloat(*v, 'f', -1, 64)
			}
			rows = append(rows, popupRow{a.Name, a.BandNames[i], s})
		}
	}
	if len(rows) == 0 {
		t.Fatalf("point answers no values: %s", r.body)
	}
	return rows
}

// The page carries the viewer's libraries, their licences and where its
// tile matrix set is, and loads no script or style from elsewhere.
func TestMapPageInlinesItsLibraries(t *testing.T) {
	e := newEnv(t, false)
	r := get(t, e.url+"/collections/demo-rgb/WorldCRS84Quad/map.html?assets=visual")
	body := string(okBody(t, r, "text/html; charset=utf-8"))
	want := []string{"Leaflet 1.9.4", "L.Proj.CRS", `"tileMatrixSet":"` + e.url + `/tileMatrixSets/WorldCRS84Quad"`}
	for _, f := range []string{"leaflet/LICENSE", "proj4/LICENSE.md", "proj4leaflet/LICENSE"} {
		b, err := os.ReadFile("viewer/" + f)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, html.EscapeString(string(b)))
	}
	for _, w := range want {
		if !strings.Contains(body, w) && !strings.Contains(body, strings.ReplaceAll(w, "/", `\/`)) {
			t.Errorf("the page lacks %.80q", w)
		}
	}
	if strings.Contains(body, "<script src=") || strings.Contains(body, `<link rel="stylesheet"`) {
		t.Error("the page loads a script or style from elsewhere")
	}
}

// The viewer's library files go:embed puts into the binary are
// node_modules' (package.json's leaflet, proj4, proj4leaflet): run `make
// viewer` after updating them. None may close the script or style element
// the page inlines it in.
func TestCommittedViewerLibrariesAreNodeModules(t *testing.T) {
	const modules = "../node_modules/"
	if _, err := os.Stat(modules + "leaflet"); err != nil {
		t.Skip("no node_modules (scripts/deps.sh installs it)")
	}
	for _, f := range []string{"leaflet/dist/leaflet.js", "leaflet/dist/leaflet.css", "leaflet/LICENSE", "proj4/dist/proj4.js", "proj4/LICENSE.md", "proj4leaflet/src/proj4leaflet.js", "proj4leaflet/LICENSE"} {
		want, err := os.ReadFile(modules + f)
		if err != nil {
			t.Fatal(err)
		}
		committed := "viewer/" + f[:strings.Index(f, "/")] + "/" + filepath.Base(f)
		got, err := os.ReadFile(committed)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not node_modules' %s (make viewer)", committed, f)
		}
		if l := strings.ToLower(string(got)); strings.Contains(l, "</script") || strings.Contains(l, "</style") {
			t.Errorf("%s closes the element the page inlines it in", committed)
		}
	}
}
