"""Powertools' REST API resolver, imported without the rest of its packages.

``aws_lambda_powertools.event_handler``'s ``__init__`` imports every resolver Powertools has (AppSync with
asyncio, AppSync events, Bedrock agents, VPC Lattice, function URLs, the local HTTP resolver) and
``aws_lambda_powertools.utilities.data_classes``'s every event class (some forty modules), to re-export
their names; a handler uses the REST resolver and the few event classes it names. So before importing it,
both packages are put in ``sys.modules`` lazily: their submodules import as usual, a name the package
re-exports (``from .appsync import AppSyncResolver`` in its ``__init__``) imports its own submodule when
first asked for, and any other name, or ``__all__``, runs the real ``__init__`` then. Every later import of
the packages gets what it got before (docs/cold-start.md; tests/unit/test_handler_imports.py).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

LAZY_PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")


def _reexports(name: str, init: Path) -> dict[str, str]:
    """Name -> module, for every ``from <module> import <name>`` at the top of a package's ``__init__``."""
    found: dict[str, str] = {}
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            module = f"{name}.{node.module}" if node.level == 1 else node.module if node.level == 0 else None
            if module is not None:
                found.update({alias.asname or alias.name: module for alias in node.names if alias.name != "*"})
    return found


def lazy_package(name: str) -> None:
    """Register package ``name`` without running its ``__init__`` (see the module's docstring)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.origin is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)
    loader, exports = spec.loader, _reexports(name, Path(spec.origin))

    def __getattr__(attribute: str) -> Any:  # PEP 562: only for names the package does not hold yet
        if attribute.startswith("__") and attribute != "__all__":
            raise AttributeError(attribute)
        if attribute in exports:
            value = getattr(importlib.import_module(exports[attribute]), attribute)
        elif attribute != "__all__" and importlib.util.find_spec(f"{name}.{attribute}") is not None:
            value = importlib.import_module(f"{name}.{attribute}")
        else:  # anything else the __init__ defines: run it, once
            package.__dict__.pop("__getattr__", None)
            loader.exec_module(package)
            return getattr(package, attribute)
        setattr(package, attribute, value)
        return value

    package.__dict__["__getattr__"] = __getattr__
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    setattr(importlib.import_module(parent), child, package)


for _package in LAZY_PACKAGES:
    lazy_package(_package)

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response  # noqa: E402

__all__ = ["APIGatewayRestResolver", "Response", "lazy_package"]
