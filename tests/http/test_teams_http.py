"""Teams through the local server: CRUD, unique names, team roles, only org members join, the team
limit, exact counts, cascades seen by the very next request, the permissions view, and isolation
between orgs and apps (docs/teams.md, DESIGN section 6)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.http.client import Client, Response
from tests.http.expect import assert_problem, ok, unique

TEAM_FIELDS = {"id", "org_id", "name", "description", "member_count", "created_at", "updated_at"}
TEAM_MEMBER_FIELDS = {"team_id", "user_id", "role", "added_at"}


class User:
    def __init__(self, api: Client, prefix: str, app: str = "demo") -> None:
        self.sub = unique(prefix)
        self.token = api.token(app=app, sub=self.sub)


class Org:
    """An org with its owner, on the shared server; members join it through an accepted invitation."""

    def __init__(self, api: Client, app: str = "demo") -> None:
        self.api = api
        self.app = app
        self.owner = User(api, "owner", app)
        self.body = ok(api.post("/orgs", token=self.owner.token, json={"name": "Acme", "slug": unique("acme")}), 201)
        self.id: str = self.body["id"]
        self.path = f"/orgs/{self.id}"

    def join(self, prefix: str, role: str = "member") -> User:
        user = User(self.api, prefix, self.app)
        invitation = ok(self.api.post(f"{self.path}/invitations", token=self.owner.token,
                                      json={"email": f"{user.sub}@example.com", "role": role}), 201)
        member = ok(self.api.post(f"/invitations/{invitation['id']}/accept", token=user.token))
        assert (member["user_id"], member["role"]) == (user.sub, role)
        return user

    def create_team(self, name: str, token: str | None = None, **fields: Any) -> Response:
        return self.api.post(f"{self.path}/teams", token=token or self.owner.token, json={"name": name, **fields})

    def team(self, name: str | None = None) -> dict[str, Any]:
        team: dict[str, Any] = ok(self.create_team(name or unique("Team")), 201)
        return team

    def get_team(self, team_id: str, token: str | None = None) -> Response:
        return self.api.get(f"{self.path}/teams/{team_id}", token=token or self.owner.token)

    def put(self, team_id: str, user_id: str, role: str | None = None, token: str | None = None) -> Response:
        return self.api.put(f"{self.path}/teams/{team_id}/members/{user_id}", token=token or self.owner.token,
                            json={} if role is None else {"role": role})

    def take_off(self, team_id: str, user_id: str, token: str | None = None) -> Response:
        return self.api.delete(f"{self.path}/teams/{team_id}/members/{user_id}", token=token or self.owner.token)

    def roster(self, team_id: str, token: str | None = None) -> dict[str, str]:
        listed = ok(self.api.get(f"{self.path}/teams/{team_id}/members", token=token or self.owner.token))
        assert listed["next_cursor"] is None
        return {m["user_id"]: m["role"] for m in listed["data"]}

    def member_count(self, team_id: str) -> int:
        return int(ok(self.get_team(team_id))["member_count"])

    def team_names(self) -> list[str]:
        return [t["name"] for t in ok(self.api.get(f"{self.path}/teams", token=self.owner.token))["data"]]

    def team_count(self) -> int:
        return int(ok(self.api.get(self.path, token=self.owner.token))["team_count"])

    def teams_of(self, user: User) -> list[tuple[str, str]]:
        """The caller's teams as ``GET /orgs/{org_id}/permissions`` shows them, sorted."""
        view = ok(self.api.get(f"{self.path}/permissions", token=user.token))
        return sorted((t["team_id"], t["role"]) for t in view["teams"])


@pytest.fixture
def org(api: Client) -> Org:
    return Org(api)


@pytest.fixture(scope="module")
def shared(server: Client) -> Org:
    """One org, with one team, for the tests that only send refused requests (and check that nothing changed)."""
    return Org(server)


@pytest.fixture(scope="module")
def shared_team(shared: Org) -> dict[str, Any]:
    return shared.team("Shared")


