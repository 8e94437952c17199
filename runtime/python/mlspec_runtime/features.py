"""The feature functions of the language, one implementation for training,
batch scoring and serving.

A project's generated `features.py` calls them (as `f.log1p(...)`, or
`ctx.window(...)` for those with fitted state or event history) on the rows
to score: `Rows`, one numpy array per column `source.field` (see
`mlspec_runtime.rows` for the types). Training passes thousands of rows;
the service passes one micro-batch, so nothing here builds a pandas object:
per call the cost is a few numpy operations whatever the row count.

A feature is a float array (one value per row, NaN when missing) or a
`Vector` (a float matrix with named parts: one-hot, tf-idf, embeddings).
Fitted values (standardisation, categories, fill values, tf-idf
vocabularies) live in `state`, learnt once on the training split and saved
with the model. Window aggregations come from a `Windows` source: the event
history offline, the online store when serving (`mlspec_runtime.windows`).
"""

from __future__ import annotations

import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np
import pandas as pd

from mlspec_runtime.spec import Rule as Rule  # re-exported for the generated `features.py`
from mlspec_runtime.spec import Spec

Rows = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Vector:
    """A vector feature: `values[i]` is row i's vector; `parts` names its columns."""

    values: np.ndarray
    parts: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, idx: Any) -> Vector:
        return Vector(self.values[idx], self.parts)


class Windows(Protocol):
    """Where `ctx.window` reads its aggregates: one value per row."""

    def aggregate(
        self, func: str, source: str, field: str | None, by: str, window_s: float, keys: np.ndarray, now: np.ndarray
    ) -> np.ndarray: ...


def length(rows: Rows) -> int:
    return len(next(iter(rows.values()))) if rows else 0


def num(x) -> np.ndarray:
    """Numbers as floats; anything that is not a number is NaN."""
    a = np.asarray(x)
    if a.dtype.kind in "fiub":
        return a.astype(float)
    if a.dtype.kind == "M":
        return a.astype("datetime64[ns]").astype("int64").astype(float)
    try:
        # numpy converts each object as `float(v)` does, None as NaN.
        return a.astype(float)
    except (TypeError, ValueError):
        pass  # some value is not a number: one at a time
    out = np.full(a.shape, np.nan)
    for i, v in enumerate(a.ravel()):
        if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
            out.flat[i] = float(v)
        elif isinstance(v, (bool, np.bool_)):
            out.flat[i] = float(v)
        elif isinstance(v, str):
            try:
                out.flat[i] = float(v)
            except ValueError:
                pass
    return out


def as_bool(x) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == bool:
        return a
    return np.nan_to_num(num(a), nan=0.0) != 0.0


def div(a, b) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num(a) / num(b)
    out[~np.isfinite(out)] = np.nan
    return out


def log1p(x) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.log1p(np.clip(num(x), 0.0, None))


def clip(x, lo=None, hi=None) -> np.ndarray:
    return np.clip(num(x), lo, hi)


def bucketize(x, edges) -> np.ndarray:
    values = num(x)
    out = np.digitize(np.nan_to_num(values, nan=-np.inf), edges).astype(float)
    out[np.isnan(values)] = np.nan
    return out


def present(v) -> bool:
    """Whether a value is there: not None, NaN or NaT."""
    if v is None:
        return False
    if isinstance(v, float):
        return v == v
    if isinstance(v, (np.datetime64, np.timedelta64)):
        return not np.isnat(v)
    return True


def text(x) -> np.ndarray:
    """Values as strings (object array), None where missing."""
    a = np.asarray(x, dtype=object)
    # `type(v) is str` first: most columns that reach here are text already.
    return np.array([v if type(v) is str else str(v) if present(v) else None for v in a], dtype=object)


def stable_hash(value) -> int:
    return zlib.crc32(str(value).encode("utf-8"))


def hash_bucket(x, buckets) -> np.ndarray:
    b = int(buckets)
    return np.array([float(stable_hash(v) % b) if present(v) else np.nan for v in np.asarray(x, dtype=object)])


