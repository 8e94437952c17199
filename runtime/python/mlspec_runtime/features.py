"""The feature functions of the language, one implementation for training
and serving.

A project's generated `features.py` calls them (as `f.log1p(...)`, or
`ctx.window(...)` for those with fitted state or event history) to compute
the features of the scored rows (columns named `source.field`), with window
aggregations over the event history `events` (one frame per source) by event
time. Fitted values (standardisation, categories, fill values, tf-idf
vocabularies) live in `state`, learnt once on the training split and saved
with the model.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from mlspec_runtime.spec import Rule as Rule  # re-exported for the generated `features.py`
from mlspec_runtime.spec import Spec


def num(x):
    if isinstance(x, pd.Series):
        if x.dtype == bool:
            return x.astype(float)
        return pd.to_numeric(x, errors="coerce").astype(float)
    return float(x)


def as_bool(x):
    if isinstance(x, pd.Series):
        return num(x).fillna(0.0) != 0.0
    return bool(x)


def div(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num(a) / num(b)
    if isinstance(out, pd.Series):
        return out.replace([np.inf, -np.inf], np.nan)
    return out


def log1p(x):
    return np.log1p(num(x).clip(lower=0.0))


def clip(x, lo=None, hi=None):
    return num(x).clip(lower=lo, upper=hi)


def bucketize(x, edges):
    values = num(x)
    out = pd.Series(np.digitize(values.fillna(-np.inf), edges), index=values.index, dtype=float)
    return out.where(values.notna())


def stable_hash(value) -> int:
    return zlib.crc32(str(value).encode("utf-8"))


def hash_bucket(x, buckets):
    return x.map(lambda v: float(stable_hash(v) % int(buckets)) if pd.notna(v) else np.nan)


def embedding(x, dim):
    """A fixed pseudo-random vector per value (seeded by its hash): a stand-in
    for learnt embeddings that is the same at training and serving."""
    dim = int(dim)
    cache = {}
    rows = []
    for v in x:
        key = str(v)
        if key not in cache:
            cache[key] = np.random.default_rng(stable_hash(key)).normal(0.0, 1.0 / np.sqrt(dim), dim)
        rows.append(cache[key])
    return pd.DataFrame(np.array(rows).reshape(len(x), dim), index=x.index, columns=[str(i) for i in range(dim)])


def timestamps(x):
    return pd.to_datetime(x, utc=True, errors="coerce")


def hour_of_day(x):
    return timestamps(x).dt.hour.astype(float)


def day_of_week(x):
    return timestamps(x).dt.dayofweek.astype(float)


def days_since(x, now):
    return (timestamps(now) - timestamps(x)).dt.total_seconds() / 86400.0


def _latlon(x):
    out = np.full((len(x), 2), np.nan)
    for i, v in enumerate(x):
        if isinstance(v, (list, tuple, np.ndarray)) and len(v) == 2:
            out[i] = [float(v[0]), float(v[1])]
    return out


def distance(a, b):
    """Great-circle distance in kilometres between two geo columns."""
    p, q = np.radians(_latlon(a)), np.radians(_latlon(b))
    dlat, dlon = q[:, 0] - p[:, 0], q[:, 1] - p[:, 1]
    h = np.sin(dlat / 2) ** 2 + np.cos(p[:, 0]) * np.cos(q[:, 0]) * np.sin(dlon / 2) ** 2
    return pd.Series(2 * 6371.0 * np.arcsin(np.sqrt(h)), index=a.index)


def cross(a, b):
    return a.astype(str) + "|" + b.astype(str)


REDUCERS: dict[str, Callable[..., Any]] = {"mean": np.mean, "min": np.min, "max": np.max}


class Ctx:
    """Fitted state and event history for one call of `build_features`."""

    def __init__(self, config, rows, events, state, fitting):
        self.sources = config["sources"]
        self.base_time = config["base_time"]
        self.rows = rows
        self.events = events
        self.state = state
        self.fitting = fitting
        self._groups = {}

    def standardize(self, key, x):
        x = num(x)
        if self.fitting:
            sd = float(x.std()) if x.notna().sum() > 1 else 1.0
            self.state[key] = {"mean": float(x.mean()) if x.notna().any() else 0.0, "sd": sd if sd > 0 else 1.0}
        s = self.state[key]
        return (x - s["mean"]) / s["sd"]

    def minmax(self, key, x):
        x = num(x)
        if self.fitting:
            lo, hi = (float(x.min()), float(x.max())) if x.notna().any() else (0.0, 1.0)
            self.state[key] = {"min": lo, "max": hi if hi > lo else lo + 1.0}
        s = self.state[key]
        return (x - s["min"]) / (s["max"] - s["min"])

    def fill(self, key, x, how):
        if self.fitting:
            present = x.dropna()
            value: Any
            if how == "median":
                value = float(num(present).median()) if len(present) else 0.0
            elif how == "mean":
                value = float(num(present).mean()) if len(present) else 0.0
            elif how == "mode":
                value = present.mode().iloc[0] if len(present) else None
                value = value.item() if hasattr(value, "item") else value
            else:
                value = how
            self.state[key] = {"value": value}
        value = self.state[key]["value"]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return num(x).fillna(value)
        return x.astype(object).where(x.notna(), value)

    def onehot(self, key, x):
        text = x.astype(str).where(x.notna())
        if self.fitting:
            self.state[key] = sorted(text.dropna().unique().tolist())[:100]
        return pd.DataFrame({c: (text == c).astype(float) for c in self.state[key]}, index=x.index)

    def tfidf(self, key, x, max_features):
        text = x.fillna("").astype(str)
        if self.fitting:
            counts = CountVectorizer(max_features=int(min(max_features, 2000))).fit(text)
            vocab = {w: int(i) for w, i in sorted(counts.vocabulary_.items())}
            df = (counts.transform(text) > 0).sum(axis=0).A1
            idf = np.log((1 + len(text)) / (1 + df)) + 1.0
            self.state[key] = {"vocabulary": vocab, "idf": [float(v) for v in idf]}
        s = self.state[key]
        counts = CountVectorizer(vocabulary=s["vocabulary"]).transform(text)
        weights = normalize(counts.multiply(np.array(s["idf"])).tocsr()).toarray()
        words = sorted(s["vocabulary"], key=s["vocabulary"].get)
        return pd.DataFrame(weights, index=x.index, columns=words)

    def codes(self, key, x):
        """A category as a number: its position among the training values (0 if unseen)."""
        text = x.astype(str).where(x.notna())
        if self.fitting:
            self.state[key] = sorted(text.dropna().unique().tolist())
        index = {c: i + 1 for i, c in enumerate(self.state[key])}
        return text.map(lambda v: float(index.get(v, 0)) if isinstance(v, str) else np.nan)

    def _group(self, source, field, by, numeric):
        k = (source, field, by, numeric)
        if k not in self._groups:
            ev = self.events.get(source)
            tcol = self.sources[source]["time"]
            groups = {}
            if ev is not None and len(ev) and by in ev.columns:
                ev = ev.assign(_t=timestamps(ev[tcol]).astype("int64") if tcol else 0).sort_values("_t", kind="stable")
                if field is None:
                    values = np.ones(len(ev))
                elif numeric:
                    values = num(ev[field]).to_numpy(dtype=float)
                else:
                    values = ev[field].to_numpy(dtype=object)
                times = ev["_t"].to_numpy()
                for key, idx in ev.groupby(ev[by].astype(str), sort=True).indices.items():
                    groups[key] = (times[idx], values[idx])
            self._groups[k] = groups
        return self._groups[k]

    def window(self, func, source, field, by, key, window_s):
        """`func` over the events of `source` with the same `by` key in the
        `window_s` seconds up to and including each row's event time."""
        numeric = func in ("sum", "mean", "min", "max")
        groups = self._group(source, field, by, numeric)
        keys = self.rows[key].astype(str).to_numpy()
        if self.base_time:
            now = timestamps(self.rows[self.base_time]).astype("int64").to_numpy()
        else:
            now = np.full(len(keys), np.iinfo("int64").max)
        width = int(window_s * 1e9)
        out: list[Any] = []
        for key, t in zip(keys, now, strict=True):
            times, values = groups.get(key, (np.empty(0, dtype="int64"), np.empty(0)))
            lo = np.searchsorted(times, t - width, side="right")
            hi = np.searchsorted(times, t, side="right")
            v = values[lo:hi]
            if func == "count":
                out.append(float(len(v)))
            elif func == "distinct_count":
                out.append(float(len(set(map(str, v)))))
            elif func == "last":
                out.append(v[-1] if len(v) else None)
            else:
                nums = v[~np.isnan(v)]
                if func == "sum":
                    out.append(float(nums.sum()))
                elif not len(nums):
                    out.append(np.nan)
                else:
                    out.append(float(REDUCERS[func](nums)))
        return pd.Series(out, index=self.rows.index)

    def finish(self, name, value, kind):
        """A feature as numbers: one column, or a frame of columns for vectors."""
        if isinstance(value, pd.DataFrame):
            return value.astype(float)
        if not isinstance(value, pd.Series):
            return pd.Series(float(value), index=self.rows.index)
        if kind in ("category", "string", "text", "id") or value.dtype == object and kind != "number":
            return self.codes(name + "#codes", value)
        if kind == "timestamp":
            return timestamps(value).astype("int64") / 86400e9
        return num(value)


def now_of(config, rows):
    """The time features are computed at: each row's event time, else now."""
    base_time = config["base_time"]
    return rows[base_time] if base_time else pd.Series(pd.Timestamp.now(tz="UTC"), index=rows.index)


def rule_hits(spec: Spec, model, rows, feat, state):
    """1.0 where any rule of a rules model holds, else 0.0."""
    ctx = Ctx(spec.config, rows, {}, state, False)
    now = now_of(spec.config, rows)
    hit = pd.Series(False, index=rows.index)
    for rule in spec.rules.get(model, []):
        hit = hit | as_bool(rule(rows, feat, ctx, now))
    return hit.astype(float).to_numpy()


def matrix(feat, names):
    """The model input: the named features as columns (vectors as `name[part]`)."""
    parts = []
    for name in names:
        value = feat[name]
        if isinstance(value, pd.DataFrame):
            parts.append(value.set_axis([f"{name}[{c}]" for c in value.columns], axis=1))
        else:
            parts.append(value.rename(name).to_frame())
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=next(iter(feat.values())).index)
