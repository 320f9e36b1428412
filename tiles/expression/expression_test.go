package expression

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"tilefunc"
	"tilefunc/tiles/raster"
)

func TestParseSplitsLowercasesAndDropsEmptyBlocks(t *testing.T) {
	e, err := Parse("B1/B2;;b2+b3 ;")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Blocks(); !reflect.DeepEqual(got, []string{"b1/b2", "b2+b3"}) {
		t.Errorf("Blocks = %q", got)
	}
	if e.Outputs() != 2 {
		t.Errorf("Outputs = %d", e.Outputs())
	}
	if got := e.Names(); !reflect.DeepEqual(got, []string{"b1", "b2", "b3"}) {
		t.Errorf("Names = %q", got)
	}
	if e.String() != "B1/B2;;b2+b3 ;" {
		t.Errorf("String = %q", e.String())
	}
}

func TestNamesAreWhatIsReadInFirstUseOrder(t *testing.T) {
	for expr, want := range map[string][]string{
		"b12*b3+b12":                 {"b12", "b3"},
		"b3;b1>b2":                   {"b3", "b1", "b2"},
		"where(1, b2, b9)":           {"b2"}, // numexpr never reads the branch it drops
		"2 < 1 < b5 ; b1":            nil,    // refused: the first block reads nothing
		"sqrt(b4) # b7 in a comment": {"b4"},
	} {
		e, err := Parse(expr)
		if want == nil {
			if err == nil {
				t.Errorf("%q: no error", expr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", expr, err)
			continue
		}
		if got := e.Names(); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: Names = %q, want %q", expr, got, want)
		}
	}
}

func TestIndexesAreRioTilersBandNumbers(t *testing.T) {
	for expr, want := range map[string][]int{
		"b3/B1+b3":         {1, 3},
		"b12;b2 # b7":      {2, 7, 12}, // rio-tiler's pattern sees comments too
		"where(1, b2, b9)": {2, 9},
		"abs(b1)*b01":      {1},
	} {
		e, err := Parse(expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		got, err := e.Indexes()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: Indexes = %v, %v; want %v", expr, got, err, want)
		}
	}
	for _, expr := range []string{"b0+b1", "b1*bx1"} {
		e, err := Parse(expr)
		if err != nil {
			continue
		}
		if _, err := e.Indexes(); !isBadRequest(err) {
			t.Errorf("%q: Indexes error %v, want a 400", expr, err)
		}
	}
}

func isBadRequest(err error) bool {
	var te *tilefunc.Error
	return errors.As(err, &te) && te.Code == tilefunc.EBADREQUEST
}

// Malformed expressions are 400s that say where, never panics.
func TestMalformedExpressionsAre400sWithAPosition(t *testing.T) {
	cases := []struct {
		expr, want string
	}{
		{"b1+(b2))", `unexpected ")" at character 7 of "b1+(b2))"`},
		{"(b1+b2", `"(" is never closed at character 0 of "(b1+b2"`},
		{"b1+", `unexpected end of the expression at character 3`},
		{"b1 *", `unexpected end of the expression at character 4`},
		{"b1 b2", `unexpected "b2"`},
		{"foo(b1)", `unknown function "foo" at character 0`},
		{"b1.real", `attribute access (.) is not allowed at character 2`},
		{"b1[0]", `subscripts ([]) are not allowed at character 2`},
		{"lambda: b1", `lambda is not allowed at character 0`},
		{"b1 and b2", `'and' is not allowed`},
		{"not b1", `'not' is not allowed`},
		{"b1 if b2 else b3", `if/else is not allowed`},
		{"b1 << 2", `shifts (<<) are not allowed at character 3`},
		{"(b1, b2)", `tuples (a, b) are not allowed`},
		{"b1 + 'a'", `strings are not supported`},
		{"b1 * 1j", `complex numbers are not supported`},
		{"abs(x=b1)", `keyword arguments are not allowed`},
		{"sqrt(b1, b2)", `sqrt() takes 1 argument, not 2`},
		{"abs(b1)(2)", `only a function named directly can be called`},
		{"sum(b1)", `sum() is not supported: it reduces a whole band to one value`},
		{"complex(b1, b2)", `complex() is not supported`},
		{"b1 < b2 < b3", `chained comparisons of bands are not allowed`},
		{"3 & b1", `numexpr cannot take a constant on the left of &`},
		{"b1 / 0.0", `float division by zero`},
		{"b1 * (1/0)", `division by zero at character 7`},
		{"01 + b1", `leading zeros in decimal integer literals are not permitted`},
		{"1.5_0 * b1", `numexpr forbids attribute access`},
		{"b1 # see: b2", `numexpr forbids ":"`},
		{"__import__(b1)", `unknown function "__import__"`},
		{"b1; b2", `unexpected indent: a block may not start with spaces or tabs at character 1 of block 2 " b2"`},
		{"2 < 1 < b1", `the block reads no band`},
		{"3 + 4", `the block reads no band`},
		{"sqrt(1 < 2) * b1", `sqrt() of the constant True is not supported`},
		{"b1 @ b2", `matrix multiplication (@) is not allowed`},
		{"", `empty expression`},
		{";;", `empty expression`},
		{"b1\x00", `NUL byte`},
		{"b1 \\ b2", `unexpected character after a line continuation`},
		{"9**9**9**9 * b1", `integer constant too large`},
		{"b1 é", `invalid character`},
	}
	for _, c := range cases {
		_, err := Parse(c.expr)
		if !isBadRequest(err) {
			t.Errorf("%q: error %v, want a 400", c.expr, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %q does not say %q", c.expr, err, c.want)
		}
	}
}

// Errors that depend on the bands' types come from Apply, as 400s.
func TestApplyRefusesWhatTheTypesCannotDo(t *testing.T) {
	cases := []struct {
		expr string
		t    raster.DataType
		want string
	}{
		{"b4 + b1", raster.Uint8, `unknown band "b4": the image has b1..b3`},
		{"~b1", raster.Float32, `~ is not defined for float32 values`},
		{"b1 & b2", raster.Float64, `& is not defined for float64 and float64 values`},
		{"b1 ** -1", raster.Uint8, `integers to negative integer powers are not allowed`},
		{"b1 - b2", raster.Bool, `- is not defined for bool and bool values`},
		{"where(b1, 1, 0)", raster.Uint8, `where() is not defined for int32 and int32 and int32 values`},
		{"b1 * 2**70", raster.Uint8, `does not fit 64 bits`},
		{"conj(b1)", raster.Float32, `conj() gives complex numbers`},
	}
	for _, c := range cases {
		e, err := Parse(c.expr)
		if err != nil {
			t.Errorf("%q: Parse: %v", c.expr, err)
			continue
		}
		_, err = e.Apply(raster.New(2, 2, 3, c.t))
		if !isBadRequest(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q on %s: %v, want a 400 saying %q", c.expr, c.t, err, c.want)
		}
	}
}

// With dataset statistics rio-tiler evaluates the expression on float64
// first, so an operation float64 lacks fails even on integer bands.
func TestStatisticsPassRefusesWhatFloat64Cannot(t *testing.T) {
	e, err := Parse("~b1")
	if err != nil {
		t.Fatal(err)
	}
	im := raster.New(2, 2, 1, raster.Uint8)
	if _, err := e.Apply(im); err != nil {
		t.Fatalf("without statistics: %v", err)
	}
	im.Stats = [][2]float64{{0, 255}}
	_, err = e.Apply(im)
	if !isBadRequest(err) || !strings.Contains(err.Error(), "with the dataset statistics, which are float64: ~ is not defined for float64") {
		t.Errorf("with statistics: %v", err)
	}
}

func TestBoundsAreCheckedBeforeAllocating(t *testing.T) {
	cases := map[string]string{
		"10,000 outputs": strings.Repeat("b1;", 10000),
		"5 KB":           strings.Repeat("b1+", 1700) + "b1",
		"depth 200":      strings.Repeat("(", 200) + "b1" + strings.Repeat(")", 200),
		"unary depth":    strings.Repeat("-", 200) + "b1",
		"power depth":    strings.Repeat("b1**", 100) + "b1",
		"call depth":     strings.Repeat("abs(", 100) + "b1" + strings.Repeat(")", 100),
		"1,025 nodes":    strings.Repeat("b1+", 512) + "b1",
		"33 outputs":     strings.Repeat("b1;", 33),
		"huge literal":   "b1*1" + strings.Repeat("0", 2000),
		"huge power":     "b1 * 4**9223372036854775807",
	}
	for name, expr := range cases {
		start := time.Now()
		_, err := Parse(expr)
		if !isBadRequest(err) {
			t.Errorf("%s: %v, want a 400", name, err)
		}
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("%s: took %v", name, d)
		}
	}
	for name, expr := range map[string]string{
		"32 outputs":  strings.Repeat("b1;", 32),
		"depth 64":    strings.Repeat("(", 63) + "b1" + strings.Repeat(")", 63),
		"1,024 nodes": strings.Repeat("b1+", 511) + "b1;b1",
	} {
		if _, err := Parse(expr); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestApplyMasksPixelsAnyBandMasks(t *testing.T) {
	im := raster.New(3, 1, 3, raster.Uint8)
	im.Valid = [][]bool{{true, false, true}, {true, true, true}, {true, true, false}}
	e, err := Parse("b1*2") // reads only b1, masked by all three
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Apply(im)
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, false}; !reflect.DeepEqual(out.Valid[0], want) {
		t.Errorf("Valid = %v, want %v", out.Valid[0], want)
	}
}

func TestApplyKeepsTheGridAndCastsAlpha(t *testing.T) {
	im := raster.New(2, 1, 2, raster.Uint8)
	im.Bands = [][]float64{{10, 20}, {4, 0}}
	im.Valid = [][]bool{{true, true}, {true, true}}
	im.Alpha = []float64{255, 0}
	im.Bounds, im.CRS, im.Assets = [4]float64{0, 0, 2, 1}, "EPSG:4326", []string{"item/asset"}
	im.Descriptions = []string{"red", "nir"}
	e, err := Parse("b1/b2;b2 > 1")
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Apply(im)
	if err != nil {
		t.Fatal(err)
	}
	if out.Type != raster.Float64 || out.Count() != 2 {
		t.Fatalf("%s image of %d bands", out.Type, out.Count())
	}
	// 20/0 is inf, which nan_to_num makes float64's largest value.
	if want := [][]float64{{2.5, math.MaxFloat64}, {1, 0}}; !reflect.DeepEqual(out.Bands, want) {
		t.Errorf("Bands = %v, want %v", out.Bands, want)
	}
	if !reflect.DeepEqual(out.Names, []string{"b1", "b2"}) || !reflect.DeepEqual(out.Descriptions, []string{"red/nir", "nir > 1"}) {
		t.Errorf("Names %q, Descriptions %q", out.Names, out.Descriptions)
	}
	if !reflect.DeepEqual(out.Alpha, []float64{255, 0}) || out.Bounds != im.Bounds || out.CRS != im.CRS || out.Assets[0] != "item/asset" {
		t.Errorf("alpha %v, bounds %v, crs %q, assets %v", out.Alpha, out.Bounds, out.CRS, out.Assets)
	}
}

func TestApplyOnAPoint(t *testing.T) {
	pt := raster.New(1, 1, 2, raster.Int16)
	pt.Bands = [][]float64{{-7}, {2}}
	pt.Valid = [][]bool{{true}, {true}}
	e, err := Parse("b1//b2;b1%b2;b1/b2")
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Apply(pt)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]float64{{-4}, {1}, {-3.5}}; out.Type != raster.Float64 || !reflect.DeepEqual(out.Bands, want) {
		t.Errorf("%s %v, want float64 %v", out.Type, out.Bands, want)
	}
}

func TestStatisticsAreTheRangeOverTheBandsExtremes(t *testing.T) {
	im := raster.New(1, 1, 3, raster.Uint16)
	im.Stats = [][2]float64{{0, 100}, {10, 20}, {5, 6}}
	e, err := Parse("b1-b2;b2>15")
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Apply(im)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][2]float64{{-20, 90}, {0, 1}}; !reflect.DeepEqual(out.Stats, want) {
		t.Errorf("Stats = %v, want %v", out.Stats, want)
	}
}

// A tile of 256×256 pixels with an expression of many nodes stays fast:
// evaluation is per operation over chunks, not per pixel over a tree.
func TestApplyIsArrayWide(t *testing.T) {
	im := raster.New(256, 256, 3, raster.Uint16)
	for b := range im.Bands {
		for p := range im.Bands[b] {
			im.Bands[b][p] = float64((p*7 + b*13) % 65536)
		}
	}
	expr := strings.TrimSuffix(strings.Repeat("(b2-b1)/(b2+b1+1)*sqrt(b3)+", 30), "+")
	e, err := Parse(expr)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := e.Apply(im); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("%d nodes over 65,536 pixels took %v", 30*11, d)
	}
}

func ExampleExpression_Apply() {
	im := raster.New(2, 1, 2, raster.Uint8)
	im.Bands = [][]float64{{10, 200}, {30, 100}}
	im.Valid = [][]bool{{true, true}, {true, true}}
	e, _ := Parse("(b2-b1)/(b2+b1);b1+1")
	out, _ := e.Apply(im)
	fmt.Println(out.Type, out.Bands)
	// Output: float64 [[0.5 -0.3333333333333333] [11 201]]
}
