"""Writes handler/testdata/titiler_algorithms.json: titiler-pgstac's answers to the algorithm routes.

Start the peer (bash scripts/titiler.sh start serves it on 127.0.0.1:8091), then:
    .local/titiler-venv/bin/python scripts/algorithms_peer.py http://127.0.0.1:8091
Each answer is kept as the peer wrote it (status and body text), its base URL
replaced by {base}: GET /algorithms, GET /algorithms/{id} for every id it
lists, and one unknown id.
"""

import json
import pathlib
import sys
import urllib.error
import urllib.request

OUT = pathlib.Path(__file__).resolve().parent.parent / "handler" / "testdata" / "titiler_algorithms.json"


def fetch(base, path):
    try:
        with urllib.request.urlopen(base + path) as resp:
            status, body = resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read().decode()
    return {"path": path, "status": status, "body": body.replace(base, "{base}")}


def main(base):
    base = base.rstrip("/")
    answers = [fetch(base, "/algorithms")]
    for ref in json.loads(answers[0]["body"])["algorithms"]:
        answers.append(fetch(base, "/algorithms/" + ref["id"]))
    answers.append(fetch(base, "/algorithms/shade"))
    OUT.write_text(json.dumps(answers, indent=1) + "\n")
    print(f"{len(answers)} answers written to {OUT}")


main(sys.argv[1])
