"""Webhook endpoints (``/admin/webhooks``), the fan-out of events to them, and one delivery attempt.

- An endpoint belongs to an app (at most :data:`MAX_WEBHOOKS`, counted atomically). Its signing
  secrets are stored sealed (:mod:`orgplane.webhooks.sealed`): the current one, and after a rotation
  the previous one until :data:`ROTATION_OVERLAP_SECONDS` have passed; both sign meanwhile.
- :func:`fan_out` (a consumer of the table's stream, for each new event) puts one delivery item per
  matching enabled endpoint, its id derived from the event's, so a repeated stream record makes no
  second delivery; then :func:`dispatch` queues it in the lane of (endpoint, org).
- :func:`attempt` makes one attempt of a delivery and records it; it answers how long to wait before
  the next one (or ``None`` when the delivery is finished). The queue (SQS FIFO deployed, the local
  server's lanes) keeps a lane blocked meanwhile, which is what orders an org's events per endpoint.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from orgplane import access, clock, config, ids, keys
from orgplane.caller import Caller
from orgplane.errors import DomainError, not_found
from orgplane.models.common import ListQuery, Page
from orgplane.models.webhooks import (
    CreateWebhook,
    DeliveriesQuery,
    Delivery,
    UpdateWebhook,
    Webhook,
    WebhookWithSecret,
)
from orgplane.services import audit, event_log, events
from orgplane.store import cursors, deliveries, pages, table
from orgplane.store import webhooks as webhooks_store
from orgplane.store.conditions import all_of
from orgplane.store.transaction import Stale, Transaction, retrying
from orgplane.webhooks import schedule, sealed, signing, transport, url_guard

Item = dict[str, Any]

MAX_WEBHOOKS = 20
ROTATION_OVERLAP_SECONDS = 86400
DELIVERY_RETENTION_DAYS = 30
TEST_TYPE = "webhook.test"
SYSTEM_ACTOR = "system:webhooks"

LIMIT_REACHED = DomainError("webhook_limit_reached", f"An app may have at most {MAX_WEBHOOKS} webhook endpoints.")

Dispatcher = Callable[[str, str, str, str], None]
"""(app_id, webhook_id, lane, delivery_id) → queue one attempt of the delivery."""

_local_dispatcher: Dispatcher | None = None


def use_local_dispatcher(dispatcher: Dispatcher | None) -> None:
    """The local server's queue (its lanes); deployed, deliveries go to the SQS FIFO queue."""
    global _local_dispatcher
    _local_dispatcher = dispatcher


def require_manager(caller: Caller) -> None:
    """Who manages an app's webhooks: its support staff (and, with service principals, a service
    holding the write scope): the one place that decides it."""
    access.require_support(caller)


# --- endpoints ----------------------------------------------------------------------------------


def _vet(url: str) -> None:
    try:
        url_guard.vet(url, allow_local=config.settings().webhooks_allow_local)
    except url_guard.UrlNotAllowed as refused:
        raise DomainError("webhook_url_not_allowed", str(refused),
                          errors=[{"field": "url", "message": str(refused)}]) from refused


def _view(item: Item) -> Webhook:
    return Webhook(id=item["id"], url=item["url"], types=list(item.get("types") or []),
                   description=item.get("description") or "", enabled=bool(item.get("enabled")),
                   disabled_reason=item.get("disabled_reason"), created_at=item["created_at"],
                   updated_at=item["updated_at"])


def _existing(caller: Caller, webhook_id: str) -> Item:
    if not ids.is_valid("wh", webhook_id):
        raise not_found("webhook")
    item = webhooks_store.read(caller.app_id, webhook_id)
    if item is None:
        raise not_found("webhook")
    return item


def _existing_to_change(caller: Caller, webhook_id: str) -> Item:
    """The endpoint a change starts from, read with the app's event counter in one request (the change's
    audit event is numbered from it: :mod:`orgplane.services.events`)."""
    if not ids.is_valid("wh", webhook_id):
        raise not_found("webhook")
    item, counter = webhooks_store.read_with_event_counter(caller.app_id, webhook_id)
    events.saw(caller.app_id, None, counter)
    if item is None:
        raise not_found("webhook")
    return item


