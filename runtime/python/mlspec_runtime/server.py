"""Runs the serving app under uvicorn, with the deadline uvicorn lacks.

    python serve.py [--host H] [--port P] [--log-level L]

Worker processes: `WEB_CONCURRENCY` (the Dockerfile sets the declared
cores). `uvicorn serve:app` serves the same app without the deadline below.

uvicorn closes an idle keep-alive connection, but not one that opens and
then sends its request head (request line and headers) slowly or never: a
few hundred such clients hold every connection the server can keep.
`HeadDeadline` gives each request head `HEAD_TIMEOUT_S` from the moment its
connection opens or its previous response ends; a head not complete by then
is answered 408 and the connection closed. The body's deadline is
`serve.Guard`'s, once the head is in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_TIMEOUT_S = 10.0
LATE_HEAD = json.dumps({"detail": "the request head was sent too slowly"}).encode()

# Called once per connection closed for a late head: `serve.create_app`
# sets it so that /metrics counts these 408s with the app's own responses.
late_head_hooks: list[Callable[[], None]] = []


class HeadDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on each request head.

    **Invariant:** while a connection waits for a request head (from its
    opening, or from the end of a response with no pipelined request
    behind it), a timer runs; the head completing stops it, and it firing
    sends a 408 and closes the connection.
    """

    head_timeout_s = HEAD_TIMEOUT_S

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.pipeline and not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._late)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        head = b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        head += b"content-length: %d\r\nconnection: close\r\n\r\n" % len(LATE_HEAD)
        self.transport.write(head + LATE_HEAD)
        self.transport.close()
        for hook in late_head_hooks:
            hook()


def main(app: str = "serve:app", argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the API (workers: WEB_CONCURRENCY).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    args = parser.parse_args(argv)
    from mlspec_runtime.serve import worker_processes

    uvicorn.run(app, host=args.host, port=args.port, workers=worker_processes(), http=HeadDeadline, loop="uvloop", log_level=args.log_level)
