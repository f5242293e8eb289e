"""Small helpers: percentiles, request signatures and their formatting."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from bench.instrumented import READ_OPERATIONS

ORDER = ("GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "TransactWriteItems", "UpdateItem",
         "PutItem", "DeleteItem", "BatchWriteItem")

Signature = tuple[tuple[str, int], ...]


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def signature(ddb: dict[str, Any], without_settings: bool = True) -> Signature:
    """The operations of one call, by type; the settings cache miss (a ``GetItem``) left out."""
    counts = Counter(ddb.get("requests") or {})
    if without_settings and ddb.get("settings_reads"):
        counts["GetItem"] -= int(ddb["settings_reads"])
    return tuple(sorted(((op, n) for op, n in counts.items() if n > 0), key=lambda kv: _rank(kv[0])))


def _rank(operation: str) -> int:
    return ORDER.index(operation) if operation in ORDER else len(ORDER)


def describe(sig: Signature | dict[str, float]) -> str:
    pairs = sorted(sig.items(), key=lambda kv: _rank(kv[0])) if isinstance(sig, dict) else list(sig)
    if not pairs:
        return "none"
    return " + ".join(f"{_number(n)} {op}" for op, n in pairs)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def reads_writes(sig: Signature) -> tuple[int, int]:
    reads = sum(n for op, n in sig if op in READ_OPERATIONS)
    return reads, sum(n for _, n in sig) - reads


def mode(signatures: Iterable[Signature]) -> tuple[Signature, int]:
    (value, count), = Counter(signatures).most_common(1)
    return value, count


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def items_read(ddb: dict[str, Any]) -> int:
    """Items DynamoDB evaluated for one call's Queries (``ScannedCount``, before any filter)."""
    return sum(q.get("scanned") or 0 for q in ddb.get("queries", []))


def median_items_read(calls: Iterable[Any]) -> float:
    return median(items_read(c.ddb) for c in calls)
