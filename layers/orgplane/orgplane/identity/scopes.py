"""What a service principal's OAuth2 scopes allow: the one mapping of scopes onto routes.

A service (an app's own backend, calling with a client-credentials access token) acts with the powers of
the app's support staff, narrowed by its scopes:

- ``orgplane/read``: every ``GET`` route of the app (``/admin/*`` reads included) and the read-only
  ``POST`` routes in :data:`READ_ONLY_POSTS` (``POST /authz/check`` answers questions, changes nothing);
- ``orgplane/write``: everything support staff may do (every route), settings included.

Any other scope gives nothing. The authorizer passes only the scopes named here.
"""

from __future__ import annotations

from collections.abc import Iterable

READ = "orgplane/read"
WRITE = "orgplane/write"
KNOWN: tuple[str, ...] = (READ, WRITE)

#: ``POST`` routes that change nothing (the ``orgplane/read`` scope allows them; no ``Idempotency-Key``):
#: a check answers questions, an org token is minted fresh each time (and is for members, never services).
READ_ONLY_POSTS: frozenset[str] = frozenset({"/authz/check", "/orgs/{org_id}/token"})


def parse(value: object) -> tuple[str, ...]:
    """The known scopes in a ``scope`` claim (space-separated string or list), sorted, each once."""
    if isinstance(value, str):
        names: Iterable[object] = value.split()
    elif isinstance(value, list):
        names = value
    else:
        return ()
    return tuple(s for s in KNOWN if s in {n for n in names if isinstance(n, str)})


def required(method: str, path: str) -> str:
    """The scope a route needs (``path`` as the template declares it, ``{param}`` segments and all)."""
    if method.upper() in ("GET", "HEAD") or (method.upper() == "POST" and path in READ_ONLY_POSTS):
        return READ
    return WRITE


def allows(scopes: Iterable[str], method: str, path: str) -> bool:
    """Whether ``scopes`` allow ``method path``; ``orgplane/write`` includes everything read allows."""
    held = set(scopes)
    return WRITE in held or required(method, path) in held
