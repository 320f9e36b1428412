"""Writes tiles/algorithm/testdata/golden.json: titiler's algorithms applied to small inputs.

Run with the peer's Python (scripts/titiler.sh install puts titiler there):
    .local/titiler-venv/bin/python scripts/algorithms_golden.py
Each input is a seeded, made-up raster (a DEM, RGB bytes, red/NIR, band
stacks, floats to cast) with masked pixels whose hidden values matter.
Each case applies one algorithm of titiler.core with one algorithm_params
and records what titiler returns: every value under the mask included, the
mask, dtype, size, bounds and band descriptions, or the exception when
titiler fails (a 500 there, a 400 in tilefunc). Only titiler's results are
kept; nothing of its code is.
"""

import json
import math
import pathlib
import warnings

import numpy
from pydantic import ValidationError
from rio_tiler.models import ImageData
from titiler.core.algorithm import algorithms

warnings.simplefilter("ignore")  # numpy warns about the NaN and 0/0 the cases hold on purpose
OUT = pathlib.Path(__file__).resolve().parent.parent / "tiles" / "algorithm" / "testdata" / "golden.json"
rng = numpy.random.default_rng(20250101)


def dem(size=16):
    """A smooth hill with a slope and some noise, in metres."""
    y, x = numpy.mgrid[0:size, 0:size].astype("float64")
    z = 1200 + 180 * numpy.sin(x / 3.1) * numpy.cos(y / 4.3) + 35 * x - 12 * y
    return z + rng.normal(0, 2, (size, size))


def mask_of(shape, cells):
    m = numpy.zeros(shape, dtype=bool)
    for cell in cells:
        m[cell] = True
    return m


DEM_HOLES = [(0, 0), (5, 7), (10, 3), (10, 4), (11, 3), (11, 4), (15, 9), (7, 15)]


def dem_f32():
    z = dem().astype("float32")[numpy.newaxis]
    m = mask_of(z.shape, [(0, *c) for c in DEM_HOLES])
    z[0, 0, 0] = z[0, 15, 9] = -9999  # nodata under some holes, real heights under others
    return z, m, (500000.0, 4649520.0, 500480.0, 4650000.0), None


def dem_i16():
    z = numpy.round(dem()).astype("int16")[numpy.newaxis]
    m = mask_of(z.shape, [(0, *c) for c in DEM_HOLES[:5]])
    z[m] = -32768
    return z, m, (10.0, 45.0, 10.0048, 45.0048), None


def dem_odd():
    """6x6 with an unmasked NaN and an unmasked infinity."""
    z = dem(6).astype("float32")[numpy.newaxis]
    z[0, 2, 2] = numpy.nan
    z[0, 4, 1] = numpy.inf
    m = mask_of(z.shape, [(0, 0, 5), (0, 3, 4)])
    z[0, 3, 4] = numpy.nan
    return z, m, (0.0, 0.0, 60.0, 60.0), None


def dem_wide():
    """Heights over 2,000 km: too many steps of 0.1 m for three bytes."""
    z = (rng.random((1, 8, 8)) * 2_000_000).astype("float32")
    return z, mask_of(z.shape, [(0, 1, 1)]), (0.0, 0.0, 8.0, 8.0), None


def rgb_u8():
    d = rng.integers(0, 256, (3, 16, 16)).astype("uint8")
    m = mask_of(d.shape, [(0, 2, 3), (1, 2, 4), (2, 2, 5), (0, 9, 9), (1, 9, 9), (2, 9, 9), (1, 12, 0)])
    d[:, 9, 9] = 0
    return d, m, (0.0, 0.0, 16.0, 16.0), ["red", "green", "blue"]


def rgb_f32():
    d = (rng.random((3, 8, 8)) * 300 - 20).astype("float32")
    d[1, 4, 4] = numpy.inf
    return d, mask_of(d.shape, [(0, 0, 1), (2, 6, 6)]), (0.0, 0.0, 8.0, 8.0), None


def gray_u8():
    d = rng.integers(0, 256, (1, 8, 8)).astype("uint8")
    d[0, 0, :3] = [126, 127, 128]
    return d, mask_of(d.shape, [(0, 5, 5)]), (0.0, 0.0, 8.0, 8.0), ["gray"]


