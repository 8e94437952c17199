"""A bounded load run against a generated project's API on 127.0.0.1.

Run from the generated project's folder with its virtual environment:
    python load_client.py URL REQUESTS
Sends REQUESTS POSTs (8 threads) of bodies drawn from the project's own
synthetic data; exits 1 if any answer is not a 200.
"""

import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from mlspec_runtime import sample_data
from mlspec_runtime.data import joined_rows, requests_from_rows
from mlspec_runtime.serve import endpoint
from project import SPEC


def main() -> int:
    base, total = sys.argv[1], int(sys.argv[2])
    bodies = requests_from_rows(SPEC, joined_rows(SPEC, sample_data.generate(SPEC, n=400, seed=5)))
    url = base.rstrip("/") + endpoint(SPEC)
    latencies, failures = [], []

    def worker(offset: int) -> None:
        with httpx.Client(timeout=30) as client:
            for i in range(offset, total, 8):
                t = time.perf_counter()
                r = client.post(url, json=bodies[i % len(bodies)])
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    failures.append((r.status_code, r.text[:200]))

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(worker, range(8)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    print(f"load: {len(latencies)} requests in {elapsed:.1f}s ({len(latencies) / elapsed:.0f}/s), p99 {p99 * 1000:.1f} ms, {len(failures)} errors")
    for f in failures[:5]:
        print("  error:", f)
    return 1 if failures or len(latencies) != total else 0


if __name__ == "__main__":
    sys.exit(main())
