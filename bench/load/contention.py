"""Inside the load server: how transactions fare when changes meet, counted from outside the product.

``python -m bench.load.contention --port 0`` is the local server (``devserver``) with two observers
added before it starts, and nothing in the product changed:

- ``Transaction.commit`` is wrapped (on the class, so every service's transactions pass through it) to
  count how each call ended: ``committed``, or the exception it raised: ``SequenceMoved`` (another
  change of the org numbered its events first: ``transaction.retrying`` reads again and retries),
  ``Stale``, ``DomainError:<code>``, ``Claimed``;
- a botocore hook on ``TransactWriteItems`` counts the requests on the wire and, for each cancelled
  one, its cancellation reasons with the kind of item they hit (the sort key up to its first ``#``:
  ``EVENTSEQ`` is the org's event counter, ``ORG`` the org item…). ``TransactionConflict`` reasons
  are the ones ``commit`` retries itself with the same client request token.

``GET /_local/load/contention`` answers the counters (``?reset=1`` zeroes them after reading).
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from typing import Any

_lock = threading.Lock()
commits: Counter[str] = Counter()
wire: Counter[str] = Counter()
reasons: Counter[str] = Counter()


def item_kind(operation: dict[str, Any]) -> str:
    """The kind of item one ``TransactItems`` entry writes or checks: its sort key up to the first ``#``."""
    body: dict[str, Any] = next(iter(operation.values()), {}) if operation else {}
    key = body.get("Key") or body.get("Item") or {}
    sk = key.get("SK") if isinstance(key, dict) else None
    value = sk.get("S") if isinstance(sk, dict) else sk
    return str(value).split("#", 1)[0] if value else "?"


def summary(reset: bool = False) -> dict[str, Any]:
    with _lock:
        value = {"commits": dict(commits), "wire": dict(wire), "reasons": dict(reasons)}
        if reset:
            commits.clear()
            wire.clear()
            reasons.clear()
    return value


def _count(counter: Counter[str], key: str) -> None:
    with _lock:
        counter[key] += 1


def install() -> None:
    import boto3

    from orgplane.errors import DomainError
    from orgplane.store import transaction

    original = transaction.Transaction.commit

    def commit(self: transaction.Transaction) -> None:
        try:
            original(self)
        except DomainError as error:
            _count(commits, f"DomainError:{error.code}")
            raise
        except Exception as error:
            _count(commits, type(error).__name__)
            raise
        _count(commits, "committed")

    transaction.Transaction.commit = commit  # type: ignore[method-assign]

    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None

    def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["load_kinds"] = [item_kind(op) for op in params.get("TransactItems") or []]

    def after_call(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        error = (parsed.get("Error") or {}).get("Code")
        _count(wire, error or "ok")
        kinds: list[str] = context.get("load_kinds") or []
        for index, reason in enumerate(parsed.get("CancellationReasons") or []):
            code = reason.get("Code") or "None"
            if code != "None":
                _count(reasons, f"{code}@{kinds[index] if index < len(kinds) else '?'}")

    session.events.register("provide-client-params.dynamodb.TransactWriteItems", remember)
    session.events.register("after-call.dynamodb.TransactWriteItems", after_call)

    from devserver import local_routes

    def read(request: local_routes.LocalRequest) -> tuple[int, Any]:
        return 200, summary(reset=request.query.get("reset") == "1")

    local_routes.register("GET", "/_local/load/contention", read)


def main(argv: list[str]) -> int:
    install()
    from devserver.__main__ import main as devserver_main

    return devserver_main(["serve", *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
