"""Blocks of docs/performance.md that their own commands write: ``<!-- name:begin -->`` … ``<!-- name:end -->``.

``make bench`` regenerates the rest of the file and keeps every such block as it found it; ``make load``
and ``make bench-events`` replace only their own.
"""

from __future__ import annotations

import re
from pathlib import Path

_BLOCK = re.compile(r"<!-- (?P<name>[a-z-]+):begin -->\n.*?<!-- (?P=name):end -->\n?", re.S)


def blocks(text: str) -> dict[str, str]:
    """Every block of ``text``, by name, markers included."""
    return {match["name"]: match[0] if match[0].endswith("\n") else match[0] + "\n" for match in _BLOCK.finditer(text)}


def wrap(name: str, body: str) -> str:
    return f"<!-- {name}:begin -->\n{body.rstrip()}\n<!-- {name}:end -->\n"


def replace(path: Path, name: str, body: str) -> None:
    """Put ``body`` in the file's block ``name``: in place if the block exists, else appended."""
    text = path.read_text() if path.exists() else ""
    block = wrap(name, body)
    found = blocks(text).get(name)
    if found is not None:
        text = text.replace(found, block, 1)
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block
    path.write_text(text)


def keep(old_text: str, new_text: str) -> str:
    """``new_text`` (a regenerated file) with the blocks of ``old_text`` it lacks appended."""
    present = blocks(new_text)
    kept = [block for name, block in blocks(old_text).items() if name not in present]
    if not kept:
        return new_text
    return new_text.rstrip("\n") + "\n\n" + "\n".join(kept)
