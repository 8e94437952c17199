"""The declared models as scikit-learn estimators, plus rules and heuristics.

Every model scores the same way: `model.scores(rows, feat)` returns the
positive-class probability (binary, ranking, anomaly), a probability per
class (multiclass) or the predicted value (regression, forecasting).
Files: scikit-learn models with skops (loaded only with their types checked,
never with pickle or joblib), rules and heuristics as JSON.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import skops.io as sio
from sklearn.cluster import KMeans
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlspec_runtime.features import aligned, columns, rule_hits, stack
from mlspec_runtime.spec import Spec


def _int(params: dict, key: str, default: int, cap: int | None = None) -> int:
    value = int(params.get(key, default))
    return min(value, cap) if cap else value


def estimator(spec: Spec, impl: str, params: dict, quick: bool = False, class_weight: str | None = None):
    """The scikit-learn estimator for a model, with its declared params."""
    regression = spec.regression
    cap = 50 if quick else None
    trees = _int(params, "trees", 100, cap)
    depth = params.get("depth")
    depth = int(depth) if depth is not None else None
    rate = float(params.get("learning_rate", 0.1))
    leaf = _int(params, "min_samples_leaf", 1)
    if impl == "logistic":
        if regression:
            return make_pipeline(StandardScaler(), LinearRegression())
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, class_weight=class_weight))
    if impl == "linear":
        return make_pipeline(StandardScaler(), LinearRegression())
    if impl == "tree":
        if regression:
            return DecisionTreeRegressor(max_depth=depth, min_samples_leaf=leaf, random_state=0)
        return DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf, class_weight=class_weight, random_state=0)
    if impl == "forest":
        if regression:
            return RandomForestRegressor(n_estimators=trees, max_depth=depth, min_samples_leaf=leaf, random_state=0, n_jobs=1)
        return RandomForestClassifier(
            n_estimators=trees, max_depth=depth, min_samples_leaf=leaf, class_weight=class_weight, random_state=0, n_jobs=1
        )
    if impl == "gbdt":
        # The declared trees are an upper bound: boosting stops once 10 more
        # trees in a row have not improved the loss on a held-out 10%.
        stop = {"early_stopping": True, "validation_fraction": 0.1, "n_iter_no_change": 10}
        if regression:
            return HistGradientBoostingRegressor(max_iter=trees, max_depth=depth, learning_rate=rate, random_state=0, **stop)
        return HistGradientBoostingClassifier(
            max_iter=trees, max_depth=depth, learning_rate=rate, class_weight=class_weight, random_state=0, **stop
        )
    if impl == "mlp":
        width = _int(params, "hidden", _int(params, "embedding_dim", 64, 128), 128)
        layers = (width, max(8, width // 2))
        iters = 200 if quick else 500
        if regression:
            return make_pipeline(StandardScaler(), MLPRegressor(layers, max_iter=iters, random_state=0))
        return make_pipeline(StandardScaler(), MLPClassifier(layers, max_iter=iters, random_state=0))
    if impl == "knn":
        k = _int(params, "k", 15)
        if regression:
            return make_pipeline(StandardScaler(), KNeighborsRegressor(k))
        return make_pipeline(StandardScaler(), KNeighborsClassifier(k))
    if impl == "iforest":
        return IsolationForest(n_estimators=trees, random_state=0)
    if impl == "kmeans":
        return make_pipeline(StandardScaler(), KMeans(_int(params, "clusters", 8), n_init=4, random_state=0))
    raise ValueError(f"no estimator for {impl!r}")


class SklearnModel:
    """A fitted pipeline: imputation of missing values, then the estimator."""

    def __init__(self, spec: Spec, name: str, pipeline, columns: list, low: float = 0.0, high: float = 1.0):
        self.spec, self.name, self.pipeline, self.columns = spec, name, pipeline, columns
        self.low, self.high = low, high  # raw-score range, for unsupervised scores

    @staticmethod
    def wrap(spec: Spec, est):
        return make_pipeline(SimpleImputer(strategy=_imputer(spec), keep_empty_features=True), est)

    def _x(self, feat):
        return aligned(feat, self.spec.model_features(self.name), self.columns)

    def raw(self, x):
        last = self.pipeline[-1]
        while hasattr(last, "steps"):
            last = last[-1]
        if isinstance(last, IsolationForest):
            return -self.pipeline.score_samples(x)
        if isinstance(last, KMeans):
            return self.pipeline.transform(x).min(axis=1)
        if self.spec.regression:
            return self.pipeline.predict(x)
        proba = self.pipeline.predict_proba(x)
        if self.spec.multiclass:
            order = [list(self.pipeline.classes_).index(c) if c in self.pipeline.classes_ else None for c in self.spec.classes]
            return np.column_stack([proba[:, i] if i is not None else np.zeros(len(x)) for i in order])
        return proba[:, list(self.pipeline.classes_).index(1)] if 1 in self.pipeline.classes_ else np.zeros(len(x))

    def scores(self, rows, feat):
        s = self.raw(self._x(feat))
        if self.unsupervised:
            return np.clip((s - self.low) / (self.high - self.low or 1.0), 0.0, 1.0)
        return s

    def warm(self):
        self.raw(np.zeros((1, len(self.columns))))

    @property
    def unsupervised(self):
        return self.spec.config["models"][self.name]["impl"] in ("iforest", "kmeans")

    def save(self, folder: Path):
        sio.dump(self.pipeline, folder / f"{self.name}.skops")
        meta = {"type": "sklearn", "columns": self.columns, "low": self.low, "high": self.high}
        (folder / f"{self.name}.json").write_text(json.dumps(meta, indent=2))


class RulesModel:
    """Rules from the spec: positive when any rule holds."""

    def __init__(self, spec: Spec, name: str, state: dict):
        self.spec, self.name, self.state = spec, name, state

    def scores(self, rows, feat):
        hits = rule_hits(self.spec, self.name, rows, feat, self.state)
        if self.spec.multiclass:
            out = np.zeros((len(hits), len(self.spec.classes)))
            out[:, 0], out[:, -1] = 1 - hits, hits
            return out
        return hits

    def save(self, folder: Path):
        (folder / f"{self.name}.json").write_text(json.dumps({"type": "rules"}, indent=2))


class HeuristicModel:
    """A hand-made score: the mean of its features, standardised on the
    training split; for regression mapped to the target by a fitted line."""

    def __init__(self, spec: Spec, name: str, params: dict):
        self.spec, self.name, self.params = spec, name, params

    @classmethod
    def fit(cls, spec: Spec, name, feat, y):
        names = spec.model_features(name)
        x = stack(feat, names)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column has no mean
            mean = np.nan_to_num(np.nanmean(x, axis=0), nan=0.0) if len(x) else np.zeros(x.shape[1])
            sd = np.nan_to_num(np.nanstd(x, axis=0, ddof=1), nan=1.0) if len(x) > 1 else np.ones(x.shape[1])
        sd[sd == 0] = 1.0
        params = {"columns": columns(feat, names), "mean": mean.tolist(), "sd": sd.tolist(), "slope": 1.0, "intercept": 0.0}
        model = cls(spec, name, params)
        if spec.regression:
            s = model._raw(feat)
            slope, intercept = np.polyfit(s, np.asarray(y, dtype=float), 1) if np.std(s) > 0 else (0.0, float(np.mean(y)))
            params["slope"], params["intercept"] = float(slope), float(intercept)
        return model

    def _raw(self, feat):
        p = self.params
        x = aligned(feat, self.spec.model_features(self.name), p["columns"])
        z = np.nan_to_num((x - np.asarray(p["mean"])) / np.asarray(p["sd"]), nan=0.0)
        return z.mean(axis=1) if z.shape[1] else np.zeros(len(z))

    def scores(self, rows, feat):
        s = self._raw(feat)
        if self.spec.regression:
            return self.params["intercept"] + self.params["slope"] * s
        positive = 1.0 / (1.0 + np.exp(-s))
        if self.spec.multiclass:
            return np.column_stack([1 - positive] + [np.zeros(len(s))] * (len(self.spec.classes) - 2) + [positive])
        return positive

    def save(self, folder: Path):
        (folder / f"{self.name}.json").write_text(json.dumps({"type": "heuristic", "params": self.params}, indent=2))


# Every model scores with `scores(rows, feat)` and saves with `save(folder)`.
Model = SklearnModel | RulesModel | HeuristicModel


def _imputer(spec: Spec) -> str:
    return {"mean": "mean", "mode": "most_frequent"}.get(spec.config["missing"] or "median", "median")


# scikit-learn's compiled loss functions are reported as `_loss.*`.
ALLOWED_PREFIXES = ("sklearn.", "numpy.", "builtins.", "scipy.", "_loss.")


def load(spec: Spec, name: str, folder: Path, state: dict) -> Model:
    """Loads a saved model; skops files only with types from scikit-learn and numpy."""
    meta = json.loads((folder / f"{name}.json").read_text())
    if meta["type"] == "rules":
        return RulesModel(spec, name, state)
    if meta["type"] == "heuristic":
        return HeuristicModel(spec, name, meta["params"])
    path = folder / f"{name}.skops"
    untrusted = sio.get_untrusted_types(file=path)
    unexpected = [t for t in untrusted if not t.startswith(ALLOWED_PREFIXES)]
    if unexpected:
        raise ValueError(f"{path} holds unexpected types, not loading it: {unexpected}")
    return SklearnModel(spec, name, sio.load(path, trusted=untrusted), meta["columns"], meta["low"], meta["high"])
