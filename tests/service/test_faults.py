"""Fault injection: DynamoDB throttling, transient errors and transaction conflicts, SES throttling and
failures, and a crash in the middle of a delivery batch.

Faults are injected below the SDK: a botocore ``before-send`` hook on the client answers in place of
the service (moto answers every other request), so the SDK's own retry mode runs for real and every
attempt is counted. Backoff delays are zeroed; nothing else is patched.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError
from botocore.retries.standard import ExponentialBackoff

from devserver import loader, template
from devserver.streams import Consumer, DeadLetters
from orgplane import clock
from orgplane.models.orgs import CreateOrg, ListOrgsQuery
from orgplane.services import delivery, invitations, orgs
from orgplane.store import table, transaction
from tests.service.test_handlers import call
from tests.service.test_invitation_delivery import current, stream_event
from tests.service.test_invitation_delivery import invitation as invite
from tests.support import mail, world

alice = world.caller("alice")
DELIVER = next(f for f in template.functions() if f.name == "deliver_invitations")


# ---------------------------------------------------------------- fault injection below the SDK


def sdk_attempts(client: Any) -> int:
    """Attempts the client's retry mode makes of one call (``max_attempts`` counts only the retries)."""
    retries = client.meta.config.retries
    assert retries["mode"] == "standard", retries
    return int(retries["total_max_attempts"])


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def dynamodb_error(status: int, code: str, **extra: Any) -> AWSResponse:
    """A DynamoDB error response (JSON 1.0 protocol), as the service sends it."""
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": f"injected {code}",
                       **extra}).encode()
    headers: Any = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected"}  # as botocore's
    return AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", status, headers, _Body(body))


def ses_error(status: int, code: str) -> AWSResponse:
    """An SES v2 error response (REST-JSON protocol)."""
    body = json.dumps({"message": f"injected {code}"}).encode()
    headers: Any = {"Content-Type": "application/json", "x-amzn-ErrorType": code, "x-amzn-RequestId": "injected"}
    return AWSResponse("https://email.us-east-1.amazonaws.com/", status, headers, _Body(body))


def cancelled(request: Any, reason: str, others: str | None = None) -> AWSResponse:
    """``TransactionCanceledException`` with ``reason`` for the first item of the request's transaction and
    ``others`` (default: the same) for every other item."""
    count = len(json.loads(request.body)["TransactItems"])
    reasons = [reason] + [others or reason] * (count - 1)
    return dynamodb_error(400, "TransactionCanceledException",
                          Message=f"Transaction cancelled, please refer cancellation reasons for specific reasons "
                                  f"[{', '.join(reasons)}]",
                          CancellationReasons=[{"Code": code, "Message": "injected"} for code in reasons])


Fault = Callable[[Any, int], AWSResponse | None]
"""``(request, attempt) -> response``: the answer for that attempt (1-based), or None to let it through."""


class Faults:
    """Hooks on the clients' ``before-send`` events; counts every attempt per operation."""

    def __init__(self) -> None:
        self.attempts: Counter[str] = Counter()
        self.requests: dict[str, list[Any]] = {}
        self._registered: list[tuple[Any, str, Callable[..., Any]]] = []

    def inject(self, client: Any, operation: str, fault: Fault) -> None:
        service = client.meta.service_model.service_name  # "dynamodb", "sesv2"
        event = f"before-send.{service}.{operation}"

        def before_send(request: Any, **_: Any) -> AWSResponse | None:
            self.attempts[operation] += 1
            self.requests.setdefault(operation, []).append(request)
            response = fault(request, self.attempts[operation])
            if response is not None:
                # botocore calls every before-send handler: moto's stubber, which comes after this more
                # specific hook, must not carry out the request this answer stands in for
                request.url = "https://fault-injected.invalid/"
            return response

        client.meta.events.register(event, before_send)
        self._registered.append((client, event, before_send))

    def remove(self) -> None:
        for client, event, handler in self._registered:
            client.meta.events.unregister(event, handler)
        self._registered.clear()


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Iterator[Faults]:
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    injected = Faults()
    yield injected
    injected.remove()


