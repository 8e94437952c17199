"""Distinct request bodies for the load stage, from the project's synthetic data.

Run from a generated project's folder with its virtual environment:
    python bodies.py OUT N
Writes N distinct JSON request bodies, one per line, to OUT, and prints the
scoring endpoint's path. This is the only file of scripts/load that imports
the generated project's modules; a rename there is a change here only.
"""

import json
import sys
import time

from mlspec_runtime import sample_data
from mlspec_runtime.data import joined_rows, requests_from_rows
from mlspec_runtime.serve import endpoint
from project import SPEC

# The sample's seed; the project's own tests and training use others.
SEED = 5


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
    with open(out, "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in lines[:n])
    print(
        f"bodies: {n} distinct in {time.perf_counter() - started:.1f}s", file=sys.stderr
    )
    print(endpoint(SPEC))
    return 0


if __name__ == "__main__":
    sys.exit(main())
