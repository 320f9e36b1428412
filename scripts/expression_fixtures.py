"""Writes tiles/expression/testdata/golden.json: what titiler's band math gives.

Run with the peer's Python (scripts/titiler.sh install puts rio-tiler there):
    .local/titiler-venv/bin/python scripts/expression_fixtures.py
Every expression of the table below is applied with rio-tiler's own
ImageData.apply_expression (and PointData.apply_expression for points) to a
small 3-band image of each input type, with masked pixels, zeros, extremes
and, for floats, NaN and infinities; once without and once with dataset
statistics. The file records, per case, the output type, values, mask,
descriptions and statistics, or that titiler refused the expression. The Go
test (tiles/expression/golden_test.go) evaluates the same cases. Nothing of
rio-tiler is copied: it is only run.
"""

import json
import pathlib
import warnings

import numpy
from rio_tiler.models import ImageData, PointData

warnings.simplefilter("ignore")

OUT = pathlib.Path(__file__).resolve().parent.parent / "tiles" / "expression" / "testdata" / "golden.json"

# Transcendental functions are glibc's in titiler and Go's math package's
# here (pow, exp and the logarithms computed in double-double so that they
# round as glibc's do): those cases allow a few units in the last place
# (ulp) of the output type; everything else must be exact.
ULP = 4
POW = 1

