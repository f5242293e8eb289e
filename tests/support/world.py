"""A table built from template.yaml, and callers to act with: shared by the moto and DynamoDB Local tiers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from devserver import template
from orgplane import clock, config
from orgplane.caller import Caller
from orgplane.identity import signing
from orgplane.services import delivery, events
from orgplane.services import settings as app_settings
from orgplane.store import table

TEST_ENV = {
    "TABLE_NAME": "orgplane-test",
    "ORGPLANE_SECRET": "test-secret-for-cursors-and-links",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "SETTINGS_CACHE_SECONDS": "0",
    "ORG_TOKEN_KEY_FILE": str(template.ROOT / ".local" / "keys" / "org-token-test.pem"),
    "ORG_TOKEN_ISSUER": "https://orgplane.test",
}


@contextmanager
def environment(extra: dict[str, str] | None = None) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in {**TEST_ENV, **(extra or {})}}
    os.environ.update({**TEST_ENV, **(extra or {})})
    config.reset()
    signing.reset()
    table.reset_client()
    delivery.reset_client()
    app_settings.forget()
    events.forget()  # a counter position kept from another test (its table, its clock) is no guess for this one
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        config.reset()
        table.reset_client()
        clock.reset()


def create_table(name: str) -> None:
    client = boto3.client("dynamodb")
    client.create_table(**template.table_definition(table_name=name))
    poll: Any = {"Delay": 0.2, "MaxAttempts": 50}  # the stubs say int seconds; botocore sleeps a float fine
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig=poll)
    ttl = template.ttl_attribute()
    if ttl:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl})


def caller(sub: str, app_id: str = "demo", email: str | None = None, support: bool = False,
           email_verified: bool = True) -> Caller:
    return Caller(app_id=app_id, user_id=sub, email=email or f"{sub}@example.com", email_verified=email_verified,
                  support=support, request_id=f"req-{sub}")


def put_settings(app_id: str, **values: Any) -> None:
    from orgplane import keys

    table.put({**keys.settings(app_id), "entity": "SETTINGS", **values})
    if values.get("roles"):  # defined roles have their holder counters, as the settings PATCH makes them
        from orgplane.services import role_usage
        from orgplane.store.transaction import Transaction

        tx = Transaction()
        for role in values["roles"]:
            role_usage.define(tx, app_id, role)
        tx.commit()
    app_settings.forget(app_id)


def items_of(partition: str) -> list[dict[str, Any]]:
    """Every item of one partition (tests inspect the table directly to prove nothing changed)."""
    return table.query_all(table.QuerySpec("PK", partition), max_items=100_000)


def add_member(org_id: str, user_id: str, role: str = "member", app_id: str = "demo") -> None:
    """Join a user the way an accepted invitation does (the domain's own write)."""
    from orgplane.services import members
    from orgplane.store.transaction import Transaction

    tx = Transaction()
    members.add_membership(tx, app_id, org_id, user_id, f"{user_id}@example.com", role, None, None)
    tx.commit()


def code_of(call: Callable[..., Any]) -> str:
    """The catalogue code of the ``DomainError`` that ``call`` raises (fails the test if none)."""
    import pytest

    from orgplane.errors import DomainError

    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code
