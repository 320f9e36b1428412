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

	"tilefunc"
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

// Named is the table of one of the colormaps rio-tiler ships, by name.
func Named(name string) (*Table, bool) {
	loadTables.Do(load)
	t, ok := tables[name]
	return t, ok
}

// Lookup is one of the colormaps rio-tiler ships, by name, as a Colormap
// (colormap_name, /colorMaps/{colorMapId}).
func Lookup(name string) (Colormap, bool) {
	t, ok := Named(name)
	if !ok {
		return Colormap{}, false
	}
	return t.Colormap(), true
}

// Names are the named colormaps, sorted.
func Names() []string {
	loadTables.Do(load)
	return append([]string(nil), names...)
}

// Colormap is the table as a Colormap of kind LUT.
func (t *Table) Colormap() Colormap { return Colormap{table: t} }

// color is the table's colour of v as rio-tiler's apply_cmap looks a value
// up in a 256-entry map: v cast to a byte the way numpy casts (so data
// that is not uint8 wraps, as in titiler).
func (t *Table) color(v float64) [4]uint8 { return t[int(raster.Uint8.Cast(v))] }

// Kind is which of rio-tiler's three shapes of colormap a Colormap has.
type Kind int

// The kinds of colormap.
const (
	// NoColormap is the zero Colormap, what {}, [] and null parse to:
	// titiler applies no colormap for them.
	NoColormap Kind = iota
	LUT             // 256 entries for the values 0-255: values are cast to bytes and looked up
	Discrete        // colours of listed values; every other value is transparent black
	Intervals       // colours of [min, max) ranges; a later range wins where ranges overlap
)

// Colormap is a colormap of any kind, as a request or a name gives it.
type Colormap struct {
	table  *Table
	keys   []int64      // Discrete: the values, in the order given
	bounds [][2]float64 // Intervals: [min, max), in the order given
	colors [][4]uint8   // Discrete and Intervals: the colour of each key or interval
}

// Kind says which shape the colormap has.
func (c Colormap) Kind() Kind {
	switch {
	case c.table != nil:
		return LUT
	case len(c.keys) > 0:
		return Discrete
	case len(c.bounds) > 0:
		return Intervals
	}
	return NoColormap
}

// Len is the number of entries: 256 for a table, else the values or
// intervals listed.
func (c Colormap) Len() int {
	if c.table != nil {
		return len(c.table)
	}
	return len(c.colors)
}

// Apply colours img as titiler's render_image does with a colormap: the
// single band becomes R, G and B (uint8, since every colour component is
// 0-255), and the alpha is the colormap's where img has data and 0 where it
// has none (its mask, or its own alpha band, is the type's smallest value).
// The zero Colormap returns img as it is: titiler skips an empty colormap.
func (c Colormap) Apply(img *raster.Image) (*raster.Image, error) {
	if c.Kind() == NoColormap {
		return img, nil
	}
	if img.Count() != 1 {
		return nil, tilefunc.Errorf(tilefunc.EBADREQUEST,
			"colormap: source data must be 1 band, not %d: pick one (bidx, or an expression giving one band)", img.Count())
	}
	return paint(img, c.colorFunc(img.Type)), nil
}

// colorFunc is the colour of a value of type t.
func (c Colormap) colorFunc(t raster.DataType) func(float64) [4]uint8 {
	switch c.Kind() {
	case LUT:
		return c.table.color
	case Discrete:
		return c.discrete(t)
	}
	return c.intervals(t)
}

// discrete finds a value's colour by exact match, through a map so the cost
// does not grow with the entries.
func (c Colormap) discrete(t raster.DataType) func(float64) [4]uint8 {
	index := make(map[float64]int, len(c.keys))
	for i, k := range c.keys {
		// Keys that meet on one value of t: the later one is painted last
		// in rio-tiler, so it wins.
		index[asCompared(float64(k), t)] = i
	}
	return func(v float64) [4]uint8 {
		if i, ok := index[v]; ok {
			return c.colors[i]
		}
		return [4]uint8{}
	}
}

// asCompared is x as numpy compares it with an array of type t: a Python
// number beside float32 data is rounded to float32 first (NEP 50), so a
// key of 16777217 matches the float32 value 16777216. Other types compare
// exactly.
func asCompared(x float64, t raster.DataType) float64 {
	if t == raster.Float32 {
		return float64(float32(x))
	}
	return x
}

// paint colours the first band of img with colorOf and gives the result
// render_image's alpha: the colour's where img's mask is not the type's
// smallest value, 0 elsewhere.
func paint(img *raster.Image, colorOf func(float64) [4]uint8) *raster.Image {
	out := img.Like(3, raster.Uint8)
	out.Alpha = make([]float64, img.Pixels())
	lo, _ := img.Type.Range()
	mask := img.Mask()
	defer img.ReleaseMask(mask)
	for p, v := range img.Bands[0] {
		c := colorOf(v)
		for b := 0; b < 3; b++ {
			out.Bands[b][p] = float64(c[b])
			out.Valid[b][p] = true
		}
		if mask[p] != lo {
			out.Alpha[p] = float64(c[3])
		}
	}
	out.Descriptions = []string{"red", "green", "blue"}
	return out
}
