"""``/_local/outbox``: the mail SES accepted, read from the embedded moto's SES backend.

The delivery function sends through the real SES v2 API (``send_email`` with a raw MIME message);
locally that API is the embedded moto server, in this process, so its backend holds every message.
At start-up the sender's domain is verified there, as it must be in SES.
"""

from __future__ import annotations

import email
import os
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any

from devserver.local_routes import LocalError, LocalRequest
from orgplane import clock


def _backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID][os.environ.get("AWS_REGION", "us-east-1")]


def verify_sender(address: str) -> None:
    """Verify the sender's domain in the embedded SES (moto refuses mail from unverified identities)."""
    import boto3

    domain = address.rsplit("@", 1)[-1].strip(">").strip()
    boto3.client("sesv2").create_email_identity(EmailIdentity=domain)


def messages() -> list[dict[str, Any]]:
    return [message(sent) for sent in list(_backend().sent_messages) if getattr(sent, "raw_data", None) is not None]


def message(sent: Any) -> dict[str, Any]:
    """One raw message SES accepted: recipients, sender, subject, text and HTML parts, when sent."""
    parsed = email.message_from_string(sent.raw_data)
    date = parsed["Date"]
    return {
        "to": list(dict.fromkeys(sent.destinations)),
        "from": str(parsed["From"]),
        "subject": str(parsed["Subject"]),
        "text": _part(parsed, "text/plain"),
        "html": _part(parsed, "text/html"),
        "sent_at": clock.iso(parsedate_to_datetime(date)) if date else None,
    }


def _part(message: Message, content_type: str) -> str:
    for part in message.walk():
        if part.get_content_type() == content_type:
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8") if isinstance(payload, bytes) else ""
    return ""


def list_outbox(request: LocalRequest) -> tuple[int, Any]:
    if request.server is not None and not request.server.backends.services:
        raise LocalError(501, "not_implemented", "SES is not the embedded moto here: no outbox to show.")
    return 200, {"data": messages()}


def clear_outbox(request: LocalRequest) -> tuple[int, Any]:
    _backend().sent_messages.clear()
    return 204, None
