"""Webhook endpoints at the HTTP edge (support only, isolated per app, hostile input refused), sealed
secrets, rotation, and the pipeline end to end: events fan out to a real local receiver in order per
org, failures back off and are logged, a failed delivery can be retried, an endpoint failing for five
days is disabled; the deployed queue's consumer (SQS FIFO on moto) keeps a failed message in flight."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import standardwebhooks

from devserver import loader, template
from orgplane import clock, config, keys
from orgplane.models.audit import AuditActor
from orgplane.models.orgs import CreateOrg, UpdateOrg
from orgplane.models.webhooks import CreateWebhook, UpdateWebhook
from orgplane.services import orgs, webhooks
from orgplane.store import table
from orgplane.webhooks import url_guard
from orgplane.webhooks.lanes import Lanes
from orgplane.webhooks.schedule import DELAYS_SECONDS, DISABLE_AFTER_SECONDS
from tests.service.test_operator_handlers import OLGA, SAM, call
from tests.service.test_org_cleanup_stream import stream_record
from tests.service.test_provisioning import SERVICE
from tests.support import world
from tests.support.receiver import Receiver

ALICE = {"app_id": "demo", "sub": "alice", "email": "alice@example.com"}
PUBLIC = {"hooks.example.com": ["93.184.215.14"], "internal.example.com": ["10.0.0.7"],
          "rebind.example.com": ["169.254.169.254"], "xn--bcher-kva.example": ["93.184.215.14"]}
alice = world.caller("alice")


@pytest.fixture(autouse=True)
def resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS the test controls; 127.0.0.1 and localhost resolve to loopback."""
    table_ = {**PUBLIC, "localhost": ["127.0.0.1"], "127.0.0.1": ["127.0.0.1"]}

    def resolve(host: str, port: int) -> list[str]:
        if host not in table_:
            raise OSError("no such name")
        return table_[host]

    monkeypatch.setattr(url_guard, "RESOLVER", resolve)


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lanes[tuple[str, str, str]]]:
    """As the local server runs it: http://127.0.0.1 allowed, deliveries in lanes on the product clock."""
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOCAL", "true")
    config.reset()
    lanes: Lanes[tuple[str, str, str]] = Lanes(lambda job: webhooks.attempt(*job), clock.timestamp)
    webhooks.use_local_dispatcher(lambda app_id, webhook_id, lane, delivery_id: lanes.enqueue(
        lane, (app_id, webhook_id, delivery_id)))
    yield lanes
    webhooks.use_local_dispatcher(None)
    monkeypatch.delenv("WEBHOOKS_ALLOW_LOCAL")
    config.reset()



def create(url: str = "https://hooks.example.com/in", identity: dict[str, Any] = SAM, **fields: Any) -> tuple[int, Any]:
    return call("create_webhook", "POST", "/admin/webhooks", identity=identity, body={"url": url, **fields})


def pump(lanes: Lanes[Any], *org_ids: str) -> None:
    """What the stream does: every new event of these orgs through the fan-out, then the lanes."""
    for org_id in org_ids:
        for item in sorted(world.items_of(keys.audit_pk("demo", org_id)), key=lambda i: i["sequence"]):
            webhooks.fan_out(item)
    lanes.run_due()


# --- the routes ---------------------------------------------------------------------------------


def test_a_new_endpoint_shows_its_secret_once_and_stores_it_sealed() -> None:
    status, body = create(types=["member.added"], description="seats")
    assert status == 201 and body["secret"].startswith("whsec_") and body["id"].startswith("wh_")
    assert (body["url"], body["types"], body["enabled"], body["description"]) == (
        "https://hooks.example.com/in", ["member.added"], True, "seats")
    stored = table.get(keys.webhook("demo", body["id"])) or {}
    assert body["secret"] not in json.dumps(stored) and body["secret"][6:] not in json.dumps(stored)
    status, shown = call("get_webhook", "GET", f"/admin/webhooks/{body['id']}")
    assert status == 200 and "secret" not in shown
    status, listed = call("list_webhooks", "GET", "/admin/webhooks")
    assert status == 200 and [w["id"] for w in listed["data"]] == [body["id"]]


