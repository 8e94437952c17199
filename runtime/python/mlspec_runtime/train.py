"""Training: dedupe, missing values, the declared split and imbalance
handling, the baseline and main models, tuning, every declared offline metric
on the test split, the cost-matrix threshold, and the metric gates.

    python train.py --sample            # synthetic data (sample_data.py)
    python train.py --data data/        # real data (see data.py)

A missed gate fails training (exit 1) with a report; the models are saved
only when every gate passes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics as skm
from sklearn.experimental import enable_halving_search_cv  # noqa: F401  (makes the Halving searches importable)
from sklearn.model_selection import HalvingGridSearchCV, HalvingRandomSearchCV, KFold, StratifiedKFold, TimeSeriesSplit
from sklearn.neighbors import NearestNeighbors

from mlspec_runtime import models, monitor, retrieval, sample_data
from mlspec_runtime.data import add_source_args, frames_from_args, joined_rows, rows_of
from mlspec_runtime.features import matrix, subset
from mlspec_runtime.spec import Spec
from mlspec_runtime.windows import HistoryWindows


class GateFailure(Exception):
    """A declared offline metric missed its threshold."""

    def __init__(self, report: dict):
        self.report = report
        failed = [g for g in report["gates"] if not g["passed"]]
        lines = [f"  {g['metric']} = {g['value']:.4f}, needs {g['cmp']} {g['threshold']}" for g in failed]
        super().__init__(f"model {report['main_model']!r} missed {len(failed)} metric gate(s):\n" + "\n".join(lines))


def labels(spec: Spec, rows: pd.DataFrame) -> np.ndarray:
    y = rows[spec.config["target"]]
    if spec.regression:
        return pd.to_numeric(y, errors="coerce").to_numpy(dtype=float)
    if spec.multiclass:
        return y.astype(str).to_numpy()
    return (pd.to_numeric(y.astype(float), errors="coerce").fillna(0) > 0).astype(int).to_numpy()


def split(spec: Spec, rows: pd.DataFrame) -> tuple:
    """Train, validation and test positions as the dataset declares."""
    declared = spec.config["split"] or {"strategy": "random", "field": None, "train": 0.8, "validation": 0.1, "test": 0.1}
    n = len(rows)
    if declared["strategy"] == "time":
        order = np.argsort(pd.to_datetime(rows[declared["field"]], utc=True).to_numpy(), kind="stable")
    elif declared["strategy"] == "group":
        # Whole groups go to one side: order by a stable hash of the group.
        keys = rows[declared["field"]].astype(str).map(lambda v: zlib.crc32(v.encode("utf-8")))
        order = np.lexsort((np.arange(n), keys.to_numpy()))
    else:
        order = np.random.default_rng(0).permutation(n)
    a = int(n * declared["train"])
    b = a + int(n * declared["validation"])
    if declared["strategy"] == "group":
        g = rows[declared["field"]].astype(str).to_numpy()[order]
        while 0 < a < n and g[a] == g[a - 1]:
            a += 1
        b = max(b, a)
        while 0 < b < n and g[b] == g[b - 1]:
            b += 1
    return order[:a], order[a:b], order[b:]


def rebalance(spec: Spec, x: pd.DataFrame, y: np.ndarray, rng) -> tuple:
    """Undersampling, oversampling or SMOTE on the training split only."""
    declared = spec.config["imbalance"]
    if not declared or spec.regression or spec.multiclass:
        return x, y
    method, ratio = declared
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    if not len(pos) or not len(neg):
        return x, y
    if method == "undersample":
        keep = min(len(neg), int(len(pos) / (ratio or 1.0)))
        idx = np.sort(np.concatenate([pos, rng.choice(neg, keep, replace=False)]))
        return x.iloc[idx], y[idx]
    if method == "oversample":
        extra = rng.choice(pos, max(0, len(neg) - len(pos)), replace=True)
        idx = np.concatenate([np.arange(len(y)), extra])
        return x.iloc[idx], y[idx]
    if method == "smote":
        filled = x.fillna(x.median()).fillna(0.0).to_numpy(dtype=float)
        k = min(5, len(pos) - 1)
        if k < 1:
            return x, y
        nn = NearestNeighbors(n_neighbors=k + 1).fit(filled[pos])
        need = max(0, len(neg) - len(pos))
        picks = rng.choice(len(pos), need)
        neighbours = nn.kneighbors(filled[pos][picks], return_distance=False)[:, 1:]
        mates = neighbours[np.arange(need), rng.integers(0, k, need)]
        synth = filled[pos][picks] + rng.random((need, 1)) * (filled[pos][mates] - filled[pos][picks])
        x2 = pd.concat([x, pd.DataFrame(synth, columns=x.columns)], ignore_index=True)
        return x2, np.concatenate([y, np.ones(need, dtype=int)])
    return x, y  # class_weight is passed to the estimator instead


def scorer(spec: Spec, metric: str | None) -> str:
    table = {
        "auc_roc": "roc_auc_ovr" if spec.multiclass else "roc_auc",
        "auc_pr": "average_precision",
        "f1": "f1_macro" if spec.multiclass else "f1",
        "precision": "precision_macro" if spec.multiclass else "precision",
        "recall": "recall_macro" if spec.multiclass else "recall",
        "accuracy": "accuracy",
        "log_loss": "neg_log_loss",
        "rmse": "neg_root_mean_squared_error",
        "mae": "neg_mean_absolute_error",
        "mape": "neg_mean_absolute_percentage_error",
        "r2": "r2",
    }
    base = (metric or "").split("@")[0]
    if base in table:
        return table[base]
    return "neg_mean_absolute_error" if spec.regression else "roc_auc_ovr" if spec.multiclass else "roc_auc"


SEARCH_SPACE: dict[str, dict[str, list[Any]]] = {
    "gbdt": {"learning_rate": [0.03, 0.05, 0.1, 0.2], "max_depth": [3, 5, 8, None], "min_samples_leaf": [10, 20, 40]},
    "forest": {"max_depth": [6, 12, 20, None], "min_samples_leaf": [1, 2, 5]},
    "tree": {"max_depth": [4, 8, 12, None], "min_samples_leaf": [1, 5, 20]},
    "mlp": {"alpha": [1e-3, 1e-1, 1.0, 10.0]},
    "logistic": {"C": [0.01, 0.1, 1.0, 10.0]},
    "knn": {"n_neighbors": [5, 15, 30]},
}


# Folds run in parallel on two workers: the machines this project runs on
# (developers', CI's) have 2 cores. joblib limits each worker's OpenMP threads
# so the two workers do not oversubscribe them.
SEARCH_JOBS = 2
# Successive halving keeps the best third of the candidates at each round
# and gives them three times the rows.
HALVING_FACTOR = 3
QUICK_CANDIDATES = 4
QUICK_FOLDS = 2


def _rounds(count: float) -> int:
    """Halving rounds that take `count` down to one (1 + floor of its log)."""
    return 1 + int(np.floor(np.log(max(count, 1.0)) / np.log(HALVING_FACTOR) + 1e-9))


def _first_round_rows(spec: Spec, y, folds: int, candidates: int, time_split: bool) -> int:
    """Rows for the first halving round, chosen so that the last round uses
    every row, and each validation fold of the first holds about 5 rows of
    the rarest class (a fold with one class cannot be scored); with few rows
    that means fewer rounds, each keeping a third of the candidates."""
    n = len(y)
    parts = folds + 1 if time_split else folds
    if spec.regression:
        floor = 10 * parts
    else:
        _, counts = np.unique(y, return_counts=True)
        floor = int(np.ceil(5 * parts * n / max(int(counts.min()), 1)))
    rounds = min(_rounds(candidates), _rounds(n / max(floor, 1)))
    return int(max(1, n // HALVING_FACTOR ** (rounds - 1)))


def tune(spec: Spec, name: str, pipeline, x, y, quick: bool):
    """The declared search over a small space for the estimator's family.

    The declared budget (candidates, folds) is kept, and bounded in time by
    successive halving: every candidate is scored on a small share of the
    training rows, the best third go on with three times as many, until the
    last round scores the survivors on all of them. Gradient boosting also
    stops adding trees once they stop improving a held-out share (see
    `models.estimator`). `--quick` searches 4 candidates on 2 folds."""
    declared = spec.config["models"][name]
    tuning = declared["tuning"]
    space = SEARCH_SPACE.get(declared["impl"])
    if not tuning or not space:
        return pipeline.fit(x, y), None
    started = time.perf_counter()
    step = pipeline.steps[-1][0]
    est = pipeline.steps[-1][1]
    inner = est.steps[-1][0] + "__" if hasattr(est, "steps") else ""
    grid = {f"{step}__{inner}{k}": v for k, v in space.items()}
    size = int(np.prod([len(v) for v in space.values()]))
    folds = QUICK_FOLDS if quick else min(max(int(tuning["cv"] or 3), 2), 10)
    time_split = (spec.config["split"] or {}).get("strategy") == "time"
    if time_split:
        cv: Any = TimeSeriesSplit(folds)
    elif spec.regression:
        cv = KFold(folds, shuffle=True, random_state=0)
    else:
        # Every fold keeps the class mix, so a rare class is in each one.
        cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    grid_search = tuning["search"] == "grid_search" and not quick
    if grid_search:
        candidates = size
    else:
        candidates = min(int(tuning["trials"] or 10), size, QUICK_CANDIDATES if quick else size)
    kw = {
        "scoring": scorer(spec, tuning["metric"]),
        "cv": cv,
        "factor": HALVING_FACTOR,
        "resource": "n_samples",
        "min_resources": _first_round_rows(spec, y, folds, candidates, time_split),
        "n_jobs": SEARCH_JOBS,
        "random_state": 0,
        "error_score": np.nan,
    }
    if grid_search:
        search: Any = HalvingGridSearchCV(pipeline, grid, **kw)
        label = "grid_search"
    else:
        # Bayesian search has no scikit-learn implementation: it runs as a random search with the same budget.
        search = HalvingRandomSearchCV(pipeline, grid, n_candidates=candidates, **kw)
        label = "random_search" if tuning["search"] == "random_search" else f"random_search (declared {tuning['search']})"
    search.fit(x, y)
    params = {k.split("__")[-1]: v for k, v in search.best_params_.items()}
    info = {
        "search": label + " with successive halving",
        "candidates": candidates,
        "folds": folds,
        "rounds": int(search.n_iterations_),
        "rows_per_round": [int(r) for r in search.n_resources_],
        "best_params": params,
        "best_score": float(search.best_score_),
        "tune_seconds": round(time.perf_counter() - started, 3),
    }
    return search.best_estimator_, info


def ranking_metrics(y, s, groups, k) -> dict:
    out: dict[str, list[float]] = {"ndcg": [], "precision": [], "recall": [], "map": [], "mrr": [], "hit_rate": []}
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        rel = y[idx][np.argsort(-s[idx], kind="stable")]
        if rel.sum() == 0:
            continue
        top = rel[:k]
        gains = 1.0 / np.log2(np.arange(2, len(rel) + 2))
        ideal = np.sort(rel)[::-1]
        out["ndcg"].append(float((top * gains[: len(top)]).sum() / (ideal[:k] * gains[: len(ideal[:k])]).sum()))
        out["precision"].append(float(top.sum() / k))
        out["recall"].append(float(top.sum() / rel.sum()))
        hits = np.cumsum(top)
        out["map"].append(float((top * hits / np.arange(1, len(top) + 1)).sum() / min(k, rel.sum())))
        out["mrr"].append(float(1.0 / (np.argmax(rel) + 1)))
        out["hit_rate"].append(float(top.sum() > 0))
    return {m: float(np.mean(v)) if v else float("nan") for m, v in out.items()}


def evaluate(spec: Spec, y, s, threshold: float, groups=None) -> dict:
    """Every declared offline metric, plus the usual ones for the task."""
    out = {}
    if spec.regression:
        out["rmse"] = float(np.sqrt(skm.mean_squared_error(y, s)))
        out["mae"] = float(skm.mean_absolute_error(y, s))
        out["mape"] = float(skm.mean_absolute_percentage_error(y, s))
        out["r2"] = float(skm.r2_score(y, s))
        return out
    if spec.multiclass:
        p = np.clip(s, 1e-9, 1.0)
        p = p / p.sum(axis=1, keepdims=True)
        pred = np.array(spec.classes, dtype=object)[p.argmax(axis=1)]
        out["accuracy"] = float(skm.accuracy_score(y, pred))
        for name in ("precision", "recall", "f1"):
            fn = getattr(skm, f"{name}_score")
            out[name] = float(fn(y, pred, average="macro", labels=spec.classes, zero_division=0))
        order = np.argsort(spec.classes)  # scikit-learn wants the labels sorted
        labels_sorted, p_sorted = [spec.classes[i] for i in order], p[:, order]
        present = len(set(y)) == len(spec.classes)
        out["auc_roc"] = float(skm.roc_auc_score(y, p_sorted, multi_class="ovr", labels=labels_sorted)) if present else float("nan")
        out["log_loss"] = float(skm.log_loss(y, p_sorted, labels=labels_sorted))
        return out
    pred = (s >= threshold).astype(int)
    both = len(set(y)) == 2
    out["accuracy"] = float(skm.accuracy_score(y, pred))
    out["precision"] = float(skm.precision_score(y, pred, zero_division=0))
    out["recall"] = float(skm.recall_score(y, pred, zero_division=0))
    out["f1"] = float(skm.f1_score(y, pred, zero_division=0))
    out["auc_roc"] = float(skm.roc_auc_score(y, s)) if both else float("nan")
    out["auc_pr"] = float(skm.average_precision_score(y, s)) if both else float("nan")
    out["log_loss"] = float(skm.log_loss(y, np.clip(s, 1e-6, 1 - 1e-6), labels=[0, 1]))
    negatives = max(1, int((y == 0).sum()))
    out["false_positive_rate"] = float(((pred == 1) & (y == 0)).sum() / negatives)
    if groups is not None:
        for m in spec.config["metrics"]:
            if m["k"] or m["base"] == "mrr":
                k = int(m["k"] or 10)
                out[m["name"]] = ranking_metrics(y, s, groups, k)[m["base"]]
    return out


def cost_threshold(spec: Spec, y, s) -> float:
    """The score threshold with the least total cost on the validation split."""
    cm = spec.config["cost_matrix"]
    if not cm or spec.regression or spec.multiclass or len(y) == 0:
        return 0.5
    best, best_cost = 0.5, float("inf")
    for t in np.unique(np.quantile(s, np.linspace(0.0, 1.0, 101))):
        pred = s >= t
        cost = (
            cm["tp"] * (pred & (y == 1)).sum()
            + cm["fp"] * (pred & (y == 0)).sum()
            + cm["fn"] * (~pred & (y == 1)).sum()
            + cm["tn"] * (~pred & (y == 0)).sum()
        )
        if cost < best_cost:
            best, best_cost = float(t), float(cost)
    return best


def check_gates(spec: Spec, results: dict) -> list:
    gates = []
    for m in spec.config["metrics"]:
        if m["threshold"] is None:
            continue
        value = results.get(m["name"], results.get(m["base"], float("nan")))
        ok = {
            ">": value > m["threshold"],
            ">=": value >= m["threshold"],
            "<": value < m["threshold"],
            "<=": value <= m["threshold"],
        }[m["cmp"]]
        gates.append({"metric": m["name"], "cmp": m["cmp"], "threshold": m["threshold"], "value": value, "passed": bool(ok)})
    return gates


def estimator_for(spec: Spec, name: str, quick: bool, class_weight: str | None):
    """The user's estimator for a model (`hooks.estimator`), else the declared one."""
    declared = spec.config["models"][name]
    if spec.hooks.estimator is not None:
        custom = spec.hooks.estimator(name, declared["impl"], declared["params"], quick, class_weight)
        if custom is not None:
            return custom
    return models.estimator(spec, declared["impl"], declared["params"], quick, class_weight)


