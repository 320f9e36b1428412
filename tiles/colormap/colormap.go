// Package colormap turns one band of values into colours: the named
// colormaps rio-tiler ships (as data, colormaps.txt) and the colormaps a
// request writes as JSON, applied as rio-tiler applies them.
package colormap

import (
	_ "embed"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"

	"tilefunc/tiles/raster"
)

// Table is a 256-entry colour table: the RGBA colour of each byte value.
type Table [256][4]uint8

//go:embed colormaps.txt
var tablesText string

var (
	loadTables sync.Once
	tables     map[string]*Table
	names      []string
)

func load() {
	tables = map[string]*Table{}
	for _, line := range strings.Split(strings.TrimSpace(tablesText), "\n") {
		name, digits, ok := strings.Cut(line, " ")
		b, err := hex.DecodeString(digits)
		if !ok || err != nil || len(b) != 256*4 {
			panic(fmt.Sprintf("colormap: colormaps.txt: malformed line for %q", name))
		}
		var t Table
		for i := range t {
			copy(t[i][:], b[i*4:i*4+4])
		}
		tables[name] = &t
		names = append(names, name)
	}
	sort.Strings(names)
}

// Named is one of the colormaps rio-tiler ships, by name.
func Named(name string) (*Table, bool) {
	loadTables.Do(load)
	t, ok := tables[name]
	return t, ok
}

// Names are the named colormaps, sorted.
func Names() []string {
	loadTables.Do(load)
	return append([]string(nil), names...)
}

// Apply colours the first band of img with the table as rio-tiler's
// apply_cmap does with a 256-entry map: each value is cast to a byte the
// way numpy casts (so data that is not uint8 wraps, as in titiler), and
// looked up. The result is three uint8 bands (R, G, B) whose alpha is the
// table's, and nothing where img has no data at all.
func (t *Table) Apply(img *raster.Image) *raster.Image {
	out := img.Like(3, raster.Uint8)
	out.Alpha = make([]float64, img.Pixels())
	src := img.Bands[0]
	for p := range src {
		c := t[int(raster.Uint8.Cast(src[p]))]
		for b := 0; b < 3; b++ {
			out.Bands[b][p] = float64(c[b])
			out.Valid[b][p] = true
		}
		if img.AnyValid(p) {
			out.Alpha[p] = float64(c[3])
		}
	}
	out.Descriptions = []string{"red", "green", "blue"}
	return out
}