@pytest.mark.parametrize("url", ["http://hooks.example.com/in", "https://internal.example.com/in",
                                 "https://rebind.example.com/", "https://localhost/in", "https://nowhere.example/in",
                                 "https://user:pw@hooks.example.com/", "http://127.0.0.1:9000/in"])
def test_urls_that_are_not_public_https_are_refused_in_aws(url: str) -> None:
    status, problem = create(url)
    assert status == 400 and problem["code"] == "webhook_url_not_allowed"
    assert world.items_of(keys.webhooks_pk("demo")) == []


@pytest.mark.parametrize("url", ["https://hooks.example.com/in/\u00e9", "https://hooks.example.com/in?q=\u00e9",
                                 "https://hooks.example.com/in\u0085", "https://b\u00fccher..example/in"])
def test_a_url_that_cannot_go_on_the_wire_as_ascii_is_refused_at_creation(url: str) -> None:
    status, problem = create(url)
    assert status == 400 and problem["code"] == "webhook_url_not_allowed"
    assert world.items_of(keys.webhooks_pk("demo")) == []


def test_an_internationalised_host_is_resolved_and_called_by_its_idna_2008_a_label() -> None:
    status, body = create("https://b\u00fccher.example/in")
    assert status == 201 and body["url"] == "https://b\u00fccher.example/in"
    assert url_guard.vet(body["url"]).host == "xn--bcher-kva.example"


@pytest.mark.parametrize("body", [{"url": 5}, {"url": "https://hooks.example.com/", "types": ["Bad Type"]},
                                  {"url": "https://hooks.example.com/", "secret": "whsec_mine"}, {}])
def test_hostile_bodies_are_400(body: dict[str, Any]) -> None:
    status, problem = call("create_webhook", "POST", "/admin/webhooks", body=body)
    assert status == 400 and problem["code"] == "validation_error"


def test_only_support_manages_webhooks_and_another_app_sees_404() -> None:
    _, body = create()
    path = f"/admin/webhooks/{body['id']}"
    for name, method, suffix in (("get_webhook", "GET", ""), ("update_webhook", "PATCH", ""),
                                 ("delete_webhook", "DELETE", ""), ("rotate_webhook_secret", "POST", "/rotate-secret"),
                                 ("test_webhook", "POST", "/test"), ("list_webhook_deliveries", "GET", "/deliveries")):
        extra = {"body": {"enabled": False}} if method == "PATCH" else {}
        status, problem = call(name, method, path + suffix, identity=ALICE, **extra)
        assert status == 403 and problem["code"] == "forbidden", name
        status, problem = call(name, method, path + suffix, identity=OLGA, **extra)
        assert status == 404 and problem["code"] == "webhook_not_found", name
    status, problem = call("retry_webhook_delivery", "POST", f"{path}/deliveries/dlv_01JD0000000000000000000000/retry",
                           identity=OLGA)
    assert status == 404 and problem["code"] == "webhook_not_found"
    assert call("list_webhooks", "GET", "/admin/webhooks", identity=OLGA)[1]["data"] == []
    assert create(identity=ALICE)[0] == 403
    status, problem = call("get_webhook", "GET", "/admin/webhooks/wh_nope")
    assert status == 404 and problem["code"] == "webhook_not_found"


def test_an_app_has_at_most_20_endpoints() -> None:
    for _ in range(webhooks.MAX_WEBHOOKS):
        assert create()[0] == 201
    status, problem = create()
    assert status == 409 and problem["code"] == "webhook_limit_reached"
    first = call("list_webhooks", "GET", "/admin/webhooks")[1]["data"][0]["id"]
    assert call("delete_webhook", "DELETE", f"/admin/webhooks/{first}")[0] == 204
    assert create()[0] == 201


def test_update_changes_fields_and_endpoint_changes_are_app_level_events() -> None:
    _, body = create()
    status, updated = call("update_webhook", "PATCH", f"/admin/webhooks/{body['id']}",
                           body={"types": ["org.created"], "enabled": False})
    assert status == 200 and (updated["types"], updated["enabled"]) == (["org.created"], False)
    status, problem = call("update_webhook", "PATCH", f"/admin/webhooks/{body['id']}",
                           body={"url": "https://internal.example.com/"})
    assert status == 400 and problem["code"] == "webhook_url_not_allowed"
    actions = [i["action"] for i in world.items_of(keys.app_audit_pk("demo"))]
    assert actions == ["webhook.created", "webhook.updated"]


