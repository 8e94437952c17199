"""The load a spec implies for one server process, read from mlspec's output.

    rate = constraints throughput ÷ the serving's maximum replicas

The maximum replicas and the latency constraints come from
`mlspec capacity --format json` (`declared_replicas`, `constraints`). The
throughput is in no JSON output today, so it is read from the constraints
table of `mlspec doc` (`| throughput | 1,000 rps |`, the checked value in
requests per second, whatever unit the spec wrote). A spec with no
throughput constraint is loaded at DEFAULT_RATE.
"""

import json
import re
import subprocess
from dataclasses import dataclass

DEFAULT_RATE = 50.0
THROUGHPUT_ROW = re.compile(r"^\| throughput \| ([0-9,]+) rps \|$", re.MULTILINE)
LATENCY = re.compile(r"^latency (p[0-9.]+) ")


@dataclass(frozen=True)
class Slo:
    constraint: str  # as mlspec writes it, e.g. "latency p99 < 100 ms"
    quantile: str  # e.g. "p99"
    limit_ms: float


@dataclass(frozen=True)
class Plan:
    rate: float
    why: str  # how the rate was derived, for the report
    slos: list


def _run(mlspec: str, *args: str) -> str:
    return subprocess.run(
        [mlspec, *args], check=True, capture_output=True, text=True
    ).stdout


def plan(mlspec: str, spec: str) -> Plan:
    capacity = json.loads(
        _run(mlspec, "capacity", spec, "--requests", "1k", "--format", "json")
    )
    slos = [
        Slo(c["constraint"], m.group(1), float(c["limit_ms"]))
        for c in capacity["constraints"]
        if (m := LATENCY.match(c["constraint"]))
    ]
    row = THROUGHPUT_ROW.search(_run(mlspec, "doc", spec))
    if row is None:
        return Plan(
            DEFAULT_RATE, f"no throughput declared: default {DEFAULT_RATE:g} rps", slos
        )
    throughput = float(row.group(1).replace(",", ""))
    replicas = int(capacity["declared_replicas"][1])
    return Plan(
        throughput / replicas, f"{row.group(1)} rps ÷ {replicas} replicas", slos
    )