# --- CRUD -------------------------------------------------------------------------------------


def test_create_is_201_with_the_team_object_and_every_member_reads_it(api: Client, org: Org) -> None:
    bob = org.join("bob")
    team = ok(org.create_team("Platform", description="Runs the platform."), 201)
    assert set(team) == TEAM_FIELDS
    assert team["id"].startswith("team_") and team["org_id"] == org.id
    assert (team["name"], team["description"], team["member_count"]) == ("Platform", "Runs the platform.", 0)
    assert team["created_at"].endswith("Z") and team["updated_at"] == team["created_at"]
    assert ok(org.get_team(team["id"], token=bob.token)) == team
    listed = ok(api.get(f"{org.path}/teams", token=bob.token))
    assert listed == {"data": [team], "next_cursor": None}
    assert org.team_count() == 1


def test_teams_are_listed_oldest_first_in_pages(api: Client, org: Org) -> None:
    created = [org.team(f"Team {n}")["id"] for n in range(3)]
    first = ok(api.get(f"{org.path}/teams?limit=2", token=org.owner.token))
    assert [t["id"] for t in first["data"]] == created[:2] and first["next_cursor"]
    rest = ok(api.get(f"{org.path}/teams?limit=2&cursor={first['next_cursor']}", token=org.owner.token))
    assert [t["id"] for t in rest["data"]] == created[2:] and rest["next_cursor"] is None


def test_patch_renames_and_a_null_description_clears_it(api: Client, org: Org) -> None:
    team = ok(org.create_team("Platform", description="Old."), 201)
    path = f"{org.path}/teams/{team['id']}"
    renamed = ok(api.patch(path, token=org.owner.token, json={"name": "Core", "description": "New."}))
    assert (renamed["id"], renamed["name"], renamed["description"]) == (team["id"], "Core", "New.")
    assert renamed["created_at"] == team["created_at"] and renamed["updated_at"] >= team["updated_at"]
    cleared = ok(api.patch(path, token=org.owner.token, json={"description": None}))
    assert (cleared["name"], cleared["description"]) == ("Core", None)
    assert ok(org.get_team(team["id"])) == cleared


@pytest.mark.parametrize("body", [{}, {"name": None}, {"name": ""}, {"name": "x" * 101},
                                  {"description": "d" * 501}, {"name": "A", "surprise": True}])
def test_a_bad_patch_is_400_and_changes_nothing(api: Client, shared: Org, shared_team: dict[str, Any],
                                                body: dict[str, Any]) -> None:
    assert_problem(api.patch(f"{shared.path}/teams/{shared_team['id']}", token=shared.owner.token, json=body), 400,
                   "validation_error")
    assert ok(shared.get_team(shared_team["id"])) == shared_team


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": 5}, {"name": "x" * 101},
                                  {"name": "A", "description": "d" * 501}, {"name": "A", "members": ["bob"]}])
def test_a_bad_create_body_is_400_and_creates_nothing(api: Client, shared: Org, body: dict[str, Any]) -> None:
    names, count = shared.team_names(), shared.team_count()
    assert_problem(api.post(f"{shared.path}/teams", token=shared.owner.token, json=body), 400, "validation_error")
    assert shared.team_names() == names and shared.team_count() == count


def test_delete_is_204_and_the_team_is_gone_from_every_read_at_once(api: Client, org: Org) -> None:
    bob = org.join("bob")
    kept, doomed = org.team("Kept"), org.team("Doomed")
    ok(org.put(doomed["id"], bob.sub, "maintainer"))
    ok(org.put(kept["id"], bob.sub))
    path = f"{org.path}/teams/{doomed['id']}"
    deleted = api.delete(path, token=org.owner.token)
    assert deleted.status == 204 and deleted.json is None
    assert_problem(api.get(path, token=bob.token), 404, "team_not_found")
    assert_problem(api.get(f"{path}/members", token=bob.token), 404, "team_not_found")
    assert [t["id"] for t in ok(api.get(f"{org.path}/teams", token=bob.token))["data"]] == [kept["id"]]
    assert org.teams_of(bob) == [(kept["id"], "member")]
    assert org.team_count() == 1
    assert_problem(api.patch(path, token=org.owner.token, json={"name": "Back"}), 404, "team_not_found")
    assert_problem(org.put(doomed["id"], bob.sub), 404, "team_not_found")
    assert_problem(api.delete(path, token=org.owner.token), 404, "team_not_found")