# scikit-learn's CountVectorizer tokens: lowercase words of two or more characters.
TOKEN = re.compile(r"(?u)\b\w\w+\b")
_SPACE = re.compile(r"\s")

_EMBEDDINGS: dict[tuple[str, int], np.ndarray] = {}
# The cache of token and text vectors, bounded in bytes (keys and vectors):
# requests bring arbitrary words, so it stops growing at this size.
_EMBEDDINGS_BYTES = 64 * 1024 * 1024
_embeddings_bytes = 0


def _remember(key: tuple[str, int], vec: np.ndarray) -> None:
    global _embeddings_bytes
    size = len(key[0]) + vec.nbytes + 100
    if _embeddings_bytes + size <= _EMBEDDINGS_BYTES:
        _EMBEDDINGS[key] = vec
        _embeddings_bytes += size


def _token_vector(token: str, dim: int) -> np.ndarray:
    """A fixed pseudo-random vector for one token (seeded by its hash)."""
    key = (token, dim)
    vec = _EMBEDDINGS.get(key)
    if vec is None:
        vec = np.random.default_rng(stable_hash(token)).normal(0.0, 1.0 / np.sqrt(dim), dim)
        _remember(key, vec)
    return vec


def _text_vector(text: str, dim: int) -> np.ndarray:
    """The mean of a text's word vectors (a value with spaces), else the value's own vector."""
    if not _SPACE.search(text):
        return _token_vector(text, dim)
    key = (" " + text, dim)  # a text key never equals a token key: tokens have no spaces
    vec = _EMBEDDINGS.get(key)
    if vec is None:
        words = TOKEN.findall(text.lower())
        vec = np.mean([_token_vector(w, dim) for w in words], axis=0) if words else _token_vector(text, dim)
        _remember(key, vec)
    return vec


def embedding(x, dim) -> Vector:
    """A stand-in for learnt embeddings that is the same at training and
    serving: a fixed pseudo-random vector per value (seeded by its hash),
    and for text (a value with spaces) the mean of its words' vectors, so
    texts that share words are near each other as a sentence encoder's
    would be."""
    dim = int(dim)
    # Each distinct value is embedded once (a ranking request repeats its
    # query's values over every candidate).
    values = [str(v) for v in np.asarray(x, dtype=object)]
    distinct = dict.fromkeys(values)
    vectors = np.empty((len(distinct), dim))
    for i, v in enumerate(distinct):
        vectors[i] = _text_vector(v, dim)
    position = {v: i for i, v in enumerate(distinct)}
    return Vector(vectors[[position[v] for v in values]] if values else np.empty((0, dim)), tuple(str(i) for i in range(dim)))


def timestamps(x) -> np.ndarray:
    """Times as datetime64[ns] in UTC (NaT where missing or not a time)."""
    a = np.asarray(x)
    if a.dtype.kind == "M":
        return a.astype("datetime64[ns]")
    values = a.tolist()
    try:
        distinct = dict.fromkeys(values)
    except TypeError:  # an unhashable value (not a time): pandas says NaT
        distinct = None
    # A micro-batch, or a ranking request's candidates (one time for all):
    # each distinct value parsed once, without building a pandas object.
    if distinct is not None and len(distinct) <= 64:
        parsed = {v: _one_time(v) for v in distinct}
        if all(t is not None for t in parsed.values()):
            return np.array([parsed[v] for v in values], dtype="datetime64[ns]")
    return pd.to_datetime(pd.Series(a, dtype=object), utc=True, errors="coerce").dt.tz_localize(None).to_numpy("datetime64[ns]")


def _one_time(v) -> np.datetime64 | None:
    """One time value (ISO 8601 text or datetime) in UTC; None when it needs pandas."""
    if v is None:
        return np.datetime64("NaT")
    if isinstance(v, str):
        try:
            v = datetime.fromisoformat(v)
        except ValueError:
            return None
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            v = v.astimezone(UTC).replace(tzinfo=None)
        return np.datetime64(v, "ns")
    return None


