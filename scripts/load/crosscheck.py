"""`mlspec load` against oha, an established open-loop tool, on the same server.

    python crosscheck.py --spec SPEC --mlspec BIN --oha BIN --bodies FILE --project DIR
        [--rate 300] [--seconds 10] [--repeats 3]

Both send evenly spaced requests at `--rate` (`mlspec load --spacing even`,
`oha -q`) and count each request's latency from its scheduled send time
(oha's `--latency-correction`), with the same bodies, after a 2-second
warm-up at that rate, each run on a fresh one-process server (the answer
cache starts empty). The runs alternate, `--repeats` of each; the table
gives each tool's median p50 and p99 over its runs, their spread, and how
far apart the medians are. oha draws bodies at random, so a few percent of
its requests repeat a body the cache has answered; mlspec sends them in turn.
"""

import argparse
import statistics
import sys

import run
from calibration import Server, load


def oha(args, server: Server, seconds: float) -> dict:
    """oha's p50 and p99 (ms), and its 2xx count, run as the test command runs it."""
    args.url = server.base + args.path
    r = run.oha(args, args.rate, seconds)
    p = r["latencyPercentiles"]
    ok = sum(
        n for code, n in r["statusCodeDistribution"].items() if code.startswith("2")
    )
    return {"p50": p["p50"] * 1e3, "p99": p["p99"] * 1e3, "ok": ok}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for flag in ("--spec", "--mlspec", "--oha", "--bodies", "--project"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--path", default="/v1/score")
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {"mlspec load": [], "oha": []}
    for _ in range(args.repeats):
        with Server(args.project) as server:
            r = load(args, server, args.rate, spacing="even")
            runs["mlspec load"].append(
                {
                    "p50": r["latency_ms"]["p50"],
                    "p99": r["latency_ms"]["p99"],
                    "ok": r["completed"],
                }
            )
        with Server(args.project) as server:
            oha(args, server, 2)  # the same warm-up as mlspec load's
            runs["oha"].append(oha(args, server, args.seconds))
    print(
        f"cross-check at {args.rate:g} rps, evenly spaced, {args.seconds:g} s, {args.repeats} runs each:"
    )
    print(
        "| tool | p50 ms (median, runs) | p99 ms (median, runs) | answered (median) |"
    )
    print("|---|---|---|---:|")
    medians = {}
    for tool, rs in runs.items():
        m = {q: statistics.median(r[q] for r in rs) for q in ("p50", "p99", "ok")}
        medians[tool] = m
        spread = {q: ", ".join(f"{r[q]:.2f}" for r in rs) for q in ("p50", "p99")}
        print(
            f"| {tool} | {m['p50']:.2f} ({spread['p50']}) | {m['p99']:.2f} ({spread['p99']}) | {m['ok']:.0f} |"
        )
    for q in ("p50", "p99"):
        a, b = medians["mlspec load"][q], medians["oha"][q]
        print(
            f"{q}: mlspec load {a:.2f} ms, oha {b:.2f} ms, {abs(a - b) / b:.1%} apart"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
