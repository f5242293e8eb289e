"""The template scan's exceptions (checkov, `make lint`) are decisions written in the template: every
function carries the shared list, and every skip says why."""

from __future__ import annotations

from typing import Any

import pytest

from devserver import template

RAW: dict[str, Any] = template.load()
RESOURCES: dict[str, Any] = RAW["Resources"]
FUNCTIONS = sorted(name for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function")
SHARED = RESOURCES[FUNCTIONS[0]].get("Metadata", {}).get("checkov", {}).get("skip")


def skips(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return list(resource.get("Metadata", {}).get("checkov", {}).get("skip", []))


def test_the_shared_function_decisions_name_the_checks_no_function_meets() -> None:
    assert SHARED and {s["id"] for s in SHARED} == {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_carries_the_shared_decisions(function: str) -> None:
    assert skips(RESOURCES[function]) == SHARED, (
        f"{function}: add `Metadata: {{checkov: {{skip: *function_checks}}}}` under its Type in template.yaml "
        f"(the anchor is defined on the first function); a check it really fails needs its own fix or reason")


@pytest.mark.parametrize("name", sorted(n for n, r in RESOURCES.items() if skips(r)))
def test_every_skip_says_why_in_one_line(name: str) -> None:
    for skip in skips(RESOURCES[name]):
        comment = skip.get("comment", "")
        assert skip["id"].startswith(("CKV_", "CKV2_")) and len(comment) >= 40 and "\n" not in comment, (name, skip)
