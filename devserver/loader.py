"""Imports handler modules from ``functions/<name>/app.py`` under unique module names."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from devserver.template import Function

Handler = Callable[[dict[str, Any], Any], Any]


def load_module(function: Function) -> ModuleType:
    name = f"functions.{function.name}.{function.module_path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, function.module_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {function.module_path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_instance(function: Function, number: int) -> ModuleType:
    """A fresh, separately initialised copy of the handler module (one Lambda container's worth).

    Each copy is registered as ``functions.<name>.<module>#<number>``, so module-level state (the
    Powertools resolver and its current event) is not shared between copies. Code in the layer
    (``orgplane``) is imported once per process and shared, unlike on Lambda.
    """
    name = f"functions.{function.name}.{function.module_path.stem}#{number}"
    spec = importlib.util.spec_from_file_location(name, function.module_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {function.module_path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def load_handler(function: Function) -> Handler:
    handler: Handler = getattr(load_module(function), function.handler_attribute)
    return handler


class LambdaContext:
    """The few context attributes Powertools reads."""

    def __init__(self, function_name: str, request_id: str = "local") -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def layer_models() -> list[Any]:
    """Every concrete (not generic) pydantic model the layer's ``orgplane.models`` package declares."""
    import pkgutil

    from pydantic import BaseModel

    import orgplane.models as package

    found: list[Any] = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found += [value for value in vars(module).values()
                  if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__
                  and not value.__pydantic_generic_metadata__["parameters"]]
    return found


def build_every_model() -> int:
    """Build every model of the layer now, before the server answers; returns how many were built.

    On Lambda a container serves one request at a time, and the layer's models are declared with
    ``defer_build`` so a handler builds only the ones its route uses (``orgplane.http.build_models``);
    the others would build on first use. This server answers many requests at once in threads, and
    pydantic 2.13's deferred build is not thread-safe (pydantic#11849, #13419): two first uses at once
    can validate with the parent class's validator, a spurious ``400 validation_error``. So nothing is
    left to build while requests run."""
    waiting = [model for model in layer_models() if not model.__pydantic_complete__]
    for model in waiting:
        model.model_rebuild()
    return len(waiting)
