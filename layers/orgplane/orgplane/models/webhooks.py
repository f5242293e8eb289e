"""Webhook endpoints and their deliveries (``/admin/webhooks``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from orgplane.models.common import ListQuery, Request, Response
from orgplane.models.events import TYPE_PATTERN

WebhookUrl = Annotated[str, StringConstraints(min_length=8, max_length=2048)]
EventType = Annotated[str, StringConstraints(pattern=rf"^{TYPE_PATTERN}$", max_length=64)]
Description = Annotated[str, StringConstraints(max_length=500)]


class CreateWebhook(Request):
    url: WebhookUrl
    types: Annotated[list[EventType], Field(max_length=50)] = Field(default_factory=list)
    description: Description = ""


class UpdateWebhook(Request):
    url: WebhookUrl | None = None
    types: Annotated[list[EventType], Field(max_length=50)] | None = None
    description: Description | None = None
    enabled: bool | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateWebhook:
        if not self.model_fields_set:
            raise ValueError("give at least one of url, types, description, enabled")
        for field in self.model_fields_set:
            if getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class Webhook(Response):
    id: str
    url: str
    types: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None = None
    created_at: str
    updated_at: str


class WebhookWithSecret(Webhook):
    secret: str
    """``whsec_`` + base64: shown only when the endpoint is created or its secret rotated."""


class Delivery(Response):
    id: str
    event_id: str
    type: str
    status: str
    attempts: int
    last_status_code: int | None
    next_attempt_at: str | None
    delivered_at: str | None


class DeliveriesQuery(ListQuery):
    """``GET /admin/webhooks/{webhook_id}/deliveries``: newest first."""
