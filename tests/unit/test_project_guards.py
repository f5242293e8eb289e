"""Guards over the project's shape: template, modules, sample events, tests and key strings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from devserver import template

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = template.functions()
TEST_TEXT = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py")
                      if "build" not in p.parts and p.name != Path(__file__).name)


@pytest.mark.parametrize("function", FUNCTIONS, ids=[f.name for f in FUNCTIONS])
def test_every_function_has_its_module_sample_event_and_a_test(function: template.Function) -> None:
    assert function.module_path.is_file(), f"{function.logical_id}: no {function.module_path}"
    event = ROOT / "events" / f"{function.name}.json"
    assert event.is_file(), f"{function.logical_id}: no sample event {event}"
    json.loads(event.read_text())
    assert re.search(rf"\b{function.name}\b", TEST_TEXT), f"{function.logical_id}: no test names it"


def test_every_function_folder_is_in_the_template() -> None:
    folders = {p.name for p in (ROOT / "functions").iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert folders == {f.name for f in FUNCTIONS}


def test_routes_are_unique() -> None:
    routes = [(r.method, r.path) for f in FUNCTIONS for r in f.routes]
    assert len(routes) == len(set(routes))


def test_table_key_strings_are_built_only_in_keys_module() -> None:
    pattern = re.compile(r"""["'](APP|ORG|MEMBER|INVITE|TEAM|USER|SLUG|AUDIT|CLEANUP)#""")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("layers", "functions", "devserver")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "keys.py" and pattern.search(path.read_text())
    ]
    assert offenders == []


def test_no_scan_in_product_code() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("layers", "functions")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"\.scan\(|[\"']Scan[\"']", path.read_text())
    ]
    assert offenders == []


def test_every_function_gets_least_privilege_policies() -> None:
    raw = template.load()
    for function in FUNCTIONS:
        policies = raw["Resources"][function.logical_id]["Properties"].get("Policies")
        assert policies is not None, f"{function.logical_id} must declare its policies explicitly"
        assert "DynamoDBCrudPolicy" not in json.dumps(policies)
