"""Ownership transfer through the local server (DESIGN section 13): the issue's journey (alice offers the
org to bob, bob accepts, bob is owner and alice admin, in one audit pair), a cancelled or expired transfer
answering 409 on accept, and 404 for other orgs and apps."""

from __future__ import annotations

from tests.http.client import Client
from tests.http.expect import assert_problem, ok
from tests.http.test_orgs_members_http import User, create_org, join, new_user, role_of

WEEK = 7 * 86400


def offer(api: Client, org_id: str, owner: User, to: User) -> dict[str, object]:
    return dict(ok(api.post(f"/orgs/{org_id}/ownership-transfers", token=owner.token,
                            json={"to_user_id": to.sub}), 201))


def test_alice_hands_the_org_to_bob_in_one_audit_pair(api: Client) -> None:
    alice = new_user(api, "alice")
    org_id = str(create_org(api, alice)["id"])
    bob = join(api, org_id, alice, prefix="bob")
    transfer = offer(api, org_id, alice, bob)
    assert (transfer["from_user_id"], transfer["to_user_id"], transfer["status"]) == (alice.sub, bob.sub, "pending")
    assert str(transfer["id"]).startswith("ot_")
    listed = ok(api.get(f"/orgs/{org_id}/ownership-transfers", token=bob.token))["data"]
    assert [t["id"] for t in listed] == [transfer["id"]]  # the target finds the offer
    accepted = ok(api.post(f"/orgs/{org_id}/ownership-transfers/{transfer['id']}/accept", token=bob.token))
    assert accepted["status"] == "accepted"
    assert role_of(api, org_id, bob, bob.sub) == "owner"
    assert role_of(api, org_id, bob, alice.sub) == "admin"
    events = ok(api.get(f"/orgs/{org_id}/audit", token=bob.token))["data"]
    pair = [(e["action"], e["actor"]["user_id"], e["target"]["id"]) for e in events
            if e["action"].startswith("ownership.")]
    assert pair == [("ownership.transferred", bob.sub, transfer["id"]),
                    ("ownership.transfer_requested", alice.sub, transfer["id"])]
    # alice, now admin, can no longer delete the org; bob can
    assert_problem(api.delete(f"/orgs/{org_id}", token=alice.token), 403, "forbidden")


def test_a_cancelled_transfer_answers_409_on_accept(api: Client) -> None:
    alice = new_user(api, "alice")
    org_id = str(create_org(api, alice)["id"])
    bob = join(api, org_id, alice, prefix="bob")
    transfer = offer(api, org_id, alice, bob)
    assert_problem(api.post(f"/orgs/{org_id}/ownership-transfers", token=alice.token,
                            json={"to_user_id": bob.sub}), 409, "transfer_pending")
    assert api.delete(f"/orgs/{org_id}/ownership-transfers/{transfer['id']}", token=alice.token).status == 204
    assert_problem(api.post(f"/orgs/{org_id}/ownership-transfers/{transfer['id']}/accept", token=bob.token),
                   409, "transfer_not_pending")
    assert role_of(api, org_id, alice, alice.sub) == "owner"


def test_an_expired_transfer_answers_409_on_accept_and_the_job_marks_it(api: Client) -> None:
    alice = new_user(api, "alice")
    org_id = str(create_org(api, alice)["id"])
    bob = join(api, org_id, alice, prefix="bob")
    transfer = offer(api, org_id, alice, bob)
    api.advance_clock(WEEK + 1)
    bob = User(bob.sub, api.token(sub=bob.sub))  # the old token expired with the week
    assert_problem(api.post(f"/orgs/{org_id}/ownership-transfers/{transfer['id']}/accept", token=bob.token),
                   409, "transfer_not_pending")
    assert ok(api.post("/_local/jobs/expire-invitations"))["transfers_expired"] >= 1
    listed = ok(api.get(f"/orgs/{org_id}/ownership-transfers", token=bob.token))["data"]
    assert [(t["id"], t["status"]) for t in listed] == [(transfer["id"], "expired")]


def test_other_orgs_and_apps_see_404_and_bad_bodies_400(api: Client) -> None:
    alice = new_user(api, "alice")
    org_id = str(create_org(api, alice)["id"])
    bob = join(api, org_id, alice, prefix="bob")
    transfer = offer(api, org_id, alice, bob)
    outsider = new_user(api, "mallory")
    stranger = new_user(api, "bob", app="other")
    for user in (outsider, stranger):
        assert_problem(api.get(f"/orgs/{org_id}/ownership-transfers", token=user.token), 404, "org_not_found")
        assert_problem(api.post(f"/orgs/{org_id}/ownership-transfers/{transfer['id']}/accept", token=user.token),
                       404, "org_not_found")
        assert_problem(api.delete(f"/orgs/{org_id}/ownership-transfers/{transfer['id']}", token=user.token),
                       404, "org_not_found")
    assert_problem(api.post(f"/orgs/{org_id}/ownership-transfers", token=bob.token, json={"to_user_id": alice.sub}),
                   403, "forbidden")
    assert_problem(api.post(f"/orgs/{org_id}/ownership-transfers", token=alice.token, json={"to_user_id": 7}),
                   400, "validation_error", "to_user_id")
    assert_problem(api.post(f"/orgs/{org_id}/ownership-transfers/{transfer['id']}/decline", token=alice.token),
                   403, "forbidden")
