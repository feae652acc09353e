"""A throw-away HTTP server on 127.0.0.1 for the verifier's fetch tests: another issuer's site, for real."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the server answers on one path: a body, a status, extra headers, and how slowly to send it."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunk_delay: float = 0.0  # seconds between 1 KiB chunks (a slow server); 0 sends at once
    declare_length: bool = True

    @classmethod
    def json(cls, document: Any) -> Reply:
        return cls(json.dumps(document).encode("utf-8"), headers={"Content-Type": "application/json"})


@dataclass
class Site:
    """The running server: its base URL, the replies by path, and what it was asked."""

    port: int
    replies: dict[str, Reply]
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Host header)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, self.headers.get("Host", "")))
            reply = site.replies.get(self.path, Reply(b"not found", status=404))
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.declare_length:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            try:
                if not reply.chunk_delay:
                    self.wfile.write(reply.body)
                    return
                for start in range(0, len(reply.body), 1024):
                    self.wfile.write(reply.body[start : start + 1024])
                    self.wfile.flush()
                    time.sleep(reply.chunk_delay)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should past its limits

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def serve(replies: dict[str, Reply] | None = None) -> Iterator[Site]:
    """Serve ``replies`` on a free loopback port until the block ends."""
    site = Site(0, dict(replies or {}))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
