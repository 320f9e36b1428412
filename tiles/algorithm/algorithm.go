// Package algorithm is titiler's post-processing algorithms (titiler.core
// 2.3's `algorithm` and `algorithm_params` query parameters): DEM shading
// and encodings, a normalized index, casts, reductions over bands and
// grey scales. Each reproduces titiler's numbers and masks, numpy.ma's
// rules included, on tilefunc's raster.Image.
package algorithm

import (
	"fmt"
	"strings"

	"tilefunc"
	"tilefunc/tiles/raster"
)

// Algorithm post-processes an image, as a titiler algorithm does.
type Algorithm interface {
	// Apply returns a new image; img is not changed.
	Apply(img *raster.Image) (*raster.Image, error)
	// Buffer is the pixels the algorithm needs around its output on each
	// side and crops away (hillshade's and slope's `buffer`), 0 for others.
	Buffer() int
}

// MaxParams is the longest algorithm_params tilefunc reads (titiler has no
// limit): every parameter of every algorithm fits in a tenth of it.
const MaxParams = 4096

// spec is one registered algorithm: its model's fields, in pydantic's
// order, and how to build it from validated fields.
type spec struct {
	name   string
	fields []field
	build  func(params) (Algorithm, error)
}

// registry is titiler's default_algorithms, in its order.
var registry = []spec{
	{"hillshade", hillshadeFields, newHillshade},
	{"slope", slopeFields, newSlope},
	{"contours", contoursFields, newContours},
	{"normalizedIndex", normalizedIndexFields, newNormalizedIndex},
	{"terrarium", terrariumFields, newTerrarium},
	{"terrainrgb", terrainRGBFields, newTerrainRGB},
	{"cast", castFields, newCast},
	{"ceil", ceilFields, newCeil},
	{"floor", floorFields, newFloor},
	{"min", minFields, reducer(bandMin)},
	{"max", maxFields, reducer(bandMax)},
	{"median", medianFields, reducer(bandMedian)},
	{"mean", meanFields, reducer(bandMean)},
	{"std", stdFields, reducer(bandStd)},
	{"var", varFields, reducer(bandVar)},
	{"sum", sumFields, reducer(bandSum)},
	{"grayscale", grayscaleFields, newGrayscale},
	{"bitonal", bitonalFields, newBitonal},
}

// Names are the algorithms, in titiler's order.
func Names() []string {
	out := make([]string, len(registry))
	for i, s := range registry {
		out[i] = s.name
	}
	return out
}

// Choices lists the names as pydantic's literal error does:
// 'hillshade', 'slope', ... or 'bitonal'.
func Choices() string {
	q := make([]string, len(registry))
	for i, s := range registry {
		q[i] = "'" + s.name + "'"
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func lookup(name string) (spec, bool) {
	for _, s := range registry {
		if s.name == name {
			return s, true
		}
	}
	return spec{}, false
}

// New builds the named algorithm from algorithm_params, the JSON text of
// its parameters ("" for the defaults), as titiler's post_process
// dependency does. An empty name is no algorithm: nil, once params is
// known to be JSON. Errors: EINVALID (422) for an unknown name, text that
// is not JSON or is too long; EBADREQUEST (400, as titiler answers
// pydantic's ValidationError) for parameters of the wrong type, out of
// bounds, or not an object.
func New(name, params string) (Algorithm, error) {
	if len(params) > MaxParams {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "algorithm_params: %d bytes, above the %d limit", len(params), MaxParams)
	}
	in := value{kind: pyDict}
	if params != "" {
		v, err := parsePython(params)
		if err != nil {
			return nil, tilefunc.Errorf(tilefunc.EINVALID, "algorithm_params: %v", err)
		}
		in = v
	}
	if name == "" {
		return nil, nil
	}
	s, ok := lookup(name)
	if !ok {
		return nil, tilefunc.Errorf(tilefunc.EINVALID, "algorithm: Input should be %s", Choices())
	}
	if in.kind != pyDict {
		return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "algorithm_params: %s: want a JSON object of parameters", name)
	}
	p, problems := validate(s.fields, in)
	if len(problems) > 0 {
		return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "algorithm_params: %s: %s", name, strings.Join(problems, "; "))
	}
	return s.build(p)
}

// unusable is the 400 for an image an algorithm cannot work on (titiler
// answers 500).
func unusable(name, format string, args ...any) error {
	return tilefunc.Errorf(tilefunc.EBADREQUEST, "algorithm %s: %s", name, fmt.Sprintf(format, args...))
}

// outputType reads output_dtype where titiler's code casts to it: a
// request may set it, and numpy would take any name it knows; tilefunc
// takes the type names it has.
func outputType(name string, p params) (raster.DataType, error) {
	t := raster.DataType(p.str("output_dtype"))
	if !t.Known() {
		return "", tilefunc.Errorf(tilefunc.EBADREQUEST, "algorithm_params: %s: output_dtype: %q is not a type tilefunc has: use one of %s", name, t, typeNames)
	}
	return t, nil
}

const typeNames = "bool, uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64"
