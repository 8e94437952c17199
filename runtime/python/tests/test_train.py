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
