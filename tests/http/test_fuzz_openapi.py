"""Property-based fuzzing of every operation of the served OpenAPI document (schemathesis).

Every operation gets a bounded, deterministic set of generated requests (valid and invalid bodies,
queries and path values) sent with the token of a real caller: the owner of a real org for
``/orgs/...``, where each path parameter is either a live resource of that org (its id, its team, a
pending invitation, a member) or the generated string; the invitee of a pending invitation for
``/invitations/...``; a support user for ``/admin/...``. Every response must be documented: no 5xx,
a status the operation declares, a body matching the operation's schema, and every error a
problem+json object with ``type, title, status, code, detail, request_id``.

The fuzzer runs against a local server of its own: it changes the app's settings and writes far more
than other tests, and the embedded moto copies the whole table on every transaction, so a shared
server would slow down for everyone after it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from schemathesis import Case, HookContext

from tests.http.client import Client
from tests.http.conftest import ROOT, running_server, server_env
from tests.http.expect import ok, unique

MAX_EXAMPLES = 15
SEED = 20_260_611
REAL = "FUZZREALID"
"""A generated path parameter with this value names the world's live resource of that name."""

CONFIG: dict[str, Any] = {
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                   "with-security-parameters": False},
    # coverage would add an unbounded number of boundary cases per operation; stateful is not per operation
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    # A schema-valid request may still be refused with a documented 400: the schema cannot say that a
    # cursor must be one this list issued, that a role must exist in the app, that a PATCH must change
    # something, or what an email address is. Such refusals are correct, so this one check is off.
    "checks": {"positive_data_acceptance": {"enabled": False}},
}

PROBLEM_FIELDS = ("type", "title", "status", "code", "detail", "request_id")


def built_document() -> dict[str, Any]:
    """The OpenAPI document as the server builds it (``python -m devserver openapi``), in a process of
    its own so that collection imports no handler here; a test proves it equals ``GET /openapi.json``."""
    result = subprocess.run([sys.executable, "-m", "devserver", "openapi"], cwd=ROOT, env=server_env(),
                            capture_output=True, text=True, check=True, timeout=120)
    return dict(json.loads(result.stdout))


DOCUMENT = built_document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(CONFIG))

PATH_ONLY = frozenset(
    f"{method.upper()} {path}" for path, methods in DOCUMENT["paths"].items() for method, operation in methods.items()
    if "requestBody" not in operation and all(p["in"] == "path" for p in operation.get("parameters", [])))
"""Operations whose only input is the path: every case naming live resources is the same request."""
PATH_ONLY_REAL_CASES = 3
"""Cases of a :data:`PATH_ONLY` operation that name live resources; later ones name unknown ids (a write
such as DELETE must not repeat a dozen times, each followed by a replenishing write)."""
UNKNOWN = {"org_id": "org_00000000000000000000000000", "team_id": "team_00000000000000000000000000",
           "invitation_id": "inv_00000000000000000000000000", "user_id": "fuzz-nobody",
           "transfer_id": "ot_00000000000000000000000000",
           "webhook_id": "wh_00000000000000000000000000", "delivery_id": "dlv_00000000000000000000000000",
           "link_id": "il_00000000000000000000000000",
           "domain": "unknown-domain.test", "request_id": "jr_00000000000000000000000000"}


@schema.hook
def flatmap_path_parameters(context: HookContext, path_parameters: dict[str, Any] | None) -> Any:
    """Each path parameter names the world's live resource, or keeps the generated value (then the
    case proves, e.g., that a real org with a made-up team id is a 404 and not a 500)."""
    if not path_parameters:
        return st.just(path_parameters)
    return st.fixed_dictionaries({name: st.sampled_from([REAL, value]) for name, value in path_parameters.items()})


