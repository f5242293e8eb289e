"""Ownership transfer requests and the transfer object."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints

from orgplane.models.common import ListQuery, Request, Response, invisible_character

Status = Literal["pending", "accepted", "declined", "cancelled", "expired"]


MAX_USER_ID_BYTES = 255
"""A user id is a token's ``sub``: at most 255 bytes (OpenID Connect), no control characters."""


def _user_id(value: str) -> str:
    if invisible_character(value) is not None:
        raise ValueError("must not contain control or invisible formatting characters")
    if len(value.encode()) > MAX_USER_ID_BYTES:
        raise ValueError(f"must be at most {MAX_USER_ID_BYTES} bytes")
    return value


UserId = Annotated[str, StringConstraints(min_length=1), AfterValidator(_user_id)]


class CreateOwnershipTransfer(Request):
    to_user_id: UserId


class OwnershipTransfer(Response):
    id: str
    org_id: str
    from_user_id: str
    to_user_id: str
    status: Status
    expires_at: str
    created_at: str
    updated_at: str


class ListOwnershipTransfersQuery(ListQuery):
    """The org's transfers, newest first: the pending one (if any) comes first."""
