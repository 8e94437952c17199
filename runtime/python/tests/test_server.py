"""`server.HeadDeadline` under a real uvicorn on 127.0.0.1, over raw sockets."""

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest

from mlspec_runtime import server
from mlspec_runtime.testing import read_until_closed, served

DEADLINE_S = 0.5


async def slow_app(scope, receive, send):
    """Answers 200 after reading the body; `/slow` takes longer than the head deadline."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    if scope["path"] == "/slow":
        await asyncio.sleep(DEADLINE_S * 2)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with served(slow_app, DEADLINE_S) as p:
        yield p


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S * 6)


GET = b"GET /fast HTTP/1.1\r\nhost: x\r\n\r\n"


def test_a_head_sent_too_slowly_gets_a_408_and_the_connection_closes(port):
    with connect(port) as s:
        s.sendall(b"GET /fast HTTP/1.1\r\nhost: x\r\n")  # the blank line never comes
        started = time.monotonic()
        reply = read_until_closed(s)
        assert reply.startswith(b"HTTP/1.1 408 ")
        assert b"too slowly" in reply
        assert DEADLINE_S * 0.8 < time.monotonic() - started < DEADLINE_S * 5


def test_a_connection_that_never_sends_is_closed(port):
    with connect(port) as s:
        assert read_until_closed(s).startswith(b"HTTP/1.1 408 ")


def test_a_prompt_head_is_answered_however_long_the_app_takes(port):
    with connect(port) as s:
        s.sendall(b"GET /slow HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        assert read_until_closed(s).startswith(b"HTTP/1.1 200 ")


def test_each_request_on_a_kept_connection_gets_its_own_deadline(port):
    with connect(port) as s:
        for _ in range(3):
            s.sendall(GET)
            assert s.recv(4096).startswith(b"HTTP/1.1 200 ")
            time.sleep(DEADLINE_S * 0.6)  # under the deadline each time, over it in total
        s.sendall(b"GET /fast HTTP/1.1\r\nhost: x\r\n")
        assert read_until_closed(s).startswith(b"HTTP/1.1 408 ")


def test_late_heads_reach_the_hook(port):
    seen: list[int] = []
    server.late_head_hooks[:] = [lambda: seen.append(1)]
    try:
        with connect(port) as s:
            read_until_closed(s)
    finally:
        server.late_head_hooks[:] = []
    assert seen == [1]