def first(times: int, response: Callable[[Any], AWSResponse]) -> Fault:
    """Fail the first ``times`` attempts with ``response(request)``, then let the service answer."""
    return lambda request, attempt: response(request) if attempt <= times else None


def always(response: Callable[[Any], AWSResponse]) -> Fault:
    return lambda request, attempt: response(request)


def throttled(code: str = "ProvisionedThroughputExceededException") -> Callable[[Any], AWSResponse]:
    return lambda request: dynamodb_error(400, code)


def server_error(request: Any) -> AWSResponse:
    return dynamodb_error(500, "InternalServerError")


def assert_problem(status: int, body: dict[str, Any] | None, content_type: str, expected: int, code: str) -> None:
    assert (status, content_type) == (expected, "application/problem+json"), body
    assert body is not None and body["code"] == code and body["status"] == expected, body
    assert "Traceback" not in body["detail"] and "injected" not in body["detail"], body


def get_org(org_id: str) -> tuple[int, dict[str, Any] | None, str]:
    return call("get_org", "GET", "/orgs/{org_id}", f"/orgs/{org_id}", path_params={"org_id": org_id})


def create_org(slug: str) -> tuple[int, dict[str, Any] | None, str]:
    return call("create_org", "POST", "/orgs", "/orgs", body={"name": "Acme", "slug": slug})


def my_orgs() -> list[str]:
    return [o.id for o in orgs.list_for_caller(alice, ListOrgsQuery()).data]


# ---------------------------------------------------------------- DynamoDB: throttling and transient errors


def test_a_throttled_read_is_retried_by_the_sdk_and_then_succeeds(faults: Faults) -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    faults.inject(table.client(), "GetItem", first(2, throttled()))
    status, body, _ = get_org(org_id)
    assert status == 200 and body is not None and body["id"] == org_id
    assert faults.attempts["GetItem"] >= 3  # two throttled attempts, then the one that answered


def test_a_transient_500_is_retried_by_the_sdk_and_then_succeeds(faults: Faults) -> None:
    orgs.create(alice, CreateOrg(name="Acme", slug="acme"))
    faults.inject(table.client(), "Query", first(1, server_error))
    status, body, _ = call("list_orgs", "GET", "/orgs", "/orgs")
    assert status == 200 and body is not None and [o["slug"] for o in body["data"]] == ["acme"]
    assert faults.attempts["Query"] == 2


@pytest.mark.parametrize("fault", [throttled(), throttled("ThrottlingException"), server_error],
                         ids=["provisioned-throughput", "throttling", "internal-server-error"])
def test_persistent_throttling_is_a_503_problem(faults: Faults, fault: Callable[[Any], AWSResponse]) -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    faults.inject(table.client(), "GetItem", always(fault))
    status, body, content_type = get_org(org_id)
    assert_problem(status, body, content_type, 503, "unavailable")
    assert faults.attempts["GetItem"] == sdk_attempts(table.client())


def test_a_persistently_throttled_list_is_a_503_problem(faults: Faults) -> None:
    faults.inject(table.client(), "Query", always(throttled()))
    status, body, content_type = call("list_orgs", "GET", "/orgs", "/orgs")
    assert_problem(status, body, content_type, 503, "unavailable")
    assert faults.attempts["Query"] == sdk_attempts(table.client())


def test_a_persistently_throttled_write_is_a_503_problem_and_writes_nothing(faults: Faults) -> None:
    faults.inject(table.client(), "TransactWriteItems", always(throttled()))
    status, body, content_type = create_org("acme")
    assert_problem(status, body, content_type, 503, "unavailable")
    assert faults.attempts["TransactWriteItems"] == sdk_attempts(table.client())
    faults.remove()
    assert my_orgs() == []
    assert create_org("acme")[0] == 201  # the slug was never taken


