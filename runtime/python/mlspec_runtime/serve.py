"""The serving API (FastAPI), built by `create_app(spec)`.

POST the declared endpoint with the spec's request body; bad input is a 4xx
with a small body naming the field (never echoing the input). `/health`
(alive), `/ready` (models loaded; reports a degraded online store),
`/metrics` (Prometheus text).

The request path holds no pandas. A request is validated, looked up in the
answer cache, then queued for the micro-batcher: up to the declared `batch
N` requests, waiting at most `wait T` for a batch to fill, with the declared
`concurrency` batches in flight. A batch reads its window aggregates and
joined rows from the online store in one round trip (`mlspec_runtime.store`),
computes the features as numpy arrays and scores them in one model call.
A ranking or recommendation request is one query: its candidates (the
retrieval index's, or ids it sends) become one row each, and the answer is
the items ranked by the model (`mlspec_runtime.ranking`).
A request not answered within the declared `timeout` gets the fallback
model's answer, computed from the request alone; so does every request of a
batch whose store read failed. Beyond the declared `queue`, requests are
refused with 429 and `Retry-After`.

Per-stage latency, `mlspec_stage_seconds{stage=...}`, is named after the
spec's stages: a stage with `feature_store online` times the store read, the
stage of the retrieval model times finding candidates, a stage with another
`model` times features and scoring, and any other stage the wait between
the request's arrival and its batch starting.

Hostile input: bodies over `MAX_BODY_BYTES` are refused (413) before they are
read whole; `/docs` and `/openapi.json` are off unless `MLSPEC_DOCS=1`;
responses carry no internal paths or tracebacks; no redirects; a request
never changes the online store. With `MLSPEC_API_KEY` set, every route but
the probes needs that key.
"""

import asyncio
import gc
import hmac
import json
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from threadpoolctl import threadpool_limits

from mlspec_runtime import features as f
from mlspec_runtime import models, ranking, server
from mlspec_runtime.data import column, field_type, plain, rows_from_requests
from mlspec_runtime.retrieval import Index
from mlspec_runtime.spec import Spec
from mlspec_runtime.store import READ_CACHE_S, OnlineStore, ReadCache, StoreError, open_store, table_sources
from mlspec_runtime.windows import State, Summary, column_of, states

MAX_BODY_BYTES = 64 * 1024
BODY_TIMEOUT_S = 10.0  # the longest wait for the next chunk of a request body
CACHE_BYTES = 32 * 1024 * 1024
DEFAULT_QUEUE = 512
STORE_LOG_EVERY_S = 10.0
# Probes answer without the API key (they say nothing but up and ready).
OPEN_PATHS = ("/health", "/ready")
log = logging.getLogger("mlspec_runtime.serve")

