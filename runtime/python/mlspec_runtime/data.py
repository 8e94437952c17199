"""Loading each source as its `format` says, and joining the rows to score.

- parquet and csv: `DATA_DIR/<source>.parquet` or `.csv`;
- postgres, mysql and other SQL: SQLAlchemy, with the URL in the environment
  variable `MLSPEC_<SOURCE>_URL`, reading the table named by `location` (or
  the source's name);
- kafka and other streams: their offline export, `DATA_DIR/<source>.parquet`.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from mlspec_runtime.spec import Spec

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


def _json_value(v):
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (tuple, np.ndarray)):
        return [_json_value(x) for x in v]
    return v


def requests_from_rows(spec: Spec, rows: pd.DataFrame) -> list:
    """Request bodies (JSON-ready dicts) for joined rows."""
    out = []
    for record in rows.to_dict(orient="records"):
        out.append({name: _json_value(record.get(column)) for name, column in spec.request_columns.items()})
    return out


def rows_from_requests(spec: Spec, bodies: list) -> pd.DataFrame:
    """Joined rows (columns `source.field`) from validated request dicts."""
    columns = spec.request_columns
    frame = pd.DataFrame([{columns[k]: v for k, v in b.items()} for b in bodies], columns=list(columns.values()))
    for column in frame.columns:
        source, field = column.split(".", 1)
        declared = spec.sources[source]["fields"][field]
        if declared["type"] in ("timestamp", "date"):
            frame[column] = pd.to_datetime(frame[column], utc=True, errors="coerce")
        elif declared["type"] == "geo":
            frame[column] = [tuple(v) if v is not None else None for v in frame[column]]
    return frame