def test_a_throttled_write_recovers_within_the_sdk_retries(faults: Faults) -> None:
    faults.inject(table.client(), "TransactWriteItems", first(sdk_attempts(table.client()) - 1, throttled()))
    status, body, _ = create_org("acme")
    assert status == 201 and body is not None
    assert faults.attempts["TransactWriteItems"] == sdk_attempts(table.client())
    assert my_orgs() == [body["id"]]


# ---------------------------------------------------------------- DynamoDB: transaction conflicts


def test_a_transaction_conflict_is_retried_with_the_same_token_and_then_commits(faults: Faults) -> None:
    faults.inject(table.client(), "TransactWriteItems", first(2, lambda r: cancelled(r, "TransactionConflict")))
    status, body, _ = create_org("acme")
    assert status == 201 and body is not None
    assert faults.attempts["TransactWriteItems"] == 3
    tokens = {json.loads(r.body)["ClientRequestToken"] for r in faults.requests["TransactWriteItems"]}
    assert len(tokens) == 1  # one idempotent write, however often it is sent
    assert my_orgs() == [body["id"]]


def test_a_guard_that_failed_beside_a_conflict_is_judged_again_not_reported(faults: Faults) -> None:
    """A guard can fail on half of a concurrent writer's work: with any item in conflict, the whole
    transaction is retried instead of answering with that guard's error."""
    faults.inject(table.client(), "TransactWriteItems",
                  first(1, lambda r: cancelled(r, "TransactionConflict", others="ConditionalCheckFailed")))
    status, body, _ = create_org("acme")
    assert status == 201 and body is not None
    assert faults.attempts["TransactWriteItems"] == 2
    assert my_orgs() == [body["id"]]


@pytest.mark.parametrize(("reason", "status", "code", "attempts"), [
    pytest.param("TransactionConflict", 409, "conflict", transaction._MAX_CONFLICT_RETRIES + 1,
                 id="conflicting-every-time-is-a-409-after-the-retries"),
    pytest.param("ThrottlingError", 503, "unavailable", 1, id="throttled-is-a-503"),
    pytest.param("ValidationError", 500, "internal_error", 1, id="refused-as-invalid-is-one-500-not-a-retry-loop"),
])
def test_a_transaction_cancelled_every_time_is_one_problem_and_writes_nothing(
        faults: Faults, reason: str, status: int, code: str, attempts: int) -> None:
    faults.inject(table.client(), "TransactWriteItems", always(lambda r: cancelled(r, reason)))
    status_seen, body, content_type = create_org("acme")
    assert_problem(status_seen, body, content_type, status, code)
    assert faults.attempts["TransactWriteItems"] == attempts
    faults.remove()
    assert my_orgs() == []


# ---------------------------------------------------------------- SES through the stream handler


@pytest.fixture
def ses() -> Iterator[Any]:
    with mail.ses():
        yield delivery._ses()


@pytest.fixture
def org_id() -> str:
    return orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id


def delivery_of(item: dict[str, Any]) -> dict[str, Any]:
    return dict(current(item)["delivery"])


def deliver_handler() -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    return loader.load_handler(DELIVER)


def sequence(event: dict[str, Any], index: int) -> str:
    return str(event["Records"][index]["dynamodb"]["SequenceNumber"])


def to(address: str) -> Callable[[Any], bool]:
    """Whether an SES v2 ``SendEmail`` request is addressed to ``address``."""
    return lambda request: address in json.loads(request.body)["Destination"]["ToAddresses"]


