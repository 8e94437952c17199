"""The calibration loop, bounded: the simulator, calibrated on the real
server, against what `mlspec load` then measures on it.

    python calibration.py --spec SPEC --mlspec BIN --bodies FILE --project DIR
        [--seconds 10] [--rates 0.25,0.5] [--p50-tolerance 1.0] [--p99-tolerance 2.0]
        [--saturation-tolerance T] [--table FILE]

Each measurement gets a fresh server (`python serve.py`, one worker
process, on a free 127.0.0.1 port, stopped afterwards), so the answer cache
never serves a body an earlier run sent. Steps:

1. `mlspec calibrate` (phases of half `--seconds`) writes the calibration
   file; its busy rate is the ramp's step where the process was busy.
2. For each share of the busy rate, `mlspec load --rate` on a fresh server
   and `mlspec simulate --calibration --rate` at the same rate: their p50
   and p99 must agree within the tolerances.
3. Saturation: offered twice the busy rate, the model's answers per second,
   simulated and measured (from /metrics); checked only with
   `--saturation-tolerance`.

The test command runs it with the defaults above: loose, because the
calibration varies from run to run on a 2-core machine and the model misses
by more at higher loads (docs/simulation.md has the full loop's table and
why; over six runs the p50 was off by 1 to 47 % at these rates, the p99 by
5 to 118 %). What it holds is that calibrate, load and the calibrated
simulation work end to end on the generated server and agree within a
factor of two (p50) and three (p99) at moderate load. Exit 1 when a check
misses.
"""

import argparse
import json
import os
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


def saturation(args, offered: float) -> float:
    """What the calibrated process answers by the model per second when
    offered `offered` requests per second, more than it can take."""
    r = simulate(args, offered, max(50_000, int(offered * args.seconds)))
    return r["completed"] / r["simulated_s"]


def load(args, server: Server, rate: float, warmup: float = 2) -> dict:
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
    )


def error(predicted: float, measured: float) -> float:
    return abs(predicted - measured) / measured if measured > 0 else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for flag in ("--spec", "--mlspec", "--bodies", "--project"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--path", default="/v1/score")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--rates", default="0.25,0.5", help="shares of the calibration's busy rate"
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
        busy = next(
            p["rate_rps"] for p in json.load(f)["phases"] if p["name"] == "busy"
        )
    rows, misses = [], []
    for share in (float(s) for s in args.rates.split(",")):
        rate = round(share * busy)
        with Server(args.project) as server:
            measured = load(args, server, rate)
        sim = simulate(args, rate, max(50_000, int(rate * 60)))
        for q, tolerance in (("p50", args.p50_tolerance), ("p99", args.p99_tolerance)):
            p, m = sim["latency_ms"][q], measured["latency_ms"][q]
            rows.append((f"{share:.0%} ({rate} rps)", q, p, m, error(p, m)))
            if error(p, m) > tolerance:
                misses.append(
                    f"{q} at {rate} rps: simulated {p:.2f} ms, measured {m:.2f} ms, off by {error(p, m):.0%} (tolerance {tolerance:.0%})"
                )
        if measured["errors"]:
            misses.append(
                f"{measured['errors']} errors at {rate} rps: {measured['errors_by_status']}"
            )
    # Saturation: what the model answers per second when offered twice the
    # busy rate, simulated and measured (no warm-up: both start empty).
    over = round(2 * busy)
    simulated_max = saturation(args, over)
    with Server(args.project) as server:
        before = metric(
            httpx.get(server.base + "/metrics").text,
            "mlspec_requests_total",
            'outcome="ok"',
        )
        load(args, server, over, warmup=0)
        after = metric(
            httpx.get(server.base + "/metrics").text,
            "mlspec_requests_total",
            'outcome="ok"',
        )
    measured_max = (after - before) / args.seconds
    rows.append(
        (
            f"overload ({over} rps)",
            "model answers/s",
            simulated_max,
            measured_max,
            error(simulated_max, measured_max),
        )
    )
    if (
        args.saturation_tolerance is not None
        and error(simulated_max, measured_max) > args.saturation_tolerance
    ):
        misses.append(
            f"saturation: simulated {simulated_max:.0f} model answers/s, measured {measured_max:.0f} (tolerance {args.saturation_tolerance:.0%})"
        )
    sat = (
        "unchecked"
        if args.saturation_tolerance is None
        else f"{args.saturation_tolerance:.0%}"
    )
    table = [
        "| load | figure | simulated | measured | error |",
        "|---|---|---:|---:|---:|",
    ]
    table += [f"| {w} | {q} | {p:.2f} | {m:.2f} | {e:.1%} |" for w, q, p, m, e in rows]
    print("\n".join(["calibration loop:", *table]))
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
