"""Emulated Lambda containers: per function, a pool of separately loaded copies of its module, each serving one
invocation at a time."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from devserver import loader, template

POOL_CAP = 8


class FunctionPool:
    """A function's warm containers: separately loaded module copies, each used by one request at a time."""

    def __init__(self, function: template.Function, cap: int = POOL_CAP) -> None:
        self.function = function
        self.cap = cap
        self._idle: list[ModuleType] = []
        self._created = 0
        self._cond = threading.Condition()

    def warm(self) -> None:
        with self._acquire():
            pass

    @contextlib.contextmanager
    def _acquire(self) -> Iterator[ModuleType]:
        with self._cond:
            self._cond.wait_for(lambda: bool(self._idle) or self._created < self.cap)
            if self._idle:
                module: ModuleType | None = self._idle.pop()
            else:
                self._created += 1
                number = self._created
                module = None
        if module is None:
            try:
                module = loader.load_instance(self.function, number)
            except BaseException:
                with self._cond:
                    self._created -= 1
                    self._cond.notify()
                raise
        try:
            yield module
        finally:
            with self._cond:
                self._idle.append(module)
                self._cond.notify()

    def invoke(self, event: dict[str, Any], context: loader.LambdaContext) -> Any:
        with self._acquire() as module:
            handler = getattr(module, self.function.handler_attribute)
            return handler(event, context)

    @property
    def size(self) -> int:
        return self._created
