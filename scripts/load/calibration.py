"""The calibration loop, bounded: the simulator, calibrated on the real
server, against what `mlspec load` then measures on it.

    python calibration.py --spec SPEC --mlspec BIN --bodies FILE --project DIR
        [--seconds 10] [--rates 0.25,0.5] [--repeats 1] [--p50-tolerance 1.0] [--p99-tolerance 2.0]
        [--saturation-tolerance T] [--table FILE]

Each measurement gets a fresh server (`python serve.py`, one worker
process, on a free 127.0.0.1 port, stopped afterwards), so the answer cache
never serves a body an earlier run sent. Steps:

1. `mlspec calibrate` (phases of half `--seconds`) writes the calibration
   file.
2. The capacity the calibrated simulation predicts for one process: the
   highest rate at which it keeps up (see `keeps_up`), by bisection.
3. For each share of that capacity, `mlspec load --rate` on a fresh server
   (`--repeats` times, the median compared) and `mlspec simulate
   --calibration --rate` at the same rate: their p50 and p99 must agree
   within the tolerances. Beside them, the server's CPU
   time per second and mean batch (from /metrics) against the simulated
   interpreters' busy share and mean batch, for reading, not checked.
4. With `--saturation-tolerance`: the measured saturation rate, the same
   test on the real server over rates around the prediction (a fresh server
   each), against the predicted one.

The test command runs it with the defaults above: loose, because the
calibration varies from run to run on a 2-core machine and a single
10-second run's p99 moves by tens of percent (docs/simulation.md has the
full loop's table and the spread of repeated runs). What it holds is that
calibrate, load and the calibrated simulation work end to end on the
generated server and agree within a factor of two (p50) and three (p99) at
moderate load. Exit 1 when a check misses.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import httpx
from drill import free_port, metric, wait_for


class Server:
    """A fresh one-process server of the project, its metrics in a new directory."""

    def __init__(self, project: str):
        self.project, self.port, self.proc = project, free_port(), None
        self.metrics = tempfile.mkdtemp(prefix="mlspec-cal-metrics-")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        env = {
            **os.environ,
            "WEB_CONCURRENCY": "1",
            "PROMETHEUS_MULTIPROC_DIR": self.metrics,
        }
        args = [
            sys.executable,
            "-W",
            "ignore",
            "serve.py",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(args, cwd=self.project, env=env)  # noqa: S603
        wait_for(
            lambda: httpx.get(self.base + "/ready").status_code == 200,
            60,
            "the server was not ready",
        )
        return self

    def __exit__(self, *_) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
        for f in os.listdir(self.metrics):
            os.remove(os.path.join(self.metrics, f))
        os.rmdir(self.metrics)


def mlspec(args, *argv: str) -> dict:
    done = subprocess.run(
        [args.mlspec, *argv, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )  # noqa: S603
    if done.returncode not in (0, 1):
        raise RuntimeError(
            f"mlspec {argv[0]} exited {done.returncode}: {done.stderr.strip()[:800]}"
        )
    return json.loads(done.stdout)


def sim_requests(rate: float) -> int:
    """A simulated minute at `rate`, within 50,000 to 2,000,000 requests."""
    return min(2_000_000, max(50_000, int(rate * 60)))


def simulate(args, rate: float, requests: int) -> dict:
    return mlspec(
        args,
        "simulate",
        args.spec,
        "--calibration",
        args.calibration,
        "--rate",
        f"{rate:g}",
        "--replicas",
        "1",
        "--processes",
        "1",
        "--requests",
        str(requests),
        "--only",
        "load",
    )


#: A rate is kept up with when at least this share of its requests is
#: answered by the model (not the fallback, not an error)...
KEPT_UP_SHARE = 0.99
#: ...and its p50 is at most this many times the light phase's.
KEPT_UP_P50_FACTOR = 3.0


def keeps_up(report: dict, light_p50: float) -> bool:
    """The saturation test, the same for a simulated and a measured run."""
    answered = report["completed"] / max(1, report["requests"])
    return (
        answered >= KEPT_UP_SHARE
        and report["latency_ms"]["p50"] <= KEPT_UP_P50_FACTOR * light_p50
    )


def predicted_capacity(args, light_rate: float, light_p50: float) -> float:
    """The highest rate the calibrated process keeps up with, to 2 %."""
    lo, hi = light_rate, light_rate * 2
    while keeps_up(simulate(args, hi, sim_requests(hi)), light_p50):
        lo, hi = hi, hi * 2
        if hi > 1e6:
            return hi
    while hi - lo > 0.02 * lo:
        mid = (lo + hi) / 2
        if keeps_up(simulate(args, mid, sim_requests(mid)), light_p50):
            lo = mid
        else:
            hi = mid
    return lo


def measured_capacity(args, predicted: float, light_p50: float) -> float:
    """The highest of the rates 0.5, 0.6, ... 2.0 × `predicted` the server
    keeps up with (the first it does not ends the search)."""
    best = 0.0
    for k in range(5, 21):
        rate = round(predicted * k / 10)
        with Server(args.project) as server:
            if not keeps_up(load(args, server, rate), light_p50):
                break
        best = rate
    return best


def counters(server: Server) -> dict[str, float]:
    """The server's counters the model is read against."""
    text = httpx.get(server.base + "/metrics").text
    return {
        "cpu": metric(text, "mlspec_cpu_seconds_total"),
        "batches": metric(text, "mlspec_batch_size_count"),
        "batched": metric(text, "mlspec_batch_size_sum"),
    }


