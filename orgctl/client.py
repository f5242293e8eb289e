"""The API over HTTP with urllib: JSON in and out, problem+json turned into :class:`ApiError`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

#: ``(method, url, headers, body) -> (status, body)``: urllib by default, a stand-in in tests.
Transport = Callable[[str, str, dict[str, str], bytes | None], tuple[int, bytes]]


class ApiError(Exception):
    """The API answered with a problem (``code`` from the API's error catalogue)."""

    def __init__(self, status: int, code: str, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.status, self.code, self.detail, self.errors = status, code, detail, errors or []


class ConnectionFailed(Exception):
    """The API could not be reached at all."""


def urllib_transport(timeout: float) -> Transport:
    def send(method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[int, bytes]:
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as error:
            return int(error.code), bytes(error.read() or b"")
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ConnectionFailed(f"cannot reach {url}: {reason}") from error

    return send


def path(*segments: str) -> str:
    """``/a/b`` with every segment percent-encoded (an id can never climb into another route)."""
    return "".join("/" + quote(segment, safe="") for segment in segments)


@dataclass
class Api:
    base_url: str
    token: str
    transport: Transport

    def request(self, method: str, route: str, *, query: Mapping[str, str | int | None] | None = None,
                body: Any = None) -> Any:
        params = {k: str(v) for k, v in (query or {}).items() if v is not None and v != ""}
        url = self.base_url.rstrip("/") + route + ("?" + urlencode(params) if params else "")
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                   "User-Agent": "orgctl"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        status, raw = self.transport(method, url, headers, data)
        parsed = _json(raw)
        if status >= 400:
            if isinstance(parsed, dict) and isinstance(parsed.get("code"), str):
                raise ApiError(status, parsed["code"], str(parsed.get("detail") or parsed.get("title") or ""),
                               parsed.get("errors"))
            raise ApiError(status, f"http_{status}", raw[:200].decode(errors="replace") or "no body")
        return parsed

    def pages(self, route: str, query: Mapping[str, str | int | None], limit: int | None) -> Iterator[Any]:
        """Items of a list route, following ``next_cursor`` until ``limit`` items (``None``: all)."""
        cursor: str | None = None
        count = 0
        while True:
            size = 100 if limit is None else max(1, min(100, limit - count))
            page = self.request("GET", route, query={**query, "limit": size, "cursor": cursor})
            for item in page.get("data", []):
                yield item
                count += 1
                if limit is not None and count >= limit:
                    return
            cursor = page.get("next_cursor")
            if not cursor:
                return


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