def create(caller: Caller, body: CreateWebhook) -> WebhookWithSecret:
    require_manager(caller)
    _vet(body.url)
    webhook_id, secret, now = ids.new("wh"), signing.new_secret(), clock.iso()
    item = {
        **keys.webhook(caller.app_id, webhook_id), **keys.webhook_listing_gsi2(caller.app_id, webhook_id),
        "entity": "WEBHOOK", "id": webhook_id, "app_id": caller.app_id, "url": body.url,
        "types": sorted(set(body.types)), "description": body.description or None, "enabled": True,
        "secrets": [{"sealed": sealed.seal(caller.app_id, webhook_id, secret), "expires_epoch": None}],
        "created_at": now, "updated_at": now,
    }
    tx = Transaction()
    webhooks_store.put_new(tx, item)
    webhooks_store.count(tx, caller.app_id, MAX_WEBHOOKS, on_full=LIMIT_REACHED)
    audit.record(tx, caller, None, "webhook.created", "webhook", webhook_id,
                 {"url": url_guard.origin(body.url), "types": item["types"]})
    tx.commit()
    return WebhookWithSecret(**_view(item).model_dump(), secret=secret)


def list_all(caller: Caller, query: ListQuery) -> Page[Webhook]:
    require_manager(caller)
    scope = f"webhooks:{caller.app_id}"
    page = pages.fill(webhooks_store.of_app(caller.app_id), query.limit, cursors.decode(query.cursor, scope))
    return Page(data=[_view(item) for item in page.items], next_cursor=cursors.encode(page.last_key, scope))


def get(caller: Caller, webhook_id: str) -> Webhook:
    require_manager(caller)
    return _view(_existing(caller, webhook_id))


def update(caller: Caller, webhook_id: str, body: UpdateWebhook) -> Webhook:
    require_manager(caller)
    return retrying(lambda: _update(caller, webhook_id, body))


def _update(caller: Caller, webhook_id: str, body: UpdateWebhook) -> Webhook:
    item = _existing_to_change(caller, webhook_id)
    changes: Item = {}
    if body.url is not None and body.url != item["url"]:
        _vet(body.url)
        changes["url"] = body.url
    if body.types is not None and sorted(set(body.types)) != list(item.get("types") or []):
        changes["types"] = sorted(set(body.types))
    if body.description is not None and body.description != (item.get("description") or ""):
        changes["description"] = body.description or None  # no empty strings: older engines refuse them
    if body.enabled is not None and body.enabled != bool(item.get("enabled")):
        changes["enabled"] = body.enabled
    if not changes:
        return _view(item)
    details = {k: url_guard.origin(v) if k == "url" else v for k, v in changes.items() if k != "description"}
    changes["updated_at"] = clock.iso()
    remove = ["failing_since", "disabled_reason"] if changes.get("enabled") else []
    tx = Transaction()
    webhooks_store.change(tx, caller.app_id, webhook_id, changes, remove=remove,
                          when=webhooks_store.unchanged_since(item["updated_at"]))
    audit.record(tx, caller, None, "webhook.updated", "webhook", webhook_id, details)
    tx.commit()
    return _view({**item, **changes, **dict.fromkeys(remove)})


def delete(caller: Caller, webhook_id: str) -> None:
    require_manager(caller)
    item = _existing_to_change(caller, webhook_id)
    tx = Transaction()
    webhooks_store.delete(tx, caller.app_id, webhook_id, on_missing=not_found("webhook"))
    webhooks_store.uncount(tx, caller.app_id)
    audit.record(tx, caller, None, "webhook.deleted", "webhook", webhook_id, {"url": url_guard.origin(item["url"])})
    tx.commit()


def rotate_secret(caller: Caller, webhook_id: str) -> WebhookWithSecret:
    require_manager(caller)
    return retrying(lambda: _rotate(caller, webhook_id))


def _rotate(caller: Caller, webhook_id: str) -> WebhookWithSecret:
    item = _existing_to_change(caller, webhook_id)
    secret, now = signing.new_secret(), clock.iso()
    current = item["secrets"][0]
    secrets_ = [{"sealed": sealed.seal(caller.app_id, webhook_id, secret), "expires_epoch": None},
                {"sealed": current["sealed"], "expires_epoch": int(clock.timestamp()) + ROTATION_OVERLAP_SECONDS}]
    tx = Transaction()
    webhooks_store.change(tx, caller.app_id, webhook_id, {"secrets": secrets_, "updated_at": now},
                          when=webhooks_store.unchanged_since(item["updated_at"]))
    audit.record(tx, caller, None, "webhook.secret_rotated", "webhook", webhook_id,
                 {"previous_valid_until": clock.iso_at(secrets_[1]["expires_epoch"])})
    tx.commit()
    return WebhookWithSecret(**_view({**item, "updated_at": now}).model_dump(), secret=secret)


def live_secrets(item: Item) -> list[str]:
    now = clock.timestamp()
    return [sealed.open_(str(item["app_id"]), str(item["id"]), str(s["sealed"])) for s in item.get("secrets") or []
            if s.get("expires_epoch") is None or float(s["expires_epoch"]) > now]


# --- deliveries ---------------------------------------------------------------------------------


