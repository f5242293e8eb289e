"""``POST /authz/check``: may these users do these things in these orgs (and teams), now?"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from orgplane.access import PERMISSIONS
from orgplane.models.common import Request, Response

MAX_CHECKS = 100

Permission = Literal[PERMISSIONS]  # type: ignore[valid-type]
_UserId = Annotated[str, StringConstraints(min_length=1, max_length=255)]  # OpenID Connect's cap on ``sub``
_Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]  # org and team ids are 30 characters
#: room for the largest plausible body: 100 checks of the longest ids, each character JSON-escaped
MAX_BODY_BYTES = 256 * 1024


class Check(Request):
    user_id: _UserId
    org_id: _Id
    permission: Permission
    team_id: _Id | None = None


class CheckRequest(Request):
    checks: Annotated[list[Check], Field(min_length=1, max_length=MAX_CHECKS)]


class CheckResult(Response):
    allowed: bool
    role: str | None
    team_role: str | None


class CheckResponse(Response):
    results: list[CheckResult]