EXPRESSIONS = [
    # (expression, ulp tolerance)
    # arithmetic
    ("b1+b2", 0), ("b1-b2", 0), ("b1*b2", 0), ("b1/b2", 0), ("b1//b2", 0),
    ("b1%b2", 0), ("b1**2", 0), ("b1**3", 0), ("b1**5", 0), ("b1**0.5", 0),
    ("b1**1.5", 0), ("b1**-1.0", 0), ("b1**-2", 0), ("b1**0", 0), ("b1**1", 0),
    ("b2**b3", POW), ("b1**51", POW), ("b1**2.3", POW), ("2**b3", POW),
    ("-b1", 0), ("+b1", 0), ("~b1", 0), ("b1 - -b2", 0), ("-b1**2", 0),
    ("b1&b2", 0), ("b1|b2", 0), ("b1^b2", 0), ("b1&3", 0),
    ("b1*b1*b1*b1", 0), ("b1*100000", 0), ("(b2-b1)/(b2+b1)", 0),
    ("b1+b2*b3", 0), ("(b1+b2)*b3", 0), ("b1 / b2 / b3", 0),
    # comparisons and logic
    ("b1<b2", 0), ("b1<=b2", 0), ("b1>b2", 0), ("b1>=b2", 0), ("b1==b2", 0),
    ("b1!=b2", 0), ("(b1>b2)&(b2>0)", 0), ("(b1<b2)|(b3==0)", 0),
    ("~(b1>b2)", 0), ("(b1>b2)^(b2>b3)", 0), ("(b1>b2)*(b2>b3)", 0),
    ("(b1>b2)+(b2>b3)", 0), ("(b1>b2)-(b2>b3)", 0), ("b1 > 2 & b2 > 1", 0),
    ("1<2<b1", 0), ("b1<b2<b3", 0), ("b1>b2*1.5", 0),
    # constants
    ("b1*1.5", 0), ("b1+1", 0), ("b1+2147483648", 0), ("b1*0.1", 0), ("b1/3.0", 0),
    ("b1/3", 0), ("b1/0", 0), ("b1/0.0", 0), ("1/b1", 0), ("2-b1", 0), ("10%b1", 0),
    ("10//b1", 0), ("3&b1", 0), ("b1+1e3", 0), ("b1*.5", 0), ("b1+0x1f", 0), ("b1*1_000", 0),
    ("b1*(2+3)", 0), ("b1*(7//2)", 0), ("b1*(-7%3)", 0), ("b1*2**-1", 0), ("b1*(1<2)", 0),
    ("b1+abs(-3)", 0), ("b1*sqrt(4)", 0), ("b1*maximum(1,2.5)", 0), ("b1+round(2.5)", 0),
    ("b1*(1/3)", 0), ("b1*(1/0)", 0), ("b1*2**100", 0), ("b1+1e400", 0), ("b1*(sqrt(2)/3)", 0),
    ("b1+ceil(2.5)*2", 0), ("b1*(2**0.5)", 0), ("b1+isnan(1.0)", 0),
    ("b1*(abs(-2)*3)", 0), ("b1+(sqrt(4)//0)", 0), ("b1*(abs(-2)//0)", 0), ("b1+2**62*abs(-4)", 0),
    ("b1-(-2**63)", 0), ("b1*(2**64//2**60)", 0), ("b1/2**70", 0), ("b1+(2**70>1.5)", 0),
    # equal constants of a kind share numexpr's register: -0.0 is 0.0 when 0 comes first
    ("(b1+0.0)//-0.0", 0), ("b1*0+b1//-0.0", 0), ("b1//-0.0+b1*0", 0),
    # functions
    ("sqrt(b1)", 0), ("sin(b1)", ULP), ("cos(b1)", ULP), ("tan(b1)", ULP),
    ("arcsin(b1/255)", ULP), ("arccos(b1/255)", ULP), ("arctan(b1)", ULP),
    ("sinh(b1/100)", ULP), ("cosh(b1/100)", ULP), ("tanh(b1/100)", ULP),
    ("arcsinh(b1)", ULP), ("arccosh(b1)", ULP), ("arctanh(b1/256)", ULP),
    ("log(b1)", ULP), ("log1p(b1)", ULP), ("log10(b1)", ULP), ("log2(b1)", ULP),
    ("exp(b1/50)", ULP), ("expm1(b1/50)", ULP), ("abs(b1-b2)", 0), ("ceil(b1/3)", 0),
    ("floor(b1/3)", 0), ("round(b1/4)", 0), ("round(b1)", 0), ("trunc(b1/3-20)", 0),
    ("sign(b1-b2)", 0), ("sign(b1)", 0), ("fmod(b1,7)", 0), ("fmod(b1,b2)", 0),
    ("arctan2(b1,b2)", ULP), ("hypot(b1,b2)", ULP), ("nextafter(b1,b2)", 0),
    ("copysign(b1,b2-b3)", 0), ("maximum(b1,b2)", 0), ("minimum(b1,b2)", 0),
    ("maximum(b1,0.5)", 0), ("isnan(b1/b2)", 0), ("isinf(b1/b2)", 0),
    ("isfinite(b1/b2)", 0), ("signbit(b1-b2)", 0), ("real(b1)", 0), ("imag(b1)", 0),
    ("conj(b1)", 0), ("copy(b1)", 0), ("ones_like(b1)", 0), ("sqrt(b1>b2)", 0),
    ("abs(b1>b2)", 0), ("floor(b1>b2)", 0),
    # the sign of a NaN, seen through signbit() and copysign()
    ("signbit(log(b1-1))", 0), ("signbit(log1p(b1-2))", 0), ("signbit(b1**0.3)", 0),
    ("signbit((b1-3)**b2)", 0), ("signbit(fmod(b1,b2))", 0), ("signbit(sin(b1*1e300))", 0),
    ("signbit(arccosh(b1))", 0), ("signbit(sqrt(b1-3))", 0), ("copysign(1,b1/b2)", 0),
    ("signbit(sign(b1/b2))", 0), ("signbit(abs(b1/b2))", 0), ("signbit(maximum(b1,b2/b3))", 0),
    # where
    ("where(b1>b2,b1,b2)", 0), ("where(b1>100,1,0)", 0), ("where(b1>100,b1,0.5)", 0),
    ("where(b1,1,0)", 0), ("where(1,b1,b2)", 0), ("where(0,b1,b2+1)", 0),
    ("where(b1>b2,b1>b3,b2>b3)", 0), ("where(b1>b2,1.5,b3)", 0),
    # several outputs
    ("b1;b2;b3", 0), ("b1/b2;b2+b3", 0), ("b1>b2;b1*1.5", 0), ("b1+1;b1*2.5", 0),
    ("b1;b1>b2", 0), ("b1;;b2;", 0), ("B1+B2", 0), ("b1*2;b2**0.5;b3>1", 0),
    # Python syntax titiler accepts or refuses
    ("b1 + b2", 0), ("b1 +\tb2", 0), ("(b1\n+b2)", 0), ("b1 # comment", 0),
    ("b1; b2", 0), (" b1", 0), ("b1\n", 0), ("\nb1", 0), ("b1 \\\n+ b2", 0),
    ("abs(b1,)", 0), ("b1 # e.g. x", 0), ("1.5_0*b1", 0), ("b1*1.5e1", 0),
    # refused by rio-tiler or numexpr
    ("b1.real", 0), ("b1[0]", 0), ("lambda: b1", 0), ("b1 and b2", 0), ("not b1", 0),
    ("b1 if b2 else b3", 0), ("b4", 0), ("b1+(b2))", 0), ("b1+", 0), ("foo(b1)", 0),
    ("sqrt(b1,b2)", 0), ("b1 << 2", 0), ("(b1,b2)", 0), ("'a'", 0), ("b1*1j", 0),
    ("b1 @ b2", 0), ("abs(x=b1)", 0), ("b1 is b2", 0), ("b1 in b2", 0),
    ("where(1,b1,b9)", 0), ("b1 # b9", 0), ("b1**b2**2", 0),
]

