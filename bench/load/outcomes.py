"""Every request of a load run, classified as expected or not, and summed up per route.

A request states beforehand which answers it may get (:class:`Expect`): a status, optionally narrowed to
problem ``code`` values. A deliberate conflict (accepting an invitation a second time) expects
``409 invitation_not_pending``; an invitation to a full org expects ``409 member_limit_reached`` only when
the driver's own count says the org is full. Anything else is *unexpected* and counted as such: the
run's goal is zero of them.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bench.stats import percentile


@dataclass(frozen=True)
class Expect:
    """The answers a request may get: ``status`` (any body), or ``status`` with one of ``codes``."""

    status: int
    codes: frozenset[str] = frozenset()

    def admits(self, status: int, code: str | None) -> bool:
        return status == self.status and (not self.codes or code in self.codes)


def expect(status: int, *codes: str) -> Expect:
    return Expect(status, frozenset(codes))


def is_expected(status: int, code: str | None, allowed: Iterable[Expect]) -> bool:
    return any(e.admits(status, code) for e in allowed)


def outcome_label(status: int, code: str | None) -> str:
    return f"{status} {code}" if code else str(status)


@dataclass
class RouteStats:
    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: Counter[str] = field(default_factory=Counter)  # "409 invitation_not_pending" -> n
    unexpected: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.latencies)


@dataclass(frozen=True)
class Summary:
    route: str
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    unexpected: int
    statuses: dict[str, int]


class Recorder:
    """Thread-safe: load workers and the hot org's threads all record here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.routes: dict[str, RouteStats] = defaultdict(RouteStats)
        self.samples: list[str] = []  # the first unexpected answer of each route and status, for the report

    def record(self, route: str, seconds: float, status: int, code: str | None, allowed: Iterable[Expect],
               detail: str = "") -> bool:
        ok = is_expected(status, code, allowed)
        label = outcome_label(status, code)
        with self._lock:
            stats = self.routes[route]
            stats.latencies.append(seconds)
            stats.statuses[label] += 1
            if not ok:
                stats.unexpected[label] += 1
                if stats.unexpected[label] == 1 and len(self.samples) < 20:  # the first of each kind
                    self.samples.append(f"{route}: {label} {detail}".strip()[:300])
        return ok

    @property
    def total(self) -> int:
        return sum(s.count for s in self.routes.values())

    @property
    def unexpected(self) -> int:
        return sum(sum(s.unexpected.values()) for s in self.routes.values())

    def summaries(self) -> list[Summary]:
        """Per route (most requested first), then ``all`` over every request."""
        with self._lock:
            rows = [_summary(route, stats.latencies, stats.statuses, stats.unexpected)
                    for route, stats in sorted(self.routes.items(), key=lambda kv: (-kv[1].count, kv[0]))
                    if stats.count]
            everything = [x for s in self.routes.values() for x in s.latencies]
            statuses: Counter[str] = Counter()
            unexpected: Counter[str] = Counter()
            for s in self.routes.values():
                statuses.update(s.statuses)
                unexpected.update(s.unexpected)
        if everything:
            rows.append(_summary("all", everything, statuses, unexpected))
        return rows


def _summary(route: str, latencies: list[float], statuses: Counter[str], unexpected: Counter[str]) -> Summary:
    return Summary(route, len(latencies), percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000,
                   percentile(latencies, 99) * 1000, sum(unexpected.values()), dict(statuses))
