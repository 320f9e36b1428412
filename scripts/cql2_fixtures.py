"""Write the cql2 oracle's answers for the tests of package cql2.

The oracle is the cql2 Python binding titiler-pgstac uses (cql2==0.6.0): it
parses a text filter with Expr(text), as titiler-pgstac does, and validates
it against the standard's schema with .validate(), as titiler-pgstac's
validate_filter does. For each input file under cql2/testdata this writes a
JSON file beside it:

  conformance.txt -> conformance.json: {name: {"json": ..., "valid": bool}}
                     or {name: {"error": "..."}} where the oracle cannot parse
  malformed.txt   -> malformed.json:   {text: {"verdict": ..., "detail": ...}}
  check.txt       -> check.json:       {json text: {"verdict": ..., "detail": ...}}

verdict is "valid", "invalid" (parsed, refused by validate) or "error"
(refused by the parser). Run it with the titiler virtualenv's Python:

  .local/titiler-venv/bin/python scripts/cql2_fixtures.py
"""

import json
import math
import pathlib

import cql2

TESTDATA = pathlib.Path(__file__).resolve().parent.parent / "cql2" / "testdata"


def rows(name, fields):
    """Yield the tab-separated rows of a testdata file, comments aside."""
    for line in (TESTDATA / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t", fields - 1)


def finite(value):
    """Whether value holds no NaN or infinity, which JSON cannot write."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(finite(v) for v in value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    return True


def verdict(expr):
    """The oracle's verdict on an Expr: valid or invalid, and why."""
    try:
        expr.validate()
        return {"verdict": "valid"}
    except Exception as e:  # ValidationError, and what validate raises besides
        return {"verdict": "invalid", "detail": str(e).splitlines()[0]}


def judge(parse, source):
    """Parse source with parse and give the verdict, or the parse error."""
    try:
        expr = parse(source)
    except Exception as e:  # ParseError, ValueError, and the library's others
        return {"verdict": "error", "detail": str(e).strip().splitlines()[0]}
    return verdict(expr)


def conformance():
    out = {}
    for name, text in rows("conformance.txt", 2):
        try:
            expr = cql2.Expr(text)
        except Exception as e:
            out[name] = {"error": str(e).strip().splitlines()[0]}
            continue
        value = expr.to_json()
        if not finite(value):
            out[name] = {"error": "the oracle writes a number JSON cannot hold"}
            continue
        out[name] = {"json": value, "valid": verdict(expr)["verdict"] == "valid"}
    return out


def main():
    write("conformance.json", conformance())
    write("malformed.json", {text: judge(cql2.Expr, text) for _, _, text in rows("malformed.txt", 3)})
    write("check.json", {src: judge(cql2.parse_json, src) for _, src in rows("check.txt", 2)})


def write(name, value):
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    (TESTDATA / name).write_text(text + "\n", encoding="utf-8")
    print(f"{name}: {len(value)} rows")


if __name__ == "__main__":
    main()