# --- names ------------------------------------------------------------------------------------


def test_team_names_are_unique_per_org_case_insensitively(api: Client, org: Org) -> None:
    org.team("Platform Team")
    for taken in ("platform team", "  PLATFORM   TEAM ", "pLaTfOrM tEaM"):
        assert_problem(org.create_team(taken), 409, "team_name_taken")
    assert org.team_names() == ["Platform Team"] and org.team_count() == 1
    elsewhere = Org(api)
    assert ok(elsewhere.create_team("Platform Team"), 201)["name"] == "Platform Team"


def test_a_rename_to_a_taken_name_is_409_and_changes_nothing(api: Client, org: Org) -> None:
    org.team("Platform")
    security = org.team("Security")
    refused = api.patch(f"{org.path}/teams/{security['id']}", token=org.owner.token,
                        json={"name": " PLATFORM ", "description": "Taken over."})
    assert_problem(refused, 409, "team_name_taken")
    assert ok(org.get_team(security["id"])) == security
    assert org.team_names() == ["Platform", "Security"]


def test_a_renamed_or_deleted_teams_old_name_is_free_at_once(api: Client, org: Org) -> None:
    team = org.team("Platform")
    ok(api.patch(f"{org.path}/teams/{team['id']}", token=org.owner.token, json={"name": "Core"}))
    assert_problem(org.create_team("CORE"), 409, "team_name_taken")
    assert ok(org.create_team("platform"), 201)["name"] == "platform"
    assert api.delete(f"{org.path}/teams/{team['id']}", token=org.owner.token).status == 204
    assert ok(org.create_team("core"), 201)["name"] == "core"
    assert org.team_names() == ["platform", "core"]


def test_a_case_only_rename_of_a_team_keeps_its_name(api: Client, org: Org) -> None:
    team = org.team("platform")
    assert ok(api.patch(f"{org.path}/teams/{team['id']}", token=org.owner.token,
                        json={"name": "Platform"}))["name"] == "Platform"
    assert_problem(org.create_team("PLATFORM"), 409, "team_name_taken")


# --- team members and roles -------------------------------------------------------------------


def test_put_adds_an_org_member_then_changes_their_team_role(org: Org) -> None:
    bob = org.join("bob")
    team = org.team()
    added = ok(org.put(team["id"], bob.sub))
    assert set(added) == TEAM_MEMBER_FIELDS and added["added_at"].endswith("Z")
    assert (added["team_id"], added["user_id"], added["role"]) == (team["id"], bob.sub, "member")
    assert ok(org.put(team["id"], bob.sub, "member")) == added  # the same role again changes nothing
    changed = ok(org.put(team["id"], bob.sub, "maintainer"))
    assert changed == {**added, "role": "maintainer"}
    assert org.roster(team["id"], token=bob.token) == {bob.sub: "maintainer"}
    assert org.member_count(team["id"]) == 1


@pytest.mark.parametrize("role", ["owner", "admin", "MEMBER", "", ["member"], "maintainer,member", None])
def test_a_team_role_is_maintainer_or_member(api: Client, shared: Org, shared_team: dict[str, Any], role: Any) -> None:
    refused = api.put(f"{shared.path}/teams/{shared_team['id']}/members/me", token=shared.owner.token,
                      json={"role": role})
    assert_problem(refused, 400, "validation_error")
    assert shared.roster(shared_team["id"]) == {} and shared.member_count(shared_team["id"]) == 0


