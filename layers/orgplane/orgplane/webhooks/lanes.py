"""Ordered, at-least-once delivery: one lane per (endpoint, org), its head blocking the rest.

A lane sends its oldest job; until that one is finished (delivered, or failed for good) the lane's
later jobs wait, so an endpoint never receives an org's event before the org's earlier ones. Other
lanes are not held up: another org's events keep flowing to the same endpoint. ``send`` makes one
attempt and answers ``None`` when the job is finished or the seconds to wait before the next one.

This is the local server's queue; deployed, an SQS FIFO queue with ``MessageGroupId`` = endpoint +
org gives the same order (a message left in flight after a failure blocks its group until its
visibility timeout, which the sender sets to the same wait).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

J = TypeVar("J")


@dataclass
class _Entry(Generic[J]):
    job: J
    due: float


class Lanes(Generic[J]):
    def __init__(self, send: Callable[[J], float | None], now: Callable[[], float]) -> None:
        self._send = send
        self._now = now
        self._lanes: dict[str, deque[_Entry[J]]] = {}
        self._lock = threading.Lock()
        self._running = threading.Lock()

    def enqueue(self, lane: str, job: J, delay: float = 0.0) -> None:
        with self._lock:
            self._lanes.setdefault(lane, deque()).append(_Entry(job, self._now() + delay))

    def pending(self) -> int:
        with self._lock:
            return sum(len(lane) for lane in self._lanes.values())

    def run_due(self) -> int:
        """Attempt every lane's head that is due, again and again until none is; the attempts made."""
        attempts = 0
        with self._running:  # one runner at a time: a lane's head is never sent twice at once
            while due := self._due_heads():
                for name, entry in due:
                    attempts += 1
                    wait = self._send(entry.job)
                    with self._lock:
                        if wait is None:
                            lane = self._lanes[name]
                            lane.popleft()
                            if not lane:
                                del self._lanes[name]
                        else:
                            entry.due = self._now() + wait
        return attempts

    def _due_heads(self) -> list[tuple[str, _Entry[J]]]:
        now = self._now()
        with self._lock:
            return [(name, lane[0]) for name, lane in self._lanes.items() if lane and lane[0].due <= now]