def train(
    spec: Spec,
    frames: dict | None = None,
    out: str | Path = "artifacts",
    quick: bool = False,
    sample: bool = True,
    enforce_gates: bool = True,
) -> dict:
    """Trains every model; returns the model card. Raises GateFailure when a
    gate is missed (unless `enforce_gates` is off: then the card says so)."""
    if frames is None:
        frames = sample_data.generate(spec)
    training_started = time.perf_counter()
    rng = np.random.default_rng(0)
    rows = joined_rows(spec, frames)
    if spec.config["dedupe"] and spec.config["dedupe"] in rows.columns:
        rows = rows.drop_duplicates(spec.config["dedupe"]).reset_index(drop=True)
    rows = rows[rows[spec.config["target"]].notna()].reset_index(drop=True)
    if spec.config["missing"] == "drop":
        rows = rows.dropna().reset_index(drop=True)
    tr, va, te = split(spec, rows)
    state: dict = {}
    history = HistoryWindows(spec.config, frames)
    cols = rows_of(spec, rows)
    spec.build_features(subset(cols, tr), history, state, fitting=True)
    feat = spec.build_features(cols, history, state)
    y = labels(spec, rows)
    groups = rows[spec.config["rank_group"]].astype(str).to_numpy() if spec.config["rank_group"] else None
    class_weight = "balanced" if (spec.config["imbalance"] or [None])[0] == "class_weight" and not spec.regression else None

    def part(idx):
        return subset(feat, idx)

    card = {
        "spec": spec.config["spec_name"],
        "spec_hash": spec.config["spec_hash"],
        "task": spec.task,
        "main_model": spec.config["main_model"],
        "data": {"sample": sample, "rows": int(len(rows)), "train": int(len(tr)), "validation": int(len(va)), "test": int(len(te))},
        "models": {},
    }
    fitted = {}
    threshold = 0.5
    for name, declared in spec.config["models"].items():
        started = time.perf_counter()
        model: models.Model
        if declared["impl"] == "rules":
            model = models.RulesModel(spec, name, state)
        elif declared["impl"] == "heuristic":
            model = models.HeuristicModel.fit(spec, name, part(tr), y[tr])
        else:
            x = matrix(part(tr), declared["features"])
            xb, yb = rebalance(spec, x, y[tr], rng)
            xb = xb.to_numpy(dtype=float)
            unsupervised = declared["impl"] in ("iforest", "kmeans")
            pipe = models.SklearnModel.wrap(spec, estimator_for(spec, name, quick, class_weight))
            if unsupervised:
                pipe.fit(xb)
                info = None
            else:
                pipe, info = tune(spec, name, pipe, xb, yb, quick)
            learned = models.SklearnModel(spec, name, pipe, list(x.columns))
            if unsupervised:
                raw = learned.raw(x.to_numpy(dtype=float))
                learned.low, learned.high = float(np.min(raw)), float(np.max(raw))
            model = learned
            card["models"].setdefault(name, {})["tuning"] = info
        fitted[name] = model
        if name == spec.config["main_model"] and not spec.regression and not spec.multiclass:
            threshold = cost_threshold(spec, y[va], model.scores(subset(cols, va), part(va)))
        s = model.scores(subset(cols, te), part(te))
        t = threshold if name == spec.config["main_model"] else 0.5
        results = evaluate(spec, y[te], s, t, groups[te] if groups is not None else None)
        seconds = round(time.perf_counter() - started, 3)
        entry = card["models"].setdefault(name, {})
        tune_seconds = (entry.get("tuning") or {}).get("tune_seconds", 0.0)
        entry.update({"kind": declared["kind"], "threshold": t, "metrics": results, "tune_seconds": tune_seconds, "train_seconds": seconds})
    index = None
    if spec.config.get("ranking"):
        index = retrieval.build(spec, rows.iloc[tr], frames)
        card["retrieval"] = retrieval.recall(index, spec, rows.iloc[te])
    card["train_seconds"] = round(time.perf_counter() - training_started, 3)
    main = card["models"][spec.config["main_model"]]
    card["threshold"] = threshold
    card["gates"] = check_gates(spec, main["metrics"])
    card["gates_enforced"] = enforce_gates
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "model_card.json").write_text(json.dumps(card, indent=2, sort_keys=True, default=str))
    if enforce_gates and not all(g["passed"] for g in card["gates"]):
        raise GateFailure(card)
    for model in fitted.values():
        model.save(out)
    if index is not None:
        index.save(out)
    (out / "feature_state.json").write_text(json.dumps(state, indent=2, sort_keys=True, default=str))
    save_reference(spec, feat, tr, out)
    return card


