"""Webhook delivery parts: Standard Webhooks signatures (checked by the reference library as a receiver
would), sealed secrets, the SSRF guard with a resolver the test controls, the pinned transport against
a real local HTTP server, the retry schedule, and ordered lanes per (endpoint, org)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
import standardwebhooks

from orgplane import config
from orgplane.webhooks import sealed, signing, transport, url_guard
from orgplane.webhooks.lanes import Lanes
from orgplane.webhooks.schedule import DELAYS_SECONDS, MAX_ATTEMPTS, next_delay
from orgplane.webhooks.url_guard import Target, UrlNotAllowed
from tests.support.receiver import Receiver

# --- signatures ---------------------------------------------------------------------------------


def test_a_new_secret_is_whsec_base64_and_the_reference_library_accepts_it() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 32
    assert secret != signing.new_secret()
    standardwebhooks.Webhook(secret)


def test_the_reference_receiver_verifies_our_signature_and_rejects_a_changed_body() -> None:
    secret, body, now = signing.new_secret(), b'{"type":"org.created"}', int(time.time())
    headers = signing.headers([secret], "evt_1", now, body)
    assert standardwebhooks.Webhook(secret).verify(body, headers) == {"type": "org.created"}
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(secret).verify(b'{"type":"org.deleted"}', headers)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(signing.new_secret()).verify(body, headers)


def test_during_a_rotation_both_secrets_sign_and_either_verifies() -> None:
    old, new, body, now = signing.new_secret(), signing.new_secret(), b"{}", int(time.time())
    headers = signing.headers([new, old], "evt_2", now, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert standardwebhooks.Webhook(secret).verify(body, headers) == {}


# --- secrets at rest ----------------------------------------------------------------------------


def test_a_sealed_secret_is_not_plain_text_and_opens_only_for_its_endpoint() -> None:
    secret = signing.new_secret()
    stored = sealed.seal("demo", "wh_1", secret)
    assert secret not in stored and secret[6:] not in stored
    assert sealed.open_("demo", "wh_1", stored) == secret
    for app_id, webhook_id in (("demo", "wh_2"), ("other", "wh_1")):
        with pytest.raises(Exception):  # noqa: B017 (the AEAD tag does not match)
            sealed.open_(app_id, webhook_id, stored)


def test_with_a_kms_key_the_secret_is_kms_ciphertext_bound_to_its_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    key_id = boto3.client("kms").create_key()["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("WEBHOOK_KMS_KEY_ID", key_id)
    config.reset()
    try:
        secret = signing.new_secret()
        stored = sealed.seal("demo", "wh_1", secret)
        assert stored.startswith("kms1:") and secret not in stored
        assert sealed.open_("demo", "wh_1", stored) == secret
        with pytest.raises(Exception):  # noqa: B017 (KMS refuses another encryption context)
            sealed.open_("demo", "wh_2", stored)
    finally:
        monkeypatch.delenv("WEBHOOK_KMS_KEY_ID")
        config.reset()


# --- the URL guard ------------------------------------------------------------------------------


def resolving(*addresses: str) -> url_guard.Resolver:
    return lambda host, port: list(addresses)


@pytest.mark.parametrize("address", [
    "10.0.0.5", "172.16.3.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "169.254.10.10", "100.64.0.1",
    "0.0.0.0", "::1", "fe80::1", "fd00:ec2::254", "fc00::5", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1",
    "2002:0a00:0001::1"])
def test_a_name_resolving_to_a_non_public_address_is_refused(address: str) -> None:
    with pytest.raises(UrlNotAllowed):
        url_guard.vet("https://hooks.example.com/in", resolver=resolving(address))


@pytest.mark.parametrize("address", [
    "64:ff9b::a9fe:a9fe", "64:ff9b::a00:7", "64:ff9b::7f00:1", "::7f00:1", "::a00:1", "::ffff:0:a9fe:a9fe"])
def test_ipv6_forms_embedding_a_private_ipv4_address_are_refused(address: str) -> None:
    """NAT64 (a DNS64 network sends 64:ff9b::a9fe:a9fe to 169.254.169.254), IPv4-compatible and SIIT forms."""
    with pytest.raises(UrlNotAllowed):
        url_guard.vet("https://hooks.example.com/in", resolver=resolving(address))


def test_nat64_of_a_public_ipv4_address_is_allowed() -> None:
    target = url_guard.vet("https://hooks.example.com/in", resolver=resolving("64:ff9b::5db8:d70e"))
    assert target.addresses == ("64:ff9b::5db8:d70e",)


def test_one_bad_address_among_good_ones_is_enough_to_refuse() -> None:
    with pytest.raises(UrlNotAllowed):
        url_guard.vet("https://hooks.example.com/in", resolver=resolving("93.184.215.14", "10.1.2.3"))


def test_a_public_https_url_is_allowed_with_the_addresses_to_call() -> None:
    target = url_guard.vet("https://hooks.example.com:8443/in?x=1", resolver=resolving("93.184.215.14"))
    assert (target.host, target.port, target.path, target.addresses) == (
        "hooks.example.com", 8443, "/in?x=1", ("93.184.215.14",))


@pytest.mark.parametrize("url", [
    "http://hooks.example.com/in", "ftp://hooks.example.com/", "https://user:pw@hooks.example.com/",
    "https:///nohost", "https://hooks.example.com:99999/", "https://hooks.example.com/a b", "not a url",
    "https://hooks.example.com/" + "a" * 3000, "http://127.0.0.1:8080/in", "http://localhost/in"])
def test_malformed_or_plain_http_urls_are_refused_in_aws(url: str) -> None:
    with pytest.raises(UrlNotAllowed):
        url_guard.vet(url, resolver=resolving("93.184.215.14"))


def test_locally_http_to_localhost_and_127_0_0_1_is_allowed_and_nothing_else_private() -> None:
    assert url_guard.vet("http://127.0.0.1:9000/in", allow_local=True, resolver=resolving("127.0.0.1")).port == 9000
    assert url_guard.vet("http://localhost/in", allow_local=True, resolver=resolving("127.0.0.1", "::1")).port == 80
    for url, address in (("http://10.0.0.1/in", "10.0.0.1"), ("http://internal.example/in", "10.0.0.1"),
                         ("http://localhost/in", "10.0.0.1")):
        with pytest.raises(UrlNotAllowed):
            url_guard.vet(url, allow_local=True, resolver=resolving(address))


def test_a_name_that_does_not_resolve_is_refused() -> None:
    def broken(host: str, port: int) -> list[str]:
        raise OSError("no such name")

    with pytest.raises(UrlNotAllowed):
        url_guard.vet("https://nowhere.example/in", resolver=broken)


# --- the transport ------------------------------------------------------------------------------


def test_the_request_goes_to_the_vetted_address_whatever_the_name_resolves_to_now(receiver: Receiver) -> None:
    """DNS rebinding: the name is never looked up again; the approved address is the one called."""
    answer = transport.post(receiver.target(host="hooks.rebinding.invalid"), b"{}", {"x-test": "1"})
    assert answer.status == 204 and answer.delivered
    headers, _ = receiver.received[0]
    assert headers["host"].startswith("hooks.rebinding.invalid")


def test_a_path_http_client_cannot_send_is_a_failed_attempt_not_an_exception(receiver: Receiver) -> None:
    answer = transport.post(receiver.target(path="/hook/\u00e9"), b"{}", {})
    assert answer.status is None and answer.error and not answer.delivered and receiver.received == []


def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver: Receiver) -> None:
    receiver.reply = (302, {"location": f"http://127.0.0.1:{receiver.port}/elsewhere"}, b"")
    answer = transport.post(receiver.target(), b"{}", {})
    assert answer.status == 302 and not answer.delivered
    assert len(receiver.received) == 1  # the Location was never requested


def test_at_most_64_kb_of_the_answer_are_read(receiver: Receiver) -> None:
    receiver.reply = (200, {}, b"x" * (1024 * 1024))
    answer = transport.post(receiver.target(), b"{}", {})
    assert answer.delivered and len(answer.body) == transport.MAX_RESPONSE_BYTES


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(receiver: Receiver) -> None:
    receiver.delay = 1.0
    answer = transport.post(receiver.target(), b"{}", {}, timeout=0.2)
    assert answer.status is None and answer.error and not answer.delivered


def test_a_receiver_trickling_its_answer_is_cut_off_at_the_timeout_in_all() -> None:
    """Each byte comes well within the timeout, the whole answer does not: the request still ends on time."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def trickle() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            with contextlib.suppress(OSError):
                for byte in b"HTTP/1.1 200 OK\r\ncontent-length: 40\r\n\r\n" + b"x" * 40:
                    conn.sendall(bytes([byte]))
                    time.sleep(0.05)

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    target = Target(url=f"http://127.0.0.1:{port}/", scheme="http", host="127.0.0.1", port=port, path="/",
                    addresses=("127.0.0.1",))
    started = time.monotonic()
    answer = transport.post(target, b"{}", {}, timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert answer.status is None and answer.error == "timeout" and not answer.delivered
    sender.join(5)
    listener.close()


def test_a_refused_connection_is_a_failed_attempt() -> None:
    target = Target(url="http://127.0.0.1:9/", scheme="http", host="127.0.0.1", port=9, path="/",
                    addresses=("127.0.0.1",))
    assert transport.post(target, b"{}", {}, timeout=1).status is None


# --- the schedule and ordered lanes -------------------------------------------------------------


def test_retries_grow_and_last_more_than_24_hours_before_failing() -> None:
    assert list(DELAYS_SECONDS) == sorted(DELAYS_SECONDS)
    assert sum(DELAYS_SECONDS) >= 24 * 3600
    assert next_delay(MAX_ATTEMPTS) is None and next_delay(1) == 5


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Job:
    """A delivery as the lanes see it; the test keeps its attempts and outcome (the service keeps them
    in the table)."""

    org_id: str
    sequence: int
    status: str = "pending"
    history: list[int | None] = field(default_factory=list)

    @property
    def event(self) -> dict[str, Any]:
        return {"id": f"evt_{self.org_id}_{self.sequence}", "type": "member.added", "org_id": self.org_id,
                "sequence": self.sequence}


def signed_sender(receiver: Receiver, secret: str) -> Callable[[Job], float | None]:
    def send(job: Job) -> float | None:
        body = json.dumps(job.event).encode()
        answer = transport.post(receiver.target(), body, signing.headers([secret], job.event["id"],
                                                                           int(time.time()), body), timeout=5)
        job.history.append(answer.status)
        if answer.delivered:
            job.status = "delivered"
            return None
        wait = next_delay(len(job.history))
        if wait is None:
            job.status = "failed"
        return wait

    return send


def test_a_failing_org_waits_in_order_while_another_org_keeps_flowing(receiver: Receiver) -> None:
    """The proof: org A's first three deliveries are refused; A's later events wait behind the first and
    then arrive in sequence order; org B's events reach the same endpoint meanwhile."""
    secret, clock = signing.new_secret(), Clock()
    lanes: Lanes[Job] = Lanes(signed_sender(receiver, secret), clock)
    receiver.fail["org_a"] = 3
    jobs = {}
    for sequence in (1, 2, 3):
        for org in ("org_a", "org_b"):
            jobs[(org, sequence)] = Job(org, sequence)
            lanes.enqueue(f"wh_1:{org}", jobs[(org, sequence)])
    lanes.run_due()
    assert [(e["org_id"], e["sequence"]) for e in receiver.events()] == [("org_b", 1), ("org_b", 2), ("org_b", 3)]
    assert jobs[("org_a", 1)].history == [500] and jobs[("org_a", 2)].history == []
    for delay in DELAYS_SECONDS[:3]:  # 5 s, 5 min, 30 min later
        clock.now += delay
        lanes.run_due()
    assert [e["sequence"] for e in receiver.events() if e["org_id"] == "org_a"] == [1, 2, 3]
    assert (jobs[("org_a", 1)].status, jobs[("org_a", 1)].history) == ("delivered", [500, 500, 500, 204])
    for headers, body in receiver.received:  # every one verifies as the receiver's library checks it
        assert standardwebhooks.Webhook(secret).verify(body, headers)["id"] == headers["webhook-id"]
    assert lanes.pending() == 0


def test_a_delivery_that_never_succeeds_fails_after_its_last_attempt_and_the_lane_moves_on(
        receiver: Receiver) -> None:
    clock = Clock()
    lanes: Lanes[Job] = Lanes(signed_sender(receiver, signing.new_secret()), clock)
    receiver.fail["org_a"] = MAX_ATTEMPTS
    doomed, next_one = Job("org_a", 1), Job("org_a", 2)
    lanes.enqueue("wh_1:org_a", doomed)
    lanes.enqueue("wh_1:org_a", next_one)
    lanes.run_due()
    for delay in DELAYS_SECONDS:
        assert doomed.status == "pending" and next_one.history == []
        clock.now += delay
        lanes.run_due()
    assert (doomed.status, len(doomed.history)) == ("failed", MAX_ATTEMPTS)
    assert next_one.status == "delivered" and lanes.pending() == 0


def test_a_retry_is_not_sent_before_its_time(receiver: Receiver) -> None:
    clock = Clock()
    lanes: Lanes[Job] = Lanes(signed_sender(receiver, signing.new_secret()), clock)
    receiver.fail["org_a"] = 1
    job = Job("org_a", 1)
    lanes.enqueue("wh_1:org_a", job)
    lanes.run_due()
    clock.now += DELAYS_SECONDS[0] - 1
    assert lanes.run_due() == 0 and job.history == [500]
    clock.now += 1
    assert lanes.run_due() == 1 and job.status == "delivered"
