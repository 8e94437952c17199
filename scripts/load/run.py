"""An open-loop load run of one served spec with oha, and its report line.

    python run.py --name NAME --spec SPEC --mlspec BIN --oha BIN --url URL --bodies FILE
        [--rate R | --workers W --declared-workers D]

The rate is R, else the spec's per-replica rate times W / D: a replica runs
D worker processes (one per declared core) and this server W of them, so
it carries that share of a replica's traffic.

Arrivals are at a fixed interval (oha's `-q`; oha has no Poisson
schedule), each request's latency counted from its scheduled send time
(`--latency-correction`), each body drawn at random from FILE (`-Z`, one
JSON body a line). A warm-up at the same rate comes first and is checked
but not reported. Exits 1 only on answers or failures that are bugs: a
status other than 2xx, 429 or 503, a connection error, no 2xx at all, or
oha failing. A missed latency SLO is reported, never a failure.
"""

import argparse
import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass

from plan import plan

DEADLINE = "aborted due to deadline"  # each connection -z stops, busy or idle
SHED = ("429", "503")  # a declared queue bound refusing work (issue 12, item 6)
CONNECTIONS = 100  # enough that a service meeting its SLO never waits on oha


def oha(args, rate: float, seconds: float) -> dict:
    cmd = [args.oha, args.url, "--no-tui", "--output-format", "json"]
    # One tokio thread: the server under test has the other core.
    cmd += ["--worker-threads", "1", "-c", str(CONNECTIONS)]
    cmd += ["-m", "POST", "-T", "application/json", "-Z", args.bodies]
    # Sends on a fixed schedule; latency counts from each scheduled send.
    cmd += ["-q", f"{rate:g}", "--latency-correction", "-z", f"{seconds:g}s"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"oha exited {done.returncode}: {done.stderr.strip()[:500]}")
    return json.loads(done.stdout)


@dataclass(frozen=True)
class Tally:
    """oha's answers and failures of one run, sorted by what they mean."""

    # Requests that got an answer or failed. Not counted: those in flight at
    # the deadline (oha reports every connection it stops there, idle or not).
    done: int
    answered: int
    shed: int  # SHED answers
    bad: dict  # status -> count: neither 2xx nor SHED; a bug
    failed: dict  # oha's error -> count: connection errors and the like; a bug

    @staticmethod
    def of(result: dict) -> "Tally":
        codes, errors = result["statusCodeDistribution"], result["errorDistribution"]
        return Tally(
            done=sum(codes.values())
            + sum(n for e, n in errors.items() if e != DEADLINE),
            answered=sum(codes.values()),
            shed=sum(codes.get(c, 0) for c in SHED),
            bad={c: n for c, n in codes.items() if c[0] != "2" and c not in SHED},
            failed={e: n for e, n in errors.items() if e != DEADLINE},
        )

    def errors(self) -> int:
        return sum(self.bad.values()) + sum(self.failed.values())

    def bugs(self, measured: bool = True) -> list:
        """What in a run is a bug of the service or of the bodies, not slowness.

        A warm-up may see no 2xx at all without a bug: a server still working
        off the previous run's backlog answers nothing in its few seconds."""
        found = [f"{n} × HTTP {c}" for c, n in self.bad.items()]
        found += [f"{n} × {e}" for e, n in self.failed.items()]
        if measured and self.answered == self.shed + sum(self.bad.values()):
            found.append("no 2xx answer")
        return found


def repeat_share(bodies: int, before: int, count: int) -> float:
    """Expected share of `count` uniform draws from `bodies` bodies, after
    `before` earlier draws, whose body was already drawn (so the service's
    response cache may answer it)."""
    if count == 0:
        return 0.0
    q = 1 - 1 / bodies
    return 1 - q**before * (1 - q**count) / (1 - q) / count


def scheduled(rate: float, seconds: float) -> int:
    """Requests oha schedules in a run: one at each i / RATE below the
    duration, from i = 0, so ceil(RATE × seconds) (209 for 20.83 rps over
    10 s, not 208)."""
    return math.ceil(rate * seconds - 1e-9)


def line(
    args, why: str, rate: float, result: dict, bodies: int, before: int, slos: list
) -> str:
    t, pct = Tally.of(result), result["latencyPercentiles"]
    ms = {q: (pct.get(q) or float("nan")) * 1000 for q in ("p50", "p99")}
    verdicts = []
    for s in slos:
        got = pct.get(s.quantile)
        verdict = "met" if got is not None and got * 1000 < s.limit_ms else "MISSED"
        verdicts.append(f"{s.constraint}: {'not measured' if got is None else verdict}")
    return (
        f"load {args.name} @ {rate:g} rps ({why}) for {args.seconds:g} s: "
        f"{scheduled(rate, args.seconds)} scheduled, {t.answered} answered; "
        f"p50 {ms['p50']:.1f} ms, p99 {ms['p99']:.1f} ms; {t.errors()} errors, {t.shed} shed; "
        f"~{repeat_share(bodies, before, t.done):.1%} repeated bodies; "
        f"SLO {', '.join(verdicts) or 'none declared'}; "
        # The 1-minute load average covers the run: other work on the machine.
        f"load average {os.getloadavg()[0]:.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for flag in ("--name", "--spec", "--mlspec", "--oha", "--url", "--bodies"):
        parser.add_argument(flag, required=True)
    parser.add_argument(
        "--rate",
        type=float,
        help="requests per second (default: the spec's per-replica rate)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes of the server"
    )
    parser.add_argument(
        "--declared-workers",
        type=int,
        default=1,
        help="worker processes of a replica as the project declares them",
    )
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()
    p = plan(args.mlspec, args.spec)
    if args.rate:
        rate, why = args.rate, f"reference rate, {args.workers} worker process(es)"
    else:
        share = args.workers / max(1, args.declared_workers)
        rate = p.rate * share
        why = f"{p.why} × {args.workers}/{args.declared_workers} worker processes"
    with open(args.bodies, encoding="utf-8") as f:
        bodies = sum(1 for _ in f)
    warm = oha(args, rate, args.warmup)
    result = oha(args, rate, args.seconds)
    print(line(args, why, rate, result, bodies, Tally.of(warm).done, p.slos))
    found = [f"warm-up: {b}" for b in Tally.of(warm).bugs(measured=False)] + Tally.of(
        result
    ).bugs()
    for f in found:
        print(f"  bug: {f}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
