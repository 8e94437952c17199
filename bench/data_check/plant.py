"""Copy clean benchmark data with one planted problem per rule, to show that
both checkers look (a clean pass proves nothing on its own).

    python plant.py CLEAN_DIR DIRTY_DIR

Then `mlspec data check bench.mlspec --data DIRTY_DIR --as-of 2026-12-01T00:00:00Z`
and `python pandas_check.py --data DIRTY_DIR --as-of 2026-12-01T00:00:00Z` should
both report every code in EXPECTED (printed last). Reads the data whole: for
small sizes (100k rows) only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# code: what is planted
EXPECTED = {
    "E0604": "amount 60000 in row 3, outside range 0..50000",
    "E0605": "device 'tv' in row 4",
    "E0606": "items null in row 5 (no `missing` declared)",
    "E0607": "event_id of row 7 repeats row 6's",
    "E0608": "user_id of row 8 not in users",
    "E0609": "event_time of row 9 a day after --as-of",
    "W0601": "an extra column `note`",
    "W0604": "is_fraud true in 5% of rows, declared 2%",
    "W0606": "the future event of E0609 stretches the span to 3 days: 33k rows a day",
    "W0605": "is_fraud_at 40 days after the event in 5% of rows",
    "W0607": "risk_score set to the label itself",
}


def replace(table: pa.Table, name: str, column: pa.Array) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, column)


def main() -> None:
    clean, dirty = Path(sys.argv[1]), Path(sys.argv[2])
    dirty.mkdir(parents=True, exist_ok=True)
    events = pq.read_table(clean / "events.parquet")
    n = events.num_rows
    cols = {name: events.column(name).to_pylist() for name in ("amount", "device", "items", "event_id", "user_id")}
    cols["amount"][3] = 60_000.0
    cols["device"][4] = "tv"
    cols["items"][5] = None
    cols["event_id"][7] = cols["event_id"][6]
    cols["user_id"][8] = 10**12
    for name, values in cols.items():
        events = replace(events, name, pa.array(values, type=events.schema.field(name).type))

    times = events.column("event_time").to_pylist()
    times[9] = times[-1].replace(year=2026, month=12, day=2)
    events = replace(events, "event_time", pa.array(times, type=events.schema.field("event_time").type))

    # 5% of rows, those whose number is a multiple of 20, are the only positives.
    every20 = pa.array([i % 20 == 0 for i in range(n)])
    events = replace(events, "is_fraud", every20)
    late = pc.add(events.column("event_time"), pa.scalar(40 * 86_400 * 1_000_000, pa.duration("us")))
    events = replace(events, "is_fraud_at", pc.if_else(every20, late, events.column("is_fraud_at")))
    events = replace(events, "risk_score", pc.cast(every20, pa.float64()))
    events = events.append_column("note", pa.array(["x"] * n))

    pq.write_table(events, dirty / "events.parquet")
    pq.write_table(pq.read_table(clean / "users.parquet"), dirty / "users.parquet")
    print(" ".join(sorted(EXPECTED)))


if __name__ == "__main__":
    main()
