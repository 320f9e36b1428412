package handler_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tilefunc/demo"
	"tilefunc/internal/testenv"
	"tilefunc/storage"
)

// counter is a loopback listener that counts the requests it gets: what
// an attacker behind a crafted asset would watch.
type counter struct {
	*httptest.Server
	hits atomic.Int64
}

func newCounter(t *testing.T) *counter {
	c := &counter{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		http.Error(w, "nothing here", http.StatusNotFound)
	}))
	t.Cleanup(c.Close)
	return c
}

// envVRT reads the process environment as pixels: one byte a pixel, over
// the rgb_west item's footprint.
const envVRT = `<VRTDataset rasterXSize="256" rasterYSize="64">
  <SRS>EPSG:4326</SRS>
  <GeoTransform>-9.5, 0.0390625, 0, 50, 0, -0.15625</GeoTransform>
  <VRTRasterBand dataType="Byte" band="1" subClass="VRTRawRasterBand">
    <SourceFilename relativeToVRT="0">/proc/self/environ</SourceFilename>
    <ImageOffset>0</ImageOffset><PixelOffset>1</PixelOffset><LineOffset>256</LineOffset>
  </VRTRasterBand>
</VRTDataset>`

// curlVRT reads its pixels from url.
func curlVRT(url string) string {
	return fmt.Sprintf(`<VRTDataset rasterXSize="256" rasterYSize="256">
  <SRS>EPSG:4326</SRS>
  <GeoTransform>0.5, 0.0390625, 0, 50, 0, -0.0390625</GeoTransform>
  <VRTRasterBand dataType="Byte" band="1">
    <SimpleSource><SourceFilename relativeToVRT="0">/vsicurl/%s/a.tif</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
  </VRTRasterBand>
</VRTDataset>`, url)
}

// wmsXML is a GDAL_WMS description of a tiled WMS at url, which GDAL asks
// for its tile service as it opens the file.
func wmsXML(url string) string {
	return fmt.Sprintf(`<GDAL_WMS><Service name="TiledWMS"><ServerUrl>%s/wms</ServerUrl><TiledGroupName>x</TiledGroupName></Service></GDAL_WMS>`, url)
}

// uploadAs stores content in Azurite as container/x.tif and returns its URL.
func uploadAs(t *testing.T, container, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.tif")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	urls, err := demo.Upload(context.Background(), testenv.Azurite(t), container, []string{p})
	if err != nil {
		t.Fatal(err)
	}
	return urls["x.tif"]
}

// A file an allowed href points at is opened as a GeoTIFF only: a VRT or
// a GDAL_WMS description stored as x.tif, which would make GDAL read the
// process environment or call a URL of its author's choosing, is refused
// with a 4xx, and nothing is fetched.
func TestAssetFilesThatNameOtherPathsAreRefused(t *testing.T) {
	vrtListener, wmsListener := newCounter(t), newCounter(t)
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	hrefs := map[string]string{
		"rgb_west":  uploadAs(t, "env-"+suffix, envVRT),
		"rgb_east":  uploadAs(t, "vrt-"+suffix, curlVRT(vrtListener.URL)),
		"elevation": uploadAs(t, "wms-"+suffix, wmsXML(wmsListener.URL)),
	}
	cat := testenv.LoadCatalog(t, hrefs)
	blob, err := storage.NewBlobFromConnectionString(testenv.Azurite(t), 16)
	if err != nil {
		t.Fatal(err)
	}
	if err := blob.Register(); err != nil {
		t.Fatal(err)
	}
	url, _ := serve(t, cat.DatabaseURL, blob, nil, "")
	secrets := []string{os.Getenv("AZURE_STORAGE_CONNECTION_STRING"), os.Getenv("DATABASE_URL"), "PATH=", "HOME="}
	items := []struct{ path, asset, tile, point string }{
		{"/collections/demo-rgb/items/rgb_west", "visual", "5/15/11", "-5,45"},
		{"/collections/demo-rgb/items/rgb_east", "visual", "5/16/11", "5,45"},
		{"/collections/demo-elevation/items/elevation", "elevation", "5/16/12", "0,35"},
	}
	for _, it := range items {
		for _, path := range []string{
			"/info?assets=" + it.asset, "/assets/" + it.asset + "/info",
			"/tiles/WebMercatorQuad/" + it.tile + ".png?assets=" + it.asset, "/tiles/WebMercatorQuad/" + it.tile + ".npy?assets=" + it.asset,
			"/preview.npy?assets=" + it.asset, "/point/" + it.point + "?assets=" + it.asset, "/statistics?assets=" + it.asset,
		} {
			r := get(t, url+it.path+path)
			if r.status < 400 || r.status >= 500 || !strings.Contains(string(r.body), `"detail"`) {
				t.Errorf("%s%s: %d %.200q, want a 4xx detail", it.path, path, r.status, r.body)
			}
			for _, s := range secrets {
				if s != "" && strings.Contains(string(r.body), s) {
					t.Errorf("%s%s: the answer holds the environment (%.10s...)", it.path, path, s)
				}
			}
		}
	}
	if n, m := vrtListener.hits.Load(), wmsListener.hits.Load(); n != 0 || m != 0 {
		t.Errorf("the loopback listeners got %d (VRT) and %d (GDAL_WMS) requests, want 0", n, m)
	}
}
