"""A real HTTP release host on 127.0.0.1 for download tests: serves a releases folder, counts
requests, and misbehaves on demand (errors, truncated or oversized bodies, redirects)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

Fault = Callable[["Handler"], None]


class Handler(SimpleHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].lstrip("/")
        self.server.requests.append(path)
        fault = self.server.faults.get(path) or self.server.faults.get("*")
        if fault is None:
            super().do_GET()
        else:
            fault(self)

    def log_message(self, *args: object) -> None:
        """Quiet: the tests assert on ``requests`` instead."""

    def file_bytes(self) -> bytes:
        return (Path(self.directory) / self.path.lstrip("/")).read_bytes()


class Server(ThreadingHTTPServer):
    requests: list[str]
    faults: dict[str, Fault]


class ReleaseServer:
    """``with ReleaseServer(folder) as host:`` serves ``folder`` at ``host.url``."""

    def __init__(self, root: Path) -> None:
        self.server = Server(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.server.requests = []
        self.server.faults = {}
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def requests(self) -> list[str]:
        """Paths requested so far, in order."""
        return self.server.requests

    @property
    def faults(self) -> dict[str, Fault]:
        """Path (or ``"*"``) → what to answer instead of the file."""
        return self.server.faults

    def __enter__(self) -> ReleaseServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def status(code: int) -> Fault:
    """Answer with an HTTP error."""
    return lambda handler: handler.send_error(code)


def body(data: bytes, *, length: int | None) -> Fault:
    """Answer 200 with ``data``, announcing ``length`` bytes (None: no Content-Length, the body
    ends when the connection closes)."""

    def answer(handler: Handler) -> None:
        handler.send_response(200)
        if length is not None:
            handler.send_header("Content-Length", str(length))
        handler.end_headers()
        handler.wfile.write(data)
        handler.close_connection = True

    return answer


def truncated(handler: Handler) -> None:
    """Announce the whole file, send half of it, hang up."""
    data = handler.file_bytes()
    body(data[: len(data) // 2], length=len(data))(handler)


def redirect(location: str) -> Fault:
    def answer(handler: Handler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


@contextmanager
def serving(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReleaseServer]:
    """Serve ``root`` and point nkdata at it (``NKDATA_BASE_URL``) for the block."""
    with ReleaseServer(root) as server:
        monkeypatch.setenv("NKDATA_BASE_URL", server.url)
        yield server
