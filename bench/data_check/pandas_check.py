"""The checks of `mlspec data check` (docs/data.md) written in pandas.

    python pandas_check.py --data DIR --as-of TIME

reads DIR/events.parquet and DIR/users.parquet whole with `pd.read_parquet`,
then runs each rule of docs/data.md as vectorised pandas, the way a
competent pandas user would write them, and prints a JSON summary of the
findings (`{"errors": N, "warnings": N, "findings": [...], ...}`). Exit code
1 with errors, as `mlspec data check`.

The column rules are hard-coded to match bench.mlspec (there is no spec
parser here): change them together.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api import types as pdt

DAY_S = 86_400.0
Z_CRITICAL = 3.29  # two-sided binomial test at 0.1 %
LATE_TOLERANCE = 0.01  # late labels tolerated
LEAK_AUC = 0.99
MAX_CATEGORIES = 1_000  # categories with more values are identifiers


@dataclass(frozen=True)
class Field:
    type: str
    key: bool = False
    label: bool = False
    event_time: bool = False
    nullable: bool = False
    range: tuple[float, float] | None = None
    values: tuple[str, ...] | None = None
    missing: float | None = None
    references: tuple[str, str] | None = None
    delay_s: float | None = None


@dataclass(frozen=True)
class Source:
    fields: dict[str, Field]
    volume_per_day: float | None = None
    volume_total: float | None = None
    freshness_s: float | None = None


# ---- bench.mlspec, by hand -------------------------------------------------
COUNTRIES = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "BR", "IN", "JP")
SPEC: dict[str, Source] = {
    "events": Source(
        volume_per_day=100_000,
        freshness_s=3_600,
        fields={
            "event_id": Field("id", key=True),
            "user_id": Field("id", references=("users", "user_id")),
            "merchant_id": Field("id"),
            "event_time": Field("timestamp", event_time=True),
            "is_fraud": Field("bool", label=True, delay_s=30 * DAY_S),
            "amount": Field("float", range=(0, 50_000)),
            "session_seconds": Field("float", range=(0, 86_400)),
            "risk_score": Field("float", range=(0, 1)),
            "discount_rate": Field("float", range=(0, 0.5), missing=0.05),
            "latitude": Field("float", range=(-90, 90)),
            "longitude": Field("float", range=(-180, 180)),
            "items": Field("int", range=(0, 100)),
            "page_views": Field("int", range=(0, 1_000)),
            "account_age_days": Field("int", range=(0, 3_650)),
            "country": Field("category", values=COUNTRIES),
            "device": Field("category", values=("ios", "android", "web")),
            "channel": Field("category", values=("organic", "paid", "email", "social", "referral")),
            "payment_method": Field("category", values=("card", "paypal", "bank_transfer", "wallet")),
            "is_returning": Field("bool"),
        },
    ),
    "users": Source(
        volume_total=100_000,
        fields={
            "user_id": Field("id", key=True),
            "signup_ts": Field("timestamp"),
            "home_country": Field("category", values=COUNTRIES),
            "plan": Field("category", values=("free", "plus", "pro")),
            "birth_year": Field("int", range=(1920, 2010)),
        },
    ),
}
TARGET = ("events", "is_fraud")
POSITIVE_RATE = 0.02
# -----------------------------------------------------------------------------


class Findings:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, code: str, source: str, column: str | None, message: str) -> None:
        self.items.append({"code": code, "source": source, "column": column, "message": message})

    def count(self, severity: str) -> int:
        return sum(1 for f in self.items if f["code"].startswith(severity))


def parse_time(text: str) -> pd.Timestamp:
    t = datetime.fromisoformat(text)
    return pd.Timestamp(t if t.tzinfo else t.replace(tzinfo=UTC))


def holds(declared: str, dtype: pa.DataType) -> bool:
    """Whether a column of the file's type `dtype` can hold the declared type
    (E0603). Judged on the parquet schema, not on pandas dtypes: pandas turns
    an integer column with nulls into float64."""
    if declared == "id":
        return pa.types.is_integer(dtype) or pa.types.is_string(dtype) or pa.types.is_large_string(dtype)
    if declared == "int":
        return pa.types.is_integer(dtype)
    if declared == "float":
        return pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype)
    if declared == "bool":
        return pa.types.is_boolean(dtype) or pa.types.is_integer(dtype)
    if declared in ("category", "string", "text"):
        if pa.types.is_dictionary(dtype):
            dtype = dtype.value_type
        return pa.types.is_string(dtype) or pa.types.is_large_string(dtype)
    if declared in ("timestamp", "date"):
        return pa.types.is_timestamp(dtype) or pa.types.is_date(dtype)
    return True


def label_time_columns(label: str) -> list[str]:
    return [f"{label}_at", f"{label}_ts"]


def check_schema(name: str, source: Source, df: pd.DataFrame, schema: pa.Schema, out: Findings) -> list[str]:
    """E0602, E0603, W0601; the fields every other check may read."""
    usable = []
    for column, field in source.fields.items():
        if column not in df.columns:
            out.add("E0602", name, column, f"`{name}.{column}` is declared but the data has no such column")
        elif not holds(field.type, schema.field(column).type):
            out.add("E0603", name, column, f"`{column}` is declared `{field.type}` but holds {schema.field(column).type}")
        else:
            usable.append(column)
    allowed = set(source.fields)
    for column, field in source.fields.items():
        if field.label:
            allowed.update(label_time_columns(column))
    extra = [c for c in df.columns if c not in allowed]
    if extra:
        out.add("W0601", name, None, f"columns the schema does not declare: {extra}")
    return usable


def check_columns(name: str, source: Source, df: pd.DataFrame, usable: list[str], out: Findings) -> None:
    """E0604 range, E0605 values, E0606 missing, E0607 key."""
    rows = len(df)
    for column in usable:
        field, x = source.fields[column], df[column]
        nulls = int(x.isna().sum())
        if field.range is not None and field.type in ("int", "float"):
            lo, hi = field.range
            bad = int(((x < lo) | (x > hi)).sum())
            if bad:
                out.add("E0604", name, column, f"{bad} of {rows} rows outside range {lo}..{hi}")
        if field.values is not None:
            bad = int((x.notna() & ~x.isin(field.values)).sum())
            if bad:
                out.add("E0605", name, column, f"{bad} of {rows} rows hold a value `values` does not list")
        if rows and nulls and not field.nullable:
            observed = nulls / rows
            if field.missing is None:
                out.add("E0606", name, column, f"{nulls} of {rows} rows missing, no `missing` declared")
            else:
                p = field.missing
                tolerance = max(3 * math.sqrt(p * (1 - p) / rows), 0.005)
                if observed > p + tolerance:
                    out.add("E0606", name, column, f"{observed:.2%} missing, above `missing {p:.0%}`")
        if field.key:
            duplicates = int(x.dropna().duplicated().sum())
            if duplicates:
                out.add("E0607", name, column, f"{duplicates} of {rows} rows repeat a key")


def check_times(name: str, source: Source, df: pd.DataFrame, usable: list[str], as_of: pd.Timestamp, out: Findings) -> None:
    """E0609 future events, W0603 freshness, W0606 volume."""
    rows = len(df)
    event = next((c for c in usable if source.fields[c].event_time), None)
    first = last = None
    if event is not None:
        t = df[event]
        future = int((t > as_of).sum())
        if future:
            out.add("E0609", name, event, f"{future} of {rows} rows later than {as_of}")
        first, last = t.min(), t.max()
        if source.freshness_s is not None and pd.notna(last):
            age_s = (as_of - last).total_seconds()
            if age_s > source.freshness_s:
                out.add("W0603", name, event, f"the newest event is {age_s / DAY_S:.1f} days old")
    if source.volume_per_day is not None:
        if first is None or pd.isna(first) or pd.isna(last):
            return
        span_days = (last - first).total_seconds() / DAY_S
        if math.floor(span_days) < 1:
            return
        observed = rows / span_days
        if not source.volume_per_day / 2 <= observed <= source.volume_per_day * 2:
            out.add("W0606", name, None, f"{observed:,.0f} rows a day, declared {source.volume_per_day:,.0f}")
    elif source.volume_total is not None and rows > 2 * source.volume_total:
        out.add("W0606", name, None, f"{rows} rows, more than twice the declared {source.volume_total:,.0f}")


def auc(score: pd.Series, label: pd.Series) -> float | None:
    """Mann–Whitney AUC of `score` for a 0/1 `label` from average ranks."""
    positives = int(label.sum())
    negatives = len(label) - positives
    if positives == 0 or negatives == 0:
        return None
    ranks = score.rank(method="average").to_numpy()
    rank_sum = float(ranks[label.to_numpy(dtype=bool)].sum())
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def check_label(name: str, source: Source, df: pd.DataFrame, usable: list[str], out: Findings) -> None:
    """W0604 positive rate, W0605 label delay, W0607 leaks."""
    event = next((c for c in usable if source.fields[c].event_time), None)
    for column in usable:
        field = source.fields[column]
        if not field.label or field.delay_s is None or event is None:
            continue
        arrived = next((c for c in label_time_columns(column) if c in df and pdt.is_datetime64_any_dtype(df[c])), None)
        if arrived is None:
            continue
        waited_s = (df[arrived] - df[event]).dt.total_seconds()
        n_arrived = int(df[arrived].notna().sum())
        late = int((waited_s > field.delay_s).sum())
        if n_arrived and late > LATE_TOLERANCE * n_arrived:
            out.add("W0605", name, column, f"{late} of {n_arrived} labels arrived after the delay")

    if TARGET[0] != name or TARGET[1] not in usable:
        return
    label = df[TARGET[1]]
    labelled = label.notna()
    n = int(labelled.sum())
    if n:
        observed = float(label[labelled].astype(float).sum()) / n
        p = POSITIVE_RATE
        z = (observed - p) / math.sqrt(p * (1 - p) / n)
        if abs(z) > Z_CRITICAL and abs(observed - p) > p / 10:
            out.add("W0604", name, TARGET[1], f"positive in {observed:.2%}, declared {p:.2%} (z = {z:.1f})")

    for column in usable:
        field = source.fields[column]
        if column == TARGET[1] or field.key or field.label or field.type not in ("int", "float", "bool", "category"):
            continue
        x = df[column]
        keep = labelled & x.notna()
        x, y = x[keep], label[keep].astype(np.int8)
        if field.type == "category":
            if x.nunique() > MAX_CATEGORIES:
                continue
            score = x.map(y.groupby(x).mean())  # a category scores its label rate
        else:
            score = x.astype(np.float64)
        value = auc(score, y)
        if value is not None and max(value, 1 - value) >= LEAK_AUC:
            out.add("W0607", name, column, f"`{column}` alone separates the label (AUC {value:.3f})")


def check_references(
    name: str, source: Source, frames: dict[str, pd.DataFrame], usable: dict[str, list[str]], out: Findings
) -> None:
    """E0608: an anti-join of each `references` against the referenced key."""
    df = frames[name]
    for column in usable[name]:
        ref = source.fields[column].references
        if ref is None or ref[0] not in frames or ref[1] not in usable.get(ref[0], []):
            continue
        x = df[column].dropna()
        unresolved = int((~x.isin(frames[ref[0]][ref[1]])).sum())
        if unresolved:
            out.add("E0608", name, column, f"{unresolved} of {len(df)} rows reference a missing `{ref[0]}.{ref[1]}`")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with events.parquet and users.parquet")
    parser.add_argument("--as-of", required=True, help="UTC: 2026-12-01 or 2026-12-01T00:00:00Z")
    args = parser.parse_args()
    as_of = parse_time(args.as_of)

    out = Findings()
    frames: dict[str, pd.DataFrame] = {}
    usable: dict[str, list[str]] = {}
    seconds: dict[str, float] = {"read": 0.0, "check": 0.0}
    for name, source in SPEC.items():
        path = args.data / f"{name}.parquet"
        if not path.exists():
            out.add("E0601", name, None, f"no data at {path}")
            continue
        started = time.perf_counter()
        df = pd.read_parquet(path)
        schema = pq.read_schema(path)  # the file's footer: its column types
        seconds["read"] += time.perf_counter() - started
        started = time.perf_counter()
        frames[name] = df
        usable[name] = check_schema(name, source, df, schema, out)
        check_columns(name, source, df, usable[name], out)
        check_times(name, source, df, usable[name], as_of, out)
        check_label(name, source, df, usable[name], out)
        seconds["check"] += time.perf_counter() - started
    started = time.perf_counter()
    for name in frames:
        check_references(name, SPEC[name], frames, usable, out)
    seconds["check"] += time.perf_counter() - started

    summary = {
        "errors": out.count("E"),
        "warnings": out.count("W"),
        "findings": out.items,
        "rows": {name: len(df) for name, df in frames.items()},
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "versions": {"pandas": pd.__version__, "numpy": np.__version__},
    }
    json.dump(summary, sys.stdout, indent=2)
    print()
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