def nanos(x) -> np.ndarray:
    """Times as int64 nanoseconds since the epoch (NaT is the int64 minimum)."""
    return timestamps(x).astype("int64")


def _calendar(x, unit: str) -> np.ndarray:
    t = timestamps(x)
    out = np.full(len(t), np.nan)
    ok = ~np.isnat(t)
    days = t[ok].astype("datetime64[D]")
    if unit == "hour":
        out[ok] = (t[ok] - days).astype("timedelta64[h]").astype(float)
    else:
        out[ok] = ((days.astype("int64") + 3) % 7).astype(float)  # 1970-01-01 was a Thursday; Monday is 0
    return out


def hour_of_day(x) -> np.ndarray:
    return _calendar(x, "hour")


def day_of_week(x) -> np.ndarray:
    return _calendar(x, "day")


def days_since(x, now) -> np.ndarray:
    a, b = timestamps(x), timestamps(now)
    out = (b - a).astype("timedelta64[ns]").astype("int64") / 86400e9
    out[np.isnat(a) | np.isnat(b)] = np.nan
    return out


def _latlon(x) -> np.ndarray:
    out = np.full((len(x), 2), np.nan)
    for i, v in enumerate(np.asarray(x, dtype=object)):
        if isinstance(v, (list, tuple, np.ndarray)) and len(v) == 2:
            out[i] = [float(v[0]), float(v[1])]
    return out


def distance(a, b) -> np.ndarray:
    """Great-circle distance in kilometres between two geo columns."""
    p, q = np.radians(_latlon(a)), np.radians(_latlon(b))
    dlat, dlon = q[:, 0] - p[:, 0], q[:, 1] - p[:, 1]
    h = np.sin(dlat / 2) ** 2 + np.cos(p[:, 0]) * np.cos(q[:, 0]) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))


def cross(a, b) -> np.ndarray:
    return np.array([f"{u}|{v}" for u, v in zip(text(a), text(b), strict=True)], dtype=object)


def _tfidf_rows(values: np.ndarray, vocabulary: dict[str, int], idf: np.ndarray) -> np.ndarray:
    """Tf-idf weights (l2-normalised rows), as scikit-learn computes them."""
    out = np.zeros((len(values), len(idf)))
    for i, v in enumerate(values):
        for word, count in Counter(TOKEN.findall(v.lower() if isinstance(v, str) else "")).items():
            j = vocabulary.get(word)
            if j is not None:
                out[i, j] = count * idf[j]
    norms = np.sqrt((out**2).sum(axis=1, keepdims=True))
    np.divide(out, norms, out=out, where=norms > 0)
    return out


_DERIVED: dict[tuple[int, str], tuple[Any, Any]] = {}


def _derived(fitted: Any, what: str, make: Callable[[], Any]) -> Any:
    """`make()`, computed once per fitted object: the service reuses its
    state for every request, so lookups built from it are built once."""
    hit = _DERIVED.get((id(fitted), what))
    if hit is not None and hit[0] is fitted:
        return hit[1]
    value = make()
    if len(_DERIVED) > 1000:
        _DERIVED.clear()
    _DERIVED[(id(fitted), what)] = (fitted, value)
    return value


def _index(values: list, start: int = 0) -> dict[str, int]:
    """Position of each fitted value, counting from `start`."""
    return _derived(values, f"index{start}", lambda: {c: i + start for i, c in enumerate(values)})


