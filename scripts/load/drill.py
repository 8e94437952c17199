"""The fault drill: the online store (Redis) stops for 10 s under load.

    python drill.py --name NAME --spec SPEC --mlspec BIN --oha BIN --bodies FILE
                    --path PATH --project DIR [--rate R]

Starts its own redis-server and one uvicorn process for the trained project
DIR, each on a free 127.0.0.1 port, and loads the store (`materialize.py
--sample`). Then oha sends open-loop load for 25 s at the spec's
per-replica rate; 5 s in, Redis is stopped; 10 s later it is started again,
empty, and materialised again. Checks, each a failure when missed: no
answer but 2xx, 429 or 503 and no connection error; `/ready` said
`degraded` during the outage; `/metrics` counted store errors and fallback
answers; after the restart the model answers again, not the fallback.
Everything it started is stopped on exit.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from argparse import Namespace

import httpx
from plan import plan
from run import Tally, oha

RUN_S, DOWN_AT_S, DOWN_FOR_S = 25.0, 5.0, 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, httpx.HTTPError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} within {seconds:g} s")


def redis_up(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")


class Redis:
    """A redis-server without persistence, restartable on the same port."""

    def __init__(self, port: int, folder: str):
        self.port, self.folder = port, folder
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "redis-server"
        args = [binary, "--bind", "127.0.0.1", "--port", str(self.port)]
        args += ["--save", "", "--appendonly", "no", "--dir", self.folder]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)  # noqa: S603
        wait_for(lambda: redis_up(self.port), 10, "redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def metric(text: str, name: str, labels: str = "") -> float:
    """The sum of a Prometheus counter's samples whose labels contain `labels`."""
    total = 0.0
    for m in re.finditer(rf"^{name}(\{{[^}}]*\}})? ([0-9.e+-]+)$", text, re.M):
        if labels in (m.group(1) or ""):
            total += float(m.group(2))
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for flag in (
        "--name",
        "--spec",
        "--mlspec",
        "--oha",
        "--bodies",
        "--path",
        "--project",
    ):
        parser.add_argument(flag, required=True)
    parser.add_argument("--rate", type=float)
    args = parser.parse_args()
    rate = args.rate or plan(args.mlspec, args.spec).rate
    folder = tempfile.mkdtemp(prefix="mlspec-drill-")
    redis = Redis(free_port(), folder)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0"}
    materialize = [sys.executable, "-W", "ignore", "materialize.py", "--sample"]
    server = None
    try:
        redis.start()
        subprocess.run(
            materialize,
            cwd=args.project,
            env=env,
            check=True,
            timeout=300,
            stdout=subprocess.DEVNULL,
        )  # noqa: S603
        uvicorn = [
            sys.executable,
            "-m",
            "uvicorn",
            "serve:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        server = subprocess.Popen(
            [*uvicorn, "--log-level", "warning"], cwd=args.project, env=env
        )  # noqa: S603
        wait_for(
            lambda: httpx.get(base + "/ready").status_code == 200,
            60,
            "the server was not ready",
        )
        load: dict = {}
        target = Namespace(oha=args.oha, url=base + args.path, bodies=args.bodies)
        thread = threading.Thread(target=lambda: load.update(oha(target, rate, RUN_S)))
        started = time.monotonic()
        thread.start()
        time.sleep(DOWN_AT_S)
        redis.stop()
        ready = set()
        while time.monotonic() - started < DOWN_AT_S + DOWN_FOR_S:
            ready.add(httpx.get(base + "/ready", timeout=5).json().get("status"))
            time.sleep(0.5)
        redis.start()
        subprocess.run(
            materialize,
            cwd=args.project,
            env=env,
            check=True,
            timeout=300,
            stdout=subprocess.DEVNULL,
        )  # noqa: S603
        thread.join(RUN_S + 120)
        metrics = httpx.get(base + "/metrics", timeout=5).text
        with open(args.bodies, encoding="utf-8") as f:
            after = [
                httpx.post(
                    base + args.path,
                    content=f.readline(),
                    headers={"content-type": "application/json"},
                    timeout=5,
                )
                for _ in range(5)
            ]
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        redis.stop()
        shutil.rmtree(folder, ignore_errors=True)
    if not load:
        print(f"  bug: drill {args.name}: oha gave no result")
        return 1
    t = Tally.of(load)
    fallbacks = metric(metrics, "mlspec_requests_total", 'outcome="fallback"')
    store_errors = metric(metrics, "mlspec_store_errors_total")
    model_again = any(r.status_code == 200 and not r.json()["fallback"] for r in after)
    print(
        f"drill {args.name}: Redis down {DOWN_FOR_S:g} s of {RUN_S:g} s at {rate:g} rps: {t.answered} answered, "
        f"{t.errors()} errors, {t.shed} shed; {fallbacks:g} fallback answers, {store_errors:g} failed store reads; "
        f"/ready said {sorted(s for s in ready if s)}; model answers after the restart: {'yes' if model_again else 'no'}"
    )
    found = t.bugs()
    found += (
        []
        if "degraded" in ready
        else ["/ready did not say degraded while Redis was down"]
    )
    found += (
        []
        if fallbacks > 0 and store_errors > 0
        else ["/metrics counted no fallback or no store error"]
    )
    found += (
        [] if model_again else ["the model did not answer again after Redis came back"]
    )
    for f in found:
        print(f"  bug: {f}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
