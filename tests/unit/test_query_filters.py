"""A query's filter is a named condition from store/: ``QuerySpec.where`` keeps its placeholders apart."""

from __future__ import annotations

from orgplane.store import audit_log, table
from orgplane.store import invitations as invitations_store


def test_where_sets_the_filter_of_a_query_without_one() -> None:
    spec = table.QuerySpec("PK", "x").where(invitations_store.in_status("revoked"))
    assert spec.filter_expression == "#i_status = :i_status"
    assert spec.filter_names == {"#i_status": "status"}
    assert spec.filter_values == {":i_status": "revoked"}


def test_where_with_nothing_leaves_the_query_unfiltered() -> None:
    spec = table.QuerySpec("PK", "x")
    assert spec.where(None) is spec
    assert spec.filter_expression is None


def test_a_second_where_keeps_both_filters_and_renames_a_clashing_placeholder() -> None:
    spec = table.QuerySpec("PK", "x").where(invitations_store.in_status("revoked")).where(
        invitations_store.in_status("expired"))
    assert spec.filter_expression is not None and " AND " in spec.filter_expression
    assert sorted(spec.filter_values.values()) == ["expired", "revoked"]
    assert len(spec.filter_values) == 2


def test_where_does_not_change_the_query_it_was_called_on() -> None:
    spec = table.QuerySpec("PK", "x")
    spec.where(invitations_store.pending())
    assert spec.filter_expression is None and spec.filter_values == {}


def test_an_action_family_filters_on_the_prefix_and_an_action_on_equality() -> None:
    assert audit_log.action_is("member.*").values == {":a_action": "member."}
    assert audit_log.action_is("member.added").expression == "#a_action = :a_action"


def test_no_action_and_no_actor_means_no_filter() -> None:
    assert audit_log.matching(None, None) is None
    both = audit_log.matching("org.*", "actor-key")
    assert both is not None and set(both.values.values()) == {"org.", "actor-key"}
