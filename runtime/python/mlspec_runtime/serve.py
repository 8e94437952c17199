"""The serving API (FastAPI), built by `create_app(spec)`.

POST the declared endpoint with a `ScoreRequest` body; bad input is a 4xx
with a small body naming the field (never echoing the input). `/health`
(alive), `/ready` (models loaded), `/metrics` (Prometheus text: requests by
model and outcome, every response by status, latency). The served model runs
under the declared timeout and the fallback model answers when it is too
slow; answers are cached for the declared TTL. Window features are computed
from the event history saved at training and from the requests served since.

Hostile input: bodies over `MAX_BODY_BYTES` are refused (413) before they are
read whole; `/docs` and `/openapi.json` are off unless `MLSPEC_DOCS=1`;
responses carry no internal paths or tracebacks; no redirects.
"""

import asyncio
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from threadpoolctl import threadpool_limits

from mlspec_runtime import models
from mlspec_runtime.data import rows_from_requests
from mlspec_runtime.spec import Spec

HISTORY_LIMIT = 5000
MAX_BODY_BYTES = 64 * 1024
CACHE_BYTES = 32 * 1024 * 1024
log = logging.getLogger("mlspec_runtime.serve")


def endpoint(spec: Spec) -> str:
    """The declared endpoint's path, percent-encoded."""
    return quote(spec.config["serving"]["endpoint"], safe="/-_.~")


# One row per request: native thread pools only add latency (and contention
# between concurrent requests), so each model call uses one thread.
threadpool_limits(1)


class Service:
    """Loaded models, feature state, event history and the answer cache."""

    def __init__(self, spec: Spec, artifacts: Path):
        self.spec = spec
        self.artifacts = artifacts
        serving = spec.config["serving"]
        self.timeout_s: float | None = serving["timeout_s"]
        self.cache_ttl_s: float | None = serving["cache_ttl_s"]
        self.models: dict = {}
        self.state: dict = {}
        self.history: dict = {}
        self.threshold = 0.5
        self.lock = threading.Lock()
        self.cache: OrderedDict[str, tuple[float, dict, int]] = OrderedDict()
        self.cache_bytes = 0
        self.error: str | None = None
        try:
            self.load()
        except (OSError, ValueError, KeyError) as e:
            log.warning("models not loaded from %s: %s: %s", artifacts, type(e).__name__, e)
            self.error = "models are not loaded: run train.py first"

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
        for source in self.spec.config["window_sources"]:
            path = self.artifacts / "history" / f"{source}.parquet"
            frame = pd.read_parquet(path) if path.exists() else pd.DataFrame()
            self.history[source] = frame.tail(HISTORY_LIMIT).reset_index(drop=True)

    @property
    def ready(self) -> bool:
        return self.error is None and self.spec.main_model in self.models

    def features(self, rows: pd.DataFrame) -> dict:
        with self.lock:
            events = dict(self.history)
        # Only the events that share a key with this row can fall in its windows.
        values = {str(v) for v in rows.iloc[0].tolist()}
        for source, frame in events.items():
            bys = [b for b in self.spec.config["window_sources"].get(source, []) if b in frame.columns]
            if bys and len(frame):
                mask = np.zeros(len(frame), dtype=bool)
                for b in bys:
                    mask |= frame[b].astype(str).isin(values).to_numpy()
                events[source] = frame[mask]
        base = self.spec.base_source
        if base in events:
            # The new event counts in its own windows, as in training.
            own = {c.split(".", 1)[1]: rows[c] for c in rows.columns if c.startswith(base + ".")}
            events[base] = pd.concat([events[base], pd.DataFrame(own)], ignore_index=True)
        return self.spec.build_features(rows, events, self.state)

    def remember(self, rows: pd.DataFrame) -> None:
        base = self.spec.base_source
        if base not in self.history:
            return
        own = pd.DataFrame({c.split(".", 1)[1]: rows[c] for c in rows.columns if c.startswith(base + ".")})
        with self.lock:
            self.history[base] = pd.concat([self.history[base], own], ignore_index=True).tail(HISTORY_LIMIT)

    def remember_answer(self, key: str, out: dict, ttl: float) -> None:
        """Caches an answer; the cache holds at most `CACHE_BYTES` of keys and answers."""
        size = len(key) + len(json.dumps(out))
        with self.lock:
            old = self.cache.pop(key, None)
            if old:
                self.cache_bytes -= old[2]
            self.cache[key] = (time.monotonic() + ttl, out, size)
            self.cache_bytes += size
            while self.cache_bytes > CACHE_BYTES and self.cache:
                self.cache_bytes -= self.cache.popitem(last=False)[1][2]

    def score(self, name: str, rows: pd.DataFrame, feat: dict):
        return self.models[name].scores(rows, feat)


