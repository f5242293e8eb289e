"""Live authorization checks for the app's backend: ``POST /authz/check``.

Each check asks whether ``user_id`` holds ``permission`` in ``org_id`` (on ``team_id``, when given) at
this moment. Every check's org, membership and team are read in one consistent ``BatchGetItem`` per
100 distinct keys (:func:`orgplane.store.table.batch_get`), so 100 checks cost at most three requests,
however many orgs and users they name; nothing is cached, so a removal or a role change shows in the
very next check. Unknown orgs, orgs of other apps (their keys cannot be formed from the caller's app)
and non-members are ``allowed: false``, never an error of the check.
"""

from __future__ import annotations

from orgplane import access, ids, keys
from orgplane.caller import Caller
from orgplane.errors import forbidden
from orgplane.identity import subjects
from orgplane.models.authz import Check, CheckRequest, CheckResponse, CheckResult
from orgplane.services import settings as app_settings
from orgplane.services.teams import MAINTAINER
from orgplane.store import records, table

#: Org permissions a team's maintainer holds on that team (DESIGN section 5)
MAINTAINER_PERMISSIONS = frozenset({"team:member:manage", "team:update"})


def check(caller: Caller, body: CheckRequest) -> CheckResponse:
    """A user may check only themselves (``me`` or their own id); services and support staff anyone."""
    checks = [c.model_copy(update={"user_id": caller.resolve_user(c.user_id)}) for c in body.checks]
    if not caller.support and any(not caller.is_self(c.user_id) for c in checks):
        raise forbidden("You can check only your own permissions (user_id \"me\").")
    app_id = caller.app_id
    wanted = [_keys(app_id, c) for c in checks]
    found = iter(table.batch_get([key for group in wanted for key in group]))
    book = app_settings.roles(app_id)
    results = []
    for c, group in zip(checks, wanted, strict=True):
        items = [next(found) for _ in group]
        results.append(_judge(book, c, *items) if items else CheckResult(allowed=False, role=None, team_role=None))
    return CheckResponse(results=results)


def _keys(app_id: str, c: Check) -> list[dict[str, str]]:
    """The org, the membership and (with ``team_id``) the team: none for an id that cannot exist (a user id
    no token can carry would make a key DynamoDB refuses: it is nobody)."""
    if not ids.is_valid("org", c.org_id) or (c.team_id is not None and not ids.is_valid("team", c.team_id)) \
            or not subjects.could_be(c.user_id):
        return []
    group = [keys.org(app_id, c.org_id), keys.member(app_id, c.org_id, c.user_id)]
    if c.team_id is not None:
        group.append(keys.team(app_id, c.org_id, c.team_id))
    return group


def _judge(book: access.RoleBook, c: Check, org: dict[str, object] | None, membership: dict[str, object] | None,
           team: dict[str, object] | None = None) -> CheckResult:
    if org is None or membership is None:
        return CheckResult(allowed=False, role=None, team_role=None)
    role = str(membership["role"])
    team_role = records.member_teams(membership).get(c.team_id) if c.team_id and team is not None else None
    allowed = c.permission in book.permissions(role) or (
        team_role == MAINTAINER and c.permission in MAINTAINER_PERMISSIONS)
    return CheckResult(allowed=allowed, role=role, team_role=team_role)