SIZE = (4, 4)

INPUTS = {
    "uint8": [
        [0, 1, 2, 3, 10, 50, 100, 127, 128, 200, 250, 255, 7, 13, 64, 99],
        [0, 3, 0, 7, 3, 50, 20, 1, 255, 200, 100, 2, 9, 13, 0, 33],
        [1, 0, 5, 2, 0, 4, 3, 200, 2, 1, 0, 7, 255, 6, 3, 8],
    ],
    "uint16": [
        [0, 1, 2, 300, 1000, 5000, 10000, 32767, 32768, 40000, 65000, 65535, 7, 13, 640, 999],
        [0, 3, 0, 7, 30, 5000, 200, 1, 65535, 200, 100, 2, 9, 13, 0, 33],
        [1, 0, 5, 2, 0, 4, 3, 200, 2, 1, 0, 7, 255, 6, 3, 8],
    ],
    "int16": [
        [0, -1, 2, -300, 1000, -5000, 10000, 32767, -32768, 4000, -650, 655, 7, -13, 640, -999],
        [0, 3, 4, -7, 30, 5000, -200, 1, -1, 200, -100, 2, -9, 13, 0, 33],
        [1, 0, -5, 2, 0, 4, -3, 20, 2, -1, 0, 7, 25, -6, 3, 8],
    ],
    "float32": [
        [0.0, 1.5, -2.25, 300.125, float("nan"), float("inf"), -float("inf"), 3.0e38,
         -0.0, 0.1, 1e-30, -7.5, 7.0, 13.0, 0.5, 99.9],
        [0.0, 3.0, 0.0, -7.0, 30.0, 5000.0, 2.0, 1.0, 65535.0, 0.03, -100.0, 2.0, -9.0, float("nan"), 0.0, 33.0],
        [1.0, 0.0, 5.0, 2.0, 0.0, 4.0, -3.0, 20.0, 2.0, -1.0, 0.0, 7.0, 25.0, -6.0, 3.0, 8.0],
    ],
    "int8": [
        [0, -1, 2, -30, 100, -50, 127, -128, 7, 13, 64, -99, 1, 2, 3, 4],
        [0, 3, 4, -7, 30, 50, -20, 1, -1, 20, -100, 2, 9, 13, 0, 33],
        [1, 0, -5, 2, 0, 4, -3, 20, 2, -1, 0, 7, 25, -6, 3, 8],
    ],
    "uint32": [
        [0, 1, 2, 300, 100000, 5000000, 2**31, 2**32 - 1, 7, 13, 64, 99, 1, 2, 3, 4],
        [0, 3, 0, 7, 30, 50, 20, 1, 2**31, 20, 100, 2, 9, 13, 0, 33],
        [1, 0, 5, 2, 0, 4, 3, 20, 2, 1, 0, 7, 25, 6, 3, 8],
    ],
    "int32": [
        [0, -1, 2, -300, 100000, -5000000, 2**31 - 1, -(2**31), 7, 13, 64, -99, 1, 2, 3, 4],
        [0, 3, 4, -7, 30, 50, 1, -2, 2, 20, -100, 2, 9, 13, 0, 33],
        [1, 0, -5, 2, 0, 4, -3, 20, 2, -1, 0, 7, 25, -6, 3, 8],
    ],
    "int64": [
        [0, -1, 2, -300, 100000, -5000000, 2**62, -(2**62), 7, 13, 64, -99, 2**53, 2, 3, 4],
        [0, 3, 4, -7, 30, 50, 1, -2, 2, 20, -100, 2, 9, 13, 0, 33],
        [1, 0, -5, 2, 0, 4, -3, 20, 2, -1, 0, 7, 25, -6, 3, 8],
    ],
    "uint64": [
        [0, 1, 2, 300, 100000, 5000000, 2**62, 2**63, 7, 13, 64, 99, 2**53, 2, 3, 4],
        [0, 3, 4, 7, 30, 50, 1, 2, 2, 20, 100, 2, 9, 13, 0, 33],
        [1, 0, 5, 2, 0, 4, 3, 20, 2, 1, 0, 7, 25, 6, 3, 8],
    ],
    "bool": [
        [0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1],
        [0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0],
        [1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0],
    ],
    "float64": [
        [0.0, 1.5, -2.25, 300.125, float("nan"), float("inf"), -float("inf"), 1.0e300,
         -0.0, 0.1, 1e-300, -7.5, 7.0, 13.0, 0.5, 99.9],
        [0.0, 3.0, 0.0, -7.0, 30.0, 5000.0, 2.0, 1.0, 65535.0, 0.03, -100.0, 2.0, -9.0, float("nan"), 0.0, 33.0],
        [1.0, 0.0, 5.0, 2.0, 0.0, 4.0, -3.0, 20.0, 2.0, -1.0, 0.0, 7.0, 25.0, -6.0, 3.0, 8.0],
    ],
}

