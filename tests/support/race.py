"""Run the same action on several real threads released at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from orgplane.errors import DomainError

TIMEOUT_SECONDS = 60


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Each action's result, or the ``DomainError`` code it raised, in order.

    Any other exception is no answer: once every thread has finished it is raised here (several: an
    ``ExceptionGroup``), so a crash can never pass for an action that returned ``None``. An action still
    running after :data:`TIMEOUT_SECONDS` fails the race too.
    """
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)
    unexpected: dict[int, BaseException] = {}

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = action()
        except DomainError as error:
            results[index] = error.code
        except BaseException as error:  # any other: handed to the main thread below
            unexpected[index] = error

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT_SECONDS)
    if unexpected:
        for index, error in unexpected.items():
            error.add_note(f"raised by action {index} of race()")
        errors = [unexpected[index] for index in sorted(unexpected)]
        if len(errors) == 1:
            raise errors[0]
        raise BaseExceptionGroup(f"{len(errors)} actions of race() raised", errors)
    stuck = [index for index, thread in enumerate(threads) if thread.is_alive()]
    if stuck:
        raise AssertionError(f"actions {stuck} of race() were still running after {TIMEOUT_SECONDS}s")
    return results
