"""Write clean benchmark data for bench.mlspec.

    python generate.py ROWS OUTDIR [--seed S] [--as-of TIME] [--users N] [--batch B]

writes OUTDIR/events.parquet (ROWS rows, 20 columns, one row group per batch
of B rows, so memory stays bounded whatever ROWS is) and OUTDIR/users.parquet
(N rows). The data holds every declaration of bench.mlspec:

- values inside each `range`, categories among `values`, no null but in
  `discount_rate`, which is null in half its declared `missing 5%`;
- `event_id` distinct; every `user_id` one of users' `user_id`s;
- event times in order over ROWS / 100k days ending a minute before
  `--as-of` (so `volume 100k / day` and `freshness 1h` hold, and no event is
  in the future);
- `is_fraud` positive at the declared `positive_rate 2%`, mildly tied to
  `risk_score` (AUC about 0.6: a signal, not a leak); its arrival time
  `is_fraud_at` within the declared `delay 30d`.

Each batch draws from its own generator seeded by (seed, batch number), so a
file is the same for the same arguments.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

VOLUME_PER_DAY = 100_000  # bench.mlspec: `volume 100k / day`
POSITIVE_RATE = 0.02  # `positive_rate 2%`
MISSING_DISCOUNT = 0.025  # half of `missing 5%`
DAY_US = 86_400 * 1_000_000
HOUR_US = 3_600 * 1_000_000
NEWEST_LAG_US = 60 * 1_000_000  # the newest event, before --as-of

COUNTRIES = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "BR", "IN", "JP"]
COUNTRY_SHARES = [0.30, 0.12, 0.12, 0.10, 0.08, 0.07, 0.05, 0.06, 0.06, 0.04]
DEVICES = ["ios", "android", "web"]
CHANNELS = ["organic", "paid", "email", "social", "referral"]
PAYMENTS = ["card", "paypal", "bank_transfer", "wallet"]
PLANS = ["free", "plus", "pro"]

TS = pa.timestamp("us", tz="UTC")

EVENTS_SCHEMA = pa.schema(
    [
        ("event_id", pa.int64()),
        ("user_id", pa.int64()),
        ("merchant_id", pa.int64()),
        ("event_time", TS),
        ("is_fraud", pa.bool_()),
        ("is_fraud_at", TS),
        ("amount", pa.float64()),
        ("session_seconds", pa.float64()),
        ("risk_score", pa.float64()),
        ("discount_rate", pa.float64()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("items", pa.int64()),
        ("page_views", pa.int64()),
        ("account_age_days", pa.int64()),
        ("country", pa.string()),
        ("device", pa.string()),
        ("channel", pa.string()),
        ("payment_method", pa.string()),
        ("is_returning", pa.bool_()),
    ]
)

USERS_SCHEMA = pa.schema(
    [
        ("user_id", pa.int64()),
        ("signup_ts", TS),
        ("home_country", pa.string()),
        ("plan", pa.string()),
        ("birth_year", pa.int64()),
    ]
)


def parse_time(text: str) -> datetime:
    """`2026-12-01` or `2026-12-01T00:00:00Z`, as UTC."""
    t = datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def epoch_us(t: datetime) -> int:
    return int(t.timestamp()) * 1_000_000 + t.microsecond


def choice(rng: np.random.Generator, values: list[str], n: int, p: list[float] | None = None) -> pa.Array:
    """`n` draws from `values` as a plain string column (as Spark writes them)."""
    codes = rng.choice(len(values), size=n, p=p)
    return pa.array(np.asarray(values, dtype=object)[codes], type=pa.string())


def events_batch(start: int, n: int, rows: int, users: int, newest_us: int, seed: int) -> pa.RecordBatch:
    """Rows `start .. start + n` of the `rows` events."""
    rng = np.random.default_rng([seed, 1, start])
    index = np.arange(start, start + n, dtype=np.int64)
    span_us = rows * DAY_US // VOLUME_PER_DAY
    oldest_us = newest_us - span_us
    # Row i falls in the i-th of `rows` equal slices of the span: in order.
    offset = ((index + rng.random(n)) * (span_us / rows)).astype(np.int64)
    event_us = np.minimum(oldest_us + offset, newest_us)

    risk = rng.random(n)
    # P(fraud) = 2% × (0.5 + risk): 2% on average, higher with the risk score.
    fraud = rng.random(n) < POSITIVE_RATE * (0.5 + risk)
    arrival_us = event_us + rng.integers(HOUR_US, 28 * DAY_US, size=n)

    discount = rng.uniform(0.0, 0.5, n)
    discount_missing = rng.random(n) < MISSING_DISCOUNT

    columns = [
        pa.array(index + 1),
        pa.array(rng.integers(1, users + 1, size=n, dtype=np.int64)),
        pa.array(rng.integers(1, 50_001, size=n, dtype=np.int64)),
        pa.array(event_us, type=TS),
        pa.array(fraud),
        pa.array(arrival_us, type=TS),
        pa.array(np.clip(np.round(rng.lognormal(3.5, 1.2, n), 2), 0.0, 50_000.0)),
        pa.array(np.clip(rng.lognormal(5.0, 1.0, n), 0.0, 86_400.0)),
        pa.array(risk),
        pa.array(discount, mask=discount_missing),
        pa.array(rng.uniform(-90.0, 90.0, n)),
        pa.array(rng.uniform(-180.0, 180.0, n)),
        pa.array(np.minimum(rng.poisson(3.0, n), 100).astype(np.int64)),
        pa.array(np.minimum(rng.poisson(12.0, n), 1_000).astype(np.int64)),
        pa.array(rng.integers(0, 3_651, size=n, dtype=np.int64)),
        choice(rng, COUNTRIES, n, COUNTRY_SHARES),
        choice(rng, DEVICES, n, [0.4, 0.35, 0.25]),
        choice(rng, CHANNELS, n, [0.35, 0.25, 0.15, 0.15, 0.10]),
        choice(rng, PAYMENTS, n, [0.6, 0.2, 0.1, 0.1]),
        pa.array(rng.random(n) < 0.6),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=EVENTS_SCHEMA)


def users_table(users: int, as_of_us: int, seed: int) -> pa.Table:
    rng = np.random.default_rng([seed, 2])
    signup = as_of_us - rng.integers(DAY_US, 5 * 365 * DAY_US, size=users)
    return pa.Table.from_arrays(
        [
            pa.array(np.arange(1, users + 1, dtype=np.int64)),
            pa.array(signup, type=TS),
            choice(rng, COUNTRIES, users, COUNTRY_SHARES),
            choice(rng, PLANS, users, [0.7, 0.2, 0.1]),
            pa.array(rng.integers(1920, 2011, size=users, dtype=np.int64)),
        ],
        schema=USERS_SCHEMA,
    )


def write_events(path: Path, rows: int, users: int, as_of_us: int, seed: int, batch: int) -> None:
    newest_us = as_of_us - NEWEST_LAG_US
    tmp = path.with_suffix(".parquet.tmp")
    with pq.ParquetWriter(tmp, EVENTS_SCHEMA, compression="snappy") as writer:
        for start in range(0, rows, batch):
            n = min(batch, rows - start)
            writer.write_batch(events_batch(start, n, rows, users, newest_us, seed), row_group_size=n)
    os.replace(tmp, path)  # a file that exists is complete


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, help="rows of events.parquet")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", default="2026-12-01T00:00:00Z", help="the time the data is checked as of (UTC)")
    parser.add_argument("--users", type=int, default=100_000, help="rows of users.parquet")
    parser.add_argument("--batch", type=int, default=1_000_000, help="rows per batch and row group")
    args = parser.parse_args()
    if args.rows < 1 or args.users < 1 or args.batch < 1:
        parser.error("ROWS, --users and --batch must be positive")

    as_of_us = epoch_us(parse_time(args.as_of))
    args.outdir.mkdir(parents=True, exist_ok=True)
    users_tmp = args.outdir / "users.parquet.tmp"
    pq.write_table(users_table(args.users, as_of_us, args.seed), users_tmp, compression="snappy")
    os.replace(users_tmp, args.outdir / "users.parquet")
    write_events(args.outdir / "events.parquet", args.rows, args.users, as_of_us, args.seed, args.batch)
    size = (args.outdir / "events.parquet").stat().st_size
    print(f"wrote {args.rows:,} events ({size / 2**20:,.1f} MiB) and {args.users:,} users to {args.outdir}")


if __name__ == "__main__":
    main()
