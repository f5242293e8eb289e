"""``GET`` / ``PATCH /admin/settings`` (support only): the app's settings read consistently, and changed in one
transaction with the role counters and the audit event. The cached read every request uses is
:mod:`orgplane.services.settings`.
"""

from __future__ import annotations

from typing import Any

from orgplane import access, clock
from orgplane.caller import Caller
from orgplane.models.settings import AppSettings, UpdateSettings
from orgplane.services import audit, events, role_usage
from orgplane.services.settings import forget, with_defaults
from orgplane.store import app_settings
from orgplane.store.transaction import Transaction, retrying


def get(caller: Caller) -> AppSettings:
    """The stored settings with their defaults, read consistently (not from the cache)."""
    access.require_support(caller)
    return _read(caller.app_id)[1]


def patch(caller: Caller, body: UpdateSettings) -> AppSettings:
    """Change the fields given, in one transaction with the role counters and the audit event."""
    access.require_support(caller)
    try:
        with events.guessing():  # number the app's events from the container's last known counter
            return retrying(lambda: _patch(caller, body))
    finally:
        forget(caller.app_id)


def _read(app_id: str) -> tuple[dict[str, Any] | None, AppSettings]:
    item = app_settings.read(app_id)
    return item, with_defaults(item)


def _patch(caller: Caller, body: UpdateSettings) -> AppSettings:
    app_id = caller.app_id
    item, current = _read(app_id)
    stored = current.model_dump(mode="json", by_alias=True)
    given = body.model_dump(mode="json", by_alias=True, include=body.model_fields_set)
    if body.invitation_email is not None:  # merged: only the email fields given change
        email = body.invitation_email
        given["invitation_email"] = {**stored["invitation_email"],
                                     **email.model_dump(mode="json", by_alias=True, include=email.model_fields_set)}
    updated = AppSettings.model_validate({**stored, **given})
    details = _changes(current, updated)
    if not details:
        return current
    tx = Transaction()
    app_settings.replace(tx, app_id, updated.model_dump(mode="json", by_alias=True),
                         seen=item.get("version") if item else None, at=clock.iso(), by=caller.user_id)
    if "roles" in details:
        for role in sorted(set(current.roles) - set(updated.roles)):
            role_usage.undefine(tx, app_id, role)
        for role in sorted(updated.roles):
            role_usage.define(tx, app_id, role)
    audit.record(tx, caller, None, "settings.updated", "settings", app_id, details,
                 updated.audit_retention_days)
    tx.commit()
    return updated


def _changes(before: AppSettings, after: AppSettings) -> dict[str, Any]:
    """The audit details of a change: old and new values; for roles, which were added, removed, changed."""
    old, new = before.model_dump(mode="json", by_alias=True), after.model_dump(mode="json", by_alias=True)
    details: dict[str, Any] = {}
    for name, value in new.items():
        if value == old.get(name):
            continue
        if name == "roles":
            details["roles"] = {
                "added": sorted(set(value) - set(old["roles"])),
                "removed": sorted(set(old["roles"]) - set(value)),
                "changed": sorted(r for r in set(value) & set(old["roles"]) if value[r] != old["roles"][r]),
            }
        else:
            details[name] = {"from": old.get(name), "to": value}
    return details
