"""Loading the online store from the offline data: the joined tables' rows
(entity features) and every window's state, replayed from its source's
events in time order.

    python materialize.py --sample                 # synthetic data
    python materialize.py --data data/             # real data

With `online redis` the store is the Redis at `REDIS_URL`; this design's
keys there are replaced. Without, the in-process store's snapshot is
written to `<artifacts>/online_store.json`, which the service loads at start.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mlspec_runtime import store
from mlspec_runtime.data import add_source_args, frames_from_args
from mlspec_runtime.spec import Spec


def run(spec: Spec, frames: dict, artifacts: Path) -> tuple[str, dict[str, int]]:
    """Replaces the design's online state with the offline data's; returns
    where it went and how many rows or events each source gave."""
    if store.declared(spec)["kind"] == "memory":
        memory = store.MemoryStore()
        counts = store.materialize(spec, frames, memory)
        artifacts.mkdir(parents=True, exist_ok=True)
        memory.save(artifacts / store.SNAPSHOT)
        return f"{artifacts / store.SNAPSHOT} (in-process store)", counts
    target = store.open_store(spec, artifacts)
    target.clear()
    return f"redis ({store.namespace(spec)}:*)", store.materialize(spec, frames, target)


def main(spec: Spec, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load the online feature store of " + spec.config["spec_name"])
    add_source_args(parser)
    parser.add_argument("--artifacts", default="artifacts", help="where the in-process store's snapshot goes")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        where, counts = run(spec, frames_from_args(spec, args), Path(args.artifacts))
    except store.StoreError as e:
        print(f"materialize: the online store failed: {e}", file=sys.stderr)
        return 1
    for source, n in sorted(counts.items()):
        print(f"{source}: {n} rows/events")
    print(f"materialized into {where} in {time.perf_counter() - started:.1f} s")
    return 0
