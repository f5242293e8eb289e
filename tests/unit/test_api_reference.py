"""docs/api.md and README.md's roles table are what `make api-docs` renders from the code today."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_docs_api_md_is_not_stale() -> None:
    done = subprocess.run([sys.executable, "-m", "devserver", "api-reference", "--check"], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(["layers/orgplane", "."])},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{done.stderr.strip()} (docs/api.md is generated: run `make api-docs`)"


def test_the_reference_documents_every_route_with_its_error_codes() -> None:
    text = (ROOT / "docs" / "api.md").read_text()
    assert "### `POST /orgs/{org_id}/teams`" in text
    section = text.split("### `POST /orgs/{org_id}/teams`", 1)[1].split("\n### ", 1)[0]
    for expected in ("`team_name_taken`", "`team_limit_reached`", "`org_not_found`", "| `name` | string | yes |"):
        assert expected in section
