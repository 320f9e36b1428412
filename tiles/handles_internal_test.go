package tiles

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/airbusgeo/godal"
)

// writeTIFF writes a 4×4 one-band GeoTIFF whose pixels are all v.
func writeTIFF(t *testing.T, path string, v float64) {
	t.Helper()
	registerDrivers.Do(godal.RegisterAll)
	ds, err := godal.Create(godal.GTiff, path, 1, godal.Byte, 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := ds.Bands()[0].Fill(v, 0); err != nil {
		t.Fatal(err)
	}
	if err := ds.Close(); err != nil {
		t.Fatal(err)
	}
}

func pixel(t *testing.T, a asset) float64 {
	t.Helper()
	buf := make([]float64, 1)
	if err := a.ds.Bands()[0].Read(0, 0, buf, 1, 1); err != nil {
		t.Fatal(err)
	}
	return buf[0]
}

// A dataset given back is lent again, to one reader at a time: a second
// reader while the first holds it opens its own.
func TestAssetDatasetsAreLentToOneReaderAtATime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.tif")
	writeTIFF(t, path, 7)
	a, err := openAsset(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := openAsset(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.ds == b.ds {
		t.Fatal("two readers at once were lent the same dataset")
	}
	a.release()
	c, err := openAsset(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.ds != a.ds {
		t.Error("the dataset given back was not lent again")
	}
	if v := pixel(t, c); v != 7 {
		t.Errorf("pixel %v, want 7", v)
	}
	if o, _ := openAsset(path, "OVERVIEW_LEVEL=NONE"); o.ds == a.ds || o.ds == b.ds {
		t.Error("a dataset opened with other options was lent for these")
	} else {
		o.release()
	}
	b.release()
	c.release()
}

// A local file rewritten in place is opened again, not read through a
// dataset that parsed the old one.
func TestRewrittenLocalFileIsOpenedAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.tif")
	writeTIFF(t, path, 7)
	a, err := openAsset(path)
	if err != nil {
		t.Fatal(err)
	}
	a.release()
	time.Sleep(10 * time.Millisecond) // a new modification time, whatever the file system's clock step
	writeTIFF(t, path, 9)
	b, err := openAsset(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.release()
	if b.ds == a.ds {
		t.Fatal("the dataset of the old file was lent for the rewritten one")
	}
	if v := pixel(t, b); v != 9 {
		t.Errorf("pixel %v, want the rewritten file's 9", v)
	}
}

// Beyond max idle datasets, the least recently given back is closed.
func TestIdleDatasetsBeyondTheBoundAreClosed(t *testing.T) {
	dir := t.TempDir()
	h := newHandles(2)
	var keys []string
	for i, name := range []string{"a.tif", "b.tif", "c.tif"} {
		path := filepath.Join(dir, name)
		writeTIFF(t, path, float64(i))
		ds, err := godal.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, handleKey(path, nil))
		h.give(keys[i], ds)
	}
	if n := h.lru.Len(); n != 2 {
		t.Errorf("%d idle datasets, want 2", n)
	}
	if ds := h.take(keys[0]); ds != nil {
		t.Error("the least recent dataset is still kept")
	}
	for _, k := range keys[1:] {
		if ds := h.take(k); ds == nil {
			t.Errorf("%s: not kept", k)
		} else {
			ds.Close()
		}
	}
}

// Files read over https are not kept: their GDAL path names no version.
func TestHTTPSAssetsAreNotKept(t *testing.T) {
	if k := handleKey("/vsitilefunc_https/example.com/a.tif", nil); k != "" {
		t.Errorf("handleKey = %q, want none", k)
	}
	if k := handleKey("/vsitilefunc/1/etag~x/c/a.tif", nil); k == "" {
		t.Error("a blob's version-pinned path is not kept")
	}
}
