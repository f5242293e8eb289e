"""One guard mechanism: a guard on an item the transaction also writes is merged into that write."""

from __future__ import annotations

from typing import Any

import pytest

from orgplane.errors import DomainError
from orgplane.store import conditions, table
from orgplane.store.conditions import Condition
from orgplane.store.transaction import STALE, Stale, Transaction

KEY = {"PK": "TEST#guards", "SK": "ITEM"}


def _put(**attributes: Any) -> None:
    tx = Transaction()
    tx.put({**KEY, **attributes})
    tx.commit()


def test_colliding_placeholders_are_renamed_apart_when_conditions_join() -> None:
    joined = conditions.all_of(Condition("#a = :v", {"#a": "role"}, {":v": "owner"}),
                               Condition("#a = :v", {"#a": "status"}, {":v": "active"}))
    assert joined.names == {"#a": "role", "#a_1": "status"}
    assert joined.values == {":v": "owner", ":v_1": "active"}
    assert joined.expression == "(#a = :v) AND (#a_1 = :v_1)"


def test_same_placeholder_with_same_meaning_is_shared() -> None:
    joined = Condition("#r = :x", {"#r": "role"}, {":x": 1}) | Condition("#r > :x", {"#r": "role"}, {":x": 1})
    assert joined.names == {"#r": "role"} and joined.values == {":x": 1}


def test_a_guard_on_the_written_item_becomes_part_of_its_condition() -> None:
    _put(role="owner", n=0)
    tx = Transaction()
    tx.update(KEY, add={"n": 1}, condition="attribute_exists(PK)", on_fail=STALE)
    tx.check(KEY, Condition("#role = :role", {"#role": "role"}, {":role": "owner"}), on_fail=STALE)
    assert len(tx) == 1  # DynamoDB allows one operation per item
    tx.commit()
    assert (table.get(KEY) or {})["n"] == 1


def test_a_failing_merged_guard_cancels_the_write() -> None:
    _put(role="member", n=0)
    tx = Transaction()
    tx.check(KEY, Condition("#role = :role", {"#role": "role"}, {":role": "owner"}), on_fail=STALE)
    tx.update(KEY, add={"n": 1}, condition="attribute_exists(PK)")
    with pytest.raises(Stale):
        tx.commit()
    assert (table.get(KEY) or {})["n"] == 0


def test_the_writes_own_outcome_is_kept_when_a_guard_merges_into_it() -> None:
    _put(role="owner", n=5)
    limit = DomainError("member_limit_reached", "full")
    tx = Transaction()
    tx.update(KEY, add={"n": 1}, condition="n < :max", values={":max": 5}, on_fail=limit)
    tx.check(KEY, "attribute_exists(PK)", on_fail=STALE)
    with pytest.raises(DomainError) as raised:
        tx.commit()
    assert raised.value is limit


def test_two_writes_of_one_item_are_refused_before_reaching_the_database() -> None:
    tx = Transaction()
    tx.update(KEY, add={"n": 1})
    tx.delete(KEY)
    with pytest.raises(ValueError, match="two writes"):
        tx.commit()


def test_a_failed_write_can_hand_back_the_item_as_it_was() -> None:
    _put(sequence=7)
    seen: list[dict[str, Any]] = []
    tx = Transaction()
    tx.put({**KEY, "sequence": 1}, condition="attribute_not_exists(PK)", on_fail=STALE, on_old=seen.append)
    with pytest.raises(Stale):
        tx.commit()
    assert seen and seen[0]["sequence"] == 7
