package parity

import (
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// npyType is how one element of an array is stored.
type npyType struct {
	name string // numpy's name
	size int
	read func([]byte) float64
}

var le = binary.LittleEndian

// npyTypes are the element types ReadNPY knows, by their descr.
var npyTypes = map[string]npyType{
	"|b1": {"bool", 1, func(b []byte) float64 { return float64(b[0]) }},
	"|u1": {"uint8", 1, func(b []byte) float64 { return float64(b[0]) }},
	"|i1": {"int8", 1, func(b []byte) float64 { return float64(int8(b[0])) }},
	"<u2": {"uint16", 2, func(b []byte) float64 { return float64(le.Uint16(b)) }},
	"<i2": {"int16", 2, func(b []byte) float64 { return float64(int16(le.Uint16(b))) }},
	"<u4": {"uint32", 4, func(b []byte) float64 { return float64(le.Uint32(b)) }},
	"<i4": {"int32", 4, func(b []byte) float64 { return float64(int32(le.Uint32(b))) }},
	"<u8": {"uint64", 8, func(b []byte) float64 { return float64(le.Uint64(b)) }},
	"<i8": {"int64", 8, func(b []byte) float64 { return float64(int64(le.Uint64(b))) }},
	"<f4": {"float32", 4, func(b []byte) float64 { return float64(math.Float32frombits(le.Uint32(b))) }},
	"<f8": {"float64", 8, func(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) }},
}

type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
}

var (
	npyDescr   = regexp.MustCompile(`'descr':\s*'([^']*)'`)
	npyFortran = regexp.MustCompile(`'fortran_order':\s*(True|False)`)
	npyShape   = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

// parseNPYHeader reads the Python dict literal of a .npy header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 256, 256), }.
func parseNPYHeader(h string) (npyHeader, error) {
	d, f, s := npyDescr.FindStringSubmatch(h), npyFortran.FindStringSubmatch(h), npyShape.FindStringSubmatch(h)
	if d == nil || f == nil || s == nil {
		return npyHeader{}, fmt.Errorf("npy: header %q", h)
	}
	out := npyHeader{descr: d[1], fortran: f[1] == "True"}
	for _, n := range strings.Split(s[1], ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		v, err := strconv.Atoi(n)
		if err != nil {
			return npyHeader{}, fmt.Errorf("npy: shape %q", s[1])
		}
		out.shape = append(out.shape, v)
	}
	return out, nil
}
