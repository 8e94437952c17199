"""Test support: a Redis for tests that need the online store, and an app
served over real sockets.

`redis_url()` is `REDIS_URL` when it is set (the test command starts one);
otherwise a `redis-server` from PATH is started on a free 127.0.0.1 port,
without persistence, and stopped when the test session ends. `served(app)`
runs an ASGI app under uvicorn as `python serve.py` does, in a thread.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_started: list[subprocess.Popen] = []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("these tests need Redis: set REDIS_URL, or install redis-server (apt-get install redis-server)")
    port = _free_port()
    folder = tempfile.mkdtemp(prefix="mlspec-redis-")
    args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", folder]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 - a fixed binary and arguments
    _started.append(proc)
    atexit.register(_stop)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    else:
        raise RuntimeError("redis-server did not start within 10 s")
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    return os.environ["REDIS_URL"]


def _stop() -> None:
    for proc in _started:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
    _started.clear()


def parity_mismatches(spec, frames: dict, service, rows: int = 200, tolerance: float = 1e-9) -> list[str]:
    """Replays the sources' events in time order into `service.store` and,
    before each scored row's time, reads its features the way serving does;
    returns where they differ from the training features (empty: parity)."""
    import numpy as np

    from mlspec_runtime import features as f
    from mlspec_runtime import store
    from mlspec_runtime.data import features_of, joined_rows, plain, requests_from_rows
    from mlspec_runtime.serve import StoreWindows
    from mlspec_runtime.windows import states

    joined = joined_rows(spec, frames)
    if spec.base_time:
        joined = joined.sort_values(spec.base_time, kind="stable").reset_index(drop=True)
    joined = joined.iloc[:rows].reset_index(drop=True)
    expected = features_of(spec, joined, frames, service.state)
    for source, key in store.table_sources(spec):
        records = frames[source].drop_duplicates(key, keep="last").to_dict(orient="records")
        service.store.put_rows(source, key, [{k: plain(v) for k, v in r.items()} for r in records], None)
    pending = []  # (time, state, entity, value), every window state's events
    for state in states(spec.config):
        ev = frames[state.source]
        tcol = spec.sources[state.source]["time"]
        times = f.nanos(ev[tcol].to_numpy()) if tcol else np.zeros(len(ev), dtype="int64")
        keys = f.text(ev[state.by].to_numpy())
        values = ev[state.field].to_numpy(dtype=object) if state.field else [None] * len(ev)
        pending += [(int(t), i, state, k, plain(v)) for i, (t, k, v) in enumerate(zip(times, keys, values, strict=True)) if k is not None]
    pending.sort(key=lambda p: (p[0], p[1]))
    done, out = 0, []
    for i, body in enumerate(requests_from_rows(spec, joined)):
        got = _event_rows(spec, body, joined.iloc[i : i + 1])
        now = f.now_of(got, spec.base_time)
        t = int(f.nanos(now)[0])
        while done < len(pending) and pending[done][0] < t:
            _, _, state, entity, value = pending[done]
            service.store.ingest(state, [(entity, value, pending[done][0])])
            done += 1
        found, with_rows = service.lookup(got, now)
        feat = spec.build_features(with_rows, StoreWindows(spec, with_rows, f.nanos(now), found), service.state)
        for name in spec.config["features"]:
            a, b = feat[name], expected[name][i : i + 1]
            a, b = (a.values, b.values) if isinstance(a, f.Vector) else (np.asarray(a, dtype=float), np.asarray(b, dtype=float))
            if a.shape != b.shape or not np.allclose(a, b, rtol=tolerance, atol=tolerance, equal_nan=True):
                out.append(f"row {i}, feature {name}: online {a.tolist()} != offline {b.tolist()}")
    return out


def _event_rows(spec, body: dict, row) -> dict:
    """The request's rows for one event; a ranking request's query plus the
    event's own candidate (its item and attributes), as training saw it."""
    from mlspec_runtime.data import column, field_type, rows_from_requests

    rows = dict(rows_from_requests(spec, [body]))
    declared = spec.config.get("ranking")
    if declared:
        for col in [declared["item"], *declared["from_catalogue"]]:
            rows[col] = column(row[col].to_numpy(), field_type(spec, col))
    return rows


@contextmanager
def served(app: Any, head_timeout_s: float) -> Iterator[int]:
    """`app` under uvicorn with `server.HeadDeadline` (its deadline set to
    `head_timeout_s`) on a free 127.0.0.1 port, in a thread; yields the port
    and stops the server on exit."""
    import uvicorn

    from mlspec_runtime.server import HeadDeadline

    deadline = type("Deadline", (HeadDeadline,), {"head_timeout_s": head_timeout_s})
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, http=deadline, log_level="error", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if srv.started:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("the test server did not start in 10 s")
        yield int(srv.servers[0].sockets[0].getsockname()[1])
    finally:
        srv.should_exit = True
        thread.join(10)


def read_until_closed(s: socket.socket) -> bytes:
    """Everything a socket receives until the server closes it."""
    out = b""
    while chunk := s.recv(4096):
        out += chunk
    return out
