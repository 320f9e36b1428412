package tiles

import (
	"context"
	"strings"
	"testing"

	"tilefunc"
)

// panicky is a resolver that panics, as a bug in the read path would.
type panicky struct{}

func (panicky) Path(string) (string, error) { panic("boom") }

// A panic in a read, which runs in a worker goroutine of the mosaic, is
// an error of that request: the process goes on, and so do other reads.
func TestAPanicInAReadIsAnError(t *testing.T) {
	r := NewRenderer(panicky{}, 2)
	items := []tilefunc.Item{
		{ID: "a", BBox: []float64{-10, -10, 10, 10}, Assets: map[string]tilefunc.Asset{"v": {Href: "x.tif"}}},
		{ID: "b", BBox: []float64{-10, -10, 10, 10}, Assets: map[string]tilefunc.Asset{"v": {Href: "y.tif"}}},
	}
	win := Window{Bounds: [4]float64{-1, -1, 1, 1}, BoundsCRS: "EPSG:4326", CRS: "EPSG:4326", Width: 8, Height: 8}
	spec := Spec{Layer: Layer{Assets: []AssetSpec{{Name: "v"}}}}
	for _, run := range []func() error{
		func() error { _, err := r.Image(context.Background(), items, win, spec); return err },
		func() error { _, err := r.Item(context.Background(), items[0], win, spec); return err },
	} {
		if err := run(); err == nil || !strings.Contains(err.Error(), "panicked") {
			t.Fatalf("got %v, want the panic as an error", err)
		}
	}
}