def test_ses_throttling_fails_the_record_and_lambdas_retry_sends_it_once(
        faults: Faults, ses: Any, org_id: str) -> None:
    bob, carol = invite(org_id, "bob@example.com"), invite(org_id, "carol@example.com")
    event = stream_event(bob, carol)
    bobs_sends = Counter[str]()

    def throttle_bobs_first_invocation(request: Any, attempt: int) -> AWSResponse | None:
        if to("bob@example.com")(request):
            bobs_sends["bob"] += 1
            if bobs_sends["bob"] <= sdk_attempts(ses):
                return ses_error(429, "TooManyRequestsException")
        return None

    faults.inject(ses, "SendEmail", throttle_bobs_first_invocation)
    handler = deliver_handler()
    context = loader.LambdaContext("deliver_invitations")

    assert handler(event, context) == {"batchItemFailures": [{"itemIdentifier": sequence(event, 0)}]}
    assert bobs_sends["bob"] == sdk_attempts(ses)  # the SDK's own retries, all inside one invocation
    assert delivery_of(bob)["status"] == "retry" and delivery_of(carol)["status"] == "sent"
    assert invitations.get(alice, org_id, bob["id"]).delivery.status == "queued"

    assert handler(event, context) == {"batchItemFailures": []}  # Lambda retries from the failed record
    assert (delivery_of(bob)["status"], delivery_of(bob)["attempts"]) == ("sent", 2)
    assert delivery_of(carol)["attempts"] == 1  # carol's send, already done, was not claimed again
    assert sorted(r for m in mail.sent() for r in m["to"]) == ["bob@example.com", "carol@example.com"]


def test_a_transient_ses_500_is_retried_by_the_sdk_within_the_invocation(
        faults: Faults, ses: Any, org_id: str) -> None:
    item = invite(org_id, "bob@example.com")
    faults.inject(ses, "SendEmail", first(1, lambda r: ses_error(500, "InternalFailure")))
    assert deliver_handler()(stream_event(item), loader.LambdaContext("x")) == {"batchItemFailures": []}
    assert faults.attempts["SendEmail"] == 2
    assert (delivery_of(item)["status"], delivery_of(item)["attempts"]) == ("sent", 1)
    assert len(mail.sent()) == 1


# ---------------------------------------------------------------- SES through the event source mapping


class Mapping:
    """The deliver_invitations function behind the local event source mapping, configured from
    template.yaml (filter, batch size, retries, bisection, dead letters), invoking the real handler."""

    def __init__(self, invoke: Callable[[dict[str, Any], Any], Any] | None = None) -> None:
        [source] = DELIVER.streams
        self.invocations: list[list[str]] = []
        self.dead_letters = DeadLetters()
        handler = deliver_handler()

        def recorded(event: dict[str, Any], context: Any) -> Any:
            self.invocations.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
            return (invoke or handler)(event, context)

        self.consumer = Consumer(DELIVER, source, recorded, self.dead_letters)
        self.consumer.start()

    def deliver(self, *items: dict[str, Any]) -> None:
        records = stream_event(*items)["Records"]
        assert self.consumer.offer(records) == len(records)  # the template's filter lets queued invitations in
        try:
            assert self.consumer.wait_idle(20), "the consumer did not finish"
        finally:
            self.consumer.stop()

    def parked(self) -> list[str]:
        return [str(p["record"]["dynamodb"]["SequenceNumber"]) for p in self.dead_letters.list()]


def test_the_event_source_gives_a_send_exactly_delivery_max_attempts_tries() -> None:
    [source] = DELIVER.streams
    assert source.max_retry_attempts + 1 == delivery.MAX_ATTEMPTS
    assert source.bisect_on_error


def test_ses_throttled_on_every_try_ends_failed_and_in_the_dead_letters(
        faults: Faults, ses: Any, org_id: str) -> None:
    item = invite(org_id, "bob@example.com")
    faults.inject(ses, "SendEmail", always(lambda r: ses_error(429, "TooManyRequestsException")))
    mapping = Mapping()
    mapping.deliver(item)
    assert len(mapping.invocations) == delivery.MAX_ATTEMPTS
    assert faults.attempts["SendEmail"] == delivery.MAX_ATTEMPTS * sdk_attempts(ses)
    assert mapping.parked() == [sequence(stream_event(item), 0)]
    assert (delivery_of(item)["status"], delivery_of(item)["attempts"]) == ("failed", delivery.MAX_ATTEMPTS)
    assert invitations.get(alice, org_id, item["id"]).delivery.status == "failed"
    assert mail.sent() == []