# Latency buckets (seconds) for every histogram: 0.1 ms to seconds, finest
# where a classic model's stages take their time, so that `mlspec calibrate`
# can fit each stage's service-time distribution from them.
BUCKETS = (
    0.0001,
    0.00025,
    0.0005,
    0.00075,
    0.001,
    0.0015,
    0.002,
    0.003,
    0.004,
    0.005,
    0.0075,
    0.01,
    0.015,
    0.02,
    0.03,
    0.05,
    0.075,
    0.1,
    0.15,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


def endpoint(spec: Spec) -> str:
    """The declared endpoint's path, percent-encoded."""
    return quote(spec.config["serving"]["endpoint"], safe="/-_.~")


def _one_native_thread() -> None:
    """A batch is small: native thread pools (OpenMP, BLAS) only add latency
    and contention between concurrent batches, so each model call uses one
    thread. OpenMP's limit is per thread: every batch worker sets its own
    (unset, a worker thread's tree-model call took 3.1 ms instead of 0.4)."""
    threadpool_limits(1)


_one_native_thread()


class StoreWindows:
    """`features.Windows` over what the store returned for one batch, plus
    each row's own event when it is an event of the aggregated source (it
    counts in its own windows, as in training)."""

    def __init__(self, spec: Spec, rows: f.Rows, now: np.ndarray, found: dict[tuple, Summary]):
        self.spec, self.rows, self.now, self.found = spec, rows, now, found

    def aggregate(self, func, source, field, by, window_s, keys, now) -> np.ndarray:
        state = State(source, field, by, window_s, distinct=func == "distinct_count")
        own = source == self.spec.base_source
        column = self.rows.get(f"{source}.{field}") if own and field else None
        values = [plain(v) for v in column.tolist()] if column is not None else [None] * len(keys)
        empty = Summary()
        # Rows with the same key, time and own value have one result (a
        # ranking request's candidates share their time, and often their keys).
        memo: dict[tuple, Any] = {}
        out: list[Any] = []
        for key, t, value in zip(keys.tolist(), now.tolist(), values, strict=True):
            ident = (key, t, value if isinstance(value, str | int | float | None) else repr(value))
            result = memo.get(ident, memo)
            if result is memo:
                hit = self.found.get((state.ident, key, t)) or empty
                # The scored event counts in its own windows, as in training.
                result = memo[ident] = hit.result_with(func, value, t) if own and key is not None else hit.result(func)
            out.append(result)
        return column_of(func, out)


@dataclass
class Timing:
    """Seconds spent per part of a batch, for the stage histograms, and the
    CPU time of the thread that ran it."""

    retrieve: float = 0.0
    lookup: float = 0.0
    score: float = 0.0
    cpu: float = 0.0
    store_error: bool = False


@dataclass
class Job:
    body: dict[str, Any]
    arrived: float
    future: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Full(Exception):
    """The batcher's queue is at its bound."""


class Service:
    """Loaded models, fitted state, the online store, the answer cache."""

    def __init__(self, spec: Spec, artifacts: Path, store: OnlineStore | None = None):
        self.spec = spec
        self.artifacts = artifacts
        serving = spec.config["serving"]
        self.timeout_s: float | None = serving["timeout_s"]
        self.cache_ttl_s: float | None = serving["cache_ttl_s"]
        self.models: dict = {}
        self.state: dict = {}
        self.index: Index | None = None
        self.threshold = 0.5
        self.lock = threading.Lock()
        # (expiry, the answer as JSON, bytes): atoms only, so the collector
        # untracks each entry and never walks the cache. Entries holding the
        # answer dicts themselves stayed tracked, and with every answer
        # cached, collections walked a growing cache: fraud_detection at
        # 400 rps slowed from p50 8 to 15 ms over 30,000 requests.
        self.cache: OrderedDict[str, tuple[float, str, int]] = OrderedDict()
        self.cache_bytes = 0
        self.error: str | None = None
        self.store_failures, self.store_logged_at = 0, -math.inf
        self.states = states(spec.config)
        self.window_keys = sorted(
            {(w["source"], w["field"], w["by"], float(w["window_s"]), w["key"]) for w in spec.config.get("windows", [])}, key=repr
        )
        try:
            self.load()
        except (OSError, ValueError, KeyError) as e:
            log.warning("models not loaded from %s: %s: %s", artifacts, type(e).__name__, e)
            self.error = "models are not loaded: run train.py first"
        inner = store if store is not None else open_store(spec, artifacts)
        self.store: OnlineStore = ReadCache(inner, float(os.environ.get("MLSPEC_READ_CACHE_S", READ_CACHE_S)))

    def load(self) -> None:
        self.state = json.loads((self.artifacts / "feature_state.json").read_text())
        card = json.loads((self.artifacts / "model_card.json").read_text())
        self.threshold = float(card.get("threshold", 0.5))
        names = {self.spec.main_model} | ({self.spec.fallback_model} if self.spec.fallback_model else set())
        for name in sorted(names):
            self.models[name] = models.load(self.spec, name, self.artifacts, self.state)
            warm = getattr(self.models[name], "warm", None)
            if warm:
                warm()  # the first call of a model is slow: not on a request
        if self.spec.config.get("ranking"):
            self.index = Index.load(self.artifacts)

    @property
    def ready(self) -> bool:
        return self.error is None and self.spec.main_model in self.models

    def rows(self, bodies: Sequence[dict[str, Any]]) -> tuple[f.Rows, list[ranking.Plan] | None]:
        """The rows to score: one per request, or for ranking one per
        candidate of each request (with each request's plan)."""
        rows = rows_from_requests(self.spec, list(bodies))
        if not self.spec.config.get("ranking"):
            return rows, None
        plans = [ranking.plan(self.spec, self.index, b) for b in bodies]
        return ranking.candidate_rows(self.spec, rows, plans), plans

    def answers(self, count: int, plans: list[ranking.Plan] | None, s, model: str) -> list[dict]:
        """The answer to each of `count` requests from the scores of their rows."""
        fallback = model != self.spec.main_model
        if plans is not None:
            return ranking.answers(plans, s, model, fallback)
        threshold = self.threshold if not fallback else 0.5
        return [answer(self.spec, model, s[i : i + 1], threshold, fallback) for i in range(count)]

    def lookup(self, rows: f.Rows, now: np.ndarray) -> tuple[dict[tuple, Summary], f.Rows]:
        """Every window of every row and the joined tables' rows, from the
        store: one round trip when every key is a field of the scored event,
        one more per level of joins whose key comes from a joined table.
        Returns the window summaries and the rows with the joined columns."""
        joined: dict[str, np.ndarray] = dict(rows)
        found: dict[tuple, Summary] = {}
        by_ident = {s.ident: s for s in self.states}
        nanos = [int(t) for t in f.nanos(now)]
        joins, windows = list(self.spec.config["joins"]), list(self.window_keys)
        while joins or windows:
            ready_joins = [j for j in joins if j["left"] in joined]
            ready_windows = [w for w in windows if w[4] in joined]
            if not ready_joins and not ready_windows:
                break  # keys no store row gave: those features are missing
            reads: list[tuple[State, str, int, int]] = []
            keys: list[tuple] = []
            planned: set[tuple] = set()
            for source, fld, by, window_s, key_col in ready_windows:
                state = by_ident[(source, fld, by, window_s)]
                for entity, t in dict.fromkeys(zip(f.text(joined[key_col]), nanos, strict=True)):
                    key = (state.ident, entity, t)
                    if entity is None or key in planned:
                        continue
                    planned.add(key)
                    first, last = state.tiles(t)
                    reads.append((state, entity, first, last))
                    keys.append(key)
            lefts = {j["source"]: f.text(joined[j["left"]]) for j in ready_joins}
            wanted = sorted({(source, k) for source, values in lefts.items() for k in values if k is not None})
            summaries, rows_found = self.store.read(reads, wanted)
            found.update(zip(keys, summaries, strict=True))
            got = dict(zip(wanted, rows_found, strict=True))
            for source, values in lefts.items():
                matched = [got.get((source, k)) if k is not None else None for k in values]
                for name in self.spec.sources[source]["fields"]:
                    col = f"{source}.{name}"
                    joined[col] = column([m.get(name) if m else None for m in matched], field_type(self.spec, col))
            ranking.fill_from_catalogue(self.spec, joined)
            joins = [j for j in joins if j not in ready_joins]
            windows = [w for w in windows if w not in ready_windows]
        return found, joined

    def without_store(self, rows: f.Rows) -> f.Rows:
        """The rows with the joined tables' columns missing (the store is down)."""
        joined = dict(rows)
        n = f.length(rows)
        for source, _ in table_sources(self.spec):
            for name in self.spec.sources[source]["fields"]:
                col = f"{source}.{name}"
                joined[col] = column([None] * n, field_type(self.spec, col))
        ranking.fill_from_catalogue(self.spec, joined)
        return joined

    def score_batch(self, bodies: Sequence[dict[str, Any]], model: str, timing: Timing) -> list[dict]:
        """Answers for a batch, by `model`; features from the store unless it fails."""
        cpu = time.thread_time()
        try:
            return self._score_batch(bodies, model, timing)
        finally:
            timing.cpu = time.thread_time() - cpu

    def _score_batch(self, bodies: Sequence[dict[str, Any]], model: str, timing: Timing) -> list[dict]:
        started = time.perf_counter()
        rows, plans = self.rows(bodies)
        timing.retrieve = time.perf_counter() - started
        started = time.perf_counter()
        now = f.now_of(rows, self.spec.base_time)
        try:
            found, rows = self.lookup(rows, now)
            windows: Any = StoreWindows(self.spec, rows, f.nanos(now), found)
        except StoreError as e:
            self.store_failed(e)
            timing.store_error = True
            if plans is not None:
                return ranking.by_popularity(self.index, plans, self.spec.fallback_model or model)
            rows, windows = self.without_store(rows), None
            if self.spec.fallback_model:
                model = self.spec.fallback_model
        looked = time.perf_counter()
        timing.lookup = looked - started
        feat = self.spec.build_features(rows, windows, self.state)
        s = self.models[model].scores(rows, feat)
        timing.score = time.perf_counter() - looked
        return self.answers(len(bodies), plans, s, model)

    def store_failed(self, error: StoreError) -> None:
        """Logs store failures at most once per `STORE_LOG_EVERY_S`, with their count."""
        with self.lock:
            self.store_failures += 1
            now = time.monotonic()
            if now - self.store_logged_at < STORE_LOG_EVERY_S:
                return
            count, self.store_failures, self.store_logged_at = self.store_failures, 0, now
        log.warning("online store reads failing (%d since the last report): %s; answering with the fallback", count, error)

    def fallback_answer(self, body: dict[str, Any]) -> dict:
        """The fallback model's answer from the request alone (no store); for
        ranking, the candidates by popularity."""
        name = self.spec.fallback_model or self.spec.main_model
        if self.spec.config.get("ranking"):
            return ranking.by_popularity(self.index, [ranking.plan(self.spec, self.index, body)], name)[0]
        rows, plans = self.rows([body])
        rows = self.without_store(rows)
        feat = self.spec.build_features(rows, None, self.state)
        return self.answers(1, plans, self.models[name].scores(rows, feat), name)[0]

    def remember_answer(self, key: str, out: dict, ttl: float) -> None:
        """Caches an answer; the cache holds at most `CACHE_BYTES` of keys and answers."""
        text = json.dumps(out)
        size = len(key) + len(text)
        with self.lock:
            old = self.cache.pop(key, None)
            if old:
                self.cache_bytes -= old[2]
            self.cache[key] = (time.monotonic() + ttl, text, size)
            self.cache_bytes += size
            while self.cache_bytes > CACHE_BYTES and self.cache:
                self.cache_bytes -= self.cache.popitem(last=False)[1][2]


def batch_shape(spec: Spec) -> tuple[int, float]:
    """The declared micro-batch of the stage that runs the main model: (size, wait)."""
    for stage in spec.config["serving"].get("stages", []):
        if stage.get("model") == spec.main_model and stage.get("batch"):
            return int(stage["batch"]), float(stage.get("wait_s") or 0.0)
    return 1, 0.0


def batch_threads(concurrency: int, workers: int = 1) -> int:
    """Batches in flight in one of `workers` processes: the declared
    concurrency, but no more than this process's share of the cores (at
    least 2, so one batch's store read overlaps another's model call).
    Python runs one thread at a time: more threads than cores only take the
    interpreter from the event loop, which then cannot answer even the
    fallbacks of timed-out requests."""
    cores = (os.cpu_count() or 1) // max(1, workers)
    return max(1, min(concurrency, max(2, cores)))


def worker_processes() -> int:
    """How many worker processes serve this app: uvicorn's `--workers`
    default, `WEB_CONCURRENCY` (the Dockerfile sets the declared cores)."""
    try:
        return max(1, int(os.environ.get("WEB_CONCURRENCY", "1")))
    except ValueError:
        return 1


def exposition(registry: CollectorRegistry) -> bytes:
    """The `/metrics` text: this process's metrics, or with
    `PROMETHEUS_MULTIPROC_DIR` set (several worker processes) every
    worker's, summed by Prometheus' multiprocess collector. The directory
    must be empty when the first worker starts (a new container's is)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)
        return generate_latest(merged)
    return generate_latest(registry)


class CpuClock:
    """Adds this process's CPU time (every thread's) to a counter, so that
    `mlspec calibrate` can divide it among the requests and batches served
    (`mlspec_cpu_seconds_total`). Called after each batch and before each
    scrape; safe from any thread."""

    def __init__(self, counter: Counter):
        self.counter, self.lock, self.last = counter, threading.Lock(), time.process_time()

    def tick(self) -> None:
        with self.lock:
            now = time.process_time()
            self.counter.inc(max(0.0, now - self.last))
            self.last = now


class Batcher:
    """Micro-batching in front of `Service.score_batch`.

    **Invariants:** at most `limit` requests wait (`submit` raises `Full`
    beyond that); a batch holds at most `size` requests and its first
    request waits at most `wait_s` for others; at most `workers` batches run
    at once, each in one of its `workers` threads (one native thread each)
    so the event loop keeps accepting.
    """

    def __init__(self, service: Service, size: int, wait_s: float, workers: int, limit: int, on_batch):
        self.service, self.size, self.wait_s = service, max(1, size), max(0.0, wait_s)
        self.workers, self.limit, self.on_batch = max(1, workers), max(1, limit), on_batch
        self.queue: asyncio.Queue[Job] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.tasks: list[asyncio.Task] = []
        # Its own threads, not the loop's default pool: nothing else queues behind batches.
        self.executor = ThreadPoolExecutor(self.workers, thread_name_prefix="mlspec-batch", initializer=_one_native_thread)

    def _start(self) -> None:
        """Workers on the running loop (a test client may run each request on a new one)."""
        for task in self.tasks:
            task.cancel()
        self.loop = asyncio.get_running_loop()
        self.queue = asyncio.Queue()
        self.tasks = [self.loop.create_task(self._work()) for _ in range(self.workers)]

    def submit(self, body: dict[str, Any]) -> Job:
        if self.queue is None or self.loop is not asyncio.get_running_loop():
            self._start()
        assert self.queue is not None
        if self.queue.qsize() >= self.limit:
            raise Full
        job = Job(body, time.perf_counter())
        self.queue.put_nowait(job)
        return job

    def _drain(self, batch: list[Job]) -> None:
        assert self.queue is not None
        while len(batch) < self.size and not self.queue.empty():
            batch.append(self.queue.get_nowait())

    async def _work(self) -> None:
        assert self.queue is not None
        while True:
            batch = [await self.queue.get()]
            self._drain(batch)
            # The first request's wait counts from its arrival: one that
            # queued while every thread was busy has waited already.
            left = batch[0].arrived + self.wait_s - time.perf_counter()
            if len(batch) < self.size and left > 0:
                await asyncio.sleep(left)
                self._drain(batch)
            live = [j for j in batch if not j.future.done()]
            if not live:
                continue
            began = time.perf_counter()
            timing = Timing()
            try:
                answers = await asyncio.get_running_loop().run_in_executor(
                    self.executor, self.service.score_batch, [j.body for j in live], self.service.spec.main_model, timing
                )
            except Exception as e:  # a bug must not stop the worker: its requests get a 500
                log.exception("scoring a batch failed")
                for j in live:
                    if not j.future.done():
                        j.future.set_exception(e)
                continue
            self.on_batch(live, began, timing)
            for j, out in zip(live, answers, strict=True):
                if not j.future.done():
                    j.future.set_result(out)


def answer(spec: Spec, name: str, s, threshold: float, fallback: bool) -> dict:
    """The response body for one scored row."""
    if spec.regression:
        return {"prediction": float(np.asarray(s)[0]), "model": name, "fallback": fallback}
    if spec.multiclass:
        p = np.asarray(s)[0]
        label = spec.classes[int(np.argmax(p))]
        return {"prediction": label, "scores": dict(zip(spec.classes, map(float, p), strict=True)), "model": name, "fallback": fallback}
    score = float(np.asarray(s)[0])
    return {"prediction": bool(score >= threshold), "score": score, "model": name, "fallback": fallback}


class Guard:
    """ASGI middleware in front of every route: checks the API key, bounds
    the request body in bytes and in time, and counts every response by
    status.

    **Invariants:** the app behind it sees a body of at most `max_bytes`,
    read whole before the app runs; a client that sends it slower than
    `read_timeout_s` per chunk gets a 408; with an `api_key`, every path but
    `/health` and `/ready` needs it (`Authorization: Bearer KEY` or
    `X-API-Key: KEY`), else a 401 before the body is read.
    """

    def __init__(
        self,
        app: ASGIApp,
        responses: Counter,
        max_bytes: int = MAX_BODY_BYTES,
        read_timeout_s: float = BODY_TIMEOUT_S,
        api_key: str | None = None,
    ):
        self.app, self.responses = app, responses
        self.max_bytes, self.read_timeout_s = max_bytes, read_timeout_s
        self.api_key = api_key.encode() if api_key else None

    def _authorised(self, scope: Scope) -> bool:
        if self.api_key is None or scope.get("path") in OPEN_PATHS:
            return True
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-api-key") or b""
        bearer = headers.get(b"authorization") or b""
        if bearer[:7].lower() == b"bearer ":
            given = given or bearer[7:].strip()
        return hmac.compare_digest(given, self.api_key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.responses.labels(str(message["status"])).inc()
            await send(message)

        if not self._authorised(scope):
            await _refuse(counted, 401, "a valid API key is needed", [(b"www-authenticate", b"Bearer")])
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and not declared.isdigit():
            await _refuse(counted, 400, "bad content-length")
            return
        if declared is not None and int(declared) > self.max_bytes:
            await _refuse(counted, 413, f"the body is over {self.max_bytes} bytes")
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout_s)
            except TimeoutError:
                await _refuse(counted, 408, "the body was sent too slowly")
                return
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await _refuse(counted, 413, f"the body is over {self.max_bytes} bytes")
                return
            chunks.append(body)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, counted)


async def _refuse(send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    headers += extra or []
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where and what, never the input: a hostile value is not echoed."""
    out = []
    for e in exc.errors()[:20]:
        loc = [str(p)[:100] for p in e.get("loc", ())][:8]
        out.append({"loc": loc, "msg": str(e.get("msg", "invalid"))[:200], "type": str(e.get("type", ""))[:50]})
    return out


