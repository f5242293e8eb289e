"""The caller as a user of the app."""

from __future__ import annotations

from orgplane.caller import Caller
from orgplane.models.members import Me


def me(caller: Caller) -> Me:
    return Me(user_id=caller.user_id, email=caller.verified_email, app_id=caller.app_id, support=caller.support)
