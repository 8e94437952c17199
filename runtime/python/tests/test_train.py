import json

from sklearn.linear_model import LogisticRegression

from mlspec_runtime import train
from mlspec_runtime.spec import Hooks
from tests.conftest import make_spec


def test_training_saves_every_model_and_a_card_with_times(spec, frames, tmp_path):
    card = train.train(spec, frames, tmp_path, quick=True)
    assert all(g["passed"] for g in card["gates"]), card["gates"]
    for name in spec.config["models"]:
        assert (tmp_path / f"{name}.json").exists()
        assert card["models"][name]["train_seconds"] >= 0
    saved = json.loads((tmp_path / "model_card.json").read_text())
    assert saved["main_model"] == "forest"


def test_the_users_estimator_hook_replaces_the_declared_one(frames, tmp_path):
    calls = []

    def estimator(name, impl, params, quick, class_weight):
        calls.append((name, impl))
        return LogisticRegression()

    train.train(make_spec(Hooks(estimator=estimator)), frames, tmp_path, quick=True, enforce_gates=False)
    assert calls == [("forest", "forest")]


def test_a_time_split_keeps_the_test_split_after_training(spec, frames):
    from mlspec_runtime.data import joined_rows

    rows = joined_rows(spec, frames)
    tr, va, te = train.split(spec, rows)
    t = rows["events.ts"]
    assert t.iloc[tr].max() <= t.iloc[te].min()
    assert len(tr) + len(va) + len(te) == len(rows)


def test_the_declared_search_runs_its_budget_with_successive_halving(spec, frames, tmp_path, monkeypatch):
    from tests.conftest import CONFIG

    tuned = {**CONFIG["models"]["forest"], "tuning": {"search": "random_search", "trials": 10.0, "cv": 3.0, "metric": "auc_roc"}}
    monkeypatch.setitem(CONFIG["models"], "forest", tuned)
    card = train.train(spec, frames, tmp_path, quick=False)
    info = card["models"]["forest"]["tuning"]
    assert info["search"] == "random_search with successive halving"
    assert (info["candidates"], info["folds"]) == (10, 3)
    # Each round keeps a third of the candidates on three times the rows; the last uses every training row.
    rows = info["rows_per_round"]
    assert len(rows) == info["rounds"] >= 2
    assert all(b == 3 * a for a, b in zip(rows[:-1], rows[1:], strict=True))
    assert card["data"]["train"] - 3 < rows[-1] <= card["data"]["train"]
    assert set(info["best_params"]) == set(train.SEARCH_SPACE["forest"])
    assert 0 < info["tune_seconds"] == card["models"]["forest"]["tune_seconds"] <= card["models"]["forest"]["train_seconds"]
    assert card["train_seconds"] >= card["models"]["forest"]["train_seconds"]
    quick = train.train(spec, frames, tmp_path, quick=True)["models"]["forest"]["tuning"]
    assert (quick["candidates"], quick["folds"]) == (train.QUICK_CANDIDATES, train.QUICK_FOLDS)


def test_boosting_stops_adding_trees_once_they_stop_helping(spec):
    import numpy as np

    from mlspec_runtime import models

    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 3))
    y = (x[:, 0] + rng.normal(size=1000) > 0).astype(int)  # noisy: more trees stop helping soon
    est = models.estimator(spec, "gbdt", {"trees": 500.0}).fit(x, y)
    assert est.max_iter == 500
    assert est.n_iter_ < 250


def test_the_label_is_planted_on_a_column_that_does_not_follow_time(spec):
    import numpy as np
    import pandas as pd

    from mlspec_runtime import sample_data

    rng = np.random.default_rng(0)
    ts = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(np.sort(rng.uniform(0, 1e6, 500)), unit="s")
    rows = pd.DataFrame({"events.ts": ts})
    # `age` has the most distinct values but grows with the event time (like days since signup).
    x = pd.DataFrame({"age": np.arange(500.0) + rng.normal(0, 1, 500), "amount": np.round(rng.normal(0, 1, 500), 2)})
    assert list(sample_data._plant_column(spec, rows, x).columns) == ["amount"]


def test_a_planted_regression_target_spreads_over_ten_times_the_tightest_error_gate():
    from types import SimpleNamespace

    from mlspec_runtime import sample_data

    def gate(base, threshold, cmp="<="):
        return {"name": base, "base": base, "k": None, "cmp": cmp, "threshold": threshold, "primary": False}

    spec = SimpleNamespace(config={"metrics": [gate("mape", 0.2), gate("mae", 3.0), gate("rmse", 6.0), gate("r2", 0.5, ">=")]})
    assert sample_data._regression_spread(spec, 0.0, 10000.0) == 30.0  # type: ignore[arg-type]
    assert sample_data._regression_spread(spec, 0.0, 100.0) == 10.0  # type: ignore[arg-type]


def test_a_log_loss_gate_plants_positives_nearer_the_declared_rate():
    from types import SimpleNamespace

    from mlspec_runtime import sample_data

    def spec(rate, metric):
        gate = {"name": metric, "base": metric, "k": None, "cmp": "<=", "threshold": 0.05, "primary": True}
        return SimpleNamespace(config={"positive_rate": rate, "metrics": [gate]})

    assert sample_data._positive_rate(spec(0.002, "auc_roc")) == sample_data.MIN_POSITIVE_RATE  # type: ignore[arg-type]
    # A constant guess at 15% scores log loss 0.42, far from 0.05: the rate drops until a constant scores at most 0.3.
    rate = sample_data._positive_rate(spec(0.01, "log_loss"))  # type: ignore[arg-type]
    assert 0.01 < rate < sample_data.MIN_POSITIVE_RATE
    assert sample_data._entropy(rate) <= 6 * 0.05 < sample_data._entropy(rate + 0.005)
