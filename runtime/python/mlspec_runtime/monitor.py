"""Drift monitoring: the declared statistics of current feature values against
the reference saved at training, with the declared thresholds.

    python monitor.py --sample            # a fresh synthetic sample
    python monitor.py --sample --shift    # a drifted one
    python monitor.py --data data/ --alerts

Alerts are printed; with `--alerts`, Slack alerts are posted to the webhook
in SLACK_WEBHOOK_URL and webhook alerts to ALERT_WEBHOOK_URL (other channels
are printed). Exit code 1 when any monitor fires.
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.request
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

from mlspec_runtime.data import add_source_args, features_of, frames_from_args, joined_rows
from mlspec_runtime.features import Vector, num
from mlspec_runtime.spec import Spec


def _bins(ref: np.ndarray) -> np.ndarray:
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, 11)))
    return np.concatenate([[-np.inf], edges[1:-1], [np.inf]]) if len(edges) > 2 else np.array([-np.inf, np.inf])


def _shares(values: np.ndarray, edges: np.ndarray, missing: float) -> np.ndarray:
    """Shares of the bins, and of missing values as one more bin."""
    counts = np.histogram(values, edges)[0].astype(float)
    shares = (counts + 0.5) / (counts.sum() + 0.5 * len(counts))
    return np.append(shares * (1 - missing), missing) + 1e-4


REFERENCE_ROWS = 5000


def reference(value) -> dict:
    """What a drift monitor compares against, from the training split's values.

    - a number: the values themselves (at most `REFERENCE_ROWS`) and the
      missing share;
    - an indicator vector (one-hot: every entry 0 or 1): the count per column,
      compared as a categorical distribution;
    - any other vector (tf-idf, hashed, embedding): the centroid, and each
      row's distance to it as the values; the current rows' distances to the
      same centroid are then compared as numbers, so a shift in any direction
      shows as a change in that distribution.
    """
    if isinstance(value, Vector):
        x = np.asarray(value.values, dtype=float)
        parts = list(value.parts)
        if np.isin(x, [0.0, 1.0]).all():
            return {"columns": parts, "counts": x.sum(axis=0).tolist()}
        centroid = np.nan_to_num(np.nanmean(x, axis=0), nan=0.0) if len(x) else np.zeros(len(parts))
        distances = _distances(x, centroid)
        return {"columns": parts, "centroid": centroid.tolist(), "values": distances[:REFERENCE_ROWS].tolist(), "missing": 0.0}
    values = num(value)
    kept = values[~np.isnan(values)]
    return {"values": kept[:REFERENCE_ROWS].tolist(), "missing": float(np.isnan(values).mean()) if len(values) else 0.0}


def _distances(x: np.ndarray, centroid: np.ndarray) -> np.ndarray:
    return np.sqrt(((np.nan_to_num(x, nan=0.0) - centroid) ** 2).sum(axis=1))


def _columns(current: Vector, wanted: list[str]) -> np.ndarray:
    """The current vectors' columns in the reference's order (0 for any it lacks)."""
    index = {p: i for i, p in enumerate(current.parts)}
    out = np.zeros((len(current), len(wanted)))
    for j, p in enumerate(wanted):
        if p in index:
            out[:, j] = np.nan_to_num(current.values[:, index[p]], nan=0.0)
    return out


def statistic(name: str, ref: dict, current) -> float:
    """The named drift statistic (for ks and chi2: the p-value)."""
    if "centroid" in ref:
        current = _distances(_columns(current, ref["columns"]), np.asarray(ref["centroid"], dtype=float))
    if "counts" in ref:
        cur = _columns(current, ref["columns"]).sum(axis=0) if isinstance(current, Vector) else None
        expected = np.asarray(ref["counts"], dtype=float) + 0.5
        observed = (cur if cur is not None else np.zeros_like(expected)) + 0.5
        if name == "chi2":
            return float(stats.chi2_contingency(np.vstack([expected, observed]))[1])
        p, q = expected / expected.sum(), observed / observed.sum()
        if name == "psi":
            return float(np.sum((q - p) * np.log(q / p)))
        if name == "js":
            return float(jensenshannon(p, q))
        return float(np.abs(np.cumsum(p) - np.cumsum(q)).sum())
    values = num(current)
    c = values[~np.isnan(values)]
    c_missing = float(np.isnan(values).mean()) if len(values) else 0.0
    r = np.asarray(ref["values"], dtype=float)
    if not len(r) or not len(c):
        return float("nan")
    if name == "ks":
        return ks_pvalue(r, c)
    if name == "wasserstein":
        # In units of the reference's standard deviation, so thresholds are scale-free.
        return float(stats.wasserstein_distance(r, c) / (np.std(r) or 1.0))
    edges = _bins(r)
    p, q = _shares(r, edges, ref.get("missing", 0.0)), _shares(c, edges, c_missing)
    if name == "psi":
        return float(np.sum((q - p) * np.log(q / p)))
    if name == "js":
        return float(jensenshannon(p, q))
    if name == "chi2":
        counts = np.vstack([np.histogram(r, edges)[0], np.histogram(c, edges)[0]]).astype(float) + 0.5
        return float(stats.chi2_contingency(counts)[1])
    raise ValueError(f"unknown statistic {name!r}")


def ks_pvalue(r: np.ndarray, c: np.ndarray) -> float:
    """The two-sample Kolmogorov-Smirnov p-value, with each sample counted
    by its distinct values rather than its rows.

    The test assumes independent rows. Rows that repeat a value are mostly
    rows of one cluster (a per-entity window aggregate shared by that
    entity's events in a window), which carry about one row's worth of
    information, so the distinct count is the effective sample size; for
    continuous independent rows the two are the same and this is the
    asymptotic p-value of `scipy.stats.ks_2samp`."""
    d = float(stats.ks_2samp(r, c).statistic)
    n, m = len(np.unique(r)), len(np.unique(c))
    if not n or not m:
        return float("nan")
    effective = n * m / (n + m)
    return float(stats.kstwobign.sf(d * np.sqrt(effective)))


def fires(value: float, cmp: str, threshold: float) -> bool:
    return bool({">": value > threshold, ">=": value >= threshold, "<": value < threshold, "<=": value <= threshold}[cmp])


def check(spec: Spec, frames: dict, artifacts: str | Path = "artifacts") -> list:
    """One result per declared drift monitor."""
    folder = Path(artifacts)
    reference = json.loads((folder / "reference.json").read_text())
    state = json.loads((folder / "feature_state.json").read_text())
    feat = features_of(spec, joined_rows(spec, frames), frames, state)
    results = []
    for m in spec.config["drift"]:
        value = statistic(m["statistic"], reference[m["feature"]], feat[m["feature"]])
        results.append({**m, "value": value, "fired": fires(value, m["cmp"], m["threshold"])})
    return results


def alert(spec: Spec, result: dict, send: bool) -> None:
    label = "p-value" if result["p_value"] else result["statistic"]
    text = (
        f"[{spec.config['spec_name']}] drift on {result['feature']}: {label} {result['value']:.4g} "
        f"{result['cmp']} {result['threshold']} ({result['statistic']})"
    )
    target = result["alert"]
    channel = target["channel"] if target else None
    url = {"slack": os.environ.get("SLACK_WEBHOOK_URL"), "webhook": os.environ.get("ALERT_WEBHOOK_URL")}.get(channel or "")
    if send and url:
        payload = {"text": text, "channel": target["target"]} if channel == "slack" else {"text": text, "result": result}
        req = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10):
            pass
        print(f"sent to {channel}: {text}")
    else:
        where = f" -> {channel} {target['target']}" if target else ""
        print(f"ALERT{where}: {text}")


def main(spec: Spec, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Drift monitors of " + spec.config["spec_name"])
    add_source_args(parser, "check a synthetic sample")
    parser.add_argument("--shift", action="store_true", help="with --sample: a drifted sample")
    parser.add_argument("--artifacts", default="artifacts")
    parser.add_argument("--alerts", action="store_true", help="send alerts to their webhooks instead of printing them")
    args = parser.parse_args(argv)
    frames = frames_from_args(spec, args, seed=1, shift=args.shift)
    fired = 0
    for r in check(spec, frames, args.artifacts):
        print(f"{r['feature']:<30} {r['statistic']:<12} {r['value']:.4g} {r['cmp']} {r['threshold']}: {'DRIFT' if r['fired'] else 'ok'}")
        if r["fired"]:
            fired += 1
            alert(spec, r, args.alerts)
    return 1 if fired else 0
