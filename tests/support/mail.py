"""SES for tests: moto's SES v2 API in-process, and the mail it accepted."""

from __future__ import annotations

import email
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from email.message import Message
from typing import Any

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from orgplane.services import delivery

SENDER = "no-reply@example.com"


@contextmanager
def ses() -> Iterator[None]:
    """SES on moto. The moto tier already mocks every service; the DynamoDB Local tier mocks only what
    has no endpoint of its own (its DynamoDB requests go to DynamoDB Local, unmatched by moto)."""
    with ExitStack() as stack:
        if os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"):
            stack.enter_context(mock_aws())
        delivery.reset_client()
        boto3.client("sesv2").create_email_identity(EmailIdentity=SENDER)
        try:
            yield
        finally:
            delivery.reset_client()


def sent() -> list[dict[str, Any]]:
    """Every message SES accepted: recipients, subject, text and HTML parts."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID][os.environ.get("AWS_DEFAULT_REGION", "us-east-1")]
    result = []
    for message in backend.sent_messages:
        raw = getattr(message, "raw_data", None)
        if raw is None:
            continue
        parsed = email.message_from_string(raw)
        result.append({"to": list(dict.fromkeys(message.destinations)), "subject": str(parsed["Subject"]),
                       "text": _part(parsed, "text/plain"), "html": _part(parsed, "text/html")})
    return result


def _part(message: Message, content_type: str) -> str:
    for part in message.walk():
        if part.get_content_type() == content_type:
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8") if isinstance(payload, bytes) else ""
    return ""
