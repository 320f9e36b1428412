"""Writes tiles/colorformula/testdata/peer.json: color_formula as the peer applies it.

Run with the peer's Python (scripts/titiler.sh install puts titiler there):
    .local/titiler-venv/bin/python scripts/colorformula.py
For each formula the file records whether titiler's query validator accepts
it and, on small images of several types, what rio-tiler's
ImageData.apply_color_formula returns (values, dtype, mask, alpha) or the
exception it raises. tiles/colorformula's tests compare against it.

    .local/titiler-venv/bin/python scripts/colorformula.py --exhaustive DIR
also writes binary files to DIR (not committed: about 400 MB) with the peer's
saturation of every uint8 colour, its gamma and sigmoidal of every uint8 and
uint16 value, saturation of a sample of uint16 colours, and 20,000 formulas
pieced together at random with titiler's verdict and rio-tiler's bytes; run
COLORFORMULA_EXHAUSTIVE=DIR go test ./tiles/colorformula/ to compare.
"""

import json
import pathlib
import sys
import unicodedata
import warnings
from importlib.metadata import version

import numpy
from rio_tiler.models import ImageData
from titiler.core.validation import validate_color_formula

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tiles" / "colorformula" / "testdata" / "peer.json"

# Formulas applied to every image: each operation alone, every band
# selector, extreme and special arguments, sequences, case and separator
# variations, and formulas the validator accepts that fail when applied.
APPLIED = [
    "gamma r 1.5",
    "gamma g 0.5",
    "gamma b 2.2",
    "gamma rgb 1.3",
    "gamma RGB 1",
    "gamma rg 3.5",
    "gamma 13 0.7",
    "gamma rgbrgb 1.8",
    "gamma 123 2",
    "gamma rgb 0.01",
    "gamma rgb 100",
    "gamma rgb 1e300",
    "gamma rgb inf",
    "gamma rgb 1.5 99",
    "gamma rgb 1_0",
    "gamma \u0661 1.5",
    "gamma rgb 1.5\n",
    "gamma ",
    "sigmoidal rgb 10 0.5",
    "sigmoidal rgb 22 0.1",
    "sigmoidal r 3 0",
    "sigmoidal rgb 0 0.5",
    "sigmoidal rgb -5 0.5",
    "sigmoidal rgb -20 0.2",
    "sigmoidal rgb 1000 0.5",
    "sigmoidal rgb 20 1",
    "sigmoidal rgb 0.001 0.5",
    "sigmoidal rgb nan 0.5",
    "sigmoidal rgb 10 nan",
    "sigmoidal rgb inf 0.5",
    "sigmoidal rgb -inf 0.5",
    "saturation 1.2",
    "saturation 0",
    "saturation 1",
    "saturation 0.5",
    "saturation 3.5",
    "saturation -1",
    "saturation 100",
    "saturation 1e308",
    "saturation inf",
    "saturation nan",
    "saturation 1.5 2 3",
    "gamma rgb 1.3, sigmoidal rgb 22 0.1, saturation 1.2",
    "Gamma RGB 3.5 Saturation 1.7 Sigmoidal RGB 15 0.35",
    "GAMMA R 2 gamma g 1.5 GaMmA b 1.2",
    "gamma b 1.2, gamma g 1.1, sigmoidal rgb 5 0.5",
    "saturation 0.8 gamma rgb 1.1 saturation 1.3",
    # accepted by the validator, failing when applied
    "gamma rgb",
    "sigmoidal rgb 10",
    "gamma rgb -1",
    "gamma rgb 0",
    "gamma rgb nan",
    "sigmoidal rgb 10 1.5",
    "sigmoidal rgb 10 -0.1",
]

# Formulas only validated: what titiler's query check refuses (422) or lets by.
VALIDATED = [
    "",
    "saturation",
    " ",
    "gamma",
    "foo rgb 1",
    "gama rgb 1.5",
    "gamma q 1.5",
    "gamma r4 1.5",
    "gamma 0 1.5",
    "gamma rgb x",
    "gamma rgb 1.5x",
    "gamma rgb 0x10",
    "gamma rgb 1__0",
    "gamma rgb _1",
    "gamma rgb 1.5.2",
    "gamma rgb .",
    "gamma rgb +nan",
    "gamma rgb -Infinity",
    "gamma rgb .5",
    "gamma rgb 5.",
    "gamma rgb 1e5",
    "gamma rgb 1e1_0",
    "gamma rgb 1,5",
    "gamma rgb 1,sigmoidal rgb 1 0.5",
    "gamma  rgb 1",
    "gamma rgb 1 ",
    "gamma  1",
    "gamma  -1",
    " gamma rgb 1",
    "rgb gamma rgb 1",
    "gamma gamma 1",
    "saturation rgb 1",
    "saturation x",
    "gamma\trgb 1",
    "gamma rgb\t1",
    "gamma rgb 1\t",
    "gamma\u00a0rgb 1",
    "gamma \uff11 1",
    "gamma \u0130 1",
    "s\u0130gmoidal rgb 1 0.5",
    "gam,ma rgb 1",
    "gamma rgb \u0661.\u0665",
    "sigmoidal rgb 1 0.5 gamma",
    "gamma r 1 sigmoidal",
    "gamma rgb 1\x1c",
    "gamma rgb 1\u3000",
    "gamma rgb 1\u180e",
    "gamma rgb 1\x85",
    "gamma rgb \U0001d7d0",
    "gamma rgb 1e400",
    "gamma rgb 1e-400",
    ", ".join(["gamma rgb 1"] * 40),  # titiler has no limit; tilefunc allows 32
] + APPLIED