def _delivery_view(item: Item) -> Delivery:
    next_at = item.get("next_attempt_epoch")
    delivered = item.get("delivered_epoch")
    return Delivery(id=item["id"], event_id=item["event_id"], type=item["type"], status=item["status"],
                    attempts=int(item.get("attempts", 0)), last_status_code=item.get("last_status_code"),
                    next_attempt_at=clock.iso_at(float(next_at)) if next_at is not None and item["status"] == "pending"
                    else None,
                    delivered_at=clock.iso_at(float(delivered)) if delivered is not None else None)


def _lane(webhook_id: str, org_id: str | None) -> str:
    return f"{webhook_id}:{org_id or 'app'}"


def _delivery_item(app_id: str, webhook_id: str, event: dict[str, Any]) -> Item:
    delivery_id = "dlv_" + str(event["id"]).split("_", 1)[1]
    return {
        **keys.webhook_delivery(app_id, webhook_id, delivery_id), "entity": "WEBHOOK_DELIVERY",
        "id": delivery_id, "app_id": app_id, "webhook_id": webhook_id, "event_id": event["id"],
        "type": event["type"], "org_id": event.get("org_id"), "event": event, "status": "pending", "attempts": 0,
        "generation": 0, "next_attempt_epoch": int(clock.timestamp()),
        "ttl": int(clock.timestamp()) + DELIVERY_RETENTION_DAYS * 86400,
    }


def dispatch(app_id: str, webhook_id: str, org_id: str | None, delivery_id: str, generation: int = 0) -> None:
    lane = _lane(webhook_id, org_id)
    if _local_dispatcher is not None:
        _local_dispatcher(app_id, webhook_id, lane, delivery_id)
        return
    queue_url = config.settings().webhook_queue_url
    if not queue_url:
        raise RuntimeError("WEBHOOK_QUEUE_URL is not set")
    import boto3

    boto3.client("sqs").send_message(
        QueueUrl=queue_url, MessageGroupId=lane, MessageDeduplicationId=f"{delivery_id}.{generation}",
        MessageBody=json.dumps({"app_id": app_id, "webhook_id": webhook_id, "delivery_id": delivery_id}))


def fan_out(image: Item) -> int:
    """One delivery per enabled endpoint of the event's app that takes its type; returns how many."""
    event = event_log.to_event(image).model_dump(mode="json")
    app_id = event["app_id"]
    sent = 0
    for endpoint in table.query(webhooks_store.of_app(app_id), MAX_WEBHOOKS).items:
        if not endpoint.get("enabled") or (endpoint.get("types") and event["type"] not in endpoint["types"]):
            continue
        item = _delivery_item(app_id, str(endpoint["id"]), event)
        if not deliveries.put_new(item):  # a repeated record: queue it again only if it was never tried
            existing = deliveries.read(app_id, str(endpoint["id"]), str(item["id"])) or {}
            if existing.get("status") != "pending" or int(existing.get("attempts", 0)) > 0:
                continue
        dispatch(app_id, str(endpoint["id"]), event.get("org_id"), str(item["id"]))
        sent += 1
    return sent


def send_test(caller: Caller, webhook_id: str) -> Delivery:
    require_manager(caller)
    _existing(caller, webhook_id)
    event_id = ids.new("evt")
    event = {"id": event_id, "type": TEST_TYPE, "app_id": caller.app_id, "org_id": None, "sequence": 0,
             "occurred_at": clock.iso(), "actor": caller.actor,  # a service is a service, as in every event
             "target": {"type": "webhook", "id": webhook_id}, "data": {}}
    item = _delivery_item(caller.app_id, webhook_id, event)
    deliveries.put_new(item)
    dispatch(caller.app_id, webhook_id, None, str(item["id"]))
    return _delivery_view(item)


def list_deliveries(caller: Caller, webhook_id: str, query: DeliveriesQuery) -> Page[Delivery]:
    require_manager(caller)
    _existing(caller, webhook_id)
    scope = f"deliveries:{caller.app_id}:{webhook_id}"
    page = pages.fill(deliveries.of_webhook(caller.app_id, webhook_id), query.limit,
                      cursors.decode(query.cursor, scope))
    return Page(data=[_delivery_view(i) for i in page.items], next_cursor=cursors.encode(page.last_key, scope))


