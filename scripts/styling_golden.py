"""Writes handler/testdata/styling_golden.json: numpy reference values for the styling tests.

Usage (the Go side writes the fixture COGs and runs this script):
    go test ./handler -run Styling -update-styling-golden
or, given a folder where internal/fixtures wrote its COGs:
    .local/titiler-venv/bin/python scripts/styling_golden.py FIXTURES_DIR [OUT]

Each case is an image the tests ask tilefunc for: a bbox of w x h pixels
lying exactly on a fixture raster's own pixels (so tilefunc's image is the
raster's pixels, unwarped), and an algorithm or colour formula over it.
This script reads the same window with rasterio (and, for algorithms that
need pixels around, the pixels around it), applies the published formula
with numpy in float64, and records the expected values at sample pixels:

  hillshade    numpy.gradient of the heights (per pixel), z exaggerated,
               slope pi/2 - atan(|grad|), aspect atan2(-dx, dy), shaded =
               sin(alt) sin(slope) + cos(alt) cos(slope) cos(az - aspect),
               az = 360 - azimuth; 255 (shaded + 1) / 2, below 0 is 0,
               cut to a byte; 3 pixels of buffer around.
  slope        atan(|grad / pixel size|) in degrees, float32.
  contours     the heights from minz..maxz to 1..255 (a byte), looked up
               in the terrain colormap, black where height % increment <
               thickness.
  terrarium    Mapzen: v = h + 32768; R = v / 256, G = v mod 256,
               B = (v * 256) mod 256, each cut to a byte.
  terrainrgb   Mapbox: v = round((h - baseval) / interval); R, G, B its
               bytes from the most significant.
  saturation   rio-color's saturation (LCH chroma scaled) from
               color_operations, on the bytes as 0..1, back to bytes.

It also records 20 named colormaps (rio-tiler's .npy tables, as hex RGBA)
for the colormap tests. Nothing is asked of titiler's server.
"""

import json
import pathlib
import sys

import numpy
import rasterio
from color_operations.operations import saturation
from rio_tiler.colormap import DEFAULT_CMAPS_FILES

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLORMAPS = [
    "viridis", "magma", "inferno", "plasma", "cividis", "terrain", "rdylgn", "rdylgn_r", "spectral", "coolwarm",
    "jet", "gist_earth", "greys_r", "blues", "ylgn", "cfastie", "rplumbo", "schwarzwald", "twilight", "turbo_r",
]


def table(name):
    t = numpy.load(DEFAULT_CMAPS_FILES[name])
    assert t.shape == (256, 4) and t.dtype == numpy.uint8, name
    return t


def window(path, col, row, w, h, pad=0):
    """The raster's first band over the window, pad pixels around it."""
    with rasterio.open(path) as src:
        win = rasterio.windows.Window(col - pad, row - pad, w + 2 * pad, h + 2 * pad)
        return src.read(window=win).astype("float64")


def hillshade(z, azimuth=45, altitude=45.0, exaggeration=1.0, pad=3):
    dy, dx = numpy.gradient(z)  # along rows, along columns
    dy, dx = dy * exaggeration, dx * exaggeration
    slope = numpy.pi / 2 - numpy.arctan(numpy.hypot(dy, dx))
    aspect = numpy.arctan2(-dy, dx)
    az, alt = numpy.deg2rad(360.0 - azimuth), numpy.deg2rad(altitude)
    shaded = numpy.sin(alt) * numpy.sin(slope) + numpy.cos(alt) * numpy.cos(slope) * numpy.cos(az - aspect)
    v = numpy.maximum(255 * (shaded + 1) / 2, 0)
    return v[pad:-pad, pad:-pad].astype(numpy.uint8)[None]


def slope(z, res, pad=3):
    dy, dx = numpy.gradient(z)
    deg = numpy.rad2deg(numpy.arctan(numpy.hypot(dy / res, dx / res)))
    return deg[pad:-pad, pad:-pad].astype(numpy.float32)[None]


def contours(z, increment=35, thickness=1, minz=-12000, maxz=8000):
    scaled = ((numpy.clip(z, minz, maxz) - minz) / (maxz - minz) * 254 + 1).astype(numpy.uint8)
    rgb = table("terrain")[scaled][..., :3].transpose(2, 0, 1)
    return numpy.where(z % increment < thickness, 0, rgb)


def terrarium(z):
    v = numpy.clip(z + 32768.0, 0, 65535)
    return numpy.stack([v / 256, v % 256, (v * 256) % 256]).astype(numpy.uint8)


