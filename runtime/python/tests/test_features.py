import numpy as np
import pandas as pd

from mlspec_runtime import features as f
from mlspec_runtime.windows import HistoryWindows
from tests.conftest import CONFIG


def rows(times, users):
    return {"events.ts": f.timestamps(pd.to_datetime(times, utc=True).to_numpy()), "events.user_id": np.array(users, dtype=object)}


def test_a_window_counts_the_events_of_the_same_key_up_to_and_including_now():
    events = pd.DataFrame(
        {
            "user_id": ["a", "a", "a", "b"],
            "ts": pd.to_datetime(["2024-01-01 00:00", "2024-01-01 10:00", "2024-01-02 09:00", "2024-01-01 10:00"], utc=True),
        }
    )
    r = rows(["2024-01-02 09:00", "2024-01-01 10:00", "2024-01-05 00:00"], ["a", "b", "a"])
    ctx = f.Ctx(CONFIG, r, HistoryWindows(CONFIG, {"events": events}), {}, False)
    got = ctx.window("count", source="events", field=None, by="user_id", key="events.user_id", window_s=86400.0)
    # a at 01-02 09:00: 01-01 10:00 and 01-02 09:00 (01-01 00:00 is 33 h old); b: itself; a on 01-05: none.
    assert got.tolist() == [2.0, 1.0, 0.0]


def test_a_window_covers_whole_tiles_before_the_tile_of_now():
    # 1-day window = 60 tiles of 24 min; at 00:30 on day 2 the window starts
    # at the tile that began 59 tiles (23 h 36 min) before 00:24 on day 2.
    events = pd.DataFrame({"user_id": ["a", "a"], "ts": pd.to_datetime(["2024-01-01 00:40", "2024-01-01 00:50"], utc=True)})
    ctx = f.Ctx(CONFIG, rows(["2024-01-02 00:30"], ["a"]), HistoryWindows(CONFIG, {"events": events}), {}, False)
    got = ctx.window("count", source="events", field=None, by="user_id", key="events.user_id", window_s=86400.0)
    assert got.tolist() == [1.0]  # 00:48 starts the first tile: 00:50 is in, 00:40 is out


def test_fitted_state_is_learnt_once_and_reused():
    x = np.array([1.0, 2.0, 3.0, np.nan])
    state: dict = {}
    fit = f.Ctx(CONFIG, {"x": x}, None, state, True).standardize("k", x)
    assert abs(float(np.nanmean(fit))) < 1e-12
    again = f.Ctx(CONFIG, {"x": x[:1]}, None, state, False).standardize("k", np.array([2.0]))
    assert again.tolist() == [0.0]


def test_onehot_keeps_the_training_categories_and_ignores_new_ones():
    state: dict = {}
    f.Ctx(CONFIG, {}, None, state, True).onehot("p", np.array(["free", "pro", "free"], dtype=object))
    out = f.Ctx(CONFIG, {}, None, state, False).onehot("p", np.array(["pro", "enterprise"], dtype=object))
    assert out.parts == ("free", "pro")
    assert out.values.tolist() == [[0.0, 1.0], [0.0, 0.0]]


def test_tfidf_weights_are_scikit_learns():
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = np.array(["the cat sat", "The dog sat down", "a cat, a dog!", None], dtype=object)
    state: dict = {}
    ours = f.Ctx(CONFIG, {}, None, state, True).tfidf("t", docs, max_features=100)
    theirs = TfidfVectorizer().fit([d or "" for d in docs])
    expected = theirs.transform([d or "" for d in docs]).toarray()
    order = [theirs.vocabulary_[w] for w in ours.parts]
    assert np.allclose(ours.values, expected[:, order], atol=1e-12)


def test_times_parse_the_same_in_a_micro_batch_and_in_bulk():
    values = np.array(["2024-03-01T10:00:00Z", "2024-03-01T12:30:00+02:00", None, "not a time"], dtype=object)
    small = f.timestamps(values)
    bulk = f.timestamps(np.concatenate([values] * 20))[:4]
    assert small.astype("int64").tolist() == bulk.astype("int64").tolist()
    assert str(small[1]) == "2024-03-01T10:30:00.000000000"


def test_the_build_applies_the_users_feature_hook(spec):
    from mlspec_runtime.spec import Hooks
    from tests.conftest import make_spec

    hooked = make_spec(Hooks(features=lambda rows, feat, state: {"double": feat["amount_log"] * 2}))
    r = {**rows(["2024-01-01"], ["a"]), "events.amount": np.array([1.0]), "users.plan": np.array(["pro"], dtype=object)}
    feat = hooked.build_features(r, None, {}, fitting=True)
    assert feat["double"][0] == 2 * feat["amount_log"][0]
    assert "double" not in spec.build_features(r, None, {}, fitting=True)


def test_request_columns_keep_points_and_lists_whatever_is_missing():
    from mlspec_runtime.data import column

    geo = column([[40.0, -74.0], None, [41.0, -73.5]], "geo")
    assert geo.shape == (3,) and geo[0] == (40.0, -74.0) and geo[1] is None
    ragged = column([["a", "b"], ["c"], None], "list<category>")
    assert ragged.shape == (3,) and ragged[0] == ["a", "b"] and ragged[2] is None
    assert np.isnan(column([1, None, "x"], "float")).tolist() == [False, True, True]


def test_an_embedding_field_is_a_vector_feature():
    from mlspec_runtime.data import column

    values = column([[0.5, 1.5], None, [2.0, 3.0]], "embedding(2)")
    out = f.Ctx(CONFIG, {"x": values}, None, {}, False).finish("v", values, "embedding")
    assert isinstance(out, f.Vector) and out.parts == ("0", "1")
    assert np.array_equal(out.values, np.array([[0.5, 1.5], [np.nan, np.nan], [2.0, 3.0]]), equal_nan=True)


def test_text_embeddings_are_near_when_the_words_are_shared():
    texts = np.array(["you are a great person", "you are a great friend", "the weather report today", "user_id-7"], dtype=object)
    v = f.embedding(texts, dim=64).values
    assert np.dot(v[0], v[1]) / (np.linalg.norm(v[0]) * np.linalg.norm(v[1])) > 0.6
    assert abs(np.dot(v[0], v[2]) / (np.linalg.norm(v[0]) * np.linalg.norm(v[2]))) < 0.5
    # an id is one token: its own vector, the same every time
    assert np.array_equal(v[3], f.embedding(np.array(["user_id-7"], dtype=object), dim=64).values[0])
