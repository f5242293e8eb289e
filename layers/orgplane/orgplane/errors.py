"""The error catalogue: every stable error code the API returns, with its status and title.

Domain code raises :class:`DomainError` with a code from :data:`CATALOGUE`; the HTTP layer turns
it into ``application/problem+json`` in exactly one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

CATALOGUE: dict[str, tuple[int, str]] = {
    "validation_error": (400, "Request is invalid"),
    "webhook_url_not_allowed": (400, "Webhook URL not allowed"),
    "domain_not_allowed": (400, "Domain not allowed"),
    "unauthorized": (401, "Unauthorized"),
    "forbidden": (403, "Forbidden"),
    "invitation_email_mismatch": (403, "Invitation is for another email"),
    "insufficient_scope": (403, "Insufficient scope"),
    "not_found": (404, "Not found"),
    "org_not_found": (404, "Organization not found"),
    "member_not_found": (404, "Member not found"),
    "invitation_not_found": (404, "Invitation not found"),
    "team_not_found": (404, "Team not found"),
    "transfer_not_found": (404, "Ownership transfer not found"),
    "webhook_not_found": (404, "Webhook not found"),
    "delivery_not_found": (404, "Delivery not found"),
    "invite_link_not_found": (404, "Invite link not found"),
    "domain_not_found": (404, "Domain not found"),
    "join_request_not_found": (404, "Join request not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "slug_taken": (409, "Slug is taken"),
    "domain_taken": (409, "Domain is taken"),
    "domain_not_verified": (409, "Domain not verified"),
    "join_request_pending": (409, "Join request already pending"),
    "join_request_not_pending": (409, "Join request is not pending"),
    "team_name_taken": (409, "Team name is taken"),
    "already_member": (409, "Already a member"),
    "invitation_pending": (409, "Invitation already pending"),
    "invitation_not_pending": (409, "Invitation is not pending"),
    "not_org_member": (409, "Not a member of the organization"),
    "transfer_pending": (409, "Ownership transfer already pending"),
    "transfer_not_pending": (409, "Ownership transfer is not pending"),
    "last_owner": (409, "Organization needs an owner"),
    "role_in_use": (409, "Role is in use"),
    "member_limit_reached": (409, "Member limit reached"),
    "org_limit_reached": (409, "Organization limit reached"),
    "team_limit_reached": (409, "Team limit reached"),
    "idempotency_key_reused": (409, "Idempotency key reused"),
    "webhook_limit_reached": (409, "Webhook limit reached"),
    "conflict": (409, "Concurrent change"),
    "invitation_expired": (410, "Invitation expired"),
    "invite_link_expired": (410, "Invite link expired"),
    "payload_too_large": (413, "Payload too large"),
    "unsupported_media_type": (415, "Unsupported media type"),
    "rate_limited": (429, "Too many requests"),
    "internal_error": (500, "Internal error"),
    "unavailable": (503, "Service unavailable"),
}


class DomainError(Exception):
    """A failure the caller can act on: one catalogue code, a safe human-readable detail."""

    def __init__(self, code: str, detail: str | None = None, errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None):
        if code not in CATALOGUE:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.status, self.title = CATALOGUE[code]
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers  # e.g. ``Retry-After`` of a 429
        super().__init__(f"{code}: {self.detail}")


def not_found(kind: str) -> DomainError:
    return DomainError(f"{kind}_not_found", f"{kind.replace('_', ' ').capitalize()} not found.")


def forbidden(detail: str = "You do not have permission to do this.") -> DomainError:
    return DomainError("forbidden", detail)


def invalid(field: str, message: str) -> DomainError:
    return DomainError("validation_error", message, errors=[{"field": field, "message": message}])


def validation_problem(error: ValidationError) -> DomainError:
    """A model's validation failure as ``validation_error``, one entry per failed field."""
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
        for e in error.errors(include_url=False, include_input=False)
    ]
    return DomainError("validation_error", "The request is invalid.", errors=errors)


def problem_document(error: DomainError, request_id: str) -> dict[str, Any]:
    """The ``application/problem+json`` body of ``error`` (RFC 9457, with the stable ``code``)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": error.title,
        "status": error.status,
        "code": error.code,
        "detail": error.detail,
        "request_id": request_id,
    }
    if error.errors:
        body["errors"] = error.errors
    return body
