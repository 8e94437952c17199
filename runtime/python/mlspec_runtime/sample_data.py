"""Synthetic data that follows the schemas, so everything runs without real data.

Values follow each field's `dist`, `range`, `values` and `missing`. The label
is planted: a fixed function of one of the served model's features plus a
little noise, so training has something to learn. `shift=True` draws a
drifted sample (larger numbers, skewed categories, denser events) for the
monitor's tests.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from mlspec_runtime.data import features_of, joined_rows
from mlspec_runtime.features import matrix
from mlspec_runtime.spec import Spec

START = pd.Timestamp("2024-01-01", tz="UTC")
WORDS = ["free", "offer", "meeting", "report", "great", "bad", "urgent", "hello", "price", "thanks", "click", "today"]


def _rows(spec: Spec, name: str, n: int) -> int:
    if name == spec.base_source:
        return n
    if spec.sources[name]["kind"] == "table":
        return max(20, n)
    return 2 * n


def _pool(spec: Spec, field: str, sizes: dict, n: int) -> list:
    """Shared id pools, so joins and window keys meet across sources."""
    for name, source in spec.sources.items():
        if source["key"] == field:
            return [f"{field}-{i}" for i in range(sizes[name])]
    return [f"{field}-{i}" for i in range(max(5, n // 20))]


def _column(spec: Spec, rng, field, declared, rows, sizes, n, shift):
    kind = declared["type"]
    if declared["key"]:
        return np.array([f"{field}-{i}" for i in range(rows)], dtype=object)
    if kind == "id":
        ref = declared["references"]
        pool = _pool(spec, ref.split(".", 1)[1] if ref else field, sizes, n)
        if shift:
            pool = pool[: max(2, len(pool) // 4)]
        return rng.choice(np.array(pool, dtype=object), rows)
    if kind in ("int", "float"):
        lo, hi = declared["range"] if declared["range"] else (0.0, 100.0)
        dist = declared["dist"] or {}
        if dist.get("kind") == "lognormal":
            x = rng.lognormal(dist.get("mean", 0.0), dist.get("sd", 1.0), rows)
        elif dist.get("kind") == "normal":
            x = rng.normal(dist.get("mean", (lo + hi) / 2), dist.get("sd", (hi - lo) / 6 or 1.0), rows)
        elif dist.get("kind") == "poisson":
            x = rng.poisson(dist.get("lambda", dist.get("mean", 3.0)), rows).astype(float)
        elif dist.get("kind") == "exponential":
            x = rng.exponential(dist.get("mean", (hi - lo) / 10 or 1.0), rows)
        else:
            x = rng.uniform(lo, lo + (hi - lo) * 0.5, rows)
        if shift:
            x = x * 1.5 + (hi - lo) * 0.05
        x = np.clip(x, lo, hi)
        return np.round(x) if kind == "int" else x
    if kind == "bool":
        return rng.random(rows) < (0.6 if shift else 0.3)
    if kind == "category":
        values = declared["values"] or ["a", "b", "c", "d"]
        p = np.full(len(values), 1.0 / len(values))
        if shift:
            p = np.full(len(values), 0.2 / max(1, len(values) - 1))
            p[-1] = 0.8 if len(values) > 1 else 1.0
        return rng.choice(np.array(values, dtype=object), rows, p=p / p.sum())
    if kind in ("timestamp", "date"):
        span = 4 if shift else 14
        t = (START + pd.to_timedelta(rng.uniform(0, span * 86400, rows), unit="s")).floor("us")  # JSON carries microseconds
        return t.normalize() if kind == "date" else t
    if kind in ("text", "string"):
        # Shifted text uses mostly the last few words: a different vocabulary mix.
        p = np.full(len(WORDS), 1.0 / len(WORDS))
        if shift:
            p = np.full(len(WORDS), 0.2 / (len(WORDS) - 3))
            p[-3:] = 0.8 / 3
        return np.array([" ".join(rng.choice(WORDS, 5, p=p)) for _ in range(rows)], dtype=object)
    if kind == "geo":
        return np.array([(40.0 + rng.normal(0, 0.2), -74.0 + rng.normal(0, 0.2)) for _ in range(rows)] + [None], dtype=object)[:-1]
    if kind.startswith("embedding"):
        dim = int(kind[len("embedding(") : -1])
        centre = 1.0 if shift else 0.0
        return np.array([list(rng.normal(centre, 1, dim)) for _ in range(rows)] + [None], dtype=object)[:-1]
    return np.array([f"{field}-{i % 7}" for i in range(rows)], dtype=object)


# Error gates in the target's units (mae, rmse): the planted values spread
# over this many times the tightest of them, so a model that learns the
# planted function well (within a few percent) passes them.
REGRESSION_SPREAD_PER_GATE = 10.0
# Positives are planted at the declared rate, but at no less than this, so
# the test split holds enough of them to measure recall and precision.
MIN_POSITIVE_RATE = 0.15
LOG_LOSS_HEADROOM = 6.0
# A column that follows the event time this closely is not planted on: a
# label that drifts with time leaves the early folds of a time split with
# one class, and the later test split unlike the training one.
MAX_TIME_CORRELATION = 0.3


def _plant_column(spec: Spec, rows: pd.DataFrame, x: pd.DataFrame) -> pd.DataFrame:
    """The one column the label is planted on: the one with the most
    distinct values (a label that a model can learn) among those that do
    not follow the event time."""
    if not x.shape[1]:
        return x
    steady = x
    base_time = spec.base_time
    if base_time and base_time in rows.columns:
        when = pd.to_datetime(rows[base_time], utc=True)
        t = (when - when.min()).dt.total_seconds().set_axis(x.index)
        corr = x.corrwith(t, method="spearman").abs().fillna(0.0)
        if (corr <= MAX_TIME_CORRELATION).any():
            steady = x.loc[:, corr <= MAX_TIME_CORRELATION]
    return steady[[steady.nunique().idxmax()]]


def _regression_spread(spec: Spec, lo: float, hi: float) -> float:
    spread = 0.1 * (hi - lo)
    for m in spec.config["metrics"]:
        if m["base"] in ("mae", "rmse") and m["threshold"] is not None and m["cmp"] in ("<", "<=") and m["threshold"] > 0:
            spread = min(spread, REGRESSION_SPREAD_PER_GATE * float(m["threshold"]))
    return spread


def _positive_rate(spec: Spec) -> float:
    """The planted share of positives: the declared one, but at least
    `MIN_POSITIVE_RATE`; lower again when a log-loss gate is declared, since
    log loss is set against the base rate (predicting a constant 1% scores
    0.056; a constant 15% scores 0.42): at most the rate whose constant
    prediction scores 6 times the gate, so a model must remove 5/6 of it."""
    declared = spec.config["positive_rate"] or 0.2
    rate = min(max(declared, MIN_POSITIVE_RATE), 0.5)
    for m in spec.config["metrics"]:
        if m["base"] == "log_loss" and m["threshold"] is not None and m["cmp"] in ("<", "<=") and m["threshold"] > 0:
            while rate > declared and _entropy(rate) > LOG_LOSS_HEADROOM * float(m["threshold"]):
                rate = max(declared, rate - 0.005)
    return round(float(rate), 3)


def _entropy(p: float) -> float:
    return float(-p * np.log(p) - (1 - p) * np.log(1 - p))


def _plant_label(spec: Spec, frames: dict, rng) -> None:
    """Sets the target: a fixed function of one of the served model's features."""
    base = spec.base_source
    target = spec.config["target"].split(".", 1)[1]
    declared = spec.sources[base]["fields"][target]
    rows = joined_rows(spec, frames)
    feat = features_of(spec, rows, frames, {}, fitting=True)
    x = matrix(feat, spec.model_features(spec.main_model)).fillna(0.0)
    x = _plant_column(spec, rows, x.loc[:, x.std() > 0])
    z = (x - x.mean()) / x.std()
    score = z.sum(axis=1).to_numpy() if z.shape[1] else rng.normal(0, 1, len(rows))
    score = score + rng.normal(0, 0.01, len(score))
    if spec.regression:
        lo, hi = declared["range"] if declared["range"] else (0.0, 100.0)
        value = lo + 0.2 * (hi - lo) + _regression_spread(spec, lo, hi) * np.tanh(score / 2)
        label = np.round(value) if declared["type"] == "int" else value
    elif spec.multiclass:
        classes = np.array(spec.classes, dtype=object)
        edges = np.quantile(score, np.linspace(0, 1, len(classes) + 1)[1:-1])
        label = classes[np.digitize(score, edges)]
    else:
        rate = _positive_rate(spec)
        positive = score >= np.quantile(score, 1 - rate)
        label = positive if declared["type"] == "bool" else positive.astype(int)
    frames[base][target] = label


