"""The README's error table and the template's gateway responses agree with ``errors.CATALOGUE``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from devserver import template
from orgplane.errors import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## Error catalogue"
_ROW = re.compile(r"^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|")


def readme_error_table() -> list[tuple[str, int]]:
    """``(code, status)`` of every row of the README's error table, in order."""
    text = README.read_text()
    assert SECTION in text, f"README.md has no {SECTION!r} section"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = [(m.group(1), int(m.group(2))) for line in section.splitlines() if (m := _ROW.match(line))]
    assert rows, f"no error table under {SECTION!r} in README.md"
    return rows


def test_every_catalogue_code_is_in_the_readme_error_table() -> None:
    listed = {code for code, _ in readme_error_table()}
    missing = sorted(set(CATALOGUE) - listed)
    assert not missing, f"codes in errors.CATALOGUE but not in README.md's error table: {missing}"


def test_every_code_in_the_readme_error_table_is_in_the_catalogue() -> None:
    unknown = sorted({code for code, _ in readme_error_table()} - set(CATALOGUE))
    assert not unknown, f"codes in README.md's error table but not in errors.CATALOGUE: {unknown}"


def test_readme_error_table_lists_each_code_once_with_its_catalogue_status() -> None:
    rows = readme_error_table()
    codes = [code for code, _ in rows]
    assert len(codes) == len(set(codes)), "a code is listed twice in README.md's error table"
    wrong = {code: (status, CATALOGUE[code][0]) for code, status in rows
             if code in CATALOGUE and CATALOGUE[code][0] != status}
    assert not wrong, f"README.md status differs from the catalogue (readme, catalogue): {wrong}"


GATEWAY_RESPONSES = template.gateway_responses()


@pytest.mark.parametrize("response", GATEWAY_RESPONSES.values(), ids=list(GATEWAY_RESPONSES))
def test_gateway_responses_render_catalogue_problems_with_a_matching_status(
        response: template.GatewayResponse) -> None:
    """API Gateway cannot template the status: it is the fixed ``StatusCode``, and the body must agree."""
    assert response.status_code is not None, f"{response.response_type}: no StatusCode"
    assert response.headers.get("Content-Type") == "application/problem+json"
    assert response.template is not None
    # $context.error.messageString is already a quoted JSON string; a message with quotes must not break it
    # $context.authorizer.<key> is inserted raw: the authorizer's context never holds a quote
    # (tests/unit/test_token_rejections.py)
    rendered = re.sub(r"\$context\.authorizer\.\w+", "a detail", response.template)
    body = json.loads(rendered
                      .replace("$context.error.messageString", json.dumps('Missing "Authentication" Token'))
                      .replace("$context.error.responseType", "DEFAULT_4XX")
                      .replace("$context.requestId", "req-1"))
    assert body["code"] in CATALOGUE, f"{response.response_type}: {body['code']!r} is not in the catalogue"
    assert body["status"] == response.status_code == CATALOGUE[body["code"]][0]
    assert body["title"] == CATALOGUE[body["code"]][1]
    assert body["type"] == "about:blank" and body["request_id"] == "req-1" and body["detail"]
    assert "$context" not in json.dumps(body), "a context variable the test does not know was left in"
