"""Request bodies for load tests: `mlspec load --bodies` and `mlspec calibrate --bodies`.

    python bodies.py --out bodies.jsonl --count 20000

Writes `count` distinct JSON request bodies, one per line: the rows of the
project's synthetic sample (`sample_data`), as the scoring endpoint takes
them, with event times just after the sample's last event (spread over
`LIVE_SPAN_S`). That is live traffic for a service that has just
materialised the sample (`materialize.py --sample`): requests at random
times over the sample's weeks would make every online-store read a
different time window, which no deployed service sees. Distinct bodies
matter: a body sent twice may be answered from the service's cache.
"""

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from mlspec_runtime import sample_data
from mlspec_runtime.data import joined_rows, plain, requests_from_rows
from mlspec_runtime.spec import Spec

# The sample's seed; the project's own tests and training use others.
SEED = 5
LIVE_SPAN_S = 15.0


def live(spec: Spec, bodies: list[dict], rows: pd.DataFrame) -> list[dict]:
    """The bodies with event times from the sample's last to LIVE_SPAN_S
    after it, in order (unchanged when the request has no event time)."""
    column = spec.base_time
    key = next((k for k, c in spec.request_columns.items() if c == column), None)
    if key is None or column not in rows or not len(bodies):
        return bodies
    end = pd.to_datetime(rows[column], utc=True).max()
    step = pd.Timedelta(seconds=LIVE_SPAN_S / len(bodies))
    return [{**b, key: plain(end + i * step)} for i, b in enumerate(bodies)]


def distinct(spec: Spec, count: int, seed: int = SEED) -> list[dict]:
    """`count` distinct live bodies; fewer when the sample gives fewer."""
    rows = joined_rows(spec, sample_data.generate(spec, n=count, seed=seed))
    # dict.fromkeys keeps the first of equal bodies, in row order.
    lines = list(dict.fromkeys(json.dumps(b, separators=(",", ":")) for b in requests_from_rows(spec, rows)))
    return live(spec, [json.loads(line) for line in lines[:count]], rows)


def write(spec: Spec, out: str | Path, count: int, seed: int = SEED) -> int:
    """Writes the bodies to `out`, one JSON object per line; returns how many."""
    bodies = distinct(spec, count, seed)
    with open(out, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(b, separators=(",", ":")) + "\n" for b in bodies)
    return len(bodies)


def main(spec: Spec, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write distinct live request bodies, one JSON object per line.")
    parser.add_argument("--out", default="bodies.jsonl")
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 10_000_000:
        print("--count: give 1 to 10,000,000 bodies", file=sys.stderr)
        return 2
    n = write(spec, args.out, args.count, args.seed)
    print(f"wrote {n} request bodies to {args.out}")
    if n < args.count:
        print(f"only {n} of {args.count} sample rows give distinct request bodies", file=sys.stderr)
        return 1
    return 0
