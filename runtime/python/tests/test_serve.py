import asyncio

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, Counter

from mlspec_runtime import sample_data
from mlspec_runtime.data import joined_rows, requests_from_rows
from mlspec_runtime.serve import CACHE_BYTES, Guard, create_app, endpoint
from mlspec_runtime.spec import Hooks
from tests.conftest import make_spec


@pytest.fixture(scope="module")
def bodies(spec):
    return requests_from_rows(spec, joined_rows(spec, sample_data.generate(spec, n=100, seed=4)))[:10]


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


def test_the_endpoint_is_percent_encoded(spec):
    assert endpoint(spec) == "/v1/score"


def test_the_answer_cache_is_bounded_in_bytes(spec, artifacts):
    service = create_app(spec, artifacts).state.service
    big = "k" * (1024 * 1024)
    for i in range(CACHE_BYTES // len(big) + 5):
        service.remember_answer(big + str(i), {"prediction": True}, 60.0)
    assert service.cache_bytes <= CACHE_BYTES
    assert sum(v[2] for v in service.cache.values()) == service.cache_bytes


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
