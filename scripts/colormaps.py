"""Writes tiles/colormap/colormaps.txt from the colormaps rio-tiler ships.

Run with the peer's Python (scripts/titiler.sh install puts rio-tiler there):
    .local/titiler-venv/bin/python scripts/colormaps.py
Each line is a name and its 256 RGBA entries as hex (2,048 digits), sorted
by name. The tables are facts taken from rio-tiler's cmap_data (BSD 3-Clause,
notice in tiles/colormap/NOTICE); nothing else of rio-tiler is used.
"""

import pathlib

import numpy
from rio_tiler.colormap import DEFAULT_CMAPS_FILES

out = pathlib.Path(__file__).resolve().parent.parent / "tiles" / "colormap" / "colormaps.txt"
lines = []
for name in sorted(DEFAULT_CMAPS_FILES):
    path = DEFAULT_CMAPS_FILES[name]
    if path.suffix != ".npy":
        raise SystemExit(f"{name}: {path.suffix} colormaps are not handled")
    table = numpy.load(path)
    assert table.shape == (256, 4) and table.dtype == numpy.uint8, name
    lines.append(f"{name} {table.tobytes().hex()}")
out.write_text("\n".join(lines) + "\n")
print(f"{len(lines)} colormaps written to {out}")
