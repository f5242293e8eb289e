"""The README's quick start runs as written: its block, executed by bash against a fresh local server,
prints exactly the output the README shows."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.http.client import Client
from tests.http.conftest import ROOT, running_server, server_env

README = ROOT / "README.md"
DEFAULT_API = "API=http://127.0.0.1:3000 "


def readme_block(label: str) -> str:
    """The fenced block right after ``<!-- quick-start: {label} -->`` in the README."""
    found = re.search(rf"<!-- quick-start: {label} -->\n```[a-z]*\n(.*?)```\n", README.read_text(), re.DOTALL)
    assert found, f"README.md has no fenced block after <!-- quick-start: {label} -->"
    return found.group(1)


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """A server of its own, as a reader's `make dev` is: nobody else's orgs or mail in it."""
    with running_server(tmp_path_factory.mktemp("quick-start"), label="quick start server") as client:
        yield client


def test_the_quick_start_prints_what_the_readme_says(fresh_server: Client) -> None:
    missing = [tool for tool in ("bash", "curl", "jq", "make") if shutil.which(tool) is None]
    assert not missing, f"the README's quick start needs {missing} on PATH"
    script = readme_block("script")
    assert script.startswith(DEFAULT_API), f"the quick start must begin with {DEFAULT_API!r}"
    script = f"API={fresh_server.base_url} " + script[len(DEFAULT_API):]  # the one line that names the server
    env = {k: v for k, v in server_env().items() if not k.startswith("MAKE") and k not in ("MFLAGS", "PYTHONPATH")}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"the quick start failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout == readme_block("output"), done.stderr


def test_the_readme_block_is_found_where_the_test_looks() -> None:
    assert "POST $API/invitations/accept" in readme_block("script")
    assert readme_block("output").strip().endswith('{"status":404,"code":"org_not_found"}')