def red_nir_u16():
    d = rng.integers(0, 12000, (2, 8, 8)).astype("uint16")
    d[:, 3, 3] = 0  # 0/0
    d[:, 4, 4] = [500, 500]  # 0/1000
    m = mask_of(d.shape, [(0, 1, 1), (1, 2, 2), (0, 6, 6), (1, 6, 6)])
    return d, m, (0.0, 0.0, 8.0, 8.0), ["B04", "B08"]


def stack_f32():
    """Five bands; pixels with 0, 1, 2 and more valid bands, an unmasked NaN, big and small values."""
    d = (rng.normal(0, 1, (5, 8, 8)) * rng.choice([1, 1e3, 1e7], (5, 8, 8))).astype("float32")
    m = rng.random((5, 8, 8)) < 0.3
    m[:, 0, 0] = True
    m[:, 0, 1] = [True, True, False, True, True]
    m[:, 0, 2] = [False, True, False, True, True]
    m[:, 0, 3] = False
    d[2, 0, 4] = numpy.nan
    m[2, 0, 4] = False
    d[1, 0, 5] = numpy.nan  # under the mask
    m[1, 0, 5] = True
    d[:, 1, 0] = [3e38, 3e38, 1, 2, 3]  # float32 sum overflows
    m[:, 1, 0] = False
    return d, m, (0.0, 0.0, 8.0, 8.0), None


def stack_u8():
    d = rng.integers(0, 256, (3, 8, 8)).astype("uint8")
    m = rng.random((3, 8, 8)) < 0.3
    m[:, 0, 0] = True
    return d, m, (0.0, 0.0, 8.0, 8.0), None


def stack_i16():
    d = rng.integers(-3000, 3000, (4, 8, 8)).astype("int16")
    m = rng.random((4, 8, 8)) < 0.25
    m[:, 7, 7] = True
    m[:, 7, 6] = [False, True, True, True]
    return d, m, (0.0, 0.0, 8.0, 8.0), None


def floats_f32():
    d = (rng.random((2, 8, 8)) * 900 - 300).astype("float32")
    d[0, 0, :6] = [-0.5, 255.5, 256.2, -1.5, numpy.nan, 1e20]
    return d, mask_of(d.shape, [(0, 3, 3), (1, 0, 0)]), (0.0, 0.0, 8.0, 8.0), None


def ints_u32():
    d = rng.integers(0, 4_000_000_000, (1, 4, 4), dtype="uint64").astype("uint32")
    d[0, 0, 0] = 3_000_000_001
    return d, mask_of(d.shape, [(0, 1, 1)]), (0.0, 0.0, 4.0, 4.0), None


INPUTS = {
    f.__name__: f()
    for f in [dem_f32, dem_i16, dem_odd, dem_wide, rgb_u8, rgb_f32, gray_u8, red_nir_u16, stack_f32, stack_u8, stack_i16, floats_f32, ints_u32]
}