# numexpr crashes the process (SIGFPE) on the smallest int32 // -1 and on
# 0 ** -n: the inputs avoid both.

# Masked pixels, per band (band 3 has none: the output mask must still be
# the union of all bands').
MASKS = [
    [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    [0] * 16,
]

DESCRIPTIONS = ["red", "nir", "swir b9"]

STATS = {
    "uint8": [(0.0, 255.0), (0.0, 200.0), (1.0, 250.0)],
    "uint16": [(0.0, 65535.0), (3.0, 5000.0), (0.0, 255.0)],
    "int16": [(-32768.0, 32767.0), (-200.0, 5000.0), (-6.0, 25.0)],
    "float32": [(-7.5, 300.125), (0.0, 65535.0), (-6.0, 25.0)],
    "int8": [(-128.0, 127.0), (-100.0, 50.0), (-6.0, 25.0)],
    "uint32": [(0.0, 4294967295.0), (0.0, 2147483648.0), (0.0, 25.0)],
    "int32": [(-2147483648.0, 2147483647.0), (-100.0, 50.0), (-6.0, 25.0)],
    "float64": [(-7.5, 300.125), (0.0, 65535.0), (-6.0, 25.0)],
    "int64": [(-4611686018427387904.0, 4611686018427387904.0), (-100.0, 50.0), (-6.0, 25.0)],
    "uint64": [(0.0, 9223372036854775808.0), (0.0, 100.0), (0.0, 25.0)],
    "bool": [(0.0, 1.0), (0.0, 1.0), (0.0, 1.0)],
}

POINT = {"uint8": [7, 0, 3], "int16": [-5, 2, 0], "float32": [2.5, 0.0, float("nan")]}
POINT_MASK = [False, False, False]


def record(result, count):
    """The output of apply_expression, or why it is not an image."""
    arr = result.array
    if arr.ndim != count or arr.shape[0] != len(result.band_descriptions):
        return {"error": "not an image: shape " + str(arr.shape)}
    if arr.dtype.kind == "c":
        return {"error": "not an image: complex values"}
    data = arr.data.reshape(arr.shape[0], -1)
    mask = numpy.ma.getmaskarray(arr).reshape(arr.shape[0], -1)
    out = {
        "out_dtype": str(arr.dtype),
        "values": [[float(v) if arr.dtype.kind == "f" else int(v) for v in row] for row in data.tolist()],
        "valid": [not m for m in mask[0].tolist()],
        "descriptions": list(result.band_descriptions),
    }
    stats = getattr(result, "dataset_statistics", None)
    if stats:
        out["out_stats"] = [[float(lo), float(hi)] for lo, hi in stats]
    return out


def run(make, expr, count):
    try:
        result = make().apply_expression(expr)
    except Exception as e:  # titiler answers InvalidExpression (400) or fails (500)
        return {"error": f"{type(e).__name__}: {e}"}
    return record(result, count)


def image(dtype, stats):
    data = numpy.array(INPUTS[dtype], dtype=dtype).reshape(3, *SIZE)
    mask = numpy.array(MASKS, dtype=bool).reshape(3, *SIZE)
    return ImageData(
        numpy.ma.MaskedArray(data, mask=mask),
        band_descriptions=DESCRIPTIONS,
        dataset_statistics=STATS[dtype] if stats else None,
    )


def point(dtype):
    # No band is masked: rio-tiler hands numexpr a masked element of a
    # point as numpy.ma.masked, a float64 0.0, which changes the type of
    # everything computed from it (the output is masked anyway).
    data = numpy.array(POINT[dtype], dtype=dtype)
    return PointData(
        numpy.ma.MaskedArray(data, mask=POINT_MASK),
        band_descriptions=DESCRIPTIONS,
    )


def main():
    cases = []
    for expr, ulp in EXPRESSIONS:
        for dtype in INPUTS:
            for stats in (False, True):
                out = run(lambda: image(dtype, stats), expr, 3)
                cases.append({"expression": expr, "input": dtype, "stats": stats, "ulp": ulp, **out})
        for dtype in POINT:
            out = run(lambda: point(dtype), expr, 1)
            cases.append({"expression": expr, "input": dtype, "point": True, "ulp": ulp, **out})
    doc = {
        "size": list(SIZE),
        "inputs": {k: [[repr_float(v) for v in band] for band in bands] for k, bands in INPUTS.items()},
        "masks": MASKS,
        "descriptions": DESCRIPTIONS,
        "stats": STATS,
        "points": {k: [repr_float(v) for v in vals] for k, vals in POINT.items()},
        "point_mask": POINT_MASK,
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=None, separators=(",", ":")) + "\n")
    failed = sum("error" in c for c in cases)
    print(f"{len(EXPRESSIONS)} expressions, {len(cases)} cases ({failed} refused) written to {OUT}")


def repr_float(v):
    """JSON has no NaN or infinities: they are written as strings."""
    if isinstance(v, float) and (v != v or v in (float("inf"), -float("inf"))):
        return str(v)
    return v


if __name__ == "__main__":
    main()