def test_endpoint_events_name_only_the_urls_origin_never_its_path_or_query() -> None:
    """Incoming-webhook URLs often carry the receiver's own secret in the path; endpoint events reach every
    other endpoint of the app, the bus and GET /events."""
    _, body = create(url="https://hooks.example.com/services/T000/B000/s3cr3tpath?token=q5ery")
    call("update_webhook", "PATCH", f"/admin/webhooks/{body['id']}",
         body={"url": "https://hooks.example.com:8443/services/T000/B000/n3wpath"})
    call("delete_webhook", "DELETE", f"/admin/webhooks/{body['id']}")
    records = world.items_of(keys.app_audit_pk("demo"))
    assert [(i["action"], i["details"]["url"]) for i in records] == [
        ("webhook.created", "https://hooks.example.com"), ("webhook.updated", "https://hooks.example.com:8443"),
        ("webhook.deleted", "https://hooks.example.com:8443")]
    assert not any(secret in json.dumps(records, default=str) for secret in ("s3cr3tpath", "q5ery", "n3wpath"))


def test_rotation_gives_a_new_secret_and_the_old_one_signs_for_24_hours() -> None:
    _, body = create()
    status, rotated = call("rotate_webhook_secret", "POST", f"/admin/webhooks/{body['id']}/rotate-secret")
    assert status == 200 and rotated["secret"] != body["secret"]
    item = table.get(keys.webhook("demo", body["id"])) or {}
    assert webhooks.live_secrets(item) == [rotated["secret"], body["secret"]]
    clock.advance(webhooks.ROTATION_OVERLAP_SECONDS + 1)
    assert webhooks.live_secrets(item) == [rotated["secret"]]


def test_a_change_reads_the_endpoint_and_the_app_event_counter_in_one_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SETTINGS_CACHE_SECONDS", "300")  # as on Lambda: the settings come from the cache
    config.reset()
    sam = world.caller("sam", support=True)
    hook = webhooks.create(sam, CreateWebhook(url="https://hooks.example.com/in")).id
    sent: list[str] = []

    def count(event_name: str, **_: Any) -> None:
        sent.append(event_name.rsplit(".", 1)[-1])

    table.client().meta.events.register("before-call.dynamodb", count, unique_id="count-webhooks")
    try:
        for change in (lambda: webhooks.update(sam, hook, UpdateWebhook(description="seats")),
                       lambda: webhooks.rotate_secret(sam, hook), lambda: webhooks.delete(sam, hook)):
            sent.clear()
            change()
            assert sent == ["BatchGetItem", "TransactWriteItems"]
    finally:
        table.client().meta.events.unregister("before-call.dynamodb", unique_id="count-webhooks")
    events = sorted(world.items_of(keys.app_audit_pk("demo")), key=lambda i: i["sequence"])
    assert [(e["sequence"], e["action"]) for e in events] == [
        (1, "webhook.created"), (2, "webhook.updated"), (3, "webhook.secret_rotated"), (4, "webhook.deleted")]


# --- the pipeline -------------------------------------------------------------------------------


def test_events_reach_a_real_receiver_signed_and_in_sequence(local: Lanes[Any], receiver: Receiver) -> None:
    _, body = create(f"http://127.0.0.1:{receiver.port}/hook")
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    orgs.update(alice, org_id, UpdateOrg(name="Acme 2"))
    pump(local, org_id)
    got = receiver.events()
    assert [(e["type"], e["sequence"]) for e in got] == [("org.created", 1), ("member.added", 2), ("org.updated", 3)]
    for headers, raw in receiver.received:
        assert standardwebhooks.Webhook(body["secret"]).verify(raw, headers)["id"] == headers["webhook-id"]
    status, log = call("list_webhook_deliveries", "GET", f"/admin/webhooks/{body['id']}/deliveries")
    assert status == 200 and [(d["type"], d["status"], d["attempts"]) for d in log["data"]] == [
        ("org.updated", "delivered", 1), ("member.added", "delivered", 1), ("org.created", "delivered", 1)]
    pump(local, org_id)  # the stream repeats its records: nothing is sent twice
    assert len(receiver.received) == 3


