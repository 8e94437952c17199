"""The checks of `mlspec data check` that Great Expectations can express.

    python gx_check.py --data DIR --as-of TIME

reads DIR/events.parquet and DIR/users.parquet whole with `pd.read_parquet`,
validates one expectation suite per source on GX's pandas engine (an
ephemeral context, nothing written to disk), and prints a JSON summary like
pandas_check.py's: each failed expectation is a finding under the code of the
mlspec rule it stands for. Exit code 1 with errors.

The rules are hard-coded to match bench.mlspec (pandas_check.SPEC: change
them together). How each rule is written in GX:

- E0602/W0601 columns: `ExpectTableColumnsToMatchSet`; E0603 types:
  `ExpectColumnValuesToBeInTypeList` on pandas dtypes;
- E0604 `ExpectColumnValuesToBeBetween`; E0605 `ExpectColumnValuesToBeInSet`;
  E0606 `ExpectColumnValuesToNotBeNull` with `mostly` 1 − (p + tolerance);
  E0607 `ExpectColumnValuesToBeUnique`;
- E0608 references: `ExpectColumnValuesToBeInSet` with the referenced keys;
- E0609 and W0603 freshness: `ExpectColumnMaxToBeBetween` on the event time;
- W0606 volume: `ExpectTableRowCountToBeBetween`, the bounds from the event
  times' span (computed with pandas: GX has no rows-per-day);
- W0604 positive rate: `ExpectColumnMeanToBeBetween`, p ± max(3.29 standard
  errors, p/10), the same acceptance region as the binomial test;
- W0605 label delay: `ExpectColumnPairValuesAToBeGreaterThanB` of a
  deadline column (event time + delay, added with pandas) over the arrival,
  `mostly` 0.99.

W0607 (a column that gives the label away, per-column AUC) has no GX
expectation, and the types of timestamp columns cannot be named (see
NOT_COVERED): the summary lists both under `not_covered`.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

from pandas_check import LATE_TOLERANCE, POSITIVE_RATE, SPEC, TARGET, Z_CRITICAL, Source, parse_time

# pandas dtype names that hold each declared type (E0603).
TYPES = {
    "id": ["int64", "int32", "object", "string", "str"],
    "int": ["int64", "int32", "int16", "int8"],
    "float": ["float64", "float32", "int64", "int32"],
    "bool": ["bool", "int64", "int32", "int8"],
    # an object column is judged value by value (`str`)
    "category": ["object", "string", "category", "str"],
}
DEADLINE = "__deadline"
# Rules GX cannot express here. GX 1.24.1's pandas type check compares the
# dtype with types it builds from names, and no name builds a zoned
# `datetime64[us, UTC]`, so the types of timestamp columns are not checked.
NOT_COVERED = {
    "W0607": "a column that gives the label away (per-column AUC): no expectation",
    "E0603 timestamps": "no type name matches a zoned datetime64[us, UTC] column",
}


def suite_for(name: str, source: Source, df: pd.DataFrame, frames: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> list[Any]:
    """One source's expectations, each with `meta.code`, the mlspec rule it stands for."""
    rows = len(df)
    out: list[Any] = []

    def add(code: str, expectation: Any) -> None:
        expectation.meta = {"code": code}
        out.append(expectation)

    labels = [c for c, f in source.fields.items() if f.label]
    arrival = {f"{c}_at" for c in labels} & set(df.columns)
    helper = {DEADLINE} if any(source.fields[c].delay_s is not None and f"{c}_at" in df for c in labels) else set()
    columns = sorted(set(source.fields) | arrival | helper)
    add("W0601", gxe.ExpectTableColumnsToMatchSet(column_set=columns, exact_match=True))
    for column, field in source.fields.items():
        if field.type in TYPES:  # not timestamps: see NOT_COVERED
            add("E0603", gxe.ExpectColumnValuesToBeInTypeList(column=column, type_list=TYPES[field.type]))
        if field.range is not None:
            lo, hi = field.range
            add("E0604", gxe.ExpectColumnValuesToBeBetween(column=column, min_value=lo, max_value=hi))
        if field.values is not None:
            add("E0605", gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(field.values)))
        if not field.nullable:
            if field.missing is None:
                add("E0606", gxe.ExpectColumnValuesToNotBeNull(column=column))
            else:
                p = field.missing
                tolerance = max(3 * math.sqrt(p * (1 - p) / max(rows, 1)), 0.005)
                add("E0606", gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=max(0.0, 1 - p - tolerance)))
        if field.key:
            add("E0607", gxe.ExpectColumnValuesToBeUnique(column=column))
        if field.references is not None and field.references[0] in frames:
            parent, key = field.references
            keys = frames[parent][key].dropna().unique().tolist()
            add("E0608", gxe.ExpectColumnValuesToBeInSet(column=column, value_set=keys))
        if field.event_time:
            add("E0609", gxe.ExpectColumnMaxToBeBetween(column=column, max_value=as_of))
            if source.freshness_s is not None:
                add(
                    "W0603",
                    gxe.ExpectColumnMaxToBeBetween(column=column, min_value=as_of - pd.Timedelta(seconds=source.freshness_s)),
                )
            if source.volume_per_day is not None:
                span_days = (df[column].max() - df[column].min()).total_seconds() / 86_400
                if math.floor(span_days) >= 1:
                    n = source.volume_per_day * span_days
                    add("W0606", gxe.ExpectTableRowCountToBeBetween(min_value=math.ceil(n / 2), max_value=math.floor(2 * n)))
        if field.label and field.delay_s is not None and f"{column}_at" in df:
            event = next(c for c, f in source.fields.items() if f.event_time)
            df[DEADLINE] = df[event] + pd.Timedelta(seconds=field.delay_s)
            add(
                "W0605",
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=DEADLINE,
                    column_B=f"{column}_at",
                    or_equal=True,
                    mostly=1 - LATE_TOLERANCE,
                    ignore_row_if="either_value_is_missing",
                ),
            )
    if source.volume_total is not None:
        add("W0606", gxe.ExpectTableRowCountToBeBetween(max_value=int(2 * source.volume_total)))
    if TARGET[0] == name and rows:
        p = POSITIVE_RATE
        tolerance = max(Z_CRITICAL * math.sqrt(p * (1 - p) / rows), p / 10)
        add("W0604", gxe.ExpectColumnMeanToBeBetween(column=TARGET[1], min_value=p - tolerance, max_value=p + tolerance))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with events.parquet and users.parquet")
    parser.add_argument("--as-of", required=True, help="UTC: 2026-12-01 or 2026-12-01T00:00:00Z")
    args = parser.parse_args()
    as_of = parse_time(args.as_of)
    logging.disable(logging.WARNING)

    findings: list[dict[str, Any]] = []
    seconds = {"read": 0.0, "check": 0.0}
    started = time.perf_counter()
    frames: dict[str, pd.DataFrame] = {}
    for name in SPEC:
        path = args.data / f"{name}.parquet"
        if path.exists():
            frames[name] = pd.read_parquet(path)
        else:
            findings.append({"code": "E0601", "source": name, "column": None, "message": f"no data at {path}"})
    seconds["read"] = time.perf_counter() - started

    started = time.perf_counter()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_pandas("bench")
    for name, df in frames.items():
        suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=suite_for(name, SPEC[name], df, frames, as_of)))
        batch = (
            datasource.add_dataframe_asset(name)
            .add_batch_definition_whole_dataframe("all")
            .get_batch(batch_parameters={"dataframe": df})
        )
        for result in batch.validate(suite).results:
            if not result.success:
                config = result.expectation_config
                column = config.kwargs.get("column")
                detail = {
                    k: result.result[k]
                    for k in ("observed_value", "unexpected_count", "unexpected_percent")
                    if k in result.result
                }
                message = f"{config.type} failed: {json.dumps(detail, default=str)}"
                if result.exception_info and result.exception_info.get("raised_exception"):
                    message = f"{config.type} raised: {result.exception_info.get('exception_message')}"
                findings.append({"code": config.meta["code"], "source": name, "column": column, "message": message})
    seconds["check"] = time.perf_counter() - started

    summary = {
        "errors": sum(1 for f in findings if f["code"].startswith("E")),
        "warnings": sum(1 for f in findings if f["code"].startswith("W")),
        "findings": findings,
        "not_covered": NOT_COVERED,
        "rows": {name: len(df) for name, df in frames.items()},
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "versions": {"great_expectations": gx.__version__, "pandas": pd.__version__},
    }
    json.dump(summary, sys.stdout, indent=2, default=str)
    print()
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
