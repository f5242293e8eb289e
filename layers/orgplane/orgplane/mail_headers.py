"""Text that goes into a mail header, made harmless whatever the interpreter's ``email`` package does.

CPython before 3.12.5 (CVE-2024-6923) folds headers so that an encoded word holding ``=0D=0A`` can end
the header and start another (``Bcc:``, ``Reply-To:``), and ``str.splitlines`` breaks on U+2028/U+2029,
which made such a subject fail every delivery. Nothing user-written reaches a header without
:func:`one_line`: line breaks of every kind and control or format characters become a space, and
encoded-word syntax (``=?``) is broken so no header decoder or folder ever treats it as one.
"""

from __future__ import annotations

import unicodedata

_BREAKING = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NEUTRAL_ENCODED_WORD = "= ?"


def one_line(value: str) -> str:
    """``value`` as one header-safe line: no line breaks, no controls, no encoded-word openers."""
    text = "".join(" " if unicodedata.category(ch) in _BREAKING else ch for ch in value)
    text = text.replace("=?", _NEUTRAL_ENCODED_WORD)  # "= ?" holds no "=?": one pass is enough
    return " ".join(text.split())
