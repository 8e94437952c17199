"""A small spec, written by hand the way `mlspec build` writes one: one event
source with a label, one joined table, a window feature, a category, a rule
model and a learned model."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from mlspec_runtime import features as f
from mlspec_runtime import sample_data, train
from mlspec_runtime.spec import Hooks, Spec

FIELD = {"key": False, "label": False, "missing": 0.0, "range": None, "values": [], "dist": None, "references": None}

CONFIG: dict[str, Any] = {
    "spec_name": "tiny",
    "spec_hash": "fnv1a64:0",
    "description": "a tiny spec",
    "objective": "test the runtime",
    "task": "binary_classification",
    "target": "events.is_bad",
    "classes": [],
    "positive_rate": 0.2,
    "base_source": "events",
    "base_time": "events.ts",
    "sources": {
        "events": {
            "kind": "stream",
            "format": "parquet",
            "location": None,
            "key": "event_id",
            "time": "ts",
            "fields": {
                "event_id": {**FIELD, "type": "id", "key": True},
                "user_id": {**FIELD, "type": "id", "references": "users.user_id"},
                "amount": {**FIELD, "type": "float", "range": [0.0, 1000.0]},
                "ts": {**FIELD, "type": "timestamp"},
                "is_bad": {**FIELD, "type": "bool", "label": True},
            },
        },
        "users": {
            "kind": "table",
            "format": "parquet",
            "location": None,
            "key": "user_id",
            "time": None,
            "fields": {
                "user_id": {**FIELD, "type": "id", "key": True},
                "plan": {**FIELD, "type": "category", "values": ["free", "pro"]},
            },
        },
    },
    "joins": [{"left": "events.user_id", "right": "user_id", "source": "users"}],
    "windows": [
        {"func": "count", "source": "events", "field": None, "by": "user_id", "key": "events.user_id", "window_s": 86400.0},
        {"func": "mean", "source": "events", "field": "amount", "by": "user_id", "key": "events.user_id", "window_s": 3600.0},
    ],
    "online_store": {"kind": "memory", "engine": None, "ttl_s": None},
    "features": ["amount_log", "count_1d", "mean_1h", "plan"],
    "models": {
        "rules": {"impl": "rules", "kind": "rules", "features": [], "params": {}, "tuning": None, "baseline": None, "stage": None},
        "forest": {
            "impl": "forest",
            "kind": "random_forest",
            "features": ["amount_log", "count_1d", "mean_1h", "plan"],
            "params": {"trees": 20.0},
            "tuning": None,
            "baseline": "rules",
            "stage": None,
        },
    },
    "main_model": "forest",
    "fallback_model": "rules",
    "metrics": [{"name": "auc_roc", "base": "auc_roc", "k": None, "cmp": ">=", "threshold": 0.5, "primary": True}],
    "cost_matrix": None,
    "split": {"strategy": "time", "field": "events.ts", "train": 0.7, "validation": 0.15, "test": 0.15},
    "imbalance": None,
    "missing": None,
    "dedupe": None,
    "outliers": None,
    "rank_group": None,
    "drift": [
        {"feature": "amount_log", "statistic": "psi", "p_value": False, "cmp": ">", "threshold": 0.2, "every_s": 3600.0, "alert": None},
    ],
    "serving": {
        "name": "api",
        "mode": "realtime",
        "endpoint": "/v1/score",
        "timeout_s": 0.5,
        "cache_ttl_s": 60.0,
        "concurrency": 4,
        "queue": 100,
        "stages": [
            {"name": "gateway", "model": None, "feature_store": False, "batch": None, "wait_s": None},
            {"name": "lookup", "model": None, "feature_store": True, "batch": None, "wait_s": None},
            {"name": "score", "model": "forest", "feature_store": False, "batch": 8, "wait_s": 0.002},
        ],
    },
}


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    event_id: str = Field(max_length=256)
    user_id: str = Field(max_length=256)
    amount: float = Field(ge=0.0, le=1000.0)
    ts: str = Field(max_length=64)


REQUEST_COLUMNS = {
    "event_id": "events.event_id",
    "user_id": "events.user_id",
    "amount": "events.amount",
    "ts": "events.ts",
}


class Events(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event_id: str
    user_id: str
    amount: float
    ts: Any
    is_bad: bool


class Users(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str
    plan: str | None


def build_features(base: f.Rows, windows: f.Windows | None, state: dict[str, Any], fitting: bool = False) -> dict[str, Any]:
    ctx = f.Ctx(CONFIG, base, windows, state, fitting)
    feat: dict[str, Any] = {}
    feat["amount_log"] = ctx.finish("amount_log", f.log1p(base["events.amount"]), "number")
    feat["count_1d"] = ctx.finish(
        "count_1d", ctx.window("count", source="events", field=None, by="user_id", key="events.user_id", window_s=86400.0), "number"
    )
    feat["mean_1h"] = ctx.finish(
        "mean_1h", ctx.window("mean", source="events", field="amount", by="user_id", key="events.user_id", window_s=3600.0), "number"
    )
    feat["plan"] = ctx.finish("plan", ctx.onehot("plan#1", base["users.plan"]), "vector")
    return feat


RULES: dict[str, list[f.Rule]] = {"rules": [lambda base, feat, ctx, now: base["events.amount"] > 900.0]}


def make_spec(hooks: Hooks | None = None) -> Spec:
    return Spec(
        config=CONFIG,
        request_model=ScoreRequest,
        request_columns=REQUEST_COLUMNS,
        records={"events": Events, "users": Users},
        feature_builder=build_features,
        rules=RULES,
        hooks=hooks or Hooks(),
    )


@pytest.fixture(scope="session")
def spec() -> Spec:
    return make_spec()


@pytest.fixture(scope="session")
def frames(spec):
    return sample_data.generate(spec, n=600, seed=0)


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory, spec, frames):
    folder = tmp_path_factory.mktemp("artifacts")
    train.train(spec, frames, folder, quick=True, enforce_gates=False)
    return folder
