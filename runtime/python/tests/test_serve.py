import asyncio
import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, Counter

from mlspec_runtime import sample_data, store
from mlspec_runtime.data import joined_rows, requests_from_rows
from mlspec_runtime.serve import CACHE_BYTES, Guard, create_app, endpoint
from mlspec_runtime.spec import Hooks
from tests.conftest import make_spec


@pytest.fixture(scope="module")
def bodies(spec):
    return requests_from_rows(spec, joined_rows(spec, sample_data.generate(spec, n=100, seed=4)))[:10]


@pytest.fixture(scope="module")
def client(spec, artifacts):
    app = create_app(spec, artifacts)
    app.state.service.timeout_s = 10.0
    return TestClient(app)


def test_a_scored_request_and_the_enrich_hook(artifacts, bodies):
    seen = []

    def enrich(body):
        seen.append(body["event_id"])
        return body

    app = create_app(make_spec(Hooks(enrich=enrich)), artifacts)
    app.state.service.timeout_s = 10.0
    r = TestClient(app).post("/v1/score", json=bodies[0])
    assert r.status_code == 200, r.text
    assert set(r.json()) >= {"prediction", "score", "model", "fallback", "cached"}
    assert seen == [bodies[0]["event_id"]]


def test_the_loaded_service_is_out_of_the_collectors_view(spec, artifacts):
    gc.unfreeze()
    app = create_app(spec, artifacts)
    assert gc.get_freeze_count() > 0
    models = app.state.service.models
    assert gc.is_tracked(models) and not any(o is models for o in gc.get_objects())


def test_the_endpoint_is_percent_encoded(spec):
    assert endpoint(spec) == "/v1/score"


def test_the_answer_cache_is_bounded_in_bytes(spec, artifacts):
    service = create_app(spec, artifacts).state.service
    big = "k" * (1024 * 1024)
    for i in range(CACHE_BYTES // len(big) + 5):
        service.remember_answer(big + str(i), {"prediction": True}, 60.0)
    assert service.cache_bytes <= CACHE_BYTES
    assert sum(v[2] for v in service.cache.values()) == service.cache_bytes


def test_the_answer_cache_is_out_of_the_collectors_sight(spec, artifacts):
    service = create_app(spec, artifacts).state.service
    for i in range(100):
        service.remember_answer(str(i), {"prediction": True, "scores": {"a": 0.5}, "model": "m"}, 60.0)
    gc.collect()
    assert not any(gc.is_tracked(v) for v in service.cache.values())


def run_guard(messages, read_timeout_s=10.0, max_bytes=100):
    """Drives `Guard` with the given request messages; returns the status sent and whether the app ran."""
    ran = []

    async def app(scope, receive, send):
        await receive()
        ran.append(True)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    registry = CollectorRegistry()
    guard = Guard(app, Counter("r", "r", ["status"], registry=registry), max_bytes=max_bytes, read_timeout_s=read_timeout_s)
    queue = list(messages)
    sent = []

    async def receive():
        if not queue:
            await asyncio.sleep(3600)
        item = queue.pop(0)
        if item == "stall":
            await asyncio.sleep(3600)
        return item

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "headers": []}
    asyncio.run(guard(scope, receive, send))
    return sent[0]["status"], bool(ran)


def test_the_guard_refuses_big_and_slow_bodies_before_the_app_runs():
    chunk = {"type": "http.request", "body": b"x" * 60, "more_body": True}
    assert run_guard([chunk, chunk]) == (413, False)
    assert run_guard([chunk, "stall"], read_timeout_s=0.05) == (408, False)
    assert run_guard([{"type": "http.request", "body": b"x" * 10, "more_body": False}]) == (200, True)


class FailingStore(store.MemoryStore):
    """A store whose reads fail, as Redis does when it is down."""

    def read(self, windows, rows):
        raise store.StoreError("ConnectionError")

    def ping(self) -> bool:
        return False


def test_a_failed_store_read_gets_the_fallback_and_is_counted(spec, artifacts, bodies):
    app = create_app(spec, artifacts, store=FailingStore())
    client = TestClient(app)
    r = client.post("/v1/score", json=bodies[3])
    assert r.status_code == 200, r.text
    assert r.json()["model"] == spec.fallback_model and r.json()["fallback"] is True
    metrics = client.get("/metrics").text
    assert "mlspec_store_errors_total 1.0" in metrics
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "degraded", "online_store": "unreachable"}


def test_requests_read_the_store_and_never_write_it(spec, artifacts, frames, bodies):
    online = store.MemoryStore()
    store.materialize(spec, frames, online)
    before = (online.bytes, {k: {t: s.count for t, s in v.items()} for k, v in online.tiles.items()}, dict(online.rows))
    client = TestClient(create_app(spec, artifacts, store=online))
    for body in bodies:
        assert client.post("/v1/score", json=body).status_code == 200
    after = (online.bytes, {k: {t: s.count for t, s in v.items()} for k, v in online.tiles.items()}, dict(online.rows))
    assert after == before


def test_every_declared_stage_has_a_latency_histogram(client, bodies):
    client.post("/v1/score", json=bodies[4])
    metrics = client.get("/metrics").text
    for stage in ("gateway", "lookup", "score"):
        assert f'mlspec_stage_seconds_count{{stage="{stage}"}}' in metrics


def _value(metrics: str, series: str) -> float:
    return next(float(line.split()[-1]) for line in metrics.splitlines() if line.startswith(series + " "))