def retry(caller: Caller, webhook_id: str, delivery_id: str) -> Delivery:
    """Send a finished delivery again (at the end of its lane), with a fresh schedule."""
    require_manager(caller)
    _existing(caller, webhook_id)
    if not ids.is_valid("dlv", delivery_id):
        raise not_found("delivery")
    item = deliveries.read(caller.app_id, webhook_id, delivery_id)
    if item is None:
        raise not_found("delivery")
    if item["status"] == "pending":
        return _delivery_view(item)
    generation, next_attempt = int(item.get("generation", 0)) + 1, int(clock.timestamp())
    changes = {"status": "pending", "attempts": 0, "generation": generation, "next_attempt_epoch": next_attempt}
    try:
        deliveries.restart(deliveries.key_of(item), generation, next_attempt, was=item["status"])
    except table.ConditionFailed as raced:
        raise DomainError("conflict", "The delivery changed meanwhile; retry.") from raced
    dispatch(caller.app_id, webhook_id, item.get("org_id"), delivery_id, generation)
    return _delivery_view({**item, **changes})


def attempt(app_id: str, webhook_id: str, delivery_id: str) -> float | None:
    """One attempt of a delivery, recorded; the seconds until the next one, or ``None`` when finished."""
    endpoint, item = table.batch_get([keys.webhook(app_id, webhook_id),
                                      keys.webhook_delivery(app_id, webhook_id, delivery_id)])
    if item is None or item["status"] != "pending":
        return None
    now = clock.timestamp()
    if endpoint is None or not endpoint.get("enabled"):
        deliveries.record_attempt(item, {"status": "failed"})
        return None
    if float(item.get("next_attempt_epoch", 0)) > now + 1:  # queued again early (a duplicate message)
        return float(item["next_attempt_epoch"]) - now
    body = json.dumps(item["event"], separators=(",", ":"), sort_keys=True).encode()
    try:
        target = url_guard.vet(str(endpoint["url"]), allow_local=config.settings().webhooks_allow_local)
        headers = signing.headers(live_secrets(endpoint), str(item["event_id"]), int(clock.wall()), body)
        answer = transport.post(target, body, headers)
    except url_guard.UrlNotAllowed:
        answer = transport.Answer(status=None, error="url_not_allowed")
    attempts = int(item.get("attempts", 0)) + 1
    changes: Item = {"attempts": attempts, "last_status_code": answer.status}
    wait: float | None = None
    if answer.delivered:
        changes.update(status="delivered", delivered_epoch=now)
    else:
        delay = schedule.next_delay(attempts)
        if delay is None:
            changes["status"] = "failed"
        else:
            changes["next_attempt_epoch"] = now + delay
            wait = float(delay)
    if not deliveries.record_attempt(item, changes):
        return None  # another attempt of the same delivery recorded first: it carries on
    _endpoint_health(endpoint, answer.delivered, now)
    return wait


def _endpoint_health(endpoint: Item, delivered: bool, now: float) -> None:
    """A success clears ``failing_since``; failing for :data:`schedule.DISABLE_AFTER_SECONDS` disables the
    endpoint, audited (an app-level ``webhook.disabled`` event)."""
    app_id, webhook_id = str(endpoint["app_id"]), str(endpoint["id"])
    since = endpoint.get("failing_since")
    if delivered:
        if since is not None:
            webhooks_store.clear_failing(app_id, webhook_id)
        return
    if since is None:
        webhooks_store.mark_failing(app_id, webhook_id, int(now))
        return
    if now - float(since) < schedule.DISABLE_AFTER_SECONDS or not endpoint.get("enabled"):
        return
    system = Caller(app_id=app_id, user_id=SYSTEM_ACTOR, email=None, email_verified=False,
                    support=False, request_id=f"webhooks-disable-{webhook_id}")
    tx = Transaction()
    as_read = all_of(webhooks_store.enabled(), webhooks_store.unchanged_since(endpoint["updated_at"]))
    webhooks_store.disable(tx, app_id, webhook_id, "failing for 5 days", clock.iso(), when=as_read)
    audit.record(tx, system, None, "webhook.disabled", "webhook", webhook_id,
                 {"reason": "failing for 5 days", "failing_since": clock.iso_at(float(since))})
    with contextlib.suppress(Stale):
        tx.commit()


# --- the deployed queue -------------------------------------------------------------------------

MAX_VISIBILITY_SECONDS = 12 * 3600


def handle_message(record: dict[str, Any], client: Any = None) -> bool:
    """One SQS FIFO message (one attempt): ``True`` when it is finished (delete it). Otherwise the
    message is made invisible until the next attempt is due, and stays: its message group (endpoint
    and org) waits behind it, which keeps the org's later events in order."""
    body = json.loads(record["body"])
    wait = attempt(str(body["app_id"]), str(body["webhook_id"]), str(body["delivery_id"]))
    if wait is None:
        return True
    if client is None:
        import boto3

        client = boto3.client("sqs")
    client.change_message_visibility(QueueUrl=config.settings().webhook_queue_url,
                                     ReceiptHandle=record["receiptHandle"],
                                     VisibilityTimeout=max(1, min(int(wait), MAX_VISIBILITY_SECONDS)))
    return False
