"""The bench's write accounting (bench/floors.py) and its prices (bench/costs.py)."""

from __future__ import annotations

from bench import costs, floors

GSI1 = floors.Index("GSI1", ("GSI1PK", "GSI1SK"), "ALL")
NARROW = floors.Index("GSI5", ("GSI5PK", "GSI5SK"), "INCLUDE", frozenset({"name"}))


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


KEY = {"PK": _s("APP#a#ORG#o"), "SK": _s("ORG")}


def test_a_new_item_on_one_index_costs_its_write_and_one_entry() -> None:
    item = {**KEY, "GSI1PK": _s("u"), "GSI1SK": _s("o"), "entity": _s("MEMBER")}
    entry = floors.entry("Put", KEY, None, item, [GSI1])
    assert (entry.units, entry.index_units, entry.floor_index, entry.floor, entry.billed) == (1, {"GSI1": 1},
                                                                                             {"GSI1": 1}, 2, 2)


def test_a_changed_attribute_rewrites_an_all_projection_but_is_not_in_the_floor() -> None:
    old = {**KEY, "GSI1PK": _s("u"), "GSI1SK": _s("o"), "count": _n(1)}
    new = {**old, "count": _n(2)}
    entry = floors.entry("Update", KEY, old, new, [GSI1])
    assert entry.index_units == {"GSI1": 1} and entry.floor_index == {}


def test_an_include_projection_without_the_changed_attribute_writes_no_entry() -> None:
    old = {**KEY, "GSI5PK": _s("APP#a#ORGS"), "GSI5SK": _s("acme#o"), "name": _s("Acme"), "count": _n(1)}
    entry = floors.entry("Update", KEY, old, {**old, "count": _n(2)}, [NARROW])
    assert entry.index_units == {} and entry.billed == entry.floor == 1


def test_a_moved_index_key_is_two_entries_and_a_removed_one_is_one() -> None:
    old = {**KEY, "GSI1PK": _s("u"), "GSI1SK": _s("a")}
    assert floors.entry("Update", KEY, old, {**old, "GSI1SK": _s("b")}, [GSI1]).floor_index == {"GSI1": 2}
    assert floors.entry("Delete", KEY, old, None, [GSI1]).floor_index == {"GSI1": 1}
    assert floors.entry("ConditionCheck", KEY, old, old, [GSI1]).billed == 1


def test_an_item_over_one_kilobyte_costs_a_unit_per_started_kilobyte() -> None:
    item = {**KEY, "blob": _s("x" * 1500)}
    entry = floors.entry("Put", KEY, None, item, [])
    assert entry.size > 1500 and entry.units == 2 and entry.floor == 1


def test_item_size_counts_names_and_values_as_dynamodb_does() -> None:
    assert floors.item_size({"ab": _s("xyz")}) == 5
    assert floors.item_size({"n": _n(12345)}) == 1 + 4
    assert floors.item_size({"m": {"M": {"k": _s("v")}}}) == 1 + 3 + 1 + 1 + 1


def test_the_transaction_factor_is_two() -> None:
    assert floors.factor("TransactWriteItems") == 2 and floors.factor("PutItem") == 1


def test_the_template_indexes_are_read_with_their_projections() -> None:
    by_name = {index.name: index for index in floors.indexes()}
    assert by_name["GSI3"].projection == "KEYS_ONLY"
    assert "teams" not in by_name["GSI4"].included and "role" in by_name["GSI4"].included
    assert "member_count" not in by_name["GSI5"].included and "name" in by_name["GSI5"].included


def test_the_bill_adds_every_service_per_million_calls() -> None:
    bill = costs.bill(seconds=0.1, wru=10, rru=2, kms_requests=1, memory=512)
    assert round(bill.api_gateway, 2) == 3.50 and round(bill.dynamodb_writes, 2) == 6.25
    assert round(bill.dynamodb_reads, 2) == 0.25 and round(bill.kms, 2) == 3.00
    assert round(bill.lambda_requests + bill.lambda_duration, 4) == round(0.20 + 0.0000166667 * 0.5 * 0.1 * 1e6, 4)
