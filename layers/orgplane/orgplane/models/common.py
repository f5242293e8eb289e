"""Shared model bases and field types."""

from __future__ import annotations

import json
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

T = TypeVar("T")


class Request(BaseModel):
    """A request body: strict types, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=False)


class Response(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Page(Response, Generic[T]):
    data: list[T]
    next_cursor: str | None = None


class ListQuery(BaseModel):
    """``?limit=`` (1–100, default 50) and ``?cursor=``; undefined parameters are ignored."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=50, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=2048)] | None = None


ROLE_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"
RoleName = Annotated[str, StringConstraints(pattern=ROLE_PATTERN)]

MAX_METADATA_BYTES = 4096


def _metadata_size(value: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(value, separators=(",", ":"))) > MAX_METADATA_BYTES:
        raise ValueError(f"metadata must be at most {MAX_METADATA_BYTES} bytes as JSON")
    if _depth(value) > 5:
        raise ValueError("metadata may nest at most 5 levels")
    return value


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


Metadata = Annotated[dict[str, Any], Field(max_length=50), AfterValidator(_metadata_size)]


def _no_control_characters(value: str) -> str:
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise ValueError("must not contain control characters")
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


DisplayName = Annotated[
    str, StringConstraints(min_length=1, max_length=100), AfterValidator(_no_control_characters)
]
Description = Annotated[str, StringConstraints(max_length=500)]