def test_only_org_members_join_a_team(api: Client, org: Org) -> None:
    maintainer = org.join("maintainer")
    team = org.team()
    ok(org.put(team["id"], maintainer.sub, "maintainer"))
    stranger = User(api, "stranger")
    assert_problem(org.put(team["id"], stranger.sub), 409, "not_org_member")
    assert_problem(org.put(team["id"], stranger.sub, token=maintainer.token), 409, "not_org_member")
    assert org.roster(team["id"]) == {maintainer.sub: "maintainer"} and org.member_count(team["id"]) == 1
    assert_problem(api.get(f"{org.path}/permissions", token=stranger.token), 404, "org_not_found")


def test_a_maintainer_edits_their_team_and_its_members_and_nothing_else(api: Client, org: Org) -> None:
    bob, carol, dave = org.join("bob"), org.join("carol"), org.join("dave")
    mine, other = org.team("Mine"), org.team("Other")
    ok(org.put(mine["id"], bob.sub, "maintainer"))
    ok(org.put(other["id"], dave.sub))

    assert ok(org.put(mine["id"], carol.sub, token=bob.token))["role"] == "member"
    assert ok(org.put(mine["id"], carol.sub, "maintainer", token=bob.token))["role"] == "maintainer"
    assert ok(org.put(mine["id"], carol.sub, "member", token=bob.token))["role"] == "member"
    renamed = ok(api.patch(f"{org.path}/teams/{mine['id']}", token=bob.token,
                           json={"name": "Ours", "description": "Bob's."}))
    assert (renamed["name"], renamed["description"]) == ("Ours", "Bob's.")
    assert org.take_off(mine["id"], carol.sub, token=bob.token).status == 204
    assert org.roster(mine["id"]) == {bob.sub: "maintainer"}

    assert_problem(org.put(other["id"], carol.sub, token=bob.token), 403, "forbidden")
    assert_problem(org.put(other["id"], dave.sub, "maintainer", token=bob.token), 403, "forbidden")
    assert_problem(org.take_off(other["id"], dave.sub, token=bob.token), 403, "forbidden")
    assert_problem(api.patch(f"{org.path}/teams/{other['id']}", token=bob.token, json={"name": "Taken"}), 403,
                   "forbidden")
    assert org.roster(other["id"]) == {dave.sub: "member"} and ok(org.get_team(other["id"]))["name"] == "Other"
    assert_problem(org.create_team("New", token=bob.token), 403, "forbidden")  # nor create or delete teams
    assert_problem(api.delete(f"{org.path}/teams/{mine['id']}", token=bob.token), 403, "forbidden")
    assert org.team_names() == ["Ours", "Other"]


def test_a_plain_team_member_or_org_member_reads_teams_but_gets_403_managing_them(api: Client, org: Org) -> None:
    bob, carol = org.join("bob"), org.join("carol")
    team = org.team("Platform")
    ok(org.put(team["id"], bob.sub))
    path = f"{org.path}/teams/{team['id']}"
    for user in (bob, carol):  # bob is on the team as a member, carol is only in the org
        assert ok(org.get_team(team["id"], token=user.token))["name"] == "Platform"
        assert org.roster(team["id"], token=user.token) == {bob.sub: "member"}
        assert_problem(org.create_team("Mine", token=user.token), 403, "forbidden")
        assert_problem(api.patch(path, token=user.token, json={"name": "Mine"}), 403, "forbidden")
        assert_problem(api.delete(path, token=user.token), 403, "forbidden")
        assert_problem(org.put(team["id"], "me", "maintainer", token=user.token), 403, "forbidden")
    assert_problem(org.put(team["id"], carol.sub, token=bob.token), 403, "forbidden")
    assert_problem(org.take_off(team["id"], bob.sub, token=carol.token), 403, "forbidden")
    assert org.roster(team["id"]) == {bob.sub: "member"} and org.team_names() == ["Platform"]
    after = ok(org.get_team(team["id"]))
    assert (after["name"], after["description"], after["member_count"]) == ("Platform", None, 1)