class Ctx:
    """Fitted state and window aggregates for one call of `build_features`."""

    def __init__(self, config: Mapping[str, Any], rows: Rows, windows: Windows | None, state: dict, fitting: bool):
        self.base_time = config["base_time"]
        self.rows = rows
        self.n = length(rows)
        self.windows = windows
        self.state = state
        self.fitting = fitting
        self._now: np.ndarray | None = None

    def standardize(self, key, x) -> np.ndarray:
        x = num(x)
        if self.fitting:
            ok = x[~np.isnan(x)]
            sd = float(np.std(ok, ddof=1)) if len(ok) > 1 else 1.0
            self.state[key] = {"mean": float(np.mean(ok)) if len(ok) else 0.0, "sd": sd if sd > 0 else 1.0}
        s = self.state[key]
        return (x - s["mean"]) / s["sd"]

    def minmax(self, key, x) -> np.ndarray:
        x = num(x)
        if self.fitting:
            ok = x[~np.isnan(x)]
            lo, hi = (float(ok.min()), float(ok.max())) if len(ok) else (0.0, 1.0)
            self.state[key] = {"min": lo, "max": hi if hi > lo else lo + 1.0}
        s = self.state[key]
        return (x - s["min"]) / (s["max"] - s["min"])

    def fill(self, key, x, how) -> np.ndarray:
        a = np.asarray(x)
        numeric = a.dtype.kind in "fiub"
        if self.fitting:
            value: Any
            if how in ("median", "mean"):
                ok = num(a)
                ok = ok[~np.isnan(ok)]
                value = (float(np.median(ok)) if how == "median" else float(np.mean(ok))) if len(ok) else 0.0
            elif how == "mode":
                seen = Counter(v for v in (a.tolist()) if present(v))
                # The most frequent value; ties go to the smallest, as pandas' mode does.
                value = min(seen.items(), key=lambda kv: (-kv[1], str(kv[0])))[0] if seen else None
                value = value.item() if hasattr(value, "item") else value
            else:
                value = how
            self.state[key] = {"value": value}
        value = self.state[key]["value"]
        if numeric or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            out = num(a)
            out[np.isnan(out)] = value if isinstance(value, (int, float)) else np.nan
            return out
        return np.array([v if present(v) else value for v in a], dtype=object)

    def onehot(self, key, x) -> Vector:
        t = text(x)
        if self.fitting:
            self.state[key] = sorted({v for v in t if v is not None})[:100]
        cats = self.state[key]
        index = _index(cats)
        out = np.zeros((len(t), len(cats)))
        for i, v in enumerate(t):
            j = index.get(v)
            if j is not None:
                out[i, j] = 1.0
        return Vector(out, tuple(cats))

    def tfidf(self, key, x, max_features) -> Vector:
        values = np.array([v if isinstance(v, str) else "" for v in np.asarray(x, dtype=object)], dtype=object)
        if self.fitting:
            from sklearn.feature_extraction.text import CountVectorizer

            counts = CountVectorizer(max_features=int(min(max_features, 2000))).fit(values)
            vocab = {w: int(i) for w, i in sorted(counts.vocabulary_.items())}
            df = (counts.transform(values) > 0).sum(axis=0).A1
            idf = np.log((1 + len(values)) / (1 + df)) + 1.0
            self.state[key] = {"vocabulary": vocab, "idf": [float(v) for v in idf]}
        s = self.state[key]
        vocab = s["vocabulary"]
        words = _derived(vocab, "words", lambda: tuple(sorted(vocab, key=lambda w: vocab[w])))
        idf = _derived(s["idf"], "array", lambda: np.asarray(s["idf"], dtype=float))
        return Vector(_tfidf_rows(values, vocab, idf), words)

    def codes(self, key, x) -> np.ndarray:
        """A category as a number: its position among the training values (0 if unseen)."""
        t = text(x)
        if self.fitting:
            self.state[key] = sorted({v for v in t if v is not None})
        index = _index(self.state[key], start=1)
        return np.array([float(index.get(v, 0)) if v is not None else np.nan for v in t])

    def now(self) -> np.ndarray:
        """Each row's event time, else the wall clock (datetime64[ns] UTC)."""
        if self._now is None:
            self._now = now_of(self.rows, self.base_time)
        return self._now

    def window(self, func, source, field, by, key, window_s) -> np.ndarray:
        """`func` over the events of `source` with the same `by` key in the
        window up to and including each row's event time (tiled: see
        `mlspec_runtime.windows`)."""
        if self.windows is None:
            return np.full(self.n, np.nan)
        return self.windows.aggregate(func, source, field, by, float(window_s), text(self.rows[key]), nanos(self.now()))

    def finish(self, name, value, kind) -> np.ndarray | Vector:
        """A feature as numbers: a float array, or a `Vector` (`kind`
        "embedding": an embedding field read as it is)."""
        if isinstance(value, Vector):
            return Vector(np.asarray(value.values, dtype=float), value.parts)
        if kind == "embedding":
            return _vectors(value)
        a = np.asarray(value)
        if a.ndim == 0:
            return np.full(self.n, float(a) if a.dtype.kind in "fiub" else np.nan)
        if a.dtype.kind == "M" or kind == "timestamp":
            t = timestamps(a)
            out = t.astype("int64") / 86400e9
            out[np.isnat(t)] = np.nan
            return out
        if a.dtype.kind in "fiub" or kind == "number":
            return num(a)
        return self.codes(name + "#codes", a)