def images():
    """Small images of each kind the brief names: some pixels masked."""
    rng = numpy.random.default_rng(20240601)
    out = {}

    # uint8 RGB: greys, primaries and mixes, then random colours.
    n = 16 * 16
    u8 = rng.integers(0, 256, size=(3, n), dtype=numpy.uint8)
    grey = numpy.linspace(0, 255, 32).astype(numpy.uint8)
    u8[:, :32] = grey
    u8[:, 32:40] = numpy.array(
        [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [0, 255, 255], [255, 0, 255], [1, 2, 3], [254, 253, 252]]
    ).T
    mask = numpy.zeros((3, n), bool)
    mask[:, 200:210] = True
    mask[1, 220:230] = True
    out["u8"] = (u8.reshape(3, 16, 16), mask.reshape(3, 16, 16), None)

    # uint16 RGB with the type's ends and multiples of 257 (exact bytes).
    n = 12 * 12
    u16 = rng.integers(0, 65536, size=(3, n), dtype=numpy.uint16)
    u16[:, :8] = numpy.array([0, 257, 514, 32896, 65278, 65535, 1, 65534], dtype=numpy.uint16)
    mask = numpy.zeros((3, n), bool)
    mask[:, 100:104] = True
    out["u16"] = (u16.reshape(3, 12, 12), mask.reshape(3, 12, 12), None)

    # uint16 RGB carrying its own alpha band, rescaled to uint8 by the formula.
    alpha = rng.integers(0, 65536, size=(6, 6), dtype=numpy.uint16)
    alpha[0, :3] = [0, 65535, 257]
    out["u16alpha"] = (
        rng.integers(0, 65536, size=(3, 6, 6), dtype=numpy.uint16),
        numpy.zeros((3, 6, 6), bool),
        alpha,
    )

    # int16 RGB with negative values, set to 0 before the operations.
    i16 = rng.integers(-32768, 32768, size=(3, 6, 6), dtype=numpy.int16)
    i16[:, 0, :3] = [-1, 0, 32767]
    out["i16"] = (i16, numpy.zeros((3, 6, 6), bool), None)

    # float32 RGB with negative values: color-operations refuses floats.
    f32 = rng.uniform(-0.5, 1.5, size=(3, 4, 4)).astype(numpy.float32)
    mask = numpy.zeros((3, 4, 4), bool)
    mask[:, 0, 0] = True
    out["f32"] = (f32, mask, None)

    # one band, two bands and four bands of uint8.
    one = rng.integers(0, 256, size=(1, 6, 6), dtype=numpy.uint8)
    one[0, 0, :4] = [0, 1, 254, 255]
    mask = numpy.zeros((1, 6, 6), bool)
    mask[0, 5, 5] = True
    out["u8x1"] = (one, mask, None)
    out["u8x2"] = (rng.integers(0, 256, size=(2, 4, 4), dtype=numpy.uint8), numpy.zeros((2, 4, 4), bool), None)
    out["u8x4"] = (rng.integers(0, 256, size=(4, 6, 6), dtype=numpy.uint8), numpy.zeros((4, 6, 6), bool), None)
    return out


def encode_image(data, mask, alpha):
    return {
        "dtype": str(data.dtype),
        "width": int(data.shape[2]),
        "height": int(data.shape[1]),
        "bands": [b.ravel().tolist() for b in data],
        "mask": ["".join("1" if m else "0" for m in b.ravel()) for b in mask],
        "alpha": None if alpha is None else alpha.ravel().tolist(),
    }


def apply(formula, data, mask, alpha):
    img = ImageData(numpy.ma.MaskedArray(data.copy(), mask=mask.copy()), alpha_mask=None if alpha is None else alpha.copy())
    try:
        img.apply_color_formula(formula)
    except Exception as e:  # noqa: BLE001 - every failure is a fact to record
        return {"error": f"{type(e).__name__}: {e}"}
    return encode_image(img.array.data, numpy.ma.getmaskarray(img.array), img.alpha_mask)


def validated(formula):
    try:
        validate_color_formula(formula)
    except ValueError as e:
        return {"formula": formula, "valid": False, "cause": repr(e.__cause__)}
    return {"formula": formula, "valid": True}


