package handler_test

import (
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tilefunc/internal/testenv"
)

// A mosaic whose items differ in their bands is drawn or refused with a
// 4xx naming the clash, never a 500 or a panic: an RGBA COG beside an RGB
// one merges (its alpha is its mask, as rio-tiler reads it), a one-band
// COG beside it is a 400 saying why.
func TestMosaicOfItemsWithOtherBandsIsNeverA500(t *testing.T) {
	cogs := testenv.COGs(t)
	dir := t.TempDir()
	variants := map[string][]string{
		"rgba": {"-b", "1", "-b", "2", "-b", "3", "-b", "1", "-colorinterp_4", "alpha"},
		"gray": {"-b", "1"},
	}
	want := map[string]int{"rgba": http.StatusOK, "gray": http.StatusBadRequest}
	for name, bands := range variants {
		out := filepath.Join(dir, name+".tif")
		args := append(append([]string{"-q"}, bands...), "-of", "COG", cogs["rgb_east"], out)
		if b, err := exec.Command("gdal_translate", args...).CombinedOutput(); err != nil {
			t.Fatalf("gdal_translate %v: %v\n%s", args, err, b)
		}
		t.Run(name, func(t *testing.T) {
			hrefs := map[string]string{}
			for k, v := range cogs {
				hrefs[k] = v
			}
			hrefs["rgb_east"] = out // the tile below spans rgb_west and this
			cat := testenv.LoadCatalog(t, hrefs)
			url, _ := serve(t, cat.DatabaseURL, nil, []string{testenv.COGDir(t), dir}, "")
			for _, sel := range []string{"first", "highest", "median", "count"} {
				r := get(t, url+"/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual&exitwhenfull=false&skipcovered=false&pixel_selection="+sel)
				if r.status != want[name] || (r.status != http.StatusOK && !strings.Contains(string(r.body), "same bands")) {
					t.Errorf("%s with %s: %d %.200s, want %d", name, sel, r.status, r.body, want[name])
				}
			}
		})
	}
}