def _stage_names(spec: Spec) -> dict[str, list[str]]:
    """Which declared stages each measured part reports under."""
    parts: dict[str, list[str]] = {"lookup": [], "retrieve": [], "score": [], "wait": []}
    retrieval = (spec.config.get("ranking") or {}).get("retrieval") or {}
    for stage in spec.config["serving"].get("stages", []):
        if stage.get("feature_store"):
            part = "lookup"
        elif stage.get("model") and stage.get("model") == retrieval.get("model"):
            part = "retrieve"
        else:
            part = "score" if stage.get("model") else "wait"
        parts[part].append(stage["name"])
    return parts


def create_app(
    spec: Spec, artifacts: str | os.PathLike | None = None, store: OnlineStore | None = None, body_timeout_s: float = BODY_TIMEOUT_S
) -> FastAPI:
    folder = Path(artifacts) if artifacts is not None else Path(os.environ.get("MLSPEC_ARTIFACTS", "artifacts"))
    service = Service(spec, folder, store)
    # The loaded models, data and libraries are long-lived: out of the
    # collector's view, a full collection no longer walks them, which under
    # load stalled every request for ~100 ms (fraud_detection at 1,000 rps:
    # p99 134-196 ms with them tracked, 27-34 ms frozen).
    gc.collect()
    gc.freeze()
    fallback_model = spec.fallback_model
    path = endpoint(spec)
    if shared := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.makedirs(shared, exist_ok=True)  # the workers' metric files go there
    registry = CollectorRegistry()
    requests = Counter("mlspec_requests", "Requests scored, by model and outcome", ["model", "outcome"], registry=registry)
    responses = Counter("mlspec_responses", "Responses, by HTTP status", ["status"], registry=registry)
    store_errors = Counter("mlspec_store_errors", "Batches whose online store read failed", registry=registry)
    latency = Histogram("mlspec_request_seconds", "Time to answer a scoring request", buckets=BUCKETS, registry=registry)
    stage_seconds = Histogram("mlspec_stage_seconds", "Time per declared serving stage", ["stage"], buckets=BUCKETS, registry=registry)
    batch_sizes = Histogram("mlspec_batch_size", "Requests per model call", buckets=(1, 2, 4, 8, 16, 32, 64, 128), registry=registry)
    cpu = CpuClock(Counter("mlspec_cpu_seconds", "CPU time of the serving process, all threads", registry=registry))
    batch_cpu = Counter("mlspec_batch_cpu_seconds", "CPU time of the threads running batches", registry=registry)
    stages = _stage_names(spec)
    options = ranking.OPTIONS if spec.config.get("ranking") else ()

    def on_batch(jobs: list[Job], began: float, timing: Timing) -> None:
        cpu.tick()
        batch_cpu.inc(timing.cpu)
        batch_sizes.observe(len(jobs))
        if timing.store_error:
            store_errors.inc()
        for j in jobs:
            for name in stages["wait"]:
                stage_seconds.labels(name).observe(began - j.arrived)
            for name in stages["retrieve"]:
                stage_seconds.labels(name).observe(timing.retrieve)
            for name in stages["lookup"]:
                stage_seconds.labels(name).observe(timing.lookup)
            for name in stages["score"]:
                stage_seconds.labels(name).observe(timing.score)

    size, wait_s = batch_shape(spec)
    serving = spec.config["serving"]
    limit = int(serving.get("queue") or DEFAULT_QUEUE)
    threads = batch_threads(int(serving.get("concurrency") or 1), worker_processes())
    batcher = Batcher(service, size, wait_s, threads, limit, on_batch)
    # For `mlspec calibrate`: batches run at once in a process (the same in every one).
    Gauge("mlspec_batch_threads", "Batches a worker process runs at once", registry=registry, multiprocess_mode="max").set(threads)
    docs = os.environ.get("MLSPEC_DOCS") == "1"
    app = FastAPI(
        title=spec.config["spec_name"],
        description=spec.config["description"] or "",
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        redirect_slashes=False,
    )
    app.state.service = service
    app.state.batcher = batcher
    app.add_middleware(Guard, responses=responses, read_timeout_s=body_timeout_s, api_key=os.environ.get("MLSPEC_API_KEY") or None)
    server.late_head_hooks[:] = [responses.labels("408").inc]

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return Response(json.dumps({"detail": _errors(exc)}), status_code=422, media_type="application/json")

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.get("/ready")
    def ready() -> Response:
        if not service.ready:
            body = {"status": "not ready", "reason": service.error or "no model"}
            return Response(json.dumps(body), status_code=503, media_type="application/json")
        # A store outage degrades answers (fallbacks) but does not stop them.
        store_ok = service.store.ping()
        body = {"status": "ready" if store_ok else "degraded", "online_store": "ok" if store_ok else "unreachable"}
        return Response(json.dumps(body), media_type="application/json")

    @app.get("/metrics")
    def metrics() -> Response:
        cpu.tick()
        return Response(exposition(registry), media_type=CONTENT_TYPE_LATEST)

    async def predict(request: BaseModel) -> Any:
        if not service.ready:
            raise HTTPException(status_code=503, detail="models are not loaded: run train.py first")
        started = time.perf_counter()
        body = request.model_dump(mode="json", by_alias=True)
        if spec.hooks.enrich is not None:
            body = spec.hooks.enrich(body)
        body = {k: body[k] for k in spec.request_columns} | {k: body[k] for k in options if body.get(k) is not None}
        ttl = service.cache_ttl_s
        key = json.dumps(body, sort_keys=True) if ttl else ""
        if ttl:
            with service.lock:
                hit = service.cache.get(key)
            if hit and hit[0] > time.monotonic():
                out = json.loads(hit[1])
                requests.labels(out["model"], "cached").inc()
                return {**out, "cached": True}
        try:
            job = batcher.submit(body)
        except Full:
            return Response(
                json.dumps({"detail": "the service is at capacity: retry later"}),
                status_code=429,
                media_type="application/json",
                headers={"Retry-After": "1"},
            )
        timeout = service.timeout_s
        try:
            if timeout and fallback_model:
                # On timeout the job is cancelled: a batch not yet started skips it.
                out = await asyncio.wait_for(job.future, timeout)
            else:
                out = await job.future
        except TimeoutError:
            # Cheap by design (a rule or heuristic on one row, or popularity):
            # on the event loop, not behind the batches in the thread pool.
            out = service.fallback_answer(body)
        fallback = bool(out["fallback"])
        # Fallback answers are not cached: the next request may get the model's own.
        if ttl and not fallback:
            service.remember_answer(key, out, ttl)
        requests.labels(out["model"], "fallback" if fallback else "ok").inc()
        latency.observe(time.perf_counter() - started)
        return {**out, "cached": False}

    # FastAPI validates the body against the parameter's annotation: the
    # spec's own request model.
    predict.__annotations__["request"] = spec.request_model
    app.post(path)(predict)
    return app
