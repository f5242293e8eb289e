"""The named access-pattern layer: services on it compose store functions and hold no condition strings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "layers" / "orgplane" / "orgplane" / "services"

#: Services moved onto store/ (orgs, memberships, users, email claims, teams, invitations, cleanup jobs). The others
#: still write their conditions inline (issue 17): add each here as it moves.
ON_THE_LAYER = ["orgs.py", "members.py", "tenancy.py", "teams.py", "cleanup.py", "optimistic.py", "invitations.py"]

CONDITION_LITERALS = re.compile(r"attribute_exists\(|attribute_not_exists\(|\bcondition\s*=\s*f?[\"']|"
                                r"ConditionExpression|UpdateExpression|update_expression\(")


@pytest.mark.parametrize("module", ON_THE_LAYER)
def test_a_service_on_the_access_pattern_layer_holds_no_condition_or_update_strings(module: str) -> None:
    text = (SERVICES / module).read_text()
    found = [line.strip() for line in text.splitlines() if CONDITION_LITERALS.search(line)]
    assert found == [], f"{module} writes conditions itself; name them in store/: {found}"