def fixture():
    imgs = images()
    cases = []
    for formula in APPLIED:
        for name, (data, mask, alpha) in imgs.items():
            cases.append({"formula": formula, "image": name, **apply(formula, data, mask, alpha)})
    return {
        "peer": {p: version(p) for p in ("titiler.core", "rio-tiler", "color-operations", "numpy")},
        "validated": [validated(f) for f in VALIDATED],
        # Python's decimal digits (Unicode category Nd) and their values,
        # which int() and float() accept in bands and numbers.
        "unicode": unicodedata.unidata_version,
        "digits": [[c, int(chr(c))] for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Nd"],
        "images": {name: encode_image(*img) for name, img in imgs.items()},
        "cases": cases,
    }


def exhaustive(out):
    """Binary files for the optional full comparison (see the module doc)."""
    from color_operations import parse_operations, scale_dtype, to_math_type

    out.mkdir(parents=True, exist_ok=True)
    v = numpy.arange(1 << 24, dtype=numpy.uint32)
    cube = numpy.stack([(v >> 16) & 255, (v >> 8) & 255, v & 255]).astype(numpy.uint8).reshape(3, 4096, 4096)
    for p in ("0", "0.5", "1", "1.2", "1.7", "3.5", "10", "-1"):
        res = scale_dtype(parse_operations(f"saturation {p}")[0](to_math_type(cube)), numpy.uint8)
        res.tofile(out / f"saturation_{p}_uint8.bin")
    rng = numpy.random.default_rng(7)
    sample = rng.integers(0, 65536, size=(3, 2048, 2048), dtype=numpy.uint16)
    sample.tofile(out / "sample_uint16.bin")
    for p in ("1", "1.7"):
        res = scale_dtype(parse_operations(f"saturation {p}")[0](to_math_type(sample)), numpy.uint8)
        res.tofile(out / f"saturation_{p}_uint16.bin")
    random_formulas(out / "random.json")
    single = {"uint8": numpy.arange(256, dtype=numpy.uint8), "uint16": numpy.arange(65536, dtype=numpy.uint16)}
    for f in EXHAUSTIVE_BAND:
        for dtype, values in single.items():
            res = scale_dtype(parse_operations(f)[0](to_math_type(values[None, None, :])), numpy.uint8)
            res.tofile(out / f"{f.replace(' ', '_')}_{dtype}.bin")


def random_formulas(path, count=20000):
    """Formulas put together from pieces, right and wrong, with titiler's
    verdict and, for those it accepts, rio-tiler's bytes on three images."""
    rng = numpy.random.default_rng(11)
    # Mostly well formed, so that many are accepted and applied; now and
    # then a piece titiler refuses or reads in a surprising way.
    names = (["gamma", "Gamma", "GAMMA", "sigmoidal", "Sigmoidal", "saturation", "SATURATION"], ["gama", ""])
    bands = (["r", "g", "b", "rgb", "RGB", "rb", "gb", "1", "2", "3", "12", "123", "\u0661", "\uff12"], ["0", "4", "rgba", ""])
    numbers = (
        ["1.5", "0.5", "2", "0", "10", "0.35", "0.1", "22", "1e3", "1e-3", ".5", "5.", "1_0", "inf", "nan", "0.9", "3", "-1"],
        ["-inf", "Infinity", "x", "0x10", "", "1.2.3", "+1", "--1", "1__0", "\u0661.\u0665"],
    )
    seps = ([" ", ", "], [",", "  ", "\t", " , "])

    def pick(choices):
        good, bad = choices
        xs = bad if rng.random() < 0.08 else good
        return str(xs[int(rng.integers(len(xs)))])

    def operation():
        name = pick(names)
        words = [name]
        if not name.lower().startswith("sat") or rng.random() < 0.1:
            words.append(pick(bands))
        words += [pick(numbers) for _ in range(int(rng.integers(1, 4)))]
        return words

    imgs = images()
    small = {k: (imgs[k][0][:, :2, :6], imgs[k][1][:, :2, :6], None) for k in ("u8", "u16", "u8x1")}
    cases = []
    for _ in range(count):
        words = [w for _ in range(int(rng.integers(1, 5))) for w in operation()]
        text = words[0]
        for w in words[1:]:
            text += pick(seps) + w
        case = validated(text)
        if case["valid"]:
            case["outputs"] = {name: apply(text, *img) for name, img in small.items()}
        cases.append(case)
    path.write_text(json.dumps({"images": {k: encode_image(*v) for k, v in small.items()}, "cases": cases}))


# One-band formulas compared over every uint8 and uint16 value.
EXHAUSTIVE_BAND = [
    "gamma r 0.5", "gamma r 1", "gamma r 1.3", "gamma r 2", "gamma r 2.2", "gamma r 3.5", "gamma r 0.7",
    "sigmoidal r 10 0.5", "sigmoidal r 22 0.1", "sigmoidal r 3 0.35", "sigmoidal r 0.001 0.5",
    "sigmoidal r -5 0.5", "sigmoidal r -20 0.2", "sigmoidal r 1000 0.5",
]

if __name__ == "__main__":
    # numpy warns when exp overflows in sigmoidal; the overflow is part of
    # what is being recorded.
    warnings.simplefilter("ignore", RuntimeWarning)
    if len(sys.argv) == 3 and sys.argv[1] == "--exhaustive":
        exhaustive(pathlib.Path(sys.argv[2]))
        print(f"binary files written to {sys.argv[2]}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture(), separators=(",", ":")) + "\n")
    print(f"{OUT} written")
