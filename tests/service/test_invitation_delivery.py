"""Invitation mail: rendered, sent once per send through SES v2, retried on throttling, never twice;
SES feedback sets the delivery status; the expiry job reads only what is due."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError

from orgplane import clock, keys
from orgplane.models.invitations import CreateInvitation
from orgplane.models.orgs import CreateOrg
from orgplane.services import delivery, expiry, invitation_links, invitations, orgs
from orgplane.store import table
from tests.support import mail, world
from tests.support.race import race
from tests.support.reads import items_read_by_queries

alice = world.caller("alice")


@pytest.fixture(autouse=True)
def ses() -> Iterator[None]:
    with mail.ses():
        yield


@pytest.fixture
def org_id() -> str:
    return orgs.create(alice, CreateOrg(name="Acme & Co", slug="acme")).id


def invitation(org_id: str, email: str = "bob@example.com", **fields: Any) -> dict[str, Any]:
    created = invitations.create(alice, org_id, CreateInvitation(email=email, **fields))
    item = table.get(keys.invitation("demo", org_id, created.id))
    assert item is not None
    return item


def current(item: dict[str, Any]) -> dict[str, Any]:
    found = table.get({"PK": item["PK"], "SK": item["SK"]})
    assert found is not None
    return found


def stream_event(*images: dict[str, Any]) -> dict[str, Any]:
    return {"Records": [{
        "eventID": str(i), "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1", "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/t/stream/s",
        "dynamodb": {"Keys": {"PK": {"S": image.get("PK", "x")}, "SK": {"S": image.get("SK", "x")}},
                     "NewImage": table.serialize(image), "SequenceNumber": f"{i:021d}", "SizeBytes": 1,
                     "StreamViewType": "NEW_AND_OLD_IMAGES"}}
        for i, image in enumerate(images, start=1)]}


def throttled(*args: Any, **kwargs: Any) -> Any:
    response: Any = {"Error": {"Code": "TooManyRequestsException", "Message": "slow down"},
                     "ResponseMetadata": {"HTTPStatusCode": 429}}
    raise ClientError(response, "SendEmail")


def test_a_new_invitation_is_mailed_once_with_its_link(org_id: str) -> None:
    item = invitation(org_id)
    assert delivery.deliver(item) == "sent"
    [message] = mail.sent()
    token = invitation_links.token("demo", org_id, item["id"], item["nonce"])
    assert message["to"] == ["bob@example.com"]
    assert "Acme & Co" in message["subject"]
    assert token in message["text"] and "Acme &amp; Co" in message["html"] and "alice@example.com" in message["text"]
    state = current(item)["delivery"]
    assert (state["status"], state["attempts"]) == ("sent", 1)
    assert invitations.get(alice, org_id, item["id"]).delivery.status == "sent"


def test_a_repeated_stream_record_does_not_send_twice(org_id: str) -> None:
    item = invitation(org_id)
    assert [delivery.deliver(item), delivery.deliver(item)] == ["sent", "skipped"]
    assert len(mail.sent()) == 1


def test_duplicate_records_racing_send_exactly_once(org_id: str) -> None:
    item = invitation(org_id)

    def deliver() -> str:
        try:
            return delivery.deliver(item)
        except delivery.SendFailed:
            return "in flight"  # fails the record for a retry, which then finds it sent

    results = race(*[deliver for _ in range(6)])
    assert results.count("sent") == 1 and set(results) <= {"sent", "skipped", "in flight"}
    assert len(mail.sent()) == 1
    assert delivery.deliver(item) == "skipped"


def test_a_send_left_claimed_by_a_crash_fails_its_retries_until_the_lease_ends_then_sends(org_id: str) -> None:
    item = invitation(org_id)
    delivery._claim(item)  # an attempt claimed the send and died before settling
    with pytest.raises(delivery.SendFailed):
        delivery.deliver(item)
    assert mail.sent() == []
    clock.advance(delivery.LEASE_SECONDS + 1)
    assert delivery.deliver(item) == "sent"
    assert len(mail.sent()) == 1


def test_the_app_settings_shape_the_mail(org_id: str) -> None:
    world.put_settings("demo", invitation_email={"from": "Acme <no-reply@example.com>", "subject": "Join {org}",
                                                 "accept_url": "https://app.example.com/join?t={token}"})
    item = invitation(org_id)
    delivery.deliver(item)
    [message] = mail.sent()
    assert message["subject"] == "Join Acme & Co"
    assert "https://app.example.com/join?t=" + invitation_links.token("demo", org_id, item["id"], item["nonce"]) \
        in message["text"]


def test_ses_throttling_fails_the_record_for_a_retry_that_then_sends(org_id: str) -> None:
    item = invitation(org_id)
    with mock.patch.object(delivery, "_ses", return_value=mock.Mock(send_email=throttled)), \
            pytest.raises(delivery.SendFailed):
        delivery.deliver(item)
    assert current(item)["delivery"]["status"] == "retry"
    assert invitations.get(alice, org_id, item["id"]).delivery.status == "queued"
    assert delivery.deliver(item) == "sent"
    assert current(item)["delivery"]["attempts"] == 2
    assert len(mail.sent()) == 1


def test_throttling_on_every_attempt_ends_failed(org_id: str) -> None:
    item = invitation(org_id)
    with mock.patch.object(delivery, "_ses", return_value=mock.Mock(send_email=throttled)):
        for _ in range(delivery.MAX_ATTEMPTS):
            with pytest.raises(delivery.SendFailed):
                delivery.deliver(item)
    assert invitations.get(alice, org_id, item["id"]).delivery.status == "failed"
    assert delivery.deliver(item) == "skipped"
    assert mail.sent() == []


def test_a_hard_ses_refusal_marks_failed_without_retrying(org_id: str) -> None:
    world.put_settings("demo", invitation_email={"from": "unverified@elsewhere.example"})
    item = invitation(org_id)
    assert delivery.deliver(item) == "failed"  # moto refuses an unverified sender: MessageRejected
    assert invitations.get(alice, org_id, item["id"]).delivery.status == "failed"


def test_a_revoked_invitation_is_not_mailed(org_id: str) -> None:
    item = invitation(org_id)
    invitations.revoke(alice, org_id, item["id"])
    assert delivery.deliver(item) == "skipped"
    assert mail.sent() == []


def test_a_resend_is_a_new_send_and_the_old_send_is_not_mailed_again(org_id: str) -> None:
    item = invitation(org_id)
    delivery.deliver(item)
    invitations.resend(alice, org_id, item["id"])
    resent = current(item)
    assert [delivery.deliver(item), delivery.deliver(resent)] == ["skipped", "sent"]
    first, second = mail.sent()
    assert first["text"] != second["text"]


def test_the_stream_handler_reports_only_the_poison_record_as_failed(org_id: str) -> None:
    from functions.deliver_invitations import app

    item = invitation(org_id)
    poison = {"PK": "x", "SK": "y", "entity": "INVITE"}  # no ids: cannot be handled, ever
    response = app.lambda_handler(stream_event(poison, item), mock.Mock())
    assert response == {"batchItemFailures": [{"itemIdentifier": f"{1:021d}"}]}
    assert len(mail.sent()) == 1


def test_ses_feedback_sets_delivered_bounced_and_complained(org_id: str) -> None:
    from functions.ses_feedback import app

    item = invitation(org_id)
    delivery.deliver(item)

    def notify(event_type: str, **extra: Any) -> None:
        message = {"eventType": event_type, **extra, "mail": {"tags": {
            "app_id": ["demo"], "org_id": [org_id], "invitation_id": [item["id"]], "send_id": [item["send_id"]]}}}
        app.lambda_handler({"Records": [{"Sns": {"Message": json.dumps(message)}}]}, mock.Mock())

    notify("Delivery")
    assert invitations.get(alice, org_id, item["id"]).delivery.status == "delivered"
    notify("Bounce", bounce={"bounceType": "Transient"})
    assert invitations.get(alice, org_id, item["id"]).delivery.status == "delivered"
    notify("Bounce", bounce={"bounceType": "Permanent"})
    assert invitations.get(alice, org_id, item["id"]).delivery.status == "bounced"
    notify("Complaint")
    assert invitations.get(alice, org_id, item["id"]).delivery.status == "complained"


def test_feedback_for_an_earlier_send_is_ignored(org_id: str) -> None:
    item = invitation(org_id)
    delivery.deliver(item)
    invitations.resend(alice, org_id, item["id"])
    old = {"eventType": "Bounce", "bounce": {"bounceType": "Permanent"}, "mail": {"tags": {
        "app_id": ["demo"], "org_id": [org_id], "invitation_id": [item["id"]], "send_id": [item["send_id"]]}}}
    assert delivery.feedback(old) == "stale"
    assert invitations.get(alice, org_id, item["id"]).delivery.status == "queued"


# --- the expiry job --------------------------------------------------------------------------------


def test_the_expiry_job_reads_only_due_invitations(org_id: str) -> None:
    due = [invitation(org_id, f"due{i}@example.com", expires_in_seconds=300)["id"] for i in range(3)]
    for i in range(12):
        invitation(org_id, f"later{i}@example.com", expires_in_seconds=86400)
    clock.advance(301)
    with items_read_by_queries() as seen:
        assert expiry.run() == 3
    assert sum(seen) == 3
    assert {invitations.get(alice, org_id, i).status for i in due} == {"expired"}
    assert orgs.get(alice, org_id).pending_invitation_count == 12


def test_two_expiry_runs_at_once_expire_each_invitation_once(org_id: str) -> None:
    for i in range(5):
        invitation(org_id, f"due{i}@example.com", expires_in_seconds=300)
    clock.advance(301)
    assert sum(race(expiry.run, expiry.run)) == 5
    assert orgs.get(alice, org_id).pending_invitation_count == 0


def test_the_expiry_job_handler_returns_the_count(org_id: str) -> None:
    from functions.expire_invitations import app

    invitation(org_id, expires_in_seconds=300)
    clock.advance(301)
    assert app.lambda_handler({"detail-type": "Scheduled Event"}, mock.Mock()) == {
        "expired": 1, "transfers_expired": 0, "purges_started": 0}
    assert boto3.client("dynamodb") is not None


def test_the_token_is_in_the_mail_only_never_in_the_table_audit_or_logs(
        org_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    from functions.deliver_invitations import app

    item = invitation(org_id)
    app.lambda_handler(stream_event(item), mock.Mock())
    token = invitation_links.token("demo", org_id, item["id"], item["nonce"])
    mac = token.rsplit(".", 1)[1]
    assert mac in mail.sent()[0]["text"]
    stored = [*world.items_of(keys.org_pk("demo", org_id)), *world.items_of(keys.audit_pk("demo", org_id))]
    assert stored and all(mac not in json.dumps(i, default=str) for i in stored)
    printed = capsys.readouterr()
    assert mac not in printed.out + printed.err
    assert mac not in invitations.get(alice, org_id, item["id"]).model_dump_json()
