"""Invitation mail: each send of an invitation is rendered and sent once, through SES v2.

The table's stream brings every write of a pending invitation whose delivery is ``queued`` (a new
invitation, a resend). The consumer **claims** the send first: one conditional update moves
``delivery.status`` from ``queued`` (or ``retry``) to ``sending`` for exactly this ``send_id``. A
repeated stream record, a retried batch or a second consumer finds the claim taken and does nothing,
so a send goes out at most once. Then:

- SES accepts → ``sent`` (with the message id);
- SES throttles or fails transiently, or does not answer → ``retry`` and the record fails, so
  Lambda retries it (the ``retry`` state is claimable again, and is not ``queued``, so it triggers
  no new stream record); on the last attempt → ``failed`` and the record goes to the dead-letter queue;
- SES refuses the message for good (bad address, unverified sender) → ``failed``, no retry.

A claim left in ``sending`` by a crashed invocation fails the record's retries (it is not skipped)
until :data:`LEASE_SECONDS` (longer than the function's timeout) have passed, then it is taken again;
if Lambda's retries run out first, the record is parked in the dead-letter queue (alarmed) and a
resend delivers it. A crash between SES accepting and the ``sent`` write can then send twice; a
crash is never a silent loss.

SES events (delivery, bounce, complaint) come back through the configuration set's SNS destination
and set ``delivered``, ``bounced`` or ``complained`` on the send they name (its tags).
"""

from __future__ import annotations

import html
import json
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from functools import cache
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from orgplane import clock, emails, keys, mail_headers
from orgplane.config import settings as deployment
from orgplane.services import invitation_links
from orgplane.services import settings as app_settings
from orgplane.store import invitation_mail, table

Item = dict[str, Any]

MAX_ATTEMPTS = 4
"""Tries of one send: the first and three retries (the event source's ``MaximumRetryAttempts`` is 3)."""
LEASE_SECONDS = 120
"""After this long a ``sending`` claim is considered crashed and may be taken again."""

_TRANSIENT = frozenset({"TooManyRequestsException", "LimitExceededException", "ThrottlingException",
                        "Throttling", "ServiceUnavailable", "InternalFailure", "InternalServerError",
                        "RequestTimeout"})


class SendFailed(Exception):
    """A send failed in a way that a retry may fix; the stream record fails so Lambda retries it."""


@cache
def _ses() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("sesv2", config=Config(retries={"mode": "standard", "max_attempts": 3},
                                               connect_timeout=3, read_timeout=10))


def reset_client() -> None:
    _ses.cache_clear()


# --- delivery -------------------------------------------------------------------------------------


def deliver(image: Item) -> str:
    """Handle one stream image of an invitation; returns what happened (for logs and tests)."""
    if image.get("entity") != "INVITE":
        return "ignored"
    invitation = _claim(image)
    if invitation is None:
        _refuse_if_in_flight(image)
        return "skipped"
    attempts = int(invitation["delivery"]["attempts"])
    try:
        emails.check_mailable(str(invitation["email"]))
    except emails.InvalidEmail:  # stored before today's input rules (encoded words): no retry can send it
        _settle(invitation, "failed", error="InvalidRecipient")
        return "failed"
    try:
        message_id = _send(invitation)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400))
        if code in _TRANSIENT or status >= 500:
            last = attempts >= MAX_ATTEMPTS
            _settle(invitation, "failed" if last else "retry", error=code)
            raise SendFailed(f"SES {code} on attempt {attempts} of {MAX_ATTEMPTS}") from error
        _settle(invitation, "failed", error=code)
        return "failed"
    except Exception as error:
        # No answer from SES (a network failure that outlasted the SDK's retries, a rendering error):
        # settle like a transient failure, or the retry of this record finds the claim taken and skips
        # it, and the mail is never sent. Should SES have accepted it after all, the retry sends the
        # same link again.
        last = attempts >= MAX_ATTEMPTS
        _settle(invitation, "failed" if last else "retry", error=type(error).__name__)
        raise SendFailed(f"{type(error).__name__} on attempt {attempts} of {MAX_ATTEMPTS}") from error
    _settle(invitation, "sent", message_id=message_id)
    return "sent"


def _refuse_if_in_flight(image: Item) -> None:
    """This send is claimed by another attempt and not settled: one running now, or one that crashed
    before settling. Fail the record rather than skip it, so Lambda retries it (after the lease the
    claim can be retaken) and, should the retries run out first, parks it in the dead-letter queue:
    a crashed send is retried or seen, never silently dropped."""
    current = table.get(keys.invitation(str(image["app_id"]), str(image["org_id"]), str(image["id"])))
    if (current is not None and current.get("status") == "pending" and current.get("send_id") == image.get("send_id")
            and (current.get("delivery") or {}).get("status") == "sending"):
        raise SendFailed("this send is claimed by an attempt that has not settled (running or crashed)")


def _claim(image: Item) -> Item | None:
    now = int(clock.timestamp())
    return invitation_mail.claim_send(str(image["app_id"]), str(image["org_id"]), str(image["id"]),
                                      str(image["send_id"]), clock.iso(), now, stale_before=now - LEASE_SECONDS)