def test_an_org_admin_manages_every_team(api: Client, org: Org) -> None:
    admin, bob = org.join("admin", role="admin"), org.join("bob")
    team = ok(org.create_team("Platform", token=admin.token), 201)
    assert ok(org.put(team["id"], bob.sub, "maintainer", token=admin.token))["role"] == "maintainer"
    assert ok(api.patch(f"{org.path}/teams/{team['id']}", token=admin.token, json={"name": "Core"}))["name"] == "Core"
    assert org.take_off(team["id"], bob.sub, token=admin.token).status == 204
    assert api.delete(f"{org.path}/teams/{team['id']}", token=admin.token).status == 204
    assert org.team_names() == []


def test_a_maintainer_can_step_down_but_not_back_up(org: Org) -> None:
    bob = org.join("bob")
    team = org.team()
    ok(org.put(team["id"], bob.sub, "maintainer"))
    stepped_down = ok(org.put(team["id"], "me", "member", token=bob.token))
    assert (stepped_down["user_id"], stepped_down["role"]) == (bob.sub, "member")
    assert_problem(org.put(team["id"], "me", "maintainer", token=bob.token), 403, "forbidden")
    assert org.roster(team["id"]) == {bob.sub: "member"}


def test_anyone_on_a_team_can_leave_it_by_me_or_their_own_id(org: Org) -> None:
    bob = org.join("bob")
    team = org.team()
    ok(org.put(team["id"], bob.sub))
    left = org.take_off(team["id"], "me", token=bob.token)
    assert left.status == 204 and left.json is None
    assert org.roster(team["id"]) == {} and org.member_count(team["id"]) == 0 and org.teams_of(bob) == []
    assert_problem(org.take_off(team["id"], "me", token=bob.token), 404, "member_not_found")
    ok(org.put(team["id"], bob.sub))
    assert org.take_off(team["id"], bob.sub, token=bob.token).status == 204
    assert org.roster(team["id"]) == {} and org.teams_of(bob) == []


def test_taking_off_someone_who_is_not_on_the_team_is_404_member_not_found(api: Client, org: Org) -> None:
    bob = org.join("bob")
    team = org.team()
    assert_problem(org.take_off(team["id"], bob.sub), 404, "member_not_found")
    assert_problem(org.take_off(team["id"], unique("nobody")), 404, "member_not_found")
    assert org.member_count(team["id"]) == 0


def test_the_member_count_is_exact_after_adds_role_changes_and_removals(api: Client, org: Org) -> None:
    bob, carol = org.join("bob"), org.join("carol")
    team = org.team()
    for user in (bob, carol, org.owner):
        ok(org.put(team["id"], user.sub))
    ok(org.put(team["id"], carol.sub))
    ok(org.put(team["id"], carol.sub, "maintainer"))
    assert org.member_count(team["id"]) == 3 == len(org.roster(team["id"]))
    assert org.take_off(team["id"], org.owner.sub).status == 204
    assert org.member_count(team["id"]) == 2
    assert api.delete(f"{org.path}/members/{bob.sub}", token=org.owner.token).status == 204
    assert org.member_count(team["id"]) == 1
    assert org.roster(team["id"]) == {carol.sub: "maintainer"}
    listed = ok(api.get(f"{org.path}/teams", token=org.owner.token))["data"]
    assert [t["member_count"] for t in listed] == [1]


# --- cascades ---------------------------------------------------------------------------------