def terrainrgb(z, interval=0.1, baseval=-10000.0):
    v = numpy.around((z - baseval) / interval).astype(numpy.int32)
    return numpy.stack([(v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF]).astype(numpy.uint8)


def saturate(rgb, proportion):
    return (saturation(rgb / 255.0, proportion) * 255).astype(numpy.uint8)


def samples(out, mask=None, extra=()):
    """Every 7th pixel from (3, 3), and the extra (i, j) pixels: i, j, the
    bands, then 255 where the pixel has data (mask True), else 0."""
    _, h, w = out.shape
    if mask is None:
        mask = numpy.ones((h, w), dtype=bool)
    picks = [(i, j) for j in range(3, h, 7) for i in range(3, w, 7)] + list(extra)
    return [[i, j] + [v.item() for v in out[:, j, i]] + [255 if mask[j, i] else 0] for i, j in picks]


def dump(doc):
    """JSON with one sample, one colormap per line, so diffs stay readable."""
    lines = ["{", f' "about": {json.dumps(doc["about"])},', ' "cases": {']
    for n, (name, c) in enumerate(sorted(doc["cases"].items())):
        head = {k: v for k, v in c.items() if k != "samples"}
        lines.append(f"  {json.dumps(name)}: {json.dumps(head)[:-1]}, \"samples\": [")
        lines += ["   " + json.dumps(s, separators=(",", ":")) + ("," if k < len(c["samples"]) - 1 else "")
                  for k, s in enumerate(c["samples"])]
        lines.append("  ]}" + ("," if n < len(doc["cases"]) - 1 else ""))
    lines.append(" },")
    lines.append(' "colormaps": {')
    maps = list(doc["colormaps"].items())
    lines += [f"  {json.dumps(k)}: {json.dumps(v)}" + ("," if n < len(maps) - 1 else "") for n, (k, v) in enumerate(maps)]
    lines += [" }", "}"]
    return "\n".join(lines) + "\n"


def main():
    folder = pathlib.Path(sys.argv[1])
    out_path = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "handler" / "testdata" / "styling_golden.json"
    dem_geo, dem_utm, visual = folder / "dem-geo_dem.tif", folder / "dem-utm_dem.tif", folder / "u8-west_visual.tif"

    cases = {}

    def case(name, raster, path, col, row, w, h, query, fmt, out, extra=(), mask=None):
        cases[name] = {"raster": raster, "window": [col, row, w, h], "query": query, "format": fmt,
                       "samples": samples(out, mask, extra)}

    # dem-geo (EPSG:4326): a 60x60 window on the hill's west flank, away
    # from the empty corner (columns < 30, rows < 40).
    g = window(dem_geo, 40, 80, 60, 60)[0]
    gp = window(dem_geo, 40, 80, 60, 60, pad=3)[0]
    case("hillshade", "dem-geo/dem", dem_geo, 40, 80, 60, 60, "assets=dem&algorithm=hillshade", "png", hillshade(gp))
    lines = contours(g)
    black = [(int(i), int(j)) for j, i in zip(*numpy.nonzero(lines[0] == 0))][:25]
    assert len(black) >= 10, "too few contour lines in the window"
    case("contours", "dem-geo/dem", dem_geo, 40, 80, 60, 60, "assets=dem&algorithm=contours", "png", lines, black)
    thick = contours(g, 250, 10, 0, 3000)
    black = [(int(i), int(j)) for j, i in zip(*numpy.nonzero(thick[0] == 0))][:25]
    case("contours_params", "dem-geo/dem", dem_geo, 40, 80, 60, 60,
         'assets=dem&algorithm=contours&algorithm_params={"increment":250,"thickness":10,"minz":0,"maxz":3000}', "png",
         thick, black)
    case("terrarium", "dem-geo/dem", dem_geo, 40, 80, 60, 60, "assets=dem&algorithm=terrarium", "png", terrarium(g))
    case("terrainrgb", "dem-geo/dem", dem_geo, 40, 80, 60, 60, "assets=dem&algorithm=terrainrgb", "png", terrainrgb(g))

    # The empty corner (-9999): masked, unless nodata_height gives the
    # pixels a height, which they are then drawn with.
    c = window(dem_geo, 20, 30, 30, 30)[0]
    data = c != -9999
    case("terrarium_corner", "dem-geo/dem", dem_geo, 20, 30, 30, 30, "assets=dem&algorithm=terrarium", "png",
         terrarium(c), mask=data, extra=[(5, 5), (9, 9), (10, 10)])
    case("terrarium_nodata_height", "dem-geo/dem", dem_geo, 20, 30, 30, 30,
         'assets=dem&algorithm=terrarium&algorithm_params={"nodata_height":0}', "png",
         terrarium(numpy.where(data, c, 0)), extra=[(5, 5), (9, 9), (10, 10)])

    # dem-utm (EPSG:32631, 250 m pixels): 40x40 around the hill top.
    u = window(dem_utm, 60, 70, 40, 40)[0]
    up = window(dem_utm, 60, 70, 40, 40, pad=3)[0]
    with rasterio.open(dem_utm) as src:
        res = src.res[0]
    case("slope", "dem-utm/dem", dem_utm, 60, 70, 40, 40, "assets=dem&algorithm=slope&coord_crs=EPSG:32631", "npy",
         slope(up, res))
    case("hillshade_params", "dem-utm/dem", dem_utm, 60, 70, 40, 40,
         'assets=dem&coord_crs=EPSG:32631&algorithm=hillshade&algorithm_params={"azimuth":315,"angle_altitude":30,"z_exaggeration":2,"buffer":3}',
         "png", hillshade(up, 315, 30.0, 2.0))
    case("terrainrgb_params", "dem-utm/dem", dem_utm, 60, 70, 40, 40,
         'assets=dem&coord_crs=EPSG:32631&algorithm=terrainrgb&algorithm_params={"interval":1,"baseval":0}', "png",
         terrainrgb(u, 1.0, 0.0))

    # u8-west (RGB bytes): 60x60 pixels crossing grid lines (blue 0).
    with rasterio.open(visual) as src:
        rgb = src.read(window=rasterio.windows.Window(100, 50, 60, 60)).astype("float64")
    case("saturation", "u8-west/visual", visual, 100, 50, 60, 60, "assets=visual&color_formula=saturation 1.6", "png",
         saturate(rgb, 1.6))
    case("saturation_low", "u8-west/visual", visual, 100, 50, 60, 60, "assets=visual&color_formula=saturation 0.3", "png",
         saturate(rgb, 0.3))

    doc = {
        "about": "scripts/styling_golden.py: numpy values from the fixture COGs; colormaps are rio-tiler's tables as hex RGBA",
        "cases": cases,
        "colormaps": {name: table(name).tobytes().hex() for name in COLORMAPS},
    }
    out_path.write_text(dump(doc))
    print(f"{len(cases)} cases and {len(COLORMAPS)} colormaps written to {out_path}")


if __name__ == "__main__":
    main()
