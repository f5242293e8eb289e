"""The event catalogue covers every audited action, and the README shows it as generated."""

from __future__ import annotations

import ast
from pathlib import Path

from orgplane.event_types import CATALOGUE
from scripts.event_catalogue import rewrite
from tests.service.test_audit_trail import SERVICES, _action_literals

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_event_catalogue_is_the_generated_one() -> None:
    text = (ROOT / "README.md").read_text()
    assert rewrite(text) == text, "README.md's event catalogue is stale: run `make event-catalogue`"


def test_every_audited_action_is_a_catalogued_event_type() -> None:
    recorded: set[str] = set()
    for path in SERVICES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            recorded |= {a for a in _action_literals(node) if "." in a}
    assert recorded, "no audit.record calls found: has the audit API moved?"
    missing = sorted(recorded - set(CATALOGUE))
    assert not missing, f"audited actions missing from orgplane/event_types.py: {missing}"


def test_every_membership_path_names_its_via_in_the_catalogue() -> None:
    assert "invitation" in CATALOGUE["member.added"].data["via"]
    assert {"member.added", "member.removed", "member.left"} <= set(CATALOGUE)


def test_the_openapi_document_carries_the_event_catalogue() -> None:
    from devserver import openapi

    document = openapi.build()
    assert set(document["x-event-types"]) == set(CATALOGUE)
    assert document["x-event-types"]["member.added"]["data"]["via"]
    assert "/events" in document["paths"]