def test_a_hard_ses_refusal_fails_at_once_without_retry_or_dead_letter(
        faults: Faults, ses: Any, org_id: str) -> None:
    item = invite(org_id, "bob@example.com")
    faults.inject(ses, "SendEmail", always(lambda r: ses_error(400, "MessageRejected")))
    mapping = Mapping()
    mapping.deliver(item)
    assert len(mapping.invocations) == 1 and faults.attempts["SendEmail"] == 1
    assert mapping.parked() == []
    assert (delivery_of(item)["status"], delivery_of(item)["error"]) == ("failed", "MessageRejected")
    assert mail.sent() == []


# ---------------------------------------------------------------- a crash in the middle of a batch


class Crash(BaseException):
    """The invocation dies (timeout, out of memory): no code of the function runs after it."""


def raising_on(attempts: range | set[int], error: Callable[[], BaseException]) -> Fault:
    """Raise ``error()`` on those attempts (what the HTTP layer raises when the network fails)."""

    def fault(request: Any, attempt: int) -> AWSResponse | None:
        if attempt in attempts:
            raise error()
        return None

    return fault


def connection_failure() -> BaseException:
    return EndpointConnectionError(endpoint_url="https://email.us-east-1.amazonaws.com/")


def dies_on_crash(handler: Callable[[dict[str, Any], Any], Any]) -> Callable[[dict[str, Any], Any], Any]:
    """The function as the runtime reports it: a crashed invocation is a function error."""

    def invoke(event: dict[str, Any], context: Any) -> Any:
        try:
            return handler(event, context)
        except Crash as crash:
            raise RuntimeError("the invocation crashed") from crash

    return invoke


def batch(org_id: str) -> list[dict[str, Any]]:
    return [invite(org_id, f"guest{n}@example.com") for n in range(4)]


def assert_each_mailed_exactly_once(items: list[dict[str, Any]]) -> None:
    assert sorted(r for m in mail.sent() for r in m["to"]) == sorted(i["email"] for i in items)
    assert [delivery_of(i)["status"] for i in items] == ["sent"] * len(items)


def test_an_error_sending_the_second_record_loses_nothing_and_sends_nothing_twice(
        faults: Faults, ses: Any, org_id: str) -> None:
    items = batch(org_id)
    # the second send meets a network failure that outlasts the SDK's retries (it is no ClientError):
    # the record fails, and the event source delivers the batch again from it
    faults.inject(ses, "SendEmail", raising_on(range(2, 2 + sdk_attempts(ses)), connection_failure))
    mapping = Mapping()
    mapping.deliver(*items)
    event = stream_event(*items)
    assert mapping.invocations[0] == [sequence(event, n) for n in range(4)]
    assert mapping.invocations[1][0] == sequence(event, 1)  # retried from the failed record
    assert mapping.parked() == []
    assert_each_mailed_exactly_once(items)


def test_a_crash_while_sending_the_second_record_is_parked_not_lost_and_nothing_is_sent_twice(
        faults: Faults, ses: Any, org_id: str) -> None:
    items = batch(org_id)
    faults.inject(ses, "SendEmail", raising_on({2}, Crash))
    mapping = Mapping(dies_on_crash(deliver_handler()))
    mapping.deliver(*items)
    event = stream_event(*items)
    assert len(mapping.invocations) > 1  # the batch was retried (bisected) after the crash
    # the crashed send stays claimed; its immediate retries fail (not skipped) and the record is parked
    # in the dead-letter queue instead of being dropped; every other invitation is mailed once
    assert mapping.parked() == [sequence(event, 1)]
    crashed, others = items[1], [items[0], *items[2:]]
    assert sorted(r for m in mail.sent() for r in m["to"]) == sorted(i["email"] for i in others)
    assert delivery_of(crashed)["status"] == "sending"
    clock.advance(delivery.LEASE_SECONDS + 1)  # after the lease, the redriven record sends it once
    assert delivery.deliver(crashed) == "sent"
    assert_each_mailed_exactly_once(items)