def test_a_removed_org_member_vanishes_from_every_team_list_at_once(api: Client, org: Org) -> None:
    bob, carol = org.join("bob"), org.join("carol")
    teams = [org.team(f"Team {n}") for n in range(3)]
    for team in teams:
        ok(org.put(team["id"], bob.sub, "maintainer" if team is teams[0] else "member"))
        ok(org.put(team["id"], carol.sub))
    assert org.teams_of(bob) == sorted([(teams[0]["id"], "maintainer"), (teams[1]["id"], "member"),
                                        (teams[2]["id"], "member")])
    assert api.delete(f"{org.path}/members/{bob.sub}", token=org.owner.token).status == 204
    for team in teams:  # the very next reads
        assert org.roster(team["id"], token=carol.token) == {carol.sub: "member"}
        assert org.member_count(team["id"]) == 1
    assert_problem(api.get(f"{org.path}/permissions", token=bob.token), 404, "org_not_found")
    assert_problem(org.put(teams[1]["id"], bob.sub), 409, "not_org_member")
    support = api.token(sub=unique("support"), groups=["support"])
    assert ok(api.get(f"/admin/users/{bob.sub}", token=support))["team_memberships"] == []
    invitation = ok(api.post(f"{org.path}/invitations", token=org.owner.token,
                             json={"email": f"{bob.sub}@example.com"}), 201)
    ok(api.post(f"/invitations/{invitation['id']}/accept", token=bob.token))
    assert org.teams_of(bob) == []  # back in the org, on no team until added again
    assert [org.member_count(team["id"]) for team in teams] == [1, 1, 1]


def test_a_member_leaving_the_org_vanishes_from_every_team_list_at_once(api: Client, org: Org) -> None:
    bob, carol = org.join("bob"), org.join("carol")
    first, second = org.team("First"), org.team("Second")
    for team in (first, second):
        ok(org.put(team["id"], bob.sub, "maintainer"))
        ok(org.put(team["id"], carol.sub))
    assert api.delete(f"{org.path}/members/me", token=bob.token).status == 204
    for team in (first, second):
        assert org.roster(team["id"], token=carol.token) == {carol.sub: "member"}
        assert org.member_count(team["id"]) == 1
    assert org.teams_of(carol) == sorted([(first["id"], "member"), (second["id"], "member")])
    assert_problem(api.get(f"{org.path}/permissions", token=bob.token), 404, "org_not_found")
    assert_problem(org.take_off(first["id"], bob.sub), 404, "member_not_found")


# --- permissions view -------------------------------------------------------------------------


def test_permissions_list_the_callers_teams_with_their_roles(api: Client, org: Org) -> None:
    bob, carol = org.join("bob"), org.join("carol")
    first, second, third = org.team("First"), org.team("Second"), org.team("Third")
    ok(org.put(first["id"], bob.sub, "maintainer"))
    ok(org.put(second["id"], bob.sub))
    ok(org.put(third["id"], carol.sub))
    view = ok(api.get(f"{org.path}/permissions", token=bob.token))
    assert view["role"] == "member" and "org:read" in view["permissions"]
    assert sorted((t["team_id"], t["role"]) for t in view["teams"]) == sorted(
        [(first["id"], "maintainer"), (second["id"], "member")])
    assert all(set(t) == {"team_id", "role"} for t in view["teams"])
    assert org.teams_of(carol) == [(third["id"], "member")]
    assert org.teams_of(org.owner) == []
    ok(org.put(second["id"], bob.sub, "maintainer"))
    assert org.take_off(first["id"], bob.sub).status == 204
    assert org.teams_of(bob) == [(second["id"], "maintainer")]


# --- the team limit ---------------------------------------------------------------------------


def test_the_team_limit_is_409_team_limit_reached_and_a_deletion_frees_a_place(api: Client) -> None:
    # Settings are app-wide: this test uses the `other` app, which no other test gives teams, and puts the
    # setting back (tests sharing one server run one at a time).
    support = api.token(app="other", sub=unique("support"), groups=["support"])
    before = ok(api.get("/admin/settings", token=support))["max_teams_per_org"]
    org = Org(api, app="other")
    elsewhere = Org(api, app="other")
    ok(api.patch("/admin/settings", token=support, json={"max_teams_per_org": 2}))
    try:
        first = org.team("One")
        org.team("Two")
        assert_problem(org.create_team("Three"), 409, "team_limit_reached")
        assert org.team_names() == ["One", "Two"] and org.team_count() == 2
        assert ok(elsewhere.create_team("Three"), 201)["name"] == "Three"  # the limit counts per org
        assert api.delete(f"{org.path}/teams/{first['id']}", token=org.owner.token).status == 204
        assert ok(org.create_team("Three"), 201)["name"] == "Three"
        assert_problem(org.create_team("Four"), 409, "team_limit_reached")
        assert org.team_names() == ["Two", "Three"]
    finally:
        ok(api.patch("/admin/settings", token=support, json={"max_teams_per_org": before}))