def test_a_types_filter_and_a_disabled_endpoint_get_only_what_they_ask(local: Lanes[Any], receiver: Receiver) -> None:
    create(f"http://127.0.0.1:{receiver.port}/hook", types=["member.added"])
    _, off = create(f"http://127.0.0.1:{receiver.port}/off")
    call("update_webhook", "PATCH", f"/admin/webhooks/{off['id']}", body={"enabled": False})
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    pump(local, org_id)
    assert [e["type"] for e in receiver.events()] == ["member.added"]


def test_a_failing_org_backs_off_in_order_and_the_log_shows_the_attempts(local: Lanes[Any], receiver: Receiver) -> None:
    _, body = create(f"http://127.0.0.1:{receiver.port}/hook")
    failing = orgs.create(alice, CreateOrg(name="Acme")).id
    flowing = orgs.create(alice, CreateOrg(name="Globex")).id
    receiver.fail[failing] = 3
    pump(local, failing, flowing)
    assert [e["org_id"] for e in receiver.events()] == [flowing, flowing]
    _, log = call("list_webhook_deliveries", "GET", f"/admin/webhooks/{body['id']}/deliveries")
    first = next(d for d in log["data"] if d["status"] == "pending" and d["attempts"] == 1)
    assert first["last_status_code"] == 500 and first["next_attempt_at"]
    for delay in DELAYS_SECONDS[:3]:
        clock.advance(delay)
        local.run_due()
    assert [(e["org_id"], e["sequence"]) for e in receiver.events() if e["org_id"] == failing] == [
        (failing, 1), (failing, 2)]
    attempts = sorted(d["attempts"] for d in call(
        "list_webhook_deliveries", "GET", f"/admin/webhooks/{body['id']}/deliveries")[1]["data"])
    assert attempts == [1, 1, 1, 4]


def test_a_failed_delivery_can_be_retried_and_the_test_event_goes_to_one_endpoint(
        local: Lanes[Any], receiver: Receiver) -> None:
    _, body = create(f"http://127.0.0.1:{receiver.port}/hook")
    status, test = call("test_webhook", "POST", f"/admin/webhooks/{body['id']}/test")
    assert status == 202 and test["type"] == "webhook.test" and test["status"] == "pending"
    receiver.fail[""] = 100  # the test event has no org
    local.run_due()
    for delay in DELAYS_SECONDS:
        clock.advance(delay)
        local.run_due()
    path = f"/admin/webhooks/{body['id']}/deliveries"
    [failed] = call("list_webhook_deliveries", "GET", path)[1]["data"]
    assert (failed["status"], failed["attempts"]) == ("failed", len(DELAYS_SECONDS) + 1)
    receiver.fail[""] = 0
    status, again = call("retry_webhook_delivery", "POST", f"{path}/{failed['id']}/retry")
    assert status == 202 and again["status"] == "pending"
    local.run_due()
    assert call("list_webhook_deliveries", "GET", path)[1]["data"][0]["status"] == "delivered"
    assert [e["type"] for e in receiver.events()] == ["webhook.test"]
    status, problem = call("retry_webhook_delivery", "POST", f"{path}/dlv_01JD0000000000000000000000/retry")
    assert status == 404 and problem["code"] == "delivery_not_found"


def test_a_test_event_names_its_sender_as_every_event_does(local: Lanes[Any], receiver: Receiver) -> None:
    """A service's test event says ``type: service`` and its client id, never a support user of that id."""
    _, body = create(f"http://127.0.0.1:{receiver.port}/hook", identity=SERVICE)
    assert call("test_webhook", "POST", f"/admin/webhooks/{body['id']}/test", identity=SERVICE)[0] == 202
    assert call("test_webhook", "POST", f"/admin/webhooks/{body['id']}/test")[0] == 202
    local.run_due()
    assert [e["actor"] for e in receiver.events()] == [
        {"type": "service", "client_id": "demo-backend", "user_id": None, "email": None, "support": False},
        {"type": "user", "user_id": SAM["sub"], "email": SAM.get("email"), "support": True}]
    for event in receiver.events():
        AuditActor.model_validate(event["actor"])