DEMS = ["dem_f32", "dem_i16", "dem_odd"]
STACKS = ["stack_f32", "stack_u8", "stack_i16"]
CASES = (
    [(i, "hillshade", p) for i in DEMS for p in ["", '{"azimuth": 300, "angle_altitude": 30, "buffer": 0, "z_exaggeration": 2.5}']]
    + [
        ("dem_f32", "hillshade", '{"azimuth": 0, "angle_altitude": -20.5, "buffer": 1}'),
        ("dem_f32", "hillshade", '{"buffer": 2, "output_dtype": "float32", "unknown": [1]}'),
        ("dem_odd", "hillshade", '{"buffer": 1}'),  # the default buffer leaves titiler a 0x0 image
        ("dem_odd", "slope", '{"buffer": 1}'),
    ]
    + [(i, "slope", p) for i in DEMS for p in ["", '{"buffer": 0, "z_exaggeration": 3}']]
    + [("dem_f32", "slope", '{"buffer": 1, "output_dtype": "float64"}')]
    + [(i, "contours", "") for i in DEMS]
    + [
        ("dem_f32", "contours", p)
        for p in [
            '{"increment": 20, "thickness": 3, "minz": 1000, "maxz": 1800}',
            '{"increment": 0}',
            '{"minz": 1500, "maxz": 1500}',
            '{"minz": 1900, "maxz": 1000, "output_dtype": "int8"}',
        ]
    ]
    + [(i, "terrarium", p) for i in DEMS for p in ["", '{"nodata_height": 0}']]
    + [("dem_f32", "terrarium", '{"nodata_height": -99999}')]
    + [(i, "terrainrgb", p) for i in DEMS for p in ["", '{"interval": 1, "baseval": 0, "nodata_height": 100}']]
    + [
        ("dem_f32", "terrainrgb", '{"interval": 0}'),
        ("dem_f32", "terrainrgb", '{"interval": 0.05, "baseval": -500}'),
        ("dem_wide", "terrainrgb", ""),
        ("dem_wide", "terrainrgb", '{"interval": 1}'),
    ]
    + [
        ("red_nir_u16", "normalizedIndex", ""),
        ("red_nir_u16", "normalizedIndex", '{"output_dtype": "float64"}'),
        ("rgb_f32", "normalizedIndex", ""),
        ("gray_u8", "normalizedIndex", ""),
    ]
    + [(i, a, "") for i in ["floats_f32", "stack_i16", "ints_u32"] for a in ["cast", "ceil", "floor"]]
    + [(i, a, "") for i in STACKS for a in ["min", "max", "median", "mean", "std", "var", "sum"]]
    + [(i, a, "") for i in ["rgb_u8", "rgb_f32", "gray_u8", "red_nir_u16"] for a in ["grayscale", "bitonal"]]
    + [("stack_u8", "bitonal", ""), ("dem_f32", "contours", '{"increment": 10, "thickness": 2}')]
)


def number(v):
    """A value as JSON can hold it: NaN and infinities as strings."""
    v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v


def image(name):
    data, mask, bounds, descriptions = INPUTS[name]
    kw = {"band_descriptions": descriptions} if descriptions else {}
    return ImageData(numpy.ma.MaskedArray(data, mask=mask), bounds=bounds, **kw)


def record(img):
    arr = img.array
    mask = numpy.ma.getmaskarray(arr)
    return {
        "dtype": str(arr.dtype),
        "width": img.width,
        "height": img.height,
        "bounds": list(img.bounds),
        "descriptions": list(img.band_descriptions),
        "bands": [[number(v) for v in band.ravel()] for band in arr.data],
        "masks": ["".join("1" if m else "0" for m in band.ravel()) for band in mask],
    }


def run(input_name, algorithm, params):
    algo = algorithms.get(algorithm)(**(json.loads(params) if params else {}))
    try:
        return {"output": record(algo(image(input_name)))}
    except Exception as e:  # titiler answers 500
        return {"error": f"{type(e).__name__}: {e}"}


