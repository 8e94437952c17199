"""Loading each source as its `format` says, and joining the rows to score.

- parquet and csv: `DATA_DIR/<source>.parquet` or `.csv`;
- postgres, mysql and other SQL: SQLAlchemy, with the URL in the environment
  variable `MLSPEC_<SOURCE>_URL`, reading the table named by `location` (or
  the source's name);
- kafka and other streams: their offline export, `DATA_DIR/<source>.parquet`.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from mlspec_runtime import features as f
from mlspec_runtime.features import Rows
from mlspec_runtime.spec import Spec
from mlspec_runtime.windows import HistoryWindows

SQL_FORMATS = {"postgres", "postgresql", "mysql", "sqlite", "sql", "snowflake", "bigquery", "redshift"}


def _read(name: str, source: dict, data_dir: Path) -> pd.DataFrame:
    fmt = (source.get("format") or "parquet").lower()
    if fmt in SQL_FORMATS:
        import sqlalchemy

        var = "MLSPEC_" + "".join(c if c.isalnum() else "_" for c in name.upper()) + "_URL"
        url = os.environ.get(var)
        if not url:
            raise SystemExit(f"source {name!r} is read from SQL: set {var} to its SQLAlchemy URL")
        table = source.get("location") or name
        return pd.read_sql_table(table, sqlalchemy.create_engine(url))
    if fmt == "csv":
        return pd.read_csv(data_dir / f"{name}.csv")
    path = data_dir / f"{name}.parquet"
    if not path.exists():
        raise SystemExit(f"source {name!r} ({fmt}): expected its export at {path}")
    return pd.read_parquet(path)


def normalise(spec: Spec, name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in the declared types: timestamps in UTC, ids as text."""
    frame = frame.copy()
    for field, declared in spec.sources[name]["fields"].items():
        if field not in frame.columns:
            continue
        if declared["type"] in ("timestamp", "date"):
            frame[field] = pd.to_datetime(frame[field], utc=True, errors="coerce")
        elif declared["type"] == "id":
            frame[field] = frame[field].astype(str).where(frame[field].notna())
    return frame


def validate(spec: Spec, frames: dict, rows: int = 200) -> None:
    """Checks the first rows of each source against its record model."""
    for name, frame in frames.items():
        model = spec.records[name]
        for record in frame.head(rows).to_dict(orient="records"):
            clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in record.items()}
            model.model_validate(clean)


def load_sources(spec: Spec, data_dir: str | os.PathLike = "data") -> dict:
    frames = {name: normalise(spec, name, _read(name, source, Path(data_dir))) for name, source in spec.sources.items()}
    validate(spec, frames)
    return frames


def joined_rows(spec: Spec, frames: dict) -> pd.DataFrame:
    """The rows to score (one per row of the target's source), with the
    columns of joined sources; every column named `source.field`."""
    base = spec.base_source
    rows = frames[base].add_prefix(base + ".")
    for join in spec.config["joins"]:
        other = frames[join["source"]].drop_duplicates(join["right"]).add_prefix(join["source"] + ".")
        rows = rows.merge(other, how="left", left_on=join["left"], right_on=join["source"] + "." + join["right"])
    return rows.reset_index(drop=True)


def plain(v):
    """A JSON-ready Python value: numpy scalars as Python ones, times as ISO
    8601 text, NaN and NaT as None, tuples and arrays as lists."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.isoformat()
    if isinstance(v, tuple | np.ndarray):
        return [plain(x) for x in v]
    return v


def requests_from_rows(spec: Spec, rows: pd.DataFrame) -> list:
    """Request bodies (JSON-ready dicts) for joined rows."""
    out = []
    for record in rows.to_dict(orient="records"):
        out.append({name: plain(record.get(column)) for name, column in spec.request_columns.items()})
    return out


NUMBER_TYPES = ("int", "float", "bool")
TIME_TYPES = ("timestamp", "date")


def column(values, declared_type: str) -> np.ndarray:
    """One column as the feature functions take it: numbers as floats (NaN
    when missing), times as datetime64[ns] in UTC, anything else as objects
    (None when missing); a geo point as a (lat, lon) tuple."""
    a = values if isinstance(values, np.ndarray) else objects(values)
    if declared_type in NUMBER_TYPES:
        return f.num(a)
    if declared_type in TIME_TYPES:
        return f.timestamps(a)
    if declared_type == "geo":
        return objects([tuple(v) if isinstance(v, list | tuple | np.ndarray) else None for v in a])
    if declared_type == "id":
        return f.text(a)
    return objects([v if f.present(v) else None for v in a])


def objects(values) -> np.ndarray:
    """A one-dimensional object array of the values as they are (lists stay
    lists: numpy would make a ragged list of lists a matrix or fail)."""
    values = list(values)
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def field_type(spec: Spec, name: str) -> str:
    source, field = name.split(".", 1)
    return str(spec.sources[source]["fields"][field]["type"])


def rows_of(spec: Spec, frame: pd.DataFrame) -> Rows:
    """Joined rows (a frame with columns `source.field`) as `Rows`."""
    return {c: column(frame[c].to_numpy(), field_type(spec, c)) for c in frame.columns if "." in c}


def rows_from_requests(spec: Spec, bodies: list) -> Rows:
    """`Rows` (columns `source.field`) from validated request dicts."""
    return {
        column_name: column([b.get(k) for b in bodies], field_type(spec, column_name)) for k, column_name in spec.request_columns.items()
    }


def features_of(spec: Spec, rows: pd.DataFrame, frames: Mapping[str, pd.DataFrame], state: dict, fitting: bool = False) -> dict:
    """The features of joined rows offline, windows over the event history in `frames`."""
    return spec.build_features(rows_of(spec, rows), HistoryWindows(spec.config, frames), state, fitting)


def add_source_args(parser: argparse.ArgumentParser, sample_help: str = "synthetic data (the default without --data)") -> None:
    """`--sample` or `--data DIR`: where an entry point reads its sources."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--sample", action="store_true", help=sample_help)
    group.add_argument("--data", help="folder with one file per source (see mlspec_runtime/data.py)")


def frames_from_args(spec: Spec, args: argparse.Namespace, seed: int = 0, shift: bool = False) -> dict:
    """The sources `--data` names, else a synthetic sample."""
    from mlspec_runtime import sample_data

    if args.data:
        return load_sources(spec, args.data)
    return sample_data.generate(spec, seed=seed, shift=shift)
