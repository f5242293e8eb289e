"""An invitation's mail: the ``delivery`` state of its current send (``send_id``), moved by single conditional
updates of the invitation item outside any request's transaction (the mail consumer and SES feedback)."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.store import table

Item = dict[str, Any]

_NAMES = {"#d": "delivery", "#st": "status", "#at": "attempts", "#last": "last_attempt_at",
          "#claimed": "claimed_epoch"}


def claim_send(app_id: str, org_id: str, invitation_id: str, send_id: str, at: str, epoch: int,
               stale_before: int) -> Item | None:
    """Take the send ``send_id`` of a pending invitation: its delivery moves to ``sending`` (one attempt more)
    from ``queued`` or ``retry``, or from a ``sending`` claimed before ``stale_before`` (a crashed attempt).
    The invitation as written, or ``None``: sent, being sent, superseded by a resend, or no longer pending."""
    try:
        return table.update(
            keys.invitation(app_id, org_id, invitation_id),
            "SET #d.#st = :sending, #d.#last = :now, #d.#claimed = :epoch ADD #d.#at :one",
            condition="#status = :pending AND send_id = :send AND "
                      "(#d.#st IN (:queued, :retry) OR (#d.#st = :sending AND #d.#claimed < :stale))",
            names={**_NAMES, "#status": "status"},
            values={":sending": "sending", ":now": at, ":epoch": epoch, ":one": 1, ":pending": "pending",
                    ":send": send_id, ":queued": "queued", ":retry": "retry", ":stale": stale_before})
    except table.ConditionFailed:
        return None


def settle_send(app_id: str, org_id: str, invitation_id: str, send_id: str, status: str, *,
                message_id: str | None = None, error: str | None = None) -> bool:
    """Record the outcome of the send ``send_id`` it claimed; ``False`` (nothing written) when the send is no
    longer this one in ``sending`` (a resend since then owns the item)."""
    names = {"#d": "delivery", "#st": "status"}
    values: dict[str, Any] = {":s": status, ":send": send_id, ":sending": "sending"}
    expression = "SET #d.#st = :s"
    for attribute, value in (("message_id", message_id), ("error", error)):
        if value:
            expression += f", #d.#{attribute} = :{attribute}"
            names[f"#{attribute}"] = attribute
            values[f":{attribute}"] = value
    try:
        table.update(keys.invitation(app_id, org_id, invitation_id), expression,
                     condition="send_id = :send AND #d.#st = :sending", names=names, values=values)
    except table.ConditionFailed:
        return False
    return True


def record_feedback(app_id: str, org_id: str, invitation_id: str, send_id: str, status: str, at: str) -> bool:
    """Set what SES reported (``delivered``, ``bounced``…) on the send ``send_id``; ``False`` when the
    invitation's send is another one now, or it has no delivery."""
    try:
        table.update(keys.invitation(app_id, org_id, invitation_id), "SET #d.#st = :s, #d.#fb = :at",
                     condition="send_id = :send AND attribute_exists(#d)",
                     names={"#d": "delivery", "#st": "status", "#fb": "feedback_at"},
                     values={":s": status, ":at": at, ":send": send_id})
    except table.ConditionFailed:
        return False
    return True