# algorithm_params as a request gives them: pydantic's lax coercions,
# bounds, types, text that is not JSON or not an object.
VALIDATION = [
    ("hillshade", p)
    for p in [
        "", "{}", '{"azimuth": 361}', '{"azimuth": -1}', '{"azimuth": 45.5}', '{"azimuth": 45.0}', '{"azimuth": "45"}',
        '{"azimuth": " 45 "}', '{"azimuth": "45.00"}', '{"azimuth": "45."}', '{"azimuth": "1_0"}', '{"azimuth": "_10"}',
        '{"azimuth": "-_1"}', '{"azimuth": "1e2"}', '{"azimuth": 1e2}', '{"azimuth": true}', '{"azimuth": null}',
        '{"azimuth": [45]}', '{"azimuth": {"deg": 45}}', '{"azimuth": NaN}', '{"azimuth": "east"}',
        '{"azimuth": 123456789012345678901234567890}', '{"angle_altitude": 90}', '{"angle_altitude": 90.0000001}',
        '{"angle_altitude": -Infinity}', '{"angle_altitude": NaN}', '{"angle_altitude": "nan"}', '{"angle_altitude": "1_0.5"}',
        '{"angle_altitude": "  1_0  "}', '{"angle_altitude": "+_1"}', '{"angle_altitude": "i_nf"}', '{"angle_altitude": ".5"}',
        '{"angle_altitude": "5."}', '{"angle_altitude": "0x10"}', '{"angle_altitude": "1e"}', '{"angle_altitude": false}',
        '{"angle_altitude": 1e400}', '{"angle_altitude": 1' + "0" * 400 + "}", '{"buffer": 99}', '{"buffer": 100}',
        '{"z_exaggeration": 0}', '{"z_exaggeration": 1e-6}', '{"z_exaggeration": "1e6"}', '{"z_exaggeration": 1000000.1}',
        '{"azimuth": 400, "buffer": -1, "angle_altitude": "x"}', '{"azimuth": 500, "azimuth": 10}', '{"extra": {"a": [1, null]}}',
        '{"title": 5}', '{"title": null}', '{"description": "mine"}', '{"input_nbands": null}', '{"input_nbands": "3"}',
        '{"output_dtype": 5}', '{"output_min": "abc"}', '{"output_min": {"a": 1}}', '{"output_min": 5}', '{"output_min": [1, "a"]}',
        "[1, 2]", '"hillshade"', "5", "null", "true", '{"azimuth": ', "{'azimuth': 1}", '{"azimuth": 1,}', " {} ", "{} x",
        '{"a": "\\q"}', '{"a": "\\u00e9\\ud83d\\ude00"}', "\ufeff{}", '{"azimuth": 01}', '{"azimuth": -0}', '{"azimuth": 1.}',
    ]
] + [
    ("slope", '{"output_min": ["a"]}'), ("slope", '{"output_min": "ab"}'), ("slope", '{"output_min": null}'),
    ("slope", '{"output_min": [1, "2", true]}'), ("cast", '{"output_min": [1.5, "x"]}'), ("cast", '{"output_min": "12"}'),
    ("cast", '{"output_min": [1, "2", true, 2.0]}'), ("cast", '{"output_nbands": 3}'), ("normalizedIndex", '{"output_max": "ab"}'),
    ("contours", '{"increment": 1000}'), ("contours", '{"minz": 99999.0, "maxz": -99999}'), ("contours", '{"thickness": 11}'),
    ("terrarium", '{"nodata_height": null}'), ("terrarium", '{"nodata_height": "1"}'), ("terrarium", '{"nodata_height": 1e6}'),
    ("terrarium", '{"nodata_height": []}'), ("terrainrgb", '{"interval": 2}'), ("terrainrgb", '{"interval": 0}'),
    ("terrainrgb", '{"baseval": -100000}'), ("grayscale", '{"output_dtype": null}'), ("median", '{"output_dtype": null}'),
    ("mean", '{"anything": 1}'), ("shade", ""), ("shade", "{"), ("", '{"azimuth": 1000}'), ("", "[1]"), ("", "{"),
]


def validation(algorithm, params):
    """The status titiler's post_process dependency answers, and the fields pydantic names."""
    try:
        kwargs = json.loads(params) if params else {}
    except json.JSONDecodeError:
        return {"status": 422}
    if not algorithm:
        return {"status": 200}
    if algorithm not in algorithms.list():
        return {"status": 422}
    try:
        algorithms.get(algorithm)(**kwargs)
    except ValidationError as e:
        return {"status": 400, "fields": [".".join(map(str, err["loc"])) for err in e.errors()]}
    except TypeError:
        return {"status": 500}
    return {"status": 200}


def main():
    inputs = {}
    for name in INPUTS:
        img = image(name)
        inputs[name] = record(img)
    cases = [{"input": i, "algorithm": a, "params": p, **run(i, a, p)} for i, a, p in CASES]
    checks = [{"algorithm": a, "params": p, **validation(a, p)} for a, p in VALIDATION]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"inputs": inputs, "cases": cases, "validation": checks}, indent=None, separators=(",", ":")) + "\n")
    print(f"{len(cases)} cases on {len(inputs)} inputs and {len(checks)} algorithm_params written to {OUT}")


main()