def test_the_process_cpu_time_is_counted_for_calibration(client, bodies):
    metrics = client.get("/metrics").text
    before = _value(metrics, "mlspec_cpu_seconds_total"), _value(metrics, "mlspec_batch_cpu_seconds_total")
    spent = time.process_time()
    for body in bodies:
        client.post("/v1/score", json=body)
    metrics = client.get("/metrics").text
    after = _value(metrics, "mlspec_cpu_seconds_total"), _value(metrics, "mlspec_batch_cpu_seconds_total")
    spent = time.process_time() - spent
    # The test client runs the app in this process: the counter saw this
    # CPU time, of which the batch threads' is a part.
    process, batches = after[0] - before[0], after[1] - before[1]
    assert 0 < batches < process <= spent + 0.01
    assert _value(metrics, "mlspec_batch_threads") == client.app.state.batcher.workers


def test_a_batch_waits_for_others_only_until_its_first_request_has_waited_wait_s(spec, artifacts, bodies):
    app = create_app(spec, artifacts)
    batcher = app.state.batcher
    batcher.wait_s = 0.5
    body = {k: bodies[0][k] for k in spec.request_columns}

    async def one(queued_for: float) -> float:
        job = batcher.submit(body)
        job.arrived -= queued_for  # as if it had queued behind busy threads
        started = time.perf_counter()
        await job.future
        return time.perf_counter() - started

    # Alone, a request waits the whole wait_s for company; one that has
    # queued longer than that starts at once.
    assert asyncio.run(one(0.0)) >= 0.45
    assert asyncio.run(one(1.0)) < 0.4


def test_concurrent_requests_share_a_model_call(spec, artifacts, bodies):
    app = create_app(spec, artifacts)
    service = app.state.service
    calls = []
    real = service.models[spec.main_model]

    class Counting:
        def scores(self, rows, feat):
            calls.append(len(next(iter(rows.values()))))
            return real.scores(rows, feat)

    service.models[spec.main_model] = Counting()
    service.timeout_s = 10.0
    service.cache_ttl_s = None

    async def burst():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await asyncio.gather(*(c.post("/v1/score", json=b) for b in bodies[:8]))

    answers = asyncio.run(burst())
    assert all(a.status_code == 200 for a in answers)
    assert sum(calls) == 8 and max(calls) > 1 and max(calls) <= 8


def test_requests_beyond_the_queue_bound_get_429_with_retry_after(spec, artifacts, bodies):
    app = create_app(spec, artifacts)
    batcher = app.state.batcher
    batcher.limit = 0
    r = TestClient(app).post("/v1/score", json=bodies[5])
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"


def test_with_an_api_key_every_route_but_the_probes_needs_it(spec, artifacts, bodies, monkeypatch):
    monkeypatch.setenv("MLSPEC_API_KEY", "s3cret")
    client = TestClient(create_app(spec, artifacts))
    assert client.get("/health").status_code == 200
    assert client.get("/ready").status_code == 200
    for headers in ({}, {"x-api-key": "wrong"}, {"authorization": "Bearer s3cre"}, {"authorization": "Basic s3cret"}):
        r = client.post("/v1/score", json=bodies[6], headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert client.get("/metrics", headers=headers).status_code == 401
    assert client.post("/v1/score", json=bodies[6], headers={"x-api-key": "s3cret"}).status_code == 200
    assert client.post("/v1/score", json=bodies[6], headers={"authorization": "Bearer s3cret"}).status_code == 200
    assert 'mlspec_responses_total{status="401"}' in client.get("/metrics", headers={"x-api-key": "s3cret"}).text


def test_a_request_that_timed_out_is_not_scored_by_a_later_batch(spec, artifacts, bodies):
    app = create_app(spec, artifacts)
    service, batcher = app.state.service, app.state.batcher
    scored = []
    real = service.score_batch

    def slow(batch, model, timing):
        scored.append(len(batch))
        time.sleep(0.3)
        return real(batch, model, timing)

    service.score_batch = slow
    service.timeout_s = 0.1
    service.cache_ttl_s = None
    batcher.workers = 1
    batcher.size = 1

    async def two():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await asyncio.gather(c.post("/v1/score", json=bodies[7]), c.post("/v1/score", json=bodies[8]))

    answers = asyncio.run(two())
    assert [a.json()["fallback"] for a in answers] == [True, True]
    # The first batch was running when both timed out; the second never ran.
    assert scored == [1]


# One worker process of a multi-worker server: answers `n` requests, and
# with `n == 0` prints what its `/metrics` says (every worker's, summed).
WORKER = """
import sys
from fastapi.testclient import TestClient
from mlspec_runtime.data import joined_rows, requests_from_rows
from mlspec_runtime import sample_data
from mlspec_runtime.serve import create_app
from tests.conftest import make_spec

spec, n = make_spec(), int(sys.argv[2])
client = TestClient(create_app(spec, sys.argv[1]))
bodies = requests_from_rows(spec, joined_rows(spec, sample_data.generate(spec, n=100, seed=4)))
for body in bodies[:n]:
    assert client.post("/v1/score", json=body).status_code == 200
client.post("/v1/score", content=b"{")
if n == 0:
    print(client.get("/metrics").text)
"""


def test_metrics_are_summed_over_worker_processes(artifacts, tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "PYTHONPATH": str(Path(__file__).parents[1])}

    def worker(n: int) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", WORKER, str(artifacts), str(n)], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    worker(3)
    worker(2)
    text = worker(0)
    assert 'mlspec_responses_total{status="200"} 5.0' in text
    assert 'mlspec_responses_total{status="422"} 3.0' in text
    assert "mlspec_request_seconds_count 5.0" in text
