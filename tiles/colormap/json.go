package colormap

import (
	"encoding/json"
	"math"
	"strconv"
)

// MarshalJSON writes the colormap as /colorMaps/{colorMapId} answers it:
// {"0": [r, g, b, a], ...} for a table (values in order) and a discrete
// map (in the order given), [[[min, max], [r, g, b, a]], ...] for
// intervals, null for the zero Colormap. Non-finite bounds are written as
// the strings "NaN", "Infinity" and "-Infinity", which Parse reads back:
// Python writes them as bare words, which are not JSON.
func (c Colormap) MarshalJSON() ([]byte, error) {
	var b []byte
	switch c.Kind() {
	case NoColormap:
		return []byte("null"), nil
	case LUT:
		b = append(b, '{')
		for i, col := range c.table {
			b = appendKeyed(b, i > 0, int64(i), col)
		}
		return append(b, '}'), nil
	case Discrete:
		b = append(b, '{')
		for i, k := range c.keys {
			b = appendKeyed(b, i > 0, k, c.colors[i])
		}
		return append(b, '}'), nil
	}
	b = append(b, '[')
	for i, bounds := range c.bounds {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "[["...)
		b = appendBound(b, bounds[0])
		b = append(b, ',')
		b = appendBound(b, bounds[1])
		b = append(b, "],"...)
		b = appendColor(b, c.colors[i])
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

func appendKeyed(b []byte, comma bool, key int64, col [4]uint8) []byte {
	if comma {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = strconv.AppendInt(b, key, 10)
	b = append(b, `":`...)
	return appendColor(b, col)
}

func appendColor(b []byte, col [4]uint8) []byte {
	b = append(b, '[')
	for i, v := range col {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	return append(b, ']')
}

func appendBound(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, `"NaN"`...)
	case math.IsInf(v, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(v, -1):
		return append(b, `"-Infinity"`...)
	}
	n, _ := json.Marshal(v) // finite: cannot fail
	return append(b, n...)
}
