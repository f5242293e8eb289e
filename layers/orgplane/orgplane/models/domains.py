"""Verified domains of an org (DESIGN section 12)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from orgplane.models.common import Request, Response


class AddDomain(Request):
    domain: Annotated[str, StringConstraints(min_length=3, max_length=253)]


class Verification(Response):
    type: Literal["TXT"]
    name: str
    value: str


class Domain(Response):
    domain: str
    status: Literal["pending", "verified"]
    verification: Verification
    created_at: str
    verified_at: str | None
