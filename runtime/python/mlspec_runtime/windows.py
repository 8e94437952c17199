"""Window aggregations, defined once for training and serving.

A window of `w` seconds is kept as `TILES` tiles of `w / TILES` seconds
each (tile `i` holds the events with `i * tile <= t < (i + 1) * tile`). At
time `now` a window covers the tile of `now` (its events up to and
including `now`) and the `TILES - 1` tiles before it: between `(TILES - 1) /
TILES` of `w` and `w`. Offline (`HistoryWindows`, over the event history)
and online (`mlspec_runtime.store`, over tiles kept per entity) compute that
same set, so a feature has the same value in training and in serving after
the same events (the parity test holds them to 1e-9). Online, a tile holds
every event ingested so far: replayed history later than `now` in the same
tile counts too, which live traffic (events arrive in time order) never
sees.

Aggregates per tile: event count, count/sum/min/max of the numeric values,
the last value with its time, and the distinct values (only for states some
feature asks `distinct_count` of). `Summary` combines tiles, and the scored
event itself when it is an event of the aggregated source.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlspec_runtime import features as f

TILES = 60
REDUCERS: dict[str, Callable[[np.ndarray], Any]] = {"mean": np.mean, "min": np.min, "max": np.max}


@dataclass(frozen=True)
class State:
    """One kept window state: what the tiles aggregate, and for which key."""

    source: str
    field: str | None
    by: str
    window_s: float
    distinct: bool = False  # keep the distinct values (for `distinct_count`)

    @functools.cached_property
    def tile_ns(self) -> int:
        return max(1, round(self.window_s * 1e9 / TILES))

    @property
    def ident(self) -> tuple[str, str | None, str, float]:
        return (self.source, self.field, self.by, self.window_s)

    def name(self) -> str:
        return self._name

    @functools.cached_property
    def _name(self) -> str:
        return f"{self.source}:{self.field or ''}:{self.by}:{self.window_s:g}"

    def tiles(self, now_ns: int) -> tuple[int, int]:
        """The first and last tile a window at `now_ns` covers."""
        last = now_ns // self.tile_ns
        return last - TILES + 1, last


def states(config: Mapping[str, Any]) -> list[State]:
    """The window states the declared features need, one per aggregated
    (source, field, by, window), in a stable order."""
    needs: dict[tuple[str, str | None, str, float], bool] = {}
    for w in config.get("windows", []):
        key = (w["source"], w["field"], w["by"], float(w["window_s"]))
        needs[key] = needs.get(key, False) or w["func"] == "distinct_count"
    return [State(s, fl, by, ws, distinct=d) for (s, fl, by, ws), d in sorted(needs.items(), key=lambda kv: repr(kv[0]))]


def numeric(value: Any) -> float | None:
    """The value as a finite float, or None (missing, text, not finite)."""
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        return v if math.isfinite(v) else None
    return None


@dataclass
class Summary:
    """Aggregates of a set of events (tiles, plus maybe the scored event)."""

    count: int = 0
    numbers: int = 0
    total: float = 0.0
    low: float = math.inf
    high: float = -math.inf
    last_t: int | None = None
    last: Any = None
    distinct: set[str] = field(default_factory=set)

    def add(self, value: Any, t: int, distinct: bool) -> None:
        """One event with `value` (None for a count-only state) at `t` ns."""
        self.count += 1
        v = numeric(value)
        if v is not None:
            self.numbers += 1
            self.total += v
            self.low = min(self.low, v)
            self.high = max(self.high, v)
        if self.last_t is None or t >= self.last_t:
            self.last_t, self.last = t, value
        if distinct and f.present(value):
            self.distinct.add(str(value))

    def merge(self, other: Summary) -> None:
        self.count += other.count
        self.numbers += other.numbers
        self.total += other.total
        self.low = min(self.low, other.low)
        self.high = max(self.high, other.high)
        if other.last_t is not None and (self.last_t is None or other.last_t >= self.last_t):
            self.last_t, self.last = other.last_t, other.last
        self.distinct |= other.distinct

    def result_with(self, func: str, value: Any, t: int) -> Any:
        """`result(func)` of these events and one more, `value` at `t`:
        what a copy would give after `add(value, t, distinct=True)`, without
        the copy (the same float operations in the same order)."""
        if func == "count":
            return float(self.count + 1)
        if func == "distinct_count":
            return float(len(self.distinct) + (f.present(value) and str(value) not in self.distinct))
        if func == "last":
            return value if self.last_t is None or t >= self.last_t else self.last
        v = numeric(value)
        if func == "sum":
            return self.total + v if v is not None else self.total
        if v is None:
            return self.result(func)
        if func == "mean":
            return (self.total + v) / (self.numbers + 1)
        return min(self.low, v) if func == "min" else max(self.high, v)

    def result(self, func: str) -> Any:
        if func == "count":
            return float(self.count)
        if func == "distinct_count":
            return float(len(self.distinct))
        if func == "last":
            return self.last
        if func == "sum":
            return self.total
        if not self.numbers:
            return math.nan
        return {"mean": self.total / self.numbers, "min": self.low, "max": self.high}[func]


def column_of(func: str, values: list[Any]) -> np.ndarray:
    """One aggregate per row as a column: numbers as floats, `last` as given
    (an object array: numpy would make a list of lists a matrix)."""
    if func == "last":
        return np.array(values + [None], dtype=object)[:-1]
    return np.array(values, dtype=float)


class HistoryWindows:
    """Windows over the event history (one frame per source): training,
    batch scoring and monitors. Computes what `Summary` would over the same
    events, vectorised per row."""

    def __init__(self, config: Mapping[str, Any], events: Mapping[str, pd.DataFrame]):
        self.sources = config["sources"]
        self.events = events
        self._groups: dict[tuple, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}

    def _group(self, source: str, field_: str | None, by: str) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per key: event times (sorted), values, and values as numbers."""
        k = (source, field_, by)
        if k not in self._groups:
            ev = self.events.get(source)
            tcol = self.sources[source]["time"]
            groups: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
            if ev is not None and len(ev) and by in ev.columns:
                times = f.nanos(ev[tcol].to_numpy()) if tcol else np.zeros(len(ev), dtype="int64")
                order = np.argsort(times, kind="stable")
                values = ev[field_].to_numpy(dtype=object)[order] if field_ else np.full(len(ev), None, dtype=object)
                numbers = np.array([v if (v := numeric(x)) is not None else np.nan for x in values], dtype=float)
                keys = f.text(ev[by].to_numpy())[order]
                times = times[order]
                for key, idx in pd.Series(keys).groupby(keys, sort=True).indices.items():
                    groups[str(key)] = (times[idx], values[idx], numbers[idx])
            self._groups[k] = groups
        return self._groups[k]

    def aggregate(self, func, source, field, by, window_s, keys, now) -> np.ndarray:
        state = State(source, field, by, window_s)
        groups = self._group(source, field, by)
        empty = (np.empty(0, dtype="int64"), np.empty(0, dtype=object), np.empty(0))
        out: list[Any] = []
        for key, t in zip(keys, now, strict=True):
            times, values, numbers = groups.get(key, empty) if key is not None else empty
            lo = hi = 0
            if t != np.iinfo("int64").min:
                first, _ = state.tiles(int(t))
                lo = int(np.searchsorted(times, first * state.tile_ns, side="left"))
                hi = int(np.searchsorted(times, t, side="right"))
            if func == "count":
                out.append(float(hi - lo))
            elif func == "distinct_count":
                out.append(float(len({str(v) for v in values[lo:hi] if f.present(v)})))
            elif func == "last":
                out.append(values[hi - 1] if hi > lo else None)
            else:
                v = numbers[lo:hi]
                v = v[~np.isnan(v)]
                if func == "sum":
                    out.append(float(v.sum()))
                else:
                    out.append(float(REDUCERS[func](v)) if len(v) else math.nan)
        return column_of(func, out)
