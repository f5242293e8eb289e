"""The named access-pattern layer: services compose store functions; outside store/ no module of the layer holds
an expression string, and no service builds a query.

Every condition, update, filter and key-condition expression, and every ``#name``/``:value`` placeholder, lives
in ``store/`` as a named function or constant. The check reads each service module's syntax tree, so an
expression split over lines, built in an f-string or passed positionally is found as surely as a keyword one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

LAYER = Path(__file__).resolve().parents[2] / "layers" / "orgplane" / "orgplane"
SERVICES = LAYER / "services"
SERVICE_MODULES = sorted(p.name for p in SERVICES.glob("*.py"))
#: Every module of the layer but the store itself: the services, and what sits beside them (idempotency, streams...).
OUTSIDE_THE_STORE = sorted(str(p.relative_to(LAYER)) for p in LAYER.rglob("*.py") if p.parent.name != "store")

#: What a DynamoDB expression looks like: a function of the expression language, an update clause, a comparison
#: against a ``:value``, a bare placeholder, or the logical glue between clauses.
EXPRESSION = re.compile(r"attribute_(not_)?exists\(|attribute_type\(|begins_with\(|\bcontains\(|\bsize\("
                        r"|^(SET|ADD|REMOVE|DELETE)\s"
                        r"|[#\w\]\)]\s*(=|<>|<=|>=|<|>|\bIN\b|\bBETWEEN\b)\s*[:(]"
                        r"|^[#:][A-Za-z_]\w*$"
                        r"| AND | OR |^NOT ")

def _docstrings(tree: ast.Module) -> set[int]:
    owners = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef))]
    return {id(owner.body[0].value) for owner in owners
            if owner.body and isinstance(owner.body[0], ast.Expr) and isinstance(owner.body[0].value, ast.Constant)}


def _strings(module: Path) -> list[tuple[int, str]]:
    """The module's string constants but its docstrings (prose may name a route like ``DELETE /orgs``)."""
    tree = ast.parse(module.read_text())
    docs = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs]


def expressions_in(module: Path) -> list[str]:
    return [f"line {line}: {text!r}" for line, text in _strings(module) if EXPRESSION.search(text)]


@pytest.mark.parametrize("module", OUTSIDE_THE_STORE)
def test_no_module_outside_the_store_holds_expression_strings(module: str) -> None:
    found = expressions_in(LAYER / module)
    assert found == [], f"{module} writes DynamoDB expressions itself; name them in store/: {found}"


@pytest.mark.parametrize("text", ["attribute_not_exists(PK)", "SET #n = :n", "#status = :pending AND #exp > :now",
                                  "#action IN (", "begins_with(#a, :a)", ":room", "#count", "org_id = :org"])
def test_the_check_recognises_an_expression(text: str) -> None:
    assert EXPRESSION.search(text)


@pytest.mark.parametrize("text", ["member", "The org was deleted.", "invitation.accepted", "a = b", "#team-tag",
                                  "user:read", "https://example.com/a?b=c"])
def test_the_check_leaves_ordinary_text_alone(text: str) -> None:
    assert not EXPRESSION.search(text)


def queries_built_in(module: Path) -> list[str]:
    tree = ast.parse(module.read_text())
    return [f"line {node.lineno}" for node in ast.walk(tree) if isinstance(node, ast.Call)
            and (getattr(node.func, "attr", None) == "QuerySpec" or getattr(node.func, "id", None) == "QuerySpec")]


@pytest.mark.parametrize("module", SERVICE_MODULES)
def test_a_service_reads_through_named_queries(module: str) -> None:
    found = queries_built_in(SERVICES / module)
    assert found == [], f"{module} builds its own queries; name them in store/ (e.g. store.teams.of_org): {found}"


def test_the_checks_cover_every_service() -> None:
    assert len(SERVICE_MODULES) > 30 and "invitations.py" in SERVICE_MODULES
