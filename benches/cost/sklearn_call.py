"""Reference point for the cost model's per-call overhead (CALL_OVERHEAD_S in
compiler/ir/src/cost.rs): the time of one single-row predict call of
scikit-learn models, the library the generated Python serving code uses.
A measurement run by hand (docs/cost-model.md says how), not a test.

    python3 -m venv /tmp/v && /tmp/v/bin/pip install scikit-learn
    /tmp/v/bin/python benches/cost/sklearn_call.py

Synthetic, seeded rows, one thread; prints the median of 5 repeats per
model, in µs of process CPU time.
"""

import os

# One thread, as a serving worker runs (and thread start-up would otherwise
# dominate a single-row call on a shared machine).
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import statistics
import sys
import time
import timeit

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier


def per_call_us(f, number: int) -> tuple[float, float, float]:
    # CPU time of this process, not wall time: on a shared machine the wall
    # time of a call also counts the time the process waited for a core.
    times = [
        t / number * 1e6
        for t in timeit.repeat(f, timer=time.process_time, number=number, repeat=5)
    ]
    return min(times), statistics.median(times), max(times)


def main() -> int:
    rng = np.random.default_rng(1)
    print(
        f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}"
    )
    cases = []
    for features in (4, 16, 64, 256):
        x = rng.uniform(-1, 1, size=(4 * features + 128, features))
        y = (x @ rng.uniform(-1, 1, size=features) > 0).astype(int)
        cases.append(
            (
                f"logistic_regression {features} features",
                LogisticRegression(max_iter=200).fit(x, y),
                x[:1],
                500,
            )
        )
    x = rng.uniform(-1, 1, size=(4096, 8))
    y = rng.integers(0, 2, size=4096)
    cases.append(
        (
            "decision_tree depth 8",
            DecisionTreeClassifier(max_depth=8, random_state=1).fit(x, y),
            x[:1],
            500,
        )
    )
    for trees in (100, 500):
        m = HistGradientBoostingClassifier(
            max_iter=trees, max_depth=8, early_stopping=False, random_state=1
        ).fit(x, y)
        cases.append((f"hist_gradient_boosting {trees} trees depth 8", m, x[:1], 20))
    for name, model, row, number in cases:
        lo, med, hi = per_call_us(lambda m=model, r=row: m.predict_proba(r), number)
        print(
            f"{name:45} predict_proba, 1 row: median {med:8.1f} µs CPU (range {lo:.1f}-{hi:.1f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