def answer(spec: Spec, name: str, s, threshold: float, fallback: bool) -> dict:
    """The response body for one scored row."""
    if spec.regression:
        return {"prediction": float(s[0]), "model": name, "fallback": fallback}
    if spec.multiclass:
        p = np.asarray(s)[0]
        label = spec.classes[int(np.argmax(p))]
        return {"prediction": label, "scores": dict(zip(spec.classes, map(float, p), strict=True)), "model": name, "fallback": fallback}
    score = float(np.asarray(s)[0])
    return {"prediction": bool(score >= threshold), "score": score, "model": name, "fallback": fallback}


class Guard:
    """ASGI middleware in front of every route: bounds the request body in
    bytes and in time, and counts every response by status.

    **Invariant:** the app behind it sees a body of at most `max_bytes`,
    read whole before the app runs; a client that sends it slower than
    `read_timeout_s` per chunk gets a 408.
    """

    def __init__(self, app: ASGIApp, responses: Counter, max_bytes: int = MAX_BODY_BYTES, read_timeout_s: float = 10.0):
        self.app, self.responses = app, responses
        self.max_bytes, self.read_timeout_s = max_bytes, read_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.responses.labels(str(message["status"])).inc()
            await send(message)

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


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where and what, never the input: a hostile value is not echoed."""
    out = []
    for e in exc.errors()[:20]:
        loc = [str(p)[:100] for p in e.get("loc", ())][:8]
        out.append({"loc": loc, "msg": str(e.get("msg", "invalid"))[:200], "type": str(e.get("type", ""))[:50]})
    return out


def create_app(spec: Spec, artifacts: str | os.PathLike | None = None) -> FastAPI:
    folder = Path(artifacts) if artifacts is not None else Path(os.environ.get("MLSPEC_ARTIFACTS", "artifacts"))
    service = Service(spec, folder)
    main, fallback_model = spec.main_model, spec.fallback_model
    path = endpoint(spec)
    registry = CollectorRegistry()
    requests = Counter("mlspec_requests", "Requests scored, by model and outcome", ["model", "outcome"], registry=registry)
    responses = Counter("mlspec_responses", "Responses, by HTTP status", ["status"], registry=registry)
    latency = Histogram("mlspec_request_seconds", "Time to answer a scoring request", registry=registry)
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
    app.add_middleware(Guard, responses=responses)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return Response(json.dumps({"detail": _errors(exc)}), status_code=422, media_type="application/json")

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.get("/ready")
    def ready() -> Response:
        if service.ready:
            return Response(json.dumps({"status": "ready"}), media_type="application/json")
        body = {"status": "not ready", "reason": service.error or "no model"}
        return Response(json.dumps(body), status_code=503, media_type="application/json")

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    async def predict(request: BaseModel) -> dict:
        if not service.ready:
            raise HTTPException(status_code=503, detail="models are not loaded: run train.py first")
        started = time.perf_counter()
        body = request.model_dump(mode="json", by_alias=True)
        if spec.hooks.enrich is not None:
            body = spec.hooks.enrich(body)
        key = json.dumps(body, sort_keys=True)
        ttl = service.cache_ttl_s
        if ttl:
            with service.lock:
                hit = service.cache.get(key)
            if hit and hit[0] > time.monotonic():
                requests.labels(hit[1]["model"], "cached").inc()
                return {**hit[1], "cached": True}
        rows = rows_from_requests(spec, [{k: body[k] for k in spec.request_columns}])
        feat = service.features(rows)
        name, fallback = main, False
        timeout = service.timeout_s
        try:
            work = asyncio.to_thread(service.score, main, rows, feat)
            s = await asyncio.wait_for(work, timeout) if timeout and fallback_model else await work
        except TimeoutError:
            name, fallback = fallback_model or main, True
            s = service.score(name, rows, feat)
        service.remember(rows)
        out = answer(spec, name, s, service.threshold if name == main else 0.5, fallback)
        # Fallback answers are not cached: the next request may get the model's own.
        if ttl and not fallback:
            service.remember_answer(key, out, ttl)
        requests.labels(name, "fallback" if fallback else "ok").inc()
        latency.observe(time.perf_counter() - started)
        return {**out, "cached": False}

    # FastAPI validates the body against the parameter's annotation: the
    # spec's own request model.
    predict.__annotations__["request"] = spec.request_model
    app.post(path)(predict)
    return app
