"""The caller as a user of the app (or as the app's backend)."""

from __future__ import annotations

from orgplane.caller import Caller
from orgplane.models.members import Me, ServiceMe


def me(caller: Caller) -> Me | ServiceMe:
    if caller.is_service:
        return ServiceMe(client_id=str(caller.client_id), app_id=caller.app_id, scopes=list(caller.scopes))
    return Me(user_id=caller.user_id, email=caller.verified_email, app_id=caller.app_id, support=caller.support)
