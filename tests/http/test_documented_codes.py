"""The HTTP tier checks every problem it receives against the route's documented codes."""

from __future__ import annotations

import pytest

from tests.http.client import Client, Response
from tests.support.documented_codes import DocumentedCodes


def problem(status: int, code: str) -> Response:
    return Response(status, {"content-type": "application/problem+json"}, {"code": code, "status": status})


def test_every_client_of_the_tier_checks_the_codes_it_receives(api: Client) -> None:
    assert any(getattr(o, "__self__", None).__class__ is DocumentedCodes for o in api.observers)


def test_a_code_the_route_does_not_list_fails_naming_route_status_and_code(api: Client) -> None:
    documented = DocumentedCodes(api.get("/openapi.json").json)
    documented.check("GET", "/orgs/org_1", problem(404, "org_not_found"))
    with pytest.raises(AssertionError, match=r"GET /orgs/\{org_id\} answered 404 'team_not_found'"):
        documented.check("GET", "/orgs/org_1", problem(404, "team_not_found"))
    with pytest.raises(AssertionError, match="409"):
        documented.check("GET", "/me", problem(409, "slug_taken"))


def test_paths_resolve_to_their_template_literal_segments_first(api: Client) -> None:
    documented = DocumentedCodes(api.get("/openapi.json").json)
    assert documented.route("/invitations/accept") == "/invitations/accept"
    assert documented.route("/invitations/inv_1/accept") == "/invitations/{invitation_id}/accept"
    assert documented.route("/orgs/o/teams/t/members/u?x=1") == "/orgs/{org_id}/teams/{team_id}/members/{user_id}"
    assert documented.route("/no/such/route") is None
