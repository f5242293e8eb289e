"""`make load`'s judgement: which answers count as unexpected, which org states violate an invariant, and
which item a cancelled transaction lost on. The load itself is not run here (minutes, not part of
`make test`); these keep its rules from rotting silently."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from bench.load import contention
from bench.load.invariants import OrgBook, OrgSeen, check
from bench.load.outcomes import Recorder, expect, is_expected
from orgplane import keys

SEATS = 5


def test_an_answer_is_expected_only_with_its_status_and_one_of_its_codes() -> None:
    assert is_expected(201, None, [expect(201)])
    assert is_expected(409, "invitation_not_pending", [expect(409, "invitation_not_pending")])
    assert not is_expected(409, "conflict", [expect(409, "invitation_not_pending")])
    assert not is_expected(200, None, [expect(201)])
    assert is_expected(409, "member_limit_reached", [expect(201), expect(409, "member_limit_reached")])


def test_the_recorder_counts_unexpected_answers_per_route_and_overall() -> None:
    recorder = Recorder()
    recorder.record("POST /x", 0.010, 201, None, [expect(201)])
    recorder.record("POST /x", 0.030, 409, "conflict", [expect(201)], detail="lost the race")
    recorder.record("GET /y", 0.020, 200, None, [expect(200)])
    assert (recorder.total, recorder.unexpected) == (3, 1)
    rows = {row.route: row for row in recorder.summaries()}
    assert rows["POST /x"].unexpected == 1
    assert rows["POST /x"].statuses == {"201": 1, "409 conflict": 1}
    assert rows["all"].count == 3
    assert rows["all"].p99_ms == pytest.approx(30.0)
    assert recorder.samples == ["POST /x: 409 conflict lost the race"]


def test_the_report_samples_one_unexpected_answer_of_each_kind() -> None:
    recorder = Recorder()
    for attempt in range(3):
        recorder.record("DELETE /x", 0.01, 500, "internal_error", [expect(204)], detail=f"try {attempt}")
    recorder.record("DELETE /x", 0.01, 409, "conflict", [expect(204)])
    assert recorder.unexpected == 4
    assert recorder.samples == ["DELETE /x: 500 internal_error try 0", "DELETE /x: 409 conflict"]


def _book() -> OrgBook:
    book = OrgBook(org_id="org_1", owner="alice", members={"alice": "owner", "bob": "member"},
                   pending={"inv_2": "carol"}, accepted={"inv_1": "bob"}, teams={"team_1": {"bob"}})
    book.events.update({"org.created": 1, "member.added": 2, "invitation.created": 2, "invitation.accepted": 1,
                        "team.created": 1, "team.member_added": 1})
    return book


def _seen() -> OrgSeen:
    """What the API shows of the org :func:`_book` describes, when all is well."""
    return OrgSeen(member_count=2, pending_invitation_count=1, team_count=1,
                   members={"alice": "owner", "bob": "member"}, owners={"alice"}, pending={"inv_2"},
                   accepted={"inv_1"}, teams={"team_1": (1, {"bob"})},
                   events=Counter({"org.created": 1, "member.added": 2, "invitation.created": 2,
                                   "invitation.accepted": 1, "team.created": 1, "team.member_added": 1}),
                   sequences=list(range(1, 9)), joins_by_invitation=Counter({"inv_1": 1}))


def test_an_org_as_the_driver_left_it_has_no_violation() -> None:
    assert check(_book(), _seen(), SEATS) == []


@pytest.mark.parametrize(("change", "message"), [
    (lambda s: setattr(s, "member_count", 3), "member_count 3 but 2 members listed"),
    (lambda s: setattr(s, "pending_invitation_count", 0), "pending_invitation_count 0 but 1 pending listed"),
    (lambda s: s.teams.update({"team_1": (2, {"bob"})}), "team team_1: member_count 2 but 1 listed"),
    (lambda s: s.owners.clear(), "no owner"),
    (lambda s: s.joins_by_invitation.update({"inv_1": 1}), "accepted invitation inv_1 has 2 member.added"),
    (lambda s: s.joins_by_invitation.update({"inv_2": 1}), "member.added via invitations not accepted"),
    (lambda s: s.sequences.__setitem__(3, 9), "event sequences are not 1..8 without gaps"),
    (lambda s: s.events.update({"member.removed": 1}), "events (changes made, events seen) differ"),
    (lambda s: s.members.update({"bob": "admin"}), "members differ from the driver's: bob: 'member' -> 'admin'"),
    (lambda s: s.teams.update({"team_1": (0, set())}), "team members differ from the driver's"),
])
def test_each_broken_invariant_is_named(change: Callable[[OrgSeen], Any], message: str) -> None:
    seen = _seen()
    change(seen)
    problems = check(_book(), seen, SEATS)
    assert any(message in p for p in problems), problems


def test_members_and_pending_invitations_over_the_seat_limit_are_a_violation() -> None:
    problems = check(_book(), _seen(), 2)
    assert problems == ["org_1: 2 members + 1 pending over the seat limit 2"]


def _wire(key: keys.Key) -> dict[str, dict[str, str]]:
    return {name: {"S": value} for name, value in key.items()}


def test_cancellation_reasons_are_told_apart_by_the_kind_of_item_they_hit() -> None:
    counter = keys.event_sequence("demo", "org_1")
    member = keys.member("demo", "org_1", "u1")
    assert contention.item_kind({"Put": {"Item": _wire(counter)}}) == counter["SK"].split("#")[0]
    assert contention.item_kind({"Update": {"Key": _wire(member)}}) == member["SK"].split("#")[0]
    assert contention.item_kind({"ConditionCheck": {"Key": {"PK": {"S": "x"}}}}) == "?"