def _vectors(values) -> Vector:
    """A column of sequences (an embedding field) as a `Vector`; a missing
    or malformed row is all NaN. The width is the longest row's."""
    rows = [v if isinstance(v, list | tuple | np.ndarray) else None for v in values]
    dim = max((len(v) for v in rows if v is not None), default=0)
    out = np.full((len(rows), dim), np.nan)
    for i, v in enumerate(rows):
        if v is not None and len(v) == dim:
            out[i] = np.asarray(v, dtype=float)
    return Vector(out, tuple(str(j) for j in range(dim)))


def now_of(rows: Rows, base_time: str | None) -> np.ndarray:
    """The time features are computed at: each row's event time, else now."""
    if base_time:
        return timestamps(rows[base_time])
    return np.full(length(rows), np.datetime64(time.time_ns(), "ns"))


def rule_hits(spec: Spec, model: str, rows: Rows, feat: dict, state: dict) -> np.ndarray:
    """1.0 where any rule of a rules model holds, else 0.0."""
    ctx = Ctx(spec.config, rows, None, state, False)
    now = ctx.now()
    hit = np.zeros(length(rows), dtype=bool)
    for rule in spec.rules.get(model, []):
        hit = hit | as_bool(rule(rows, feat, ctx, now))
    return hit.astype(float)


def columns(feat: Mapping[str, Any], names: list[str]) -> list[str]:
    """The model input's column names: features, vectors as `name[part]`."""
    out: list[str] = []
    for name in names:
        value = feat[name]
        out.extend(f"{name}[{p}]" for p in value.parts) if isinstance(value, Vector) else out.append(name)
    return out


def stack(feat: Mapping[str, Any], names: list[str]) -> np.ndarray:
    """The model input: the named features side by side, as one float matrix."""
    parts = [v.values if isinstance(v, Vector) else np.asarray(v, dtype=float)[:, None] for v in (feat[n] for n in names)]
    if not parts:
        return np.empty((len(next(iter(feat.values()))) if feat else 0, 0))
    return np.hstack(parts)


def aligned(feat: Mapping[str, Any], names: list[str], want: list[str]) -> np.ndarray:
    """`stack(feat, names)` with its columns in the order `want` (a fitted
    model's), NaN for any it lacks; the column mapping is built once."""
    x = stack(feat, names)
    shape = tuple((n, feat[n].parts if isinstance(feat[n], Vector) else None) for n in names)
    take = _derived(want, repr(shape), lambda: _positions(columns(feat, names), want))
    if take is None:
        return x
    out = np.full((len(x), len(want)), np.nan)
    ok = take >= 0
    out[:, ok] = x[:, take[ok]]
    return out


def _positions(have: list[str], want: list[str]) -> np.ndarray | None:
    """Where each wanted column is in `have` (-1 if absent); None when they are the same."""
    if have == want:
        return None
    index = {c: i for i, c in enumerate(have)}
    return np.array([index.get(c, -1) for c in want], dtype=int)


def matrix(feat: Mapping[str, Any], names: list[str]) -> pd.DataFrame:
    """The model input as a frame with named columns (training and reports)."""
    return pd.DataFrame(stack(feat, names), columns=columns(feat, names))


def subset(feat: Mapping[str, Any], idx) -> dict[str, Any]:
    """The features of some rows (positions or a mask)."""
    return {name: value[idx] for name, value in feat.items()}
