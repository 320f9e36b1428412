"""Writes reference.json: what titiler and rio-tiler make of colormaps.

Run with the peer's Python (the titiler-pgstac virtualenv):
    /work/main/.local/titiler-venv/bin/python tiles/colormap/testdata/reference.py
Each "apply" case renders a small masked image with a colormap through
titiler's render_image to NPY (R, G, B and the alpha render_image makes);
each "legend" case is the image /colorMaps/{id}?f=... draws, rendered to NPY
the same way. Values are written as strings so NaN and infinities survive.
"""

import json
import pathlib
import warnings

import numpy
from rio_tiler.colormap import cmap as named
from rio_tiler.models import ImageData
from titiler.core.dependencies import ColorMapParams
from titiler.core.factory import ColorMapFactory
from titiler.core.resources.enums import ImageType
from titiler.core.utils import render_image

warnings.simplefilter("ignore")

HERE = pathlib.Path(__file__).resolve().parent

# A user table of 256 keys 0..255: rio-tiler takes the lookup path for it.
USER_TABLE = json.dumps(
    {str(i): [i, 255 - i, (i * 7) % 256, 0 if i % 5 == 0 else (i * 3) % 256] for i in range(256)}
)
DISCRETE = json.dumps(
    {"-5": [1, 2, 3], "0": "#000a", "1": "#abc", "3": "#ff000080", "300": [4, 5, 6, 7],
     "16777217": [8, 9, 10, 11], "65535": "#123456"}
)
INTERVALS = (
    '[[[0, 10], [10, 20, 30]], [[5, 15], "#ffffff80"], [[10, 20], [200, 100, 50, 25]],'
    ' [[-Infinity, -100], [1, 1, 1, 1]], [[0.5, 1.5], "#00ff00"], [[30, 25], [9, 9, 9, 9]]]'
)

# Per type: values (some wrap in the uint8 cast, some sit on interval edges)
# and which of them have no data.
DATA = {
    "uint8": ([0, 1, 3, 5, 10, 15, 20, 44, 255, 9, 25, 2], [4, 11]),
    "uint16": ([0, 300, 556, 65535, 10, 15, 1, 3, 20, 5, 44, 299], [0, 7]),
    "float32": (
        [-5, 300.7, -1.5, float("nan"), float("inf"), 16777216, 0.5, 9.999, 10.0, -100, -100.5, 1.5],
        [1, 9],
    ),
}
# 300 keys: more than a legend's default 256 pixels.
MANY = json.dumps({str(i * 3 - 100): [i % 256, 0, 0, 255] for i in range(300)})
COLORMAPS = {
    "viridis": ("name", "viridis"),
    "user_table": ("json", USER_TABLE),
    "discrete": ("json", DISCRETE),
    "intervals": ("json", INTERVALS),
    "many": ("json", MANY),
}


def load(kind, text):
    if kind == "name":
        return named.get(text)
    return ColorMapParams(colormap_name=None, colormap=text)


def planes(npy):
    arr = numpy.load(__import__("io").BytesIO(npy))
    return arr.dtype.name, [[int(v) for v in band.ravel()] for band in arr]


def apply_cases():
    out = []
    for cname, (kind, text) in COLORMAPS.items():
        if cname == "many":
            continue
        cm = load(kind, text)
        for dtype, (values, masked) in DATA.items():
            for alpha in (False, True):
                arr = numpy.array(values, dtype=dtype).reshape(1, 3, 4)
                mask = numpy.zeros(arr.shape, dtype=bool)
                mask.flat[masked] = True
                img = ImageData(numpy.ma.MaskedArray(arr, mask=mask))
                alpha_band = None
                if alpha:
                    # A source alpha band in the data's range: only its
                    # smallest value hides a pixel.
                    lo = numpy.iinfo(dtype).min if dtype != "float32" else numpy.finfo(dtype).min
                    alpha_band = numpy.full((3, 4), 7, dtype=dtype)
                    alpha_band.flat[[0, 4]] = lo
                    img = ImageData(numpy.ma.MaskedArray(arr, mask=mask), alpha_mask=alpha_band)
                content, _ = render_image(img, colormap=cm, output_format=ImageType.npy)
                out_dtype, result = planes(content)
                out.append({
                    "name": f"{cname}/{dtype}" + ("/alpha" if alpha else ""),
                    "colormap": cname, "dtype": dtype, "width": 4, "height": 3,
                    "values": [repr(float(v)) for v in arr.ravel()],
                    "valid": [not m for m in mask.ravel().tolist()],
                    "alpha": None if alpha_band is None else [repr(float(v)) for v in alpha_band.ravel()],
                    "out_dtype": out_dtype, "out": result,
                })
    return out


def legend_cases():
    cases = [
        ("viridis", "name", "viridis", None, None, None),
        ("viridis", "name", "viridis", "vertical", 4, None),
        ("viridis", "name", "viridis", "horizontal", 100, 7),
        ("viridis", "name", "viridis", "vertical", 9, 300),
        ("viridis", "name", "viridis", None, 37, 3),
        ("discrete", "json", DISCRETE, None, None, 2),
        ("discrete", "json", DISCRETE, "vertical", 5, 50),
        ("intervals", "json", INTERVALS, "horizontal", 50, 4),
        ("intervals", "json", INTERVALS, "vertical", 3, None),
        ("many", "json", MANY, "horizontal", 100, 2),
        ("many", "json", MANY, "vertical", 3, 10),
    ]
    factory = ColorMapFactory()
    out = []
    for cname, kind, text, orientation, width, height in cases:
        cm = load(kind, text)
        img = factory._image_from_colormap(cm, orientation, width=width, height=height)
        out_dtype, result = planes(img.render(img_format="NPY", colormap=cm))
        out.append({
            "name": f"{cname}/{orientation}/{width}x{height}", "colormap": cname,
            "orientation": orientation or "", "width": width or 0, "height": height or 0,
            "out_width": img.width, "out_height": img.height, "out_dtype": out_dtype,
            "out": bytes(numpy.array(result, dtype=numpy.uint8).ravel()).hex(),
        })
    return out


doc = {
    "colormaps": {name: {"kind": kind, "text": text} for name, (kind, text) in COLORMAPS.items()},
    "apply": apply_cases(),
    "legend": legend_cases(),
}
(HERE / "reference.json").write_text(json.dumps(doc, indent=None, separators=(",", ":")) + "\n")
print(f"{len(doc['apply'])} apply and {len(doc['legend'])} legend cases written")
