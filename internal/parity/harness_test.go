package parity_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tilefunc/internal/parity"
)

func TestFetchKeepsOrderBoundsWorkersAndKeepsAskedBodies(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(5 * time.Millisecond)
		if strings.HasSuffix(r.URL.Path, "/0") {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		fmt.Fprint(w, r.URL.Path)
	}))
	defer srv.Close()
	var paths []string
	for i := range 40 {
		paths = append(paths, fmt.Sprintf("%d/%d", i, i%3))
	}
	run := parity.Fetch(context.Background(), parity.Client(4), srv.URL+"/t/", paths, 4, func(i int) bool { return i%10 == 1 })
	for i, r := range run.Responses {
		want := http.StatusOK
		if i%3 == 0 {
			want = http.StatusNoContent
		}
		if r.Status != want {
			t.Errorf("#%d: status %d, want %d", i, r.Status, want)
		}
		if kept := r.Body != nil; kept != (i%10 == 1) {
			t.Errorf("#%d: body kept %v", i, kept)
		} else if kept && want == http.StatusOK && string(r.Body) != "/t/"+paths[i] {
			t.Errorf("#%d: body %q, want /t/%s", i, r.Body, paths[i])
		}
	}
	if p := peak.Load(); p > 4 || p < 2 {
		t.Errorf("%d requests in flight at most, want 2 to 4", p)
	}
	if got := parity.Counts(run); got != "200: 26, 204: 14" {
		t.Errorf("counts %q", got)
	}
}

func TestStatusesReportsDifferencesAndUnexpectedCodes(t *testing.T) {
	run := func(codes ...int) parity.Run {
		var r parity.Run
		for _, c := range codes {
			r.Responses = append(r.Responses, parity.Response{Status: c})
		}
		return r
	}
	paths := []string{"a", "b", "c", "d"}
	ms := parity.Statuses(paths, run(200, 204, 500, 200), run(200, 200, 500, 200), 200, 204)
	if len(ms) != 2 || ms[0].Path != "b" || ms[1].Path != "c" {
		t.Fatalf("mismatches %v, want b (204 vs 200) and c (500 on both)", ms)
	}
}

// picture is a w×h gradient; hole makes its top-left pixel transparent.
func picture(w, h int, shift uint8, hole bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x * 8), uint8(y * 8), 100 + shift, 255})
		}
	}
	if hole {
		img.Set(0, 0, color.NRGBA{})
	}
	return img
}

func encode(t *testing.T, img image.Image, format string) []byte {
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPixelDiffMeasuresValuesAndMask(t *testing.T) {
	base := encode(t, picture(16, 16, 0, false), "png")
	var same parity.PixelDiff
	if err := same.Add(base, base); err != nil || same.Differ != 0 || same.MaskDiffer != 0 || same.Values != 16*16*3 {
		t.Fatalf("identical images: %v %v", same, err)
	}
	var shifted parity.PixelDiff
	if err := shifted.Add(base, encode(t, picture(16, 16, 3, true), "png")); err != nil {
		t.Fatal(err)
	}
	// The hole is not compared: 255 pixels with data in both, blue off by 3.
	if shifted.MaskDiffer != 1 || shifted.Values != 255*3 || shifted.Differ != 255 || shifted.Max != 3 || shifted.Within1 != 2*255 {
		t.Fatalf("blue shifted by 3, one hole: %+v", shifted)
	}
	var lossy parity.PixelDiff
	if err := lossy.Add(base, encode(t, picture(16, 16, 0, false), "jpeg")); err != nil {
		t.Fatal(err)
	}
	if lossy.Max == 0 || parity.Share(lossy.Within8, lossy.Values) < 0.9 {
		t.Fatalf("PNG vs JPEG of one picture: %v", lossy)
	}
	var sizes parity.PixelDiff
	if err := sizes.Add(base, encode(t, picture(8, 8, 0, false), "png")); err == nil {
		t.Fatal("images of different sizes compared")
	}
}
