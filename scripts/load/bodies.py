"""Distinct request bodies for the load stage, from the project's synthetic data.

Run from a generated project's folder with its virtual environment:
    python bodies.py OUT N
Writes N distinct JSON request bodies, one per line, to OUT, and prints the
scoring endpoint's path. The bodies are live traffic: the sample rows'
fields, with event times just after the sample's last event (spread over
LIVE_SPAN_S), as a service that has just materialised the sample would be
asked. Requests at random times over the sample's weeks would make every
read of the online store a different time window, which no deployed
service sees: its requests' times are now. This is the only file of scripts/load that imports
the generated project's modules; a rename there is a change here only.
"""

import json
import sys
import time

import pandas as pd

from mlspec_runtime import sample_data
from mlspec_runtime.data import joined_rows, plain, requests_from_rows
from mlspec_runtime.serve import endpoint
from project import SPEC

# The sample's seed; the project's own tests and training use others.
SEED = 5
LIVE_SPAN_S = 15.0


def live(bodies: list, rows: pd.DataFrame) -> list:
    """The bodies with event times from the sample's last to LIVE_SPAN_S
    after it, in order (unchanged when the request has no event time)."""
    column = SPEC.base_time
    key = next((k for k, c in SPEC.request_columns.items() if c == column), None)
    if key is None or column not in rows or not len(bodies):
        return bodies
    end = pd.to_datetime(rows[column], utc=True).max()
    step = pd.Timedelta(seconds=LIVE_SPAN_S / len(bodies))
    return [{**b, key: plain(end + i * step)} for i, b in enumerate(bodies)]


def main() -> int:
    out, n = sys.argv[1], int(sys.argv[2])
    started = time.perf_counter()
    rows = joined_rows(SPEC, sample_data.generate(SPEC, n=n, seed=SEED))
    # dict.fromkeys keeps the first of equal bodies, in row order.
    lines = list(
        dict.fromkeys(
            json.dumps(b, separators=(",", ":")) for b in requests_from_rows(SPEC, rows)
        )
    )
    if len(lines) < n:
        print(
            f"bodies: only {len(lines)} of {n} sample rows give distinct request bodies",
            file=sys.stderr,
        )
        return 1
    bodies = live([json.loads(line) for line in lines[:n]], rows)
    with open(out, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(b, separators=(",", ":")) + "\n" for b in bodies)
    print(
        f"bodies: {n} distinct in {time.perf_counter() - started:.1f}s", file=sys.stderr
    )
    print(endpoint(SPEC))
    return 0


if __name__ == "__main__":
    sys.exit(main())
