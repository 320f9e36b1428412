package colorformula_test

import (
	"encoding/json"
	"os"
	"sync"
	"testing"

	"tilefunc/tiles/raster"
)

// peer is testdata/peer.json, written by scripts/colorformula.py with
// titiler's validator and rio-tiler's apply_color_formula.
type peer struct {
	Peer      map[string]string
	Validated []struct {
		Formula string
		Valid   bool
		Cause   string
	}
	Unicode string
	Digits  [][2]int
	Images  map[string]peerImage
	Cases   []struct {
		Formula string
		Image   string
		Error   string
		peerImage
	}
}

// peerImage is an image as the script writes it: mask "1" where masked.
type peerImage struct {
	Dtype         string
	Width, Height int
	Bands         [][]float64
	Mask          []string
	Alpha         []float64
}

var (
	loadPeer sync.Once
	fixture  peer
)

func peerData(t testing.TB) *peer {
	loadPeer.Do(func() {
		b, err := os.ReadFile("testdata/peer.json")
		if err == nil {
			err = json.Unmarshal(b, &fixture)
		}
		if err != nil {
			t.Fatalf("testdata/peer.json: %v (scripts/colorformula.py writes it)", err)
		}
	})
	return &fixture
}

// image builds the raster the fixture describes.
func (pi peerImage) image() *raster.Image {
	img := raster.New(pi.Width, pi.Height, len(pi.Bands), raster.DataType(pi.Dtype))
	for b := range pi.Bands {
		img.Bands[b] = append([]float64(nil), pi.Bands[b]...)
		for p, m := range pi.Mask[b] {
			img.Valid[b][p] = m == '0'
		}
	}
	if pi.Alpha != nil {
		img.Alpha = append([]float64(nil), pi.Alpha...)
	}
	return img
}
