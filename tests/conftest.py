"""Fixtures every tier shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server on 127.0.0.1 that webhook deliveries reach (``fail`` refuses an org's next N)."""
    running = Receiver()
    yield running
    running.close()
