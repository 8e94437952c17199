"""The online store gives the features training computed: after replaying
the same events, to 1e-9, in process and in Redis."""

import math

import numpy as np
import pandas as pd
import pytest

from mlspec_runtime import store, testing
from mlspec_runtime.data import features_of, joined_rows, plain, requests_from_rows
from mlspec_runtime.features import Vector
from mlspec_runtime.serve import Service, StoreWindows
from mlspec_runtime.windows import State, states
from tests.conftest import CONFIG


@pytest.fixture(params=["memory", "redis"])
def online(request, spec):
    if request.param == "memory":
        yield store.MemoryStore()
        return
    s = store.RedisStore(testing.redis_url(), "mlspec-test:parity")
    s.clear()
    yield s
    s.clear()


def same(a, b) -> bool:
    if isinstance(a, Vector):
        return a.parts == b.parts and np.allclose(a.values, b.values, rtol=1e-9, atol=1e-9, equal_nan=True)
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-9, atol=1e-9, equal_nan=True)


def dense_events(n=300, users=6, seed=3):
    """Events of a few users over two days: windows that hold many events."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-05-01", tz="UTC")
    ts = (start + pd.to_timedelta(np.sort(rng.uniform(0, 2 * 86400, n)), unit="s")).floor("us")
    amount = rng.lognormal(3, 1, n)
    amount[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "user_id": [f"user_id-{i}" for i in rng.integers(0, users, n)],
            "amount": amount,
            "ts": ts,
            "is_bad": rng.random(n) < 0.2,
        }
    )


def test_online_features_equal_offline_after_replaying_the_same_events(spec, frames, artifacts, online):
    history = dense_events()
    frames = {**frames, "events": history}
    rows = joined_rows(spec, frames)
    service = Service(spec, artifacts, online)
    expected = features_of(spec, rows, frames, service.state)
    # Written through the service's store: its read cache sees its writes.
    service.store.put_rows("users", "user_id", [{k: plain(v) for k, v in r.items()} for r in frames["users"].to_dict("records")], None)
    kept = states(CONFIG)
    assert {s.ident for s in kept} == {("events", None, "user_id", 86400.0), ("events", "amount", "user_id", 3600.0)}
    # Windows that hold more than the scored event, or the test shows little.
    assert np.nanmax(expected["count_1d"]) >= 20 and np.sum(~np.isnan(expected["mean_1h"])) > 200
    bodies = requests_from_rows(spec, rows)
    for i, body in enumerate(bodies):
        got_rows, _ = service.rows([body])
        now = np.asarray(got_rows["events.ts"])
        found, joined = service.lookup(got_rows, now)
        feat = spec.build_features(joined, StoreWindows(spec, joined, now.astype("int64"), found), service.state)
        for name in spec.config["features"]:
            assert same(feat[name], expected[name][i : i + 1]), (i, name, feat[name], expected[name][i : i + 1])
        event = history.iloc[i]
        t = int(np.datetime64(event["ts"].tz_localize(None), "ns").astype("int64"))
        for state in kept:
            service.store.ingest(state, [(str(event["user_id"]), plain(event["amount"]) if state.field else None, t)])


def test_the_shared_parity_check_agrees(spec, frames, artifacts):
    dense = {**frames, "events": dense_events()}
    assert testing.parity_mismatches(spec, dense, Service(spec, artifacts, store.MemoryStore())) == []
    # and it can fail: a store that forgets every event
    forgetful = store.MemoryStore()
    forgetful.ingest = lambda state, events: None  # type: ignore[method-assign]
    assert testing.parity_mismatches(spec, dense, Service(spec, artifacts, forgetful))


def test_materialize_loads_the_tables_and_every_window(spec, frames, online):
    counts = store.materialize(spec, frames, online)
    assert counts == {"users": len(frames["users"].drop_duplicates("user_id")), "events": len(frames["events"])}
    last = frames["events"]["ts"].max()
    t = int(np.datetime64(last.tz_localize(None), "ns").astype("int64"))
    user = str(frames["events"].loc[frames["events"]["ts"].idxmax(), "user_id"])
    day = State("events", None, "user_id", 86400.0)
    first, end = day.tiles(t)
    (summary,), (row,) = online.read([(day, user, first, end)], [("users", user)])
    assert summary.count >= 1
    assert row is not None and row["user_id"] == user


def test_the_memory_store_is_bounded_in_bytes():
    small = store.MemoryStore(max_bytes=store.TILE_BYTES * 50)
    state = State("events", None, "user_id", 3600.0)
    small.ingest(state, ((f"user-{i}", None, i * 10**9) for i in range(500)))
    assert small.bytes <= small.max_bytes
    assert len(small.tiles) <= 50


def test_a_snapshot_round_trips(tmp_path, spec, frames):
    first = store.MemoryStore()
    store.materialize(spec, frames, first)
    first.save(tmp_path / "snap.json")
    again = store.MemoryStore.load(tmp_path / "snap.json")
    assert again.rows == first.rows
    key = next(iter(first.tiles))
    a, b = first.tiles[key], again.tiles[key]
    assert a.keys() == b.keys()
    for tile in a:
        assert a[tile].count == b[tile].count and math.isclose(a[tile].total, b[tile].total)


def test_redis_loads_its_scripts_again_after_they_are_flushed():
    online = store.RedisStore(testing.redis_url(), "mlspec-test:flush")
    online.clear()
    state = State("events", "amount", "user_id", 3600.0)
    t = 1_700_000_000 * 10**9
    online.ingest(state, [("a", 1.5, t)])
    online.client.script_flush()  # as a Redis restart does
    online.ingest(state, [("a", 2.5, t + 1)])
    online.client.script_flush()
    (summary,), _ = online.read([(state, "a", *state.tiles(t + 1))], [])
    assert (summary.count, summary.total, summary.low, summary.high, summary.last) == (2, 4.0, 1.5, 2.5, 2.5)
    online.clear()


def test_the_read_cache_serves_recent_reads_forgets_on_writes_and_stays_bounded(spec, monkeypatch):
    inner = store.MemoryStore()
    state = states(CONFIG)[0]
    inner.ingest(state, [("u1", None, 10**18)])
    inner.put_rows("users", "user_id", [{"user_id": "u1", "plan": "pro"}], None)
    clock = [100.0]
    monkeypatch.setattr(store.time, "monotonic", lambda: clock[0])
    cache = store.ReadCache(inner, ttl_s=1.0, max_bytes=10_000)
    reads = [(state, "u1", *state.tiles(10**18))]
    first = cache.read(reads, [("users", "u1")])
    assert first[0][0].count == 1 and first[1] == [{"user_id": "u1", "plan": "pro"}]
    inner.ingest(state, [("u1", None, 10**18)])  # behind the cache's back
    assert cache.read(reads, [])[0][0].count == 1  # within the ttl: the cached read
    clock[0] += 1.5
    assert cache.read(reads, [])[0][0].count == 2  # after it: read again
    cache.ingest(state, [("u1", None, 10**18)])  # through the cache: forgets at once
    assert cache.read(reads, [])[0][0].count == 3
    for i in range(500):
        cache.read([(state, f"other-{i}", *state.tiles(10**18))], [])
    assert 0 < cache.bytes <= 10_000
    off = store.ReadCache(inner, ttl_s=0.0)
    assert off.read(reads, [])[0][0].count == 3 and not off.entries
