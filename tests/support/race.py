"""Run the same action on several real threads released at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from orgplane.errors import DomainError


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Each action's result, or the ``DomainError`` code it raised, in order."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except DomainError as error:
            results[index] = error.code

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
