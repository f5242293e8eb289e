"""Powertools' REST API resolver, imported without the rest of ``aws_lambda_powertools.event_handler``.

The package's ``__init__`` imports every resolver it has (AppSync with asyncio, AppSync events, Bedrock
agents, VPC Lattice, Lambda function URLs, the local HTTP resolver) to re-export their names; a handler uses
the REST one alone. Before importing it, the package is put in ``sys.modules`` without running its
``__init__``: its submodules import as usual, and the first name asked of the package itself (say
``from aws_lambda_powertools.event_handler import AppSyncResolver`` elsewhere in the process) runs the
``__init__`` then, so every other import behaves as before. This halves what the resolver costs a cold
start (docs/cold-start.md; tests/unit/test_handler_imports.py keeps it so).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

PACKAGE = "aws_lambda_powertools.event_handler"


def _defer_package_init(name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def __getattr__(attribute: str) -> Any:  # PEP 562: only names the package does not hold yet
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        del package.__dict__["__getattr__"]
        loader.exec_module(package)
        return getattr(package, attribute)

    package.__dict__["__getattr__"] = __getattr__
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    setattr(importlib.import_module(parent), child, package)


def _submodule(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


_defer_package_init(PACKAGE)
_submodule("content_types")  # api_gateway imports it from the package: present, it runs no __init__

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response  # noqa: E402

__all__ = ["APIGatewayRestResolver", "Response"]
