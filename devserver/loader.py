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
