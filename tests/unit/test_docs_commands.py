"""The commands the README, the docs and the start-up banner print work from a fresh shell."""

from __future__ import annotations

import re
from pathlib import Path

from devserver import server

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_no_doc_tells_users_to_mint_tokens_with_the_system_python() -> None:
    """Plain `python -m devserver token` is the system interpreter in a fresh shell (no pyjwt there)."""
    bare = re.compile(r"(?<![/\w.])python3? -m devserver token")
    offenders = [f"{doc.relative_to(ROOT)}:{n}" for doc in DOCS
                 for n, line in enumerate(doc.read_text().splitlines(), 1) if bare.search(line)]
    assert not offenders, f"use `make token ARGS=...` instead in: {offenders}"


def test_the_banner_prints_the_make_token_command_naming_a_non_default_server() -> None:
    assert server.token_command(server.DEFAULT_PORT) == (
        "make token ARGS='--app demo --sub alice --email alice@example.com'")
    assert server.token_command(4001).endswith("--server http://127.0.0.1:4001'")
