"""Service tier: domain services on an in-process moto DynamoDB built from template.yaml."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from devserver import moto_isolation
from tests.support import world
from tests.support.documented_codes import documented_problems  # noqa: F401  (autouse: problems are documented)


@pytest.fixture(autouse=True)
def aws() -> Iterator[None]:
    # moto checks a write's condition apart from applying it and rolls a failed transaction back by
    # restoring a copy of the whole table; AWS isolates writes. The real engine's behaviour under races
    # is proven by the same tests on DynamoDB Local (tests/ddblocal).
    moto_isolation.install()
    with world.environment(), mock_aws():
        world.create_table(world.TEST_ENV["TABLE_NAME"])
        yield