def _settle(invitation: Item, status: str, *, message_id: str | None = None, error: str | None = None) -> None:
    """Record the outcome of this send (a resend since then owns the item: leave it alone)."""
    invitation_mail.settle_send(str(invitation["app_id"]), str(invitation["org_id"]), str(invitation["id"]),
                                str(invitation["send_id"]), status, message_id=message_id, error=error)


# --- rendering --------------------------------------------------------------------------------------


def page_url(app_id: str, token: str) -> str:
    """The app's accept page (its ``accept_url`` setting, or the local default) for ``token``."""
    configured = app_settings.load(app_id).invitation_email.accept_url
    return (configured or deployment().local_accept_url).replace("{token}", quote(token, safe=""))


def render(invitation: Item) -> EmailMessage:
    """The invitation email: plain text and HTML, org name, inviter, role, expiry and the accept link."""
    app_id = str(invitation["app_id"])
    configured = app_settings.load(app_id).invitation_email
    token = invitation_links.token(app_id, str(invitation["org_id"]), str(invitation["id"]), str(invitation["nonce"]))
    accept_url = page_url(app_id, token)
    org_name = str(invitation.get("org_name") or "an organization")
    inviter = invitation.get("inviter_email")  # stored only when the inviter's email was verified
    role = str(invitation["role"])
    expires = str(invitation["expires_at"])
    # every header value passes one_line: org names and settings are user text (see mail_headers)
    subject = mail_headers.one_line((configured.subject or "You are invited to join {org}").replace("{org}", org_name))
    sender = configured.from_ or deployment().default_from_address
    invited = (f"{inviter} invited you to join {org_name} as {role}." if inviter
               else f"You are invited to join {org_name} as {role}.")
    text = (f"{invited}\n\n"
            f"Accept the invitation:\n{accept_url}\n\n"
            f"The link works until {expires}. If you did not expect this email, ignore it.\n")
    e = html.escape
    invited_html = (f"{e(str(inviter))} invited you to join <strong>{e(org_name)}</strong> as {e(role)}." if inviter
                    else f"You are invited to join <strong>{e(org_name)}</strong> as {e(role)}.")
    body = (f"<!doctype html><html><body style=\"font-family: sans-serif\">"
            f"<p>{invited_html}</p>"
            f"<p><a href=\"{e(accept_url)}\">Accept the invitation</a></p>"
            f"<p style=\"color: #666\">The link works until {e(expires)}. "
            f"If you did not expect this email, ignore it.</p></body></html>")
    message = EmailMessage()
    message["Subject"] = subject
    name, address = parseaddr(sender)
    name = mail_headers.one_line(name)
    message["From"] = formataddr((name, address)) if name else address
    message["To"] = recipient(invitation)
    message["Date"] = formatdate(clock.timestamp(), usegmt=True)
    message.set_content(text)
    message.add_alternative(body, subtype="html")
    return message


def recipient(invitation: Item) -> str:
    """The invitee's address as mail servers take it: the domain as its A-label (validated on input)."""
    return emails.deliverable(str(invitation["email"]))


def _send(invitation: Item) -> str:
    message = render(invitation)
    request: dict[str, Any] = {
        "FromEmailAddress": str(message["From"]),
        "Destination": {"ToAddresses": [recipient(invitation)]},
        "Content": {"Raw": {"Data": message.as_bytes()}},
        "EmailTags": [{"Name": name, "Value": str(invitation[field])}
                      for name, field in (("app_id", "app_id"), ("org_id", "org_id"), ("invitation_id", "id"),
                                          ("send_id", "send_id"))],
    }
    configuration_set = deployment().ses_configuration_set
    if configuration_set:
        request["ConfigurationSetName"] = configuration_set
    return str(_ses().send_email(**request)["MessageId"])


# --- SES events (through SNS) -------------------------------------------------------------------------

_EVENT_STATUS = {"Delivery": "delivered", "Complaint": "complained"}


def feedback(message: Item) -> str:
    """Apply one SES event notification to the send it names; returns the status set, or why not."""
    event_type = str(message.get("eventType") or message.get("notificationType") or "")
    status = _EVENT_STATUS.get(event_type)
    if event_type == "Bounce":
        status = "bounced" if (message.get("bounce") or {}).get("bounceType") == "Permanent" else None
    if status is None:
        return "ignored"
    tags = (message.get("mail") or {}).get("tags") or {}

    def tag(name: str) -> str | None:
        values = tags.get(name) or []
        return str(values[0]) if values else None

    app_id, org_id, invitation_id, send_id = tag("app_id"), tag("org_id"), tag("invitation_id"), tag("send_id")
    if not (app_id and org_id and invitation_id and send_id):
        return "untagged"
    if not invitation_mail.record_feedback(app_id, org_id, invitation_id, send_id, status, clock.iso()):
        return "stale"
    return status


def parse_sns_message(record: Item) -> Item:
    return dict(json.loads(record["Sns"]["Message"]))
