"""App settings: read from the table with defaults, cached briefly in memory.

The routes that read and change them (``GET`` / ``PATCH /admin/settings``) are
:mod:`orgplane.services.settings_admin`; this cache half imports no audit or role counters, so
tenancy and every service may depend on it.
"""

from __future__ import annotations

from typing import Any

from orgplane import clock, keys
from orgplane.access import RoleBook
from orgplane.config import settings as deployment
from orgplane.models.settings import AppSettings
from orgplane.store import table

_cache: dict[str, tuple[float, AppSettings]] = {}


def load(app_id: str) -> AppSettings:
    hit = _cache.get(app_id)
    now = clock.timestamp()
    if hit and hit[0] > now:
        return hit[1]
    item = table.get(keys.settings(app_id), consistent=False)
    value = with_defaults(item)
    _cache[app_id] = (now + deployment().settings_cache_seconds, value)
    return value


def roles(app_id: str) -> RoleBook:
    return RoleBook.of({name: role.permissions for name, role in load(app_id).roles.items()})


def forget(app_id: str | None = None) -> None:
    """Drop cached settings (after a change in this container, and in tests)."""
    if app_id is None:
        _cache.clear()
    else:
        _cache.pop(app_id, None)


def with_defaults(item: dict[str, Any] | None) -> AppSettings:
    """Stored settings over the defaults; the stack's ``AuditRetentionDays`` is the default retention."""
    defaults = {"audit_retention_days": deployment().audit_retention_days}
    return AppSettings.model_validate({**defaults, **(keys.strip(item) if item else {})})
