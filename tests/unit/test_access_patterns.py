"""The named access-pattern layer: services compose store functions, hold no expression strings and build no
queries.

Every condition, update, filter and key-condition expression, and every ``#name``/``:value`` placeholder, lives
in ``store/`` as a named function or constant. The check reads each service module's syntax tree, so an
expression split over lines, built in an f-string or passed positionally is found as surely as a keyword one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "layers" / "orgplane" / "orgplane" / "services"

#: What a DynamoDB expression looks like: a function of the expression language, an update clause, a comparison
#: against a ``:value``, a bare placeholder, or the logical glue between clauses.
EXPRESSION = re.compile(r"attribute_(not_)?exists\(|attribute_type\(|begins_with\(|\bcontains\(|\bsize\("
                        r"|^(SET|ADD|REMOVE|DELETE)\s"
                        r"|[#\w\]\)]\s*(=|<>|<=|>=|<|>|\bIN\b|\bBETWEEN\b)\s*[:(]"
                        r"|^[#:][A-Za-z_]\w*$"
                        r"| AND | OR |^NOT ")

#: Services still writing their expressions inline (issue 17): remove each here as it moves onto store/.
NOT_YET_MOVED: set[str] = set()


def _strings(module: Path) -> list[tuple[int, str]]:
    tree = ast.parse(module.read_text())
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def expressions_in(module: Path) -> list[str]:
    return [f"line {line}: {text!r}" for line, text in _strings(module) if EXPRESSION.search(text)]


@pytest.mark.parametrize("module", sorted(p.name for p in SERVICES.glob("*.py") if p.name not in NOT_YET_MOVED))
def test_a_service_holds_no_expression_strings(module: str) -> None:
    found = expressions_in(SERVICES / module)
    assert found == [], f"{module} writes DynamoDB expressions itself; name them in store/: {found}"


@pytest.mark.parametrize("text", ["attribute_not_exists(PK)", "SET #n = :n", "#status = :pending AND #exp > :now",
                                  "#action IN (", "begins_with(#a, :a)", ":room", "#count", "org_id = :org"])
def test_the_check_recognises_an_expression(text: str) -> None:
    assert EXPRESSION.search(text)


@pytest.mark.parametrize("text", ["member", "The org was deleted.", "invitation.accepted", "a = b", "#team-tag",
                                  "user:read", "https://example.com/a?b=c"])
def test_the_check_leaves_ordinary_text_alone(text: str) -> None:
    assert not EXPRESSION.search(text)


#: Services still building their queries (``QuerySpec``) themselves: remove each here as its reads are named.
QUERIES_NOT_YET_NAMED: set[str] = set()


def queries_built_in(module: Path) -> list[str]:
    tree = ast.parse(module.read_text())
    return [f"line {node.lineno}" for node in ast.walk(tree) if isinstance(node, ast.Call)
            and (getattr(node.func, "attr", None) == "QuerySpec" or getattr(node.func, "id", None) == "QuerySpec")]


@pytest.mark.parametrize("module", sorted(p.name for p in SERVICES.glob("*.py") if p.name not in QUERIES_NOT_YET_NAMED))
def test_a_service_reads_through_named_queries(module: str) -> None:
    found = queries_built_in(SERVICES / module)
    assert found == [], f"{module} builds its own queries; name them in store/ (e.g. store.teams.of_org): {found}"


def test_every_module_whose_queries_are_not_named_yet_still_builds_one() -> None:
    stale = sorted(name for name in QUERIES_NOT_YET_NAMED
                   if not (SERVICES / name).exists() or not queries_built_in(SERVICES / name))
    assert stale == [], f"take these off QUERIES_NOT_YET_NAMED: {stale}"


def test_every_module_not_yet_moved_still_exists_and_still_needs_moving() -> None:
    stale = sorted(name for name in NOT_YET_MOVED if not (SERVICES / name).exists() or not expressions_in(SERVICES / name))
    assert stale == [], f"take these off NOT_YET_MOVED: {stale}"
