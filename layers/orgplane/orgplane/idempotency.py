"""``Idempotency-Key`` on ``POST`` routes: a retry returns the first response and changes nothing.

How the guarantee holds
-----------------------
- A key is scoped to (app, user, operation): :func:`orgplane.keys.idempotency`. Its item holds the
  *fingerprint* of the request that used it (method, route, path parameters, canonical JSON body)
  and, once that request has answered, its response (status, content type, body).
- Before the handler runs: one strongly consistent ``GetItem``. A live item with the same
  fingerprint replays its response (waiting up to :data:`WAIT_SECONDS` while the first request is
  still running); another fingerprint is ``409 idempotency_key_reused``.
- Otherwise the handler runs with the key *claimed* (:func:`orgplane.store.transaction.claiming`):
  the first transaction the request commits also puts the key item, on the condition that no live
  one exists. The mutation and its key commit together or not at all, so of two concurrent
  requests with one key exactly one writes; the other's transaction is cancelled
  (:class:`~orgplane.store.transaction.Claimed`) and it replays the winner's response.
- After the handler: one ``PutItem`` adds the response to the item (only the claiming request may).
  Its body is sealed (:mod:`orgplane.at_rest`, bound to the item's key): some responses are shown once
  and kept nowhere else in plain text (a webhook's signing secret, an invite link's token), and the table
  must not hold them readable for the key's day.
- A request that commits nothing (refused before writing, or a no-op) stores nothing: a retry runs
  again and, the state being the same, gets the same answer. Once a request has committed, its
  response is stored whatever it is, errors included.
- Keys live :data:`WINDOW_SECONDS` (the item's ``ttl``). TTL deletion lags, so reads ignore an
  item whose ``ttl`` has passed and a new claim may replace it.

Nothing here knows about HTTP: :mod:`orgplane.http` reads the header and builds the responses.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from orgplane import at_rest, clock, keys
from orgplane.errors import DomainError, invalid
from orgplane.store import idempotency_keys, table
from orgplane.store.transaction import Claim, claiming

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
ENTITY = "IDEMPOTENCY"
WINDOW_SECONDS = 24 * 60 * 60
_SEALED = "sealed1:"
_PURPOSE = b"orgplane idempotent responses"
#: How long a request waits for the response of a concurrent one holding the same key.
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.1

# 1–255 printable ASCII characters, not starting or ending with a space (also the OpenAPI pattern)
KEY_PATTERN = r"^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$"
_KEY = re.compile(KEY_PATTERN.strip("^$"))


def key_reused() -> DomainError:
    return DomainError("idempotency_key_reused",
                       "This Idempotency-Key was already used with a different request.")


def in_progress() -> DomainError:
    return DomainError("conflict", "A request with this Idempotency-Key is still in progress; retry shortly.")


@dataclass(frozen=True)
class Stored:
    """The first response of a key: replayed as it was."""

    status: int
    content_type: str
    body: str


def parse_key(values: Sequence[str] | None) -> str | None:
    """The request's key (``None`` without the header); a malformed or repeated one is a 400."""
    if not values:
        return None
    if len(set(values)) > 1:
        raise invalid(HEADER, f"Send one {HEADER} header.")
    key = values[0]
    if not _KEY.fullmatch(key):
        raise invalid(HEADER, f"{HEADER} must be 1 to 255 printable ASCII characters.")
    return key


