package parity

import (
	"bytes"
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

// NPY is a NumPy .npy file split at its header.
type NPY struct {
	Version int    // the format's major version: 1, 2 or 3
	Header  string // the header's Python dict literal, padding included
	Descr   string // the element type: '<f4', '|u1'...
	Fortran bool   // fortran_order
	Shape   []int
	Data    []byte // the values, after the header
}

var (
	npyDescr   = regexp.MustCompile(`'descr':\s*'([^']*)'`)
	npyFortran = regexp.MustCompile(`'fortran_order':\s*(True|False)`)
	npyShape   = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

// ParseNPY reads the magic, version and header of a .npy file: a Python
// dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 256, 256), }.
func ParseNPY(b []byte) (NPY, error) {
	if len(b) < 10 || !bytes.HasPrefix(b, []byte("\x93NUMPY")) {
		return NPY{}, fmt.Errorf("npy: no magic")
	}
	var hlen, start int
	switch b[6] {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return NPY{}, fmt.Errorf("npy: short header")
		}
		hlen, start = int(binary.LittleEndian.Uint32(b[8:12])), 12
	default:
		return NPY{}, fmt.Errorf("npy: version %d", b[6])
	}
	if len(b) < start+hlen {
		return NPY{}, fmt.Errorf("npy: short header")
	}
	h := string(b[start : start+hlen])
	d, f, s := npyDescr.FindStringSubmatch(h), npyFortran.FindStringSubmatch(h), npyShape.FindStringSubmatch(h)
	if d == nil || f == nil || s == nil {
		return NPY{}, fmt.Errorf("npy: header %q", h)
	}
	out := NPY{Version: int(b[6]), Header: h, Descr: d[1], Fortran: f[1] == "True", Data: b[start+hlen:]}
	for _, n := range strings.Split(s[1], ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		v, err := strconv.Atoi(n)
		if err != nil {
			return NPY{}, fmt.Errorf("npy: shape %q", s[1])
		}
		out.Shape = append(out.Shape, v)
	}
	return out, nil
}