# --- isolation --------------------------------------------------------------------------------


def team_routes(org_path: str, team_id: str, user_id: str) -> list[tuple[str, str, Any]]:
    team = f"{org_path}/teams/{team_id}"
    return [("GET", team, None), ("PATCH", team, {"name": "Taken"}), ("DELETE", team, None),
            ("GET", f"{team}/members", None), ("PUT", f"{team}/members/{user_id}", {"role": "maintainer"}),
            ("DELETE", f"{team}/members/{user_id}", None)]


def test_a_team_id_of_another_org_is_404_team_not_found_under_this_orgs_path(api: Client, org: Org) -> None:
    bob = org.join("bob")
    theirs = Org(api)
    foreign = theirs.team("Theirs")
    admin = org.owner  # owns this org, so nothing but the team's org can refuse
    for method, path, body in team_routes(org.path, foreign["id"], bob.sub):
        assert_problem(api.request(method, path, token=admin.token, json=body), 404, "team_not_found")
    assert ok(theirs.get_team(foreign["id"])) == foreign and theirs.roster(foreign["id"]) == {}


@pytest.mark.parametrize("team_id", ["x", "team_", "team_01JD0000000000000000000000", "TEAM-x"])
def test_an_unknown_or_malformed_team_id_is_404_team_not_found(api: Client, shared: Org, team_id: str) -> None:
    for method, path, body in team_routes(shared.path, team_id, shared.owner.sub):
        assert_problem(api.request(method, path, token=shared.owner.token, json=body), 404, "team_not_found")


def test_every_team_route_is_404_for_a_caller_of_another_org_or_another_app(api: Client, org: Org) -> None:
    bob = org.join("bob")
    team = org.team("Platform")
    ok(org.put(team["id"], bob.sub))
    outsider = User(api, "outsider")
    ok(api.post("/orgs", token=outsider.token, json={"name": "Elsewhere", "slug": unique("elsewhere")}), 201)
    callers = {"another org": outsider.token,
               "another app": api.token(app="other", sub=org.owner.sub),
               "another app's support": api.token(app="other", sub=unique("support"), groups=["support"])}
    for label, token in callers.items():
        routes = [("GET", f"{org.path}/teams", None), ("POST", f"{org.path}/teams", {"name": "Mine"}),
                  *team_routes(org.path, team["id"], bob.sub)]
        for method, path, body in routes:
            response = api.request(method, path, token=token, json=body)
            assert response.code == "org_not_found", (label, method, path, response)
            assert_problem(response, 404, "org_not_found")
    after = ok(org.get_team(team["id"]))
    assert (after["name"], after["description"], after["member_count"]) == ("Platform", None, 1)
    assert org.team_names() == ["Platform"] and org.roster(team["id"]) == {bob.sub: "member"}


def test_support_staff_of_the_app_manage_teams_of_any_org(api: Client, org: Org) -> None:
    bob = org.join("bob")
    support = api.token(sub=unique("support"), groups=["support"])
    team = ok(org.create_team("Platform", token=support), 201)
    assert ok(org.put(team["id"], bob.sub, "maintainer", token=support))["role"] == "maintainer"
    assert org.roster(team["id"], token=support) == {bob.sub: "maintainer"}
    assert api.delete(f"{org.path}/teams/{team['id']}", token=support).status == 204
    assert org.team_names() == []