def generate(spec: Spec, n: int = 2000, seed: int = 0, shift: bool = False, world: int = 0) -> dict:
    """One frame per source, `n` rows of the target's source.

    Tables (`kind table`: the entities, their attributes) are drawn from
    `world`, everything else from `seed`: samples with the same `world` and
    `n` and different seeds are fresh draws of events about the same
    entities, which is what a monitor without drift should see."""
    rng = np.random.default_rng(seed)
    entities = np.random.default_rng([world, 7919])
    sizes = {name: _rows(spec, name, n) for name in spec.sources}
    frames = {}
    for name, source in spec.sources.items():
        draw = entities if source["kind"] == "table" else rng
        frames[name] = pd.DataFrame(
            {field: _column(spec, draw, field, fs, sizes[name], sizes, n, shift) for field, fs in source["fields"].items()}
        )
        for field, fs in source["fields"].items():
            if fs["missing"] > 0 and not fs["key"] and not fs["label"]:
                mask = draw.random(sizes[name]) < fs["missing"]
                frames[name][field] = frames[name][field].astype(object).where(~mask, None)
                if fs["type"] in ("int", "float"):
                    frames[name][field] = pd.to_numeric(frames[name][field], errors="coerce")
    _plant_label(spec, frames, rng)
    return frames


def main(spec: Spec, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write synthetic data, one parquet file per source.")
    parser.add_argument("--out", default="data")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in generate(spec, args.rows, args.seed).items():
        frame.to_parquet(out / f"{name}.parquet", index=False)
        print(f"wrote {out / (name + '.parquet')} ({len(frame)} rows)")
