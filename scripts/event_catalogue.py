"""Rewrite the README's event catalogue from ``orgplane.event_types`` (``make event-catalogue``)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers" / "orgplane"))

from orgplane.event_types import render_markdown  # noqa: E402

START, END = "<!-- event-catalogue:start -->", "<!-- event-catalogue:end -->"


def rewrite(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{render_markdown()}{END}{tail}"


if __name__ == "__main__":
    readme = ROOT / "README.md"
    readme.write_text(rewrite(readme.read_text()))
