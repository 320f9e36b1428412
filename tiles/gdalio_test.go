package tiles

import (
	"testing"

	"github.com/airbusgeo/godal"
)

// TestBandHandleIsTheBand: the handle bandHandle takes out of a godal.Band
// (godal keeps it unexported) is the band's own, for the godal version
// tilefunc pins: GDAL reports that band's size through it.
func TestBandHandleIsTheBand(t *testing.T) {
	registerDrivers.Do(godal.RegisterAll)
	ds, err := godal.Create(godal.Memory, "", 2, godal.Byte, 7, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if err := ds.BuildOverviews(godal.Levels(2)); err != nil {
		t.Fatal(err)
	}
	for i, b := range ds.Bands() {
		if w, h := bandSize(b); w != 7 || h != 5 {
			t.Errorf("band %d: %dx%d through its handle, want 7x5", i+1, w, h)
		}
		ov := b.Overviews()
		if len(ov) != 1 {
			t.Fatalf("band %d: %d overviews, want 1", i+1, len(ov))
		}
		if w, h := bandSize(ov[0]); w != 4 || h != 3 {
			t.Errorf("band %d's overview: %dx%d through its handle, want 4x3", i+1, w, h)
		}
	}
}