def fingerprint(method: str, path: str, path_values: Mapping[str, str], body: str | None) -> str:
    """What makes two requests "the same": method, route, path parameters and the body as JSON
    (so key order and whitespace do not matter)."""
    try:
        payload: Any = json.loads(body) if body and body.strip() else {}
    except (ValueError, RecursionError):
        payload = body
    canonical = json.dumps([method.upper(), path, sorted(path_values.items()), payload], sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Attempt:
    """A request that runs with its key claimed: its first committed transaction writes the key item."""

    key: keys.Key
    fingerprint: str
    claim: Claim

    @property
    def owner(self) -> str:
        return str(self.claim.item["owner"])

    @property
    def committed(self) -> bool:
        """Whether this request has written (its key with its first transaction)."""
        return self.claim.committed

    @contextmanager
    def claiming(self) -> Iterator[None]:
        with claiming(self.claim):
            yield

    def winner(self) -> Stored:
        """The response of the request that claimed the key first (after :class:`Claimed`)."""
        return _settle(self.key, self.fingerprint, _live(table.get(self.key)))

    def held_by_another(self) -> Stored | None:
        """After this request failed without writing: the response of a concurrent request that
        claimed the key meanwhile (its write is why this one failed), or ``None``."""
        try:
            item = _live(table.get(self.key))
        except Exception:  # the original error is the better answer
            return None
        if item is None or item.get("owner") == self.owner:
            return None
        return _settle(self.key, self.fingerprint, item)

    def record(self, response: Stored) -> bool:
        """Store the response on the key item (one ``PutItem``); ``False`` if that failed."""
        if not self.claim.committed:
            return False
        body = _SEALED + at_rest.seal(_PURPOSE, _binding(self.key), response.body) if response.body else ""
        stored = {"status": response.status, "content_type": response.content_type, "body": body}
        # a 204's empty body and content type are left out: read back as "" (and DynamoDB Local's older
        # engines refuse empty strings, which would leave the key answering 409 until it expires)
        item = {**self.claim.item, "state": "completed", "response": {k: v for k, v in stored.items() if v != ""}}
        try:
            owned = idempotency_keys.owned_by(self.owner)
            table.put(item, condition=owned.expression, names=owned.names, values=owned.values)
        except Exception:
            return False
        return True


def begin(app_id: str, user_id: str, operation: str, key: str, request_fingerprint: str) -> Stored | Attempt:
    """The stored response to replay, or an :class:`Attempt` to run. Raises ``idempotency_key_reused``
    for a live key of another request, ``conflict`` if the first request does not answer in time."""
    table_key = keys.idempotency(app_id, user_id, operation, key)
    existing = _live(table.get(table_key))
    if existing is not None:
        return _settle(table_key, request_fingerprint, existing)
    now = int(clock.timestamp())
    item = {
        **table_key,
        "entity": ENTITY,
        "app_id": app_id,
        "user_id": user_id,
        "operation": operation,
        "fingerprint": request_fingerprint,
        "owner": uuid.uuid4().hex,
        "state": "committed",
        "created_at": clock.iso(),
        "ttl": now + WINDOW_SECONDS,
    }
    free = idempotency_keys.free_at(now)
    claim = Claim(item, condition=free.expression, names=free.names, values=free.values)
    return Attempt(table_key, request_fingerprint, claim)


def _live(item: table.Item | None) -> table.Item | None:
    """The item unless its ``ttl`` has passed (DynamoDB deletes expired items only eventually)."""
    if item is None or int(item.get("ttl", 0)) <= int(clock.timestamp()):
        return None
    return item


def _settle(table_key: keys.Key, request_fingerprint: str, item: table.Item | None) -> Stored:
    """The response stored on a live key item, waiting while its request is still running."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if item is not None:
            if item.get("fingerprint") != request_fingerprint:
                raise key_reused()
            response = item.get("response")
            if isinstance(response, dict):
                return Stored(status=int(response["status"]), content_type=str(response.get("content_type") or ""),
                              body=_opened(table_key, str(response.get("body") or "")))
        if time.monotonic() >= deadline:
            raise in_progress()
        time.sleep(POLL_SECONDS)
        item = _live(table.get(table_key))


def _binding(table_key: keys.Key) -> bytes:
    return f"{table_key['PK']}\x00{table_key['SK']}".encode()


def _opened(table_key: keys.Key, body: str) -> str:
    """A stored body as the first request answered it (one stored before bodies were sealed is plain)."""
    return at_rest.open_(_PURPOSE, _binding(table_key), body[len(_SEALED):]) if body.startswith(_SEALED) else body
