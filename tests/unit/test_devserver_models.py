"""The local server builds every model before it answers: it serves requests in threads, and pydantic's
deferred build (the layer's ``defer_build``, right for one-request-at-a-time Lambda) is not thread-safe."""

from __future__ import annotations

import importlib
import pkgutil

from pydantic import BaseModel

import orgplane.models as package
from devserver.loader import build_every_model


def _models() -> list[type[BaseModel]]:
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found += [value for value in vars(module).values()
                  if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__
                  and not value.__pydantic_generic_metadata__["parameters"]]
    return found


def test_after_the_build_no_model_of_the_layer_is_left_to_build_at_request_time() -> None:
    build_every_model()
    models = _models()
    assert len(models) > 50  # every model module was walked
    assert [m.__qualname__ for m in models if not m.__pydantic_complete__] == []
