"""The local server builds every model before it answers: it serves requests in threads, and pydantic's
deferred build (the layer's ``defer_build``, right for one-request-at-a-time Lambda) is not thread-safe."""

from __future__ import annotations

from devserver.loader import build_every_model, layer_models


def test_after_the_build_no_model_of_the_layer_is_left_to_build_at_request_time() -> None:
    build_every_model()
    models = layer_models()
    assert len(models) > 50  # every model module was walked
    assert [m.__qualname__ for m in models if not m.__pydantic_complete__] == []
    assert build_every_model() == 0  # nothing left for a second call