def test_an_endpoint_failing_for_five_days_is_disabled_with_an_event(local: Lanes[Any], receiver: Receiver) -> None:
    _, body = create(f"http://127.0.0.1:{receiver.port}/hook")
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    receiver.fail[org_id] = 1000
    pump(local, org_id)
    for delay in DELAYS_SECONDS:
        clock.advance(delay)
        local.run_due()
    assert call("get_webhook", "GET", f"/admin/webhooks/{body['id']}")[1]["enabled"] is True
    clock.advance(DISABLE_AFTER_SECONDS)
    orgs.update(alice, org_id, UpdateOrg(name="Acme 2"))
    pump(local, org_id)
    for delay in DELAYS_SECONDS:
        clock.advance(delay)
        local.run_due()
    shown = call("get_webhook", "GET", f"/admin/webhooks/{body['id']}")[1]
    assert (shown["enabled"], shown["disabled_reason"]) == (False, "failing for 5 days")
    assert "webhook.disabled" in [i["action"] for i in world.items_of(keys.app_audit_pk("demo"))]


def test_a_stored_url_that_cannot_go_on_the_wire_fails_its_attempts_instead_of_crashing_the_sender(
        local: Lanes[Any], receiver: Receiver) -> None:
    """An endpoint saved before its URL was refused at creation: each attempt is recorded as failed (the
    lane moves on after the last one), never an exception that leaves the delivery pending for ever."""
    _, body = create(f"http://127.0.0.1:{receiver.port}/hook")
    table.update(keys.webhook("demo", body["id"]), "SET #u = :u", names={"#u": "url"},
                 values={":u": f"http://127.0.0.1:{receiver.port}/hook/\u00e9"})
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    pump(local, org_id)
    path = f"/admin/webhooks/{body['id']}/deliveries"
    oldest = call("list_webhook_deliveries", "GET", path)[1]["data"][-1]
    assert (oldest["type"], oldest["status"], oldest["attempts"], oldest["last_status_code"]) == (
        "org.created", "pending", 1, None)
    for delay in DELAYS_SECONDS * 2:  # the org's two events, one after the other
        clock.advance(delay)
        local.run_due()
    assert {d["status"] for d in call("list_webhook_deliveries", "GET", path)[1]["data"]} == {"failed"}
    assert receiver.received == [] and local.pending() == 0


# --- the deployed consumers -----------------------------------------------------------------------


def test_fan_out_webhooks_and_send_webhooks_keep_a_failed_message_in_flight(
        monkeypatch: pytest.MonkeyPatch, receiver: Receiver) -> None:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="hooks.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    monkeypatch.setenv("WEBHOOK_QUEUE_URL", url)
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOCAL", "true")
    config.reset()
    try:
        create(f"http://127.0.0.1:{receiver.port}/hook")
        org_id = orgs.create(alice, CreateOrg(name="Acme")).id
        first = min(world.items_of(keys.audit_pk("demo", org_id)), key=lambda i: i["sequence"])
        fan_out = next(f for f in template.functions() if f.name == "fan_out_webhooks")
        assert loader.load_handler(fan_out)({"Records": [stream_record(first, 1)]},
                                            loader.LambdaContext("fan_out_webhooks")) == {"batchItemFailures": []}
        message = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"][0]
        assert message["Attributes"]["MessageGroupId"].endswith(f":{org_id}")
        record = {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
                  "body": message["Body"]}
        send = next(f for f in template.functions() if f.name == "send_webhooks")
        receiver.fail[org_id] = 1
        assert loader.load_handler(send)({"Records": [record]}, loader.LambdaContext("send_webhooks")) == {
            "batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
        assert sqs.receive_message(QueueUrl=url).get("Messages") is None  # invisible until the retry is due
        clock.advance(DELAYS_SECONDS[0])
        assert loader.load_handler(send)({"Records": [record]}, loader.LambdaContext("send_webhooks")) == {
            "batchItemFailures": []}
        assert [e["type"] for e in receiver.events()] == ["org.created"]
    finally:
        monkeypatch.delenv("WEBHOOK_QUEUE_URL")
        config.reset()
