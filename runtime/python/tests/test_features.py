import numpy as np
import pandas as pd

from mlspec_runtime import features as f
from tests.conftest import CONFIG


def rows(times, users):
    return pd.DataFrame({"events.ts": pd.to_datetime(times, utc=True), "events.user_id": users})


def test_a_window_counts_the_events_of_the_same_key_up_to_and_including_now():
    events = pd.DataFrame(
        {
            "user_id": ["a", "a", "a", "b"],
            "ts": pd.to_datetime(["2024-01-01 00:00", "2024-01-01 10:00", "2024-01-02 09:00", "2024-01-01 10:00"], utc=True),
        }
    )
    r = rows(["2024-01-02 09:00", "2024-01-01 10:00", "2024-01-05 00:00"], ["a", "b", "a"])
    ctx = f.Ctx(CONFIG, r, {"events": events}, {}, False)
    got = ctx.window("count", source="events", field=None, by="user_id", key="events.user_id", window_s=86400.0)
    # a at 01-02 09:00: 01-01 10:00 and 01-02 09:00 (01-01 00:00 is 33 h old); b: itself; a on 01-05: none.
    assert got.tolist() == [2.0, 1.0, 0.0]


def test_fitted_state_is_learnt_once_and_reused():
    x = pd.Series([1.0, 2.0, 3.0, np.nan])
    state: dict = {}
    fit = f.Ctx(CONFIG, pd.DataFrame(index=x.index), {}, state, True).standardize("k", x)
    assert abs(float(fit.mean())) < 1e-12
    again = f.Ctx(CONFIG, pd.DataFrame(index=x.index), {}, state, False).standardize("k", pd.Series([2.0]))
    assert again.tolist() == [0.0]


def test_onehot_keeps_the_training_categories_and_ignores_new_ones():
    state: dict = {}
    f.Ctx(CONFIG, pd.DataFrame(), {}, state, True).onehot("p", pd.Series(["free", "pro", "free"]))
    out = f.Ctx(CONFIG, pd.DataFrame(), {}, state, False).onehot("p", pd.Series(["pro", "enterprise"]))
    assert list(out.columns) == ["free", "pro"]
    assert out.to_numpy().tolist() == [[0.0, 1.0], [0.0, 0.0]]


def test_the_build_applies_the_users_feature_hook(spec):
    from mlspec_runtime.spec import Hooks
    from tests.conftest import make_spec

    hooked = make_spec(Hooks(features=lambda rows, feat, state: {"double": feat["amount_log"] * 2}))
    r = pd.DataFrame(
        {"events.amount": [1.0], "events.ts": pd.to_datetime(["2024-01-01"], utc=True), "events.user_id": ["a"], "users.plan": ["pro"]}
    )
    feat = hooked.build_features(r, {}, {}, fitting=True)
    assert feat["double"].iloc[0] == 2 * feat["amount_log"].iloc[0]
    assert "double" not in spec.build_features(r, {}, {}, fitting=True)
