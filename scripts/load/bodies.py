"""Distinct request bodies for the load stage, from the project's synthetic data.

Run from a generated project's folder with its virtual environment:
    python bodies.py OUT N
Writes N distinct live JSON request bodies, one per line, to OUT with the
project's `mlspec_runtime.bodies` (what its own `bodies.py` runs), and
prints the scoring endpoint's path. This is the only file of scripts/load
that imports the generated project's modules; a rename there is a change
here only.
"""

import sys
import time

from mlspec_runtime import bodies
from mlspec_runtime.serve import endpoint
from project import SPEC


def main() -> int:
    out, n = sys.argv[1], int(sys.argv[2])
    started = time.perf_counter()
    written = bodies.write(SPEC, out, n)
    if written < n:
        print(
            f"bodies: only {written} of {n} sample rows give distinct request bodies",
            file=sys.stderr,
        )
        return 1
    print(
        f"bodies: {n} distinct in {time.perf_counter() - started:.1f}s", file=sys.stderr
    )
    print(endpoint(SPEC))
    return 0


if __name__ == "__main__":
    sys.exit(main())