def load(
    args, server: Server, rate: float, warmup: float = 2, spacing: str = "poisson"
) -> dict:
    return mlspec(
        args,
        "load",
        args.spec,
        "--url",
        server.base + args.path,
        "--rate",
        f"{rate:g}",
        "--seconds",
        f"{args.seconds:g}",
        "--warmup",
        f"{warmup:g}",
        "--bodies",
        args.bodies,
        "--spacing",
        spacing,
    )


def measure(args, rate: float) -> dict:
    """`mlspec load` at `rate` on a fresh server, with the server's CPU
    seconds per second and mean batch over the run (its warm-up included)."""
    with Server(args.project) as server:
        before = counters(server)
        report = load(args, server, rate)
        after = counters(server)
    span = args.seconds + 2  # each load run warms up for 2 s first
    batches = after["batches"] - before["batches"]
    report["cpu_per_s"] = (after["cpu"] - before["cpu"]) / span
    report["mean_batch"] = (
        (after["batched"] - before["batched"]) / batches if batches else 0.0
    )
    return report


def error(predicted: float, measured: float) -> float:
    return abs(predicted - measured) / measured if measured > 0 else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for flag in ("--spec", "--mlspec", "--bodies", "--project"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--path", default="/v1/score")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--rates",
        default="0.25,0.5",
        help="shares of the capacity the calibrated simulation predicts",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="load runs per rate, each on a fresh server; their median is compared",
    )
    parser.add_argument("--p50-tolerance", type=float, default=1.0)
    parser.add_argument("--p99-tolerance", type=float, default=2.0)
    parser.add_argument(
        "--saturation-tolerance", type=float, help="checked only when given"
    )
    parser.add_argument(
        "--table", help="also write the results as a Markdown table here"
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="mlspec-cal-")
    args.calibration = os.path.join(folder, "calibration.json")
    started = time.monotonic()
    with Server(args.project) as server:
        phase = max(3.0, args.seconds / 2)
        cal = subprocess.run(  # noqa: S603
            [
                args.mlspec,
                "calibrate",
                args.spec,
                "--url",
                server.base + args.path,
                "--out",
                args.calibration,
                "--bodies",
                args.bodies,
                "--seconds",
                f"{phase:g}",
                "--warmup",
                "2",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if cal.returncode != 0:
            print(
                f"  bug: mlspec calibrate exited {cal.returncode}: {cal.stderr.strip()[:800]}"
            )
            return 1
    with open(args.calibration, encoding="utf-8") as f:
        light = next(p for p in json.load(f)["phases"] if p["name"] == "light")
    light_p50 = light["latency_ms"]["p50"]
    capacity = predicted_capacity(args, light["rate_rps"], light_p50)
    print(f"calibration loop: the calibrated process keeps up with {capacity:.0f} rps")
    rows, internals, misses = [], [], []
    for share in (float(s) for s in args.rates.split(",")):
        rate = round(share * capacity)
        runs = [measure(args, rate) for _ in range(args.repeats)]
        sim = simulate(args, rate, sim_requests(rate))
        for q, tolerance in (("p50", args.p50_tolerance), ("p99", args.p99_tolerance)):
            p = sim["latency_ms"][q]
            m = statistics.median(r["latency_ms"][q] for r in runs)
            values = ", ".join(f"{r['latency_ms'][q]:.2f}" for r in runs)
            spread = f" ({values})" if len(runs) > 1 else ""
            rows.append((f"{share:.0%} ({rate} rps)", q, p, m, error(p, m), spread))
            if error(p, m) > tolerance:
                misses.append(
                    f"{q} at {rate} rps: simulated {p:.2f} ms, measured {m:.2f} ms, off by {error(p, m):.0%} (tolerance {tolerance:.0%})"
                )
        internals.append(
            (
                f"{rate} rps",
                sim["utilization"],
                statistics.median(r["cpu_per_s"] for r in runs),
                sim.get("interpreters", {}).get("mean_batch", 0.0),
                statistics.median(r["mean_batch"] for r in runs),
            )
        )
        for r in runs:
            if r["errors"]:
                misses.append(
                    f"{r['errors']} errors at {rate} rps: {r['errors_by_status']}"
                )
    if args.saturation_tolerance is not None:
        measured_max = measured_capacity(args, capacity, light_p50)
        rows.append(
            (
                "saturation",
                "rps kept up with",
                capacity,
                measured_max,
                error(capacity, measured_max),
                "",
            )
        )
        if error(capacity, measured_max) > args.saturation_tolerance:
            misses.append(
                f"saturation: simulated {capacity:.0f} rps, measured {measured_max:.0f} (tolerance {args.saturation_tolerance:.0%})"
            )
    sat = (
        "unchecked"
        if args.saturation_tolerance is None
        else f"{args.saturation_tolerance:.0%}"
    )
    table = [
        "| load | figure | simulated | measured (median; runs) | error |",
        "|---|---|---:|---:|---:|",
    ]
    table += [
        f"| {w} | {q} | {p:.2f} | {m:.2f}{runs} | {e:.1%} |"
        for w, q, p, m, e, runs in rows
    ]
    print("\n".join(["calibration loop:", *table]))
    print("the model's insides against the server's (read, not checked):")
    print(
        "| load | interpreter busy | server CPU s/s | simulated batch | measured batch |"
    )
    print("|---|---:|---:|---:|---:|")
    for w, u, cpu, n_sim, n_real in internals:
        print(f"| {w} | {u:.2f} | {cpu:.2f} | {n_sim:.2f} | {n_real:.2f} |")
    if args.table:
        with open(args.table, "w", encoding="utf-8") as f:
            f.write("\n".join(table) + "\n")
    print(
        f"calibration loop: {time.monotonic() - started:.0f} s; tolerances p50 {args.p50_tolerance:.0%}, p99 {args.p99_tolerance:.0%}, saturation {sat}"
    )
    for m in misses:
        print(f"  miss: {m}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