def save_reference(spec: Spec, feat: dict, tr, out: Path) -> None:
    """Training-split values of each monitored feature, for drift checks."""
    ref = {m["feature"]: monitor.reference(feat[m["feature"]][tr]) for m in spec.config["drift"]}
    (out / "reference.json").write_text(json.dumps(ref, sort_keys=True))


def main(spec: Spec, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the models of " + spec.config["spec_name"])
    add_source_args(parser)
    parser.add_argument("--out", default="artifacts")
    parser.add_argument("--quick", action="store_true", help="small search budgets, for tests")
    parser.add_argument("--no-gates", action="store_true", help="save the models even when a metric gate is missed (the card says so)")
    args = parser.parse_args(argv)
    frames = frames_from_args(spec, args)
    try:
        card = train(spec, frames, args.out, quick=args.quick, sample=not args.data, enforce_gates=not args.no_gates)
    except GateFailure as e:
        print(f"training failed: {e}", file=sys.stderr)
        return 1
    for g in card["gates"]:
        print(f"gate {g['metric']} {g['cmp']} {g['threshold']}: {g['value']:.4f} {'ok' if g['passed'] else 'MISSED (not enforced)'}")
    print(f"trained in {card['train_seconds']:.1f} s; saved models, feature state and model card to {args.out}/")
    return 0
