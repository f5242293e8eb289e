"""The event object and ``GET /events``'s query."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from orgplane.models.audit import AuditActor, AuditTarget
from orgplane.models.common import Response

TYPE_PATTERN = r"[a-z][a-z_]*(\.[a-z][a-z_]*)+"
MAX_TYPES = 20


class Event(Response):
    """One change, as announced: the audit record of the change, with its place in the org's sequence."""

    id: str
    type: str
    app_id: str
    org_id: str | None
    sequence: int
    occurred_at: str
    actor: AuditActor
    target: AuditTarget
    data: dict[str, Any]


class EventsQuery(BaseModel):
    """``GET /events?after=&types=a,b&org_id=&limit=``: oldest first, from a cursor."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    limit: int = Field(default=50, ge=1, le=100)
    after: Annotated[str, StringConstraints(min_length=1, max_length=512)] | None = None
    types: Annotated[str, StringConstraints(pattern=rf"^{TYPE_PATTERN}(,{TYPE_PATTERN})*$",
                                            max_length=1000)] | None = None
    org_id: Annotated[str, StringConstraints(pattern=r"^org_[0-9A-HJKMNP-TV-Z]{26}$")] | None = None

    @field_validator("types")
    @classmethod
    def _few_types(cls, value: str | None) -> str | None:
        if value is not None and len(set(value.split(","))) > MAX_TYPES:
            raise ValueError(f"at most {MAX_TYPES} types")
        return value

    @property
    def type_list(self) -> list[str]:
        return sorted(set(self.types.split(","))) if self.types else []