@dataclass
class World:
    """An owner's org with a team, a second member and a pending invitation, kept alive while the
    fuzzer deletes, accepts and declines them."""

    api: Client
    owner_sub: str = field(default_factory=lambda: unique("fuzz-owner"))
    member_sub: str = ""
    invitee_sub: str = ""
    org_id: str = ""
    team_id: str = ""
    invitation_id: str = ""
    transfer_id: str = ""
    webhook_id: str = ""
    delivery_id: str = ""
    link_id: str = ""
    domain: str = ""
    real_cases: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.org_id = self.new_org()
        self.add_member()
        self.new_team()
        self.new_invitation()
        self.new_transfer()
        self.new_webhook()
        self.new_invite_link()
        self.new_domain()

    def new_webhook(self) -> None:
        """An endpoint nobody listens at (its deliveries fail and back off), with one delivery."""
        created = ok(self.api.post("/admin/webhooks", token=self.support(),
                                   json={"url": "http://127.0.0.1:9/fuzz", "types": ["webhook.none"]}), 201)
        self.webhook_id = created["id"]
        test = ok(self.api.post(f"/admin/webhooks/{self.webhook_id}/test", token=self.support()), 202)
        self.delivery_id = test["id"]

    def owner(self) -> str:
        return self.api.token(sub=self.owner_sub)

    def support(self) -> str:
        return self.api.token(sub="fuzz-support", groups=["support"])

    def token_for(self, path: str) -> str:
        if path.startswith("/admin"):
            return self.support()
        if path.startswith("/invitations"):
            return self.api.token(sub=self.invitee_sub)
        return self.owner()

    def new_org(self) -> str:
        created = ok(self.api.post("/orgs", token=self.owner(), json={"name": "Fuzz", "slug": unique("fuzz")}), 201)
        return str(created["id"])

    def new_team(self) -> None:
        created = ok(self.api.post(f"/orgs/{self.org_id}/teams", token=self.owner(), json={"name": unique("team")}),
                     201)
        self.team_id = created["id"]

    def new_invitation(self) -> None:
        """A pending invitation to a fresh invitee (the last one may have joined or declined)."""
        self.invitee_sub = unique("fuzz-invitee")
        created = ok(self.api.post(f"/orgs/{self.org_id}/invitations", token=self.owner(),
                                   json={"email": f"{self.invitee_sub}@example.com"}), 201)
        self.invitation_id = created["id"]

    def new_transfer(self) -> None:
        """A pending ownership transfer to the member (the owner's token only cancels it, never accepts)."""
        created = ok(self.api.post(f"/orgs/{self.org_id}/ownership-transfers", token=self.owner(),
                                   json={"to_user_id": self.member_sub}), 201)
        self.transfer_id = created["id"]

    def replace_transfer(self) -> None:
        """The member left with the pending transfer: cancel it and offer the org to the new member."""
        self.api.delete(f"/orgs/{self.org_id}/ownership-transfers/{self.transfer_id}", token=self.owner())
        self.new_transfer()
    def new_invite_link(self) -> None:
        created = ok(self.api.post(f"/orgs/{self.org_id}/invite-links", token=self.owner(), json={}), 201)
        self.link_id = created["id"]

    def new_domain(self) -> None:
        created = ok(self.api.post(f"/orgs/{self.org_id}/domains", token=self.owner(),
                                   json={"domain": f"{unique('fuzz')}.test"}), 201)
        self.domain = created["domain"]

    def add_member(self) -> None:
        self.member_sub = unique("fuzz-member")
        invited = ok(self.api.post(f"/orgs/{self.org_id}/invitations", token=self.owner(),
                                   json={"email": f"{self.member_sub}@example.com"}), 201)
        ok(self.api.post(f"/invitations/{invited['id']}/accept", token=self.api.token(sub=self.member_sub)))

    def resolve(self, label: str, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
        """The path parameters with :data:`REAL` replaced by the id of the live resource of that name."""
        if not path_parameters or REAL not in path_parameters.values():
            return path_parameters
        self.real_cases[label] += 1
        if label in PATH_ONLY and self.real_cases[label] > PATH_ONLY_REAL_CASES:
            return {name: UNKNOWN[name] if value == REAL else value for name, value in path_parameters.items()}
        real = {"org_id": self.org_id, "team_id": self.team_id, "invitation_id": self.invitation_id,
                "transfer_id": self.transfer_id,
                "webhook_id": self.webhook_id, "delivery_id": self.delivery_id,
                "link_id": self.link_id, "domain": self.domain,
                "request_id": UNKNOWN["request_id"],  # joining needs a verified domain: no live request here
                "user_id": self.owner_sub if label.startswith("GET /admin") else self.member_sub}
        if label == "DELETE /orgs/{org_id}":
            real["org_id"] = self.new_org()  # the fuzzer deletes a disposable org, never the world's
        return {name: real[name] if value == REAL else value for name, value in path_parameters.items()}

    def replenish(self, label: str, path_parameters: dict[str, Any] | None, status: int) -> None:
        """Replace what a successful call used up, so later cases still meet live resources."""
        if status >= 300:
            return
        if label == "DELETE /orgs/{org_id}/teams/{team_id}":
            self.new_team()
        elif label == "DELETE /admin/webhooks/{webhook_id}":
            self.new_webhook()
        elif label == "DELETE /orgs/{org_id}/invite-links/{link_id}":
            self.new_invite_link()
        elif label == "DELETE /orgs/{org_id}/domains/{domain}":
            self.new_domain()
        elif label in {"DELETE /orgs/{org_id}/invitations/{invitation_id}", "POST /invitations/{invitation_id}/accept",
                       "POST /invitations/{invitation_id}/decline"}:
            self.new_invitation()
        elif label == "DELETE /orgs/{org_id}/ownership-transfers/{transfer_id}":
            self.new_transfer()
        elif label == "DELETE /orgs/{org_id}/members/{user_id}" and (path_parameters or {}).get(
                "user_id") == self.member_sub:
            self.add_member()
            self.replace_transfer()


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """A local server for this module alone (see the module docstring), started like the session's."""
    with running_server(tmp_path_factory.mktemp("fuzz-devserver"), label="fuzz server") as client:
        yield client


@pytest.fixture(scope="module")
def world(fuzz_server: Client) -> World:
    return World(fuzz_server)


def assert_problem_json(response: Any) -> None:
    assert response.headers["content-type"][0].startswith("application/problem+json"), response.headers
    problem = response.json()
    assert set(PROBLEM_FIELDS) <= set(problem), problem
    assert problem["type"] == "about:blank" and problem["status"] == response.status_code, problem
    assert all(isinstance(problem[name], str) and problem[name] for name in PROBLEM_FIELDS if name != "status"), \
        problem


def test_the_fuzzed_document_is_the_one_the_server_serves(fuzz_server: Client) -> None:
    assert ok(fuzz_server.get("/openapi.json")) == DOCUMENT
    operations = [(method, path) for path, methods in DOCUMENT["paths"].items() for method in methods]
    assert len(operations) >= 30
    for method, path in operations:
        responses = DOCUMENT["paths"][path][method]["responses"]
        # every error status is declared with its codes, so an undeclared status or code fails the checks
        behind_the_authorizer = DOCUMENT["paths"][path][method].get("security") != []
        assert {"429", "500"} <= set(responses) and not {"4XX", "5XX", "default"} & set(responses), (method, path)
        assert ("401" in responses) == behind_the_authorizer, (method, path)


@schema.parametrize()
def test_every_operation_answers_only_documented_responses(case: Case, fuzz_server: Client, world: World) -> None:
    label = f"{case.method.upper()} {case.path}"
    resolved = world.resolve(label, case.path_parameters)
    if resolved is not None:
        case.path_parameters = resolved
    settings_before = ok(fuzz_server.get("/admin/settings", token=world.support())) \
        if label == "PATCH /admin/settings" else None
    try:
        # no 5xx, a declared status and content type, a body matching the operation's schema (checks)
        response = case.call_and_validate(base_url=fuzz_server.base_url,
                                          headers={"Authorization": f"Bearer {world.token_for(case.path)}"})
    finally:
        if settings_before is not None:  # later cases must not run under the fuzzed settings
            ok(fuzz_server.patch("/admin/settings", token=world.support(), json=settings_before))
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_problem_json(response)
    world.replenish(label, case.path_parameters, response.status_code)
