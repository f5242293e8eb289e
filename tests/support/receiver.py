"""A real HTTP receiver for webhook tests: records what it gets, refuses what it is told to."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from orgplane.webhooks.url_guard import Target


class Receiver:
    """A local HTTP server that records what it gets; ``fail`` maps an org to deliveries to refuse (500)."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived: list[float] = []  # wall time (time.time()) of each entry of ``received``
        self.fail: dict[str, int] = {}
        self.reply: tuple[int, dict[str, str], bytes] | None = None
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                time.sleep(receiver.delay)
                headers = {k.lower(): v for k, v in self.headers.items()}
                org = json.loads(body or b"{}").get("org_id") or ""
                extra: dict[str, str]
                if receiver.fail.get(org, 0) > 0:
                    receiver.fail[org] -= 1
                    status, extra, payload = 500, {}, b"no"
                else:
                    receiver.received.append((headers, body))
                    receiver.arrived.append(time.time())
                    status, extra, payload = receiver.reply or (204, {}, b"")
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def target(self, host: str = "127.0.0.1", path: str = "/hook") -> Target:
        return Target(url=f"http://{host}:{self.port}{path}", scheme="http", host=host, port=self.port,
                      path=path, addresses=("127.0.0.1",))

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
