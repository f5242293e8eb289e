"""Shared model bases and field types."""

from __future__ import annotations

import decimal
import json
import math
import unicodedata
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

T = TypeVar("T")


class Request(BaseModel):
    """A request body: strict types, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=False, defer_build=True)


class Response(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


class Page(Response, Generic[T]):
    data: list[T]
    next_cursor: str | None = None


class ListQuery(BaseModel):
    """``?limit=`` (1–100, default 50) and ``?cursor=``; undefined parameters are ignored."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    limit: int = Field(default=50, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=2048)] | None = None


ROLE_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"
RoleName = Annotated[str, StringConstraints(pattern=ROLE_PATTERN)]

MAX_METADATA_BYTES = 4096
MAX_METADATA_DEPTH = 5

_DYNAMODB_NUMBER = decimal.Context(prec=38, Emin=-128, Emax=126, traps=[
    decimal.Clamped, decimal.Overflow, decimal.Inexact, decimal.Rounded, decimal.Underflow])
"""DynamoDB's number type, as boto3 serializes it: 38 significant digits, magnitudes 1e-130 to 1e126."""


def _metadata_size(value: dict[str, Any]) -> dict[str, Any]:
    # depth first: the other checks recurse, and JSON nested hundreds of levels deep is a short body
    if _deeper_than(value, MAX_METADATA_DEPTH):
        raise ValueError(f"metadata may nest at most {MAX_METADATA_DEPTH} levels")
    if len(json.dumps(value, separators=(",", ":"))) > MAX_METADATA_BYTES:
        raise ValueError(f"metadata must be at most {MAX_METADATA_BYTES} bytes as JSON")
    _check_storable(value)
    return value


def _deeper_than(value: Any, levels: int) -> bool:
    """Whether ``value`` nests more than ``levels`` levels; looks no deeper than that."""
    if not isinstance(value, dict | list):
        return False
    if levels == 0:
        return True
    return any(_deeper_than(item, levels - 1) for item in (value.values() if isinstance(value, dict) else value))


def _check_storable(value: Any) -> None:
    """Refuse, as a validation error, what DynamoDB cannot store (the write would fail with a 500)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("metadata text must be valid Unicode (no unpaired surrogates)") from None
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("metadata numbers must be finite")
        try:
            _DYNAMODB_NUMBER.create_decimal(decimal.Decimal(str(value)) if isinstance(value, float) else value)
        except decimal.DecimalException:
            raise ValueError("metadata numbers must have at most 38 significant digits and a magnitude "
                             "between 1e-130 and 1e126") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            if not key:
                raise ValueError("metadata keys must not be empty")
            _check_storable(key)
            _check_storable(item)
    elif isinstance(value, list):
        for item in value:
            _check_storable(item)


Metadata = Annotated[dict[str, Any], Field(max_length=50), AfterValidator(_metadata_size)]


# Format characters a name may hold: the joiners (Persian and Indic scripts, emoji sequences), the
# left/right marks (they cannot reorder text) and emoji tag characters (subdivision flags).
_KEPT_FORMAT = frozenset("\u200c\u200d\u200e\u200f") | frozenset(map(chr, range(0xE0020, 0xE0080)))


# Letters and symbols that render as nothing (Hangul fillers, the Braille blank) and default-ignorable
# marks (variation selectors, the combining grapheme joiner): allowed beside visible text, never alone.
_BLANK = (frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
          | frozenset(map(chr, range(0x180B, 0x1810))) | frozenset(map(chr, range(0xFE00, 0xFE10)))
          | frozenset(map(chr, range(0xE0100, 0xE01F0))))
# Line and paragraph separators: a name is one line (and never splits a mail header).
_LINE_SEPARATORS = frozenset({"Zl", "Zp"})
# Line breaks and tabs a multi-line text (a description) may hold.
_TEXT_BLOCK_CONTROLS = frozenset("\t\n\r")


def invisible_character(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first character that would hide or reorder what a reader sees: controls, lone surrogates,
    format characters such as bidi overrides/isolates (Trojan Source) or zero-width spaces, and line or
    paragraph separators; ``allowed`` names exceptions (line breaks in a description)."""
    for ch in value:
        if ch in allowed:
            continue
        category = unicodedata.category(ch)
        if category in {"Cc", "Cs"} or category in _LINE_SEPARATORS or (category == "Cf" and ch not in _KEPT_FORMAT):
            return ch
    return None


def _refuse_invisible(value: str, allowed: frozenset[str] = frozenset()) -> None:
    found = invisible_character(value, allowed)
    if found is not None:
        raise ValueError(f"must not contain control or invisible formatting characters (U+{ord(found):04X})")


def has_visible_character(value: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LNPS" and ch not in _BLANK for ch in value)


def _visible_text(value: str) -> str:
    _refuse_invisible(value)
    if not has_visible_character(value):
        raise ValueError("must contain a visible character")
    return value.strip()


def _text_block(value: str) -> str:
    """Multi-line text: the rules of names, with tabs and line breaks allowed; empty is fine."""
    _refuse_invisible(value, _TEXT_BLOCK_CONTROLS)
    return value


DisplayName = Annotated[
    str, StringConstraints(min_length=1, max_length=100), AfterValidator(_visible_text)
]
Description = Annotated[str, StringConstraints(max_length=500), AfterValidator(_text_block)]
