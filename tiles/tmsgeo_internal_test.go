package tiles

import (
	"testing"

	"github.com/airbusgeo/godal"
)

// TestEachCallerGetsItsOwnTransformation: GDAL transformations are not safe
// for concurrent use, so the pool never hands one out twice, and keeps no
// more idle ones than it has room for.
func TestEachCallerGetsItsOwnTransformation(t *testing.T) {
	tms, _ := LookupTMS("UPSArcticWGS84Quad")
	if err := tms.prepare(); err != nil {
		t.Fatal(err)
	}
	r := tms.geo
	held := map[*godal.Transform]bool{}
	for i := 0; i < cap(r.pool)+2; i++ {
		tr, err := r.get()
		if err != nil {
			t.Fatal(err)
		}
		if held[tr] {
			t.Fatalf("transformation %p handed out twice", tr)
		}
		held[tr] = true
	}
	for tr := range held {
		r.put(tr)
	}
	if len(r.pool) != cap(r.pool) {
		t.Fatalf("%d idle transformations, want %d", len(r.pool), cap(r.pool))
	}
	if _, err := tms.GeoBounds(Tile{Z: 1}); err != nil {
		t.Fatalf("after the pool filled up: %v", err)
	}
}
