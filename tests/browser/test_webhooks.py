"""The support console's webhooks: add an endpoint (its secret shown once), send a test event, follow
its delivery log, retry a delivery, rotate the secret, disable, delete; refusals in words."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.console import assert_accessible, confirm, sign_in, token
from tests.browser.test_quality import _tab_to
from tests.http.client import Client
from tests.support.receiver import Receiver


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Wait until ``condition()`` holds (a condition, not a time: it returns as soon as it does)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def signed_with(secret: str, headers: dict[str, str], body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return expected in headers["webhook-signature"].split(" ")


def open_webhooks(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    expect(page.locator(".loading")).to_have_count(0)


def test_support_adds_a_webhook_sees_its_secret_once_tests_it_and_retries_a_delivery(
        page: Page, server: Client, receiver: Receiver, unique: str) -> None:
    url = f"http://127.0.0.1:{receiver.port}/hook/{unique}"

    def tests() -> list[tuple[dict[str, str], bytes]]:  # the endpoint also gets the app's other events
        return [(h, raw) for h, raw in receiver.received if json.loads(raw)["type"] == "webhook.test"]

    sign_in(page, "sam")
    open_webhooks(page)
    page.get_by_label("Endpoint URL").fill(url)
    page.get_by_label("Description (optional)").fill(f"Billing {unique}")
    page.get_by_role("button", name="Add endpoint").click()
    shown = page.get_by_role("status").filter(has_text="shown only this once")
    expect(shown).to_contain_text(url)
    secret = page.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")
    row = page.get_by_role("table", name="Webhook endpoints").get_by_role("row", name=url)
    expect(row).to_contain_text("enabled")
    expect(row).not_to_contain_text(secret)
    assert_accessible(page, "webhooks with a new secret")

    row.get_by_role("button", name="Send a test event").click()
    expect(page.get_by_text(f"A test event is on its way to {url}.")).to_be_visible()
    log = page.get_by_role("table", name=f"Deliveries to {url}")
    delivery = log.get_by_role("row", name="webhook.test")
    expect(delivery).to_have_count(1)
    wait_for(lambda: len(tests()) == 1, "the test event at the receiver")
    headers, body = tests()[0]
    assert signed_with(secret, headers, body), "the secret shown is the one that signs"
    expect(page.get_by_label("Signing secret")).to_have_value(secret)  # still there, until stored
    expect(delivery.locator(".badge")).to_have_text("delivered")  # the log follows a pending delivery
    assert_accessible(page, "a delivery log")

    delivery.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("is sent again.")).to_be_visible()
    wait_for(lambda: len(tests()) == 2, "the retried event at the receiver")
    assert tests()[1][0]["webhook-id"] == headers["webhook-id"]  # the same event, again
    expect(delivery.locator(".badge")).to_have_text("delivered")
    expect(delivery).to_have_count(1)

    # the secret is not shown again: a new one only by rotating, after a confirmation
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find orgs and users").click()
    open_webhooks(page)
    expect(page.get_by_label("Signing secret")).to_have_count(0)
    row.get_by_role("button", name="Rotate the secret").click()
    confirm(page, "Rotate secret")
    rotated = page.get_by_label("Signing secret").input_value()
    assert rotated.startswith("whsec_") and rotated != secret
    page.get_by_role("button", name="I have stored the secret").click()
    expect(page.get_by_label("Signing secret")).to_have_count(0)

    row.get_by_role("button", name="Disable").click()
    confirm(page, "Disable endpoint")
    expect(page.get_by_text(f"{url} is disabled.")).to_be_visible()
    expect(row).to_contain_text("disabled")
    webhook_id = row.get_attribute("data-webhook-id")
    sam = token(server, "sam", support=True)
    assert server.get(f"/admin/webhooks/{webhook_id}", token=sam).json["enabled"] is False
    row.get_by_role("button", name="Enable").click()
    expect(page.get_by_text(f"{url} is enabled.")).to_be_visible()
    assert server.get(f"/admin/webhooks/{webhook_id}", token=sam).json["enabled"] is True

    row.get_by_role("button", name="Delete").click()
    confirm(page, "Delete endpoint")
    expect(page.get_by_text(f"{url} was deleted.")).to_be_visible()
    expect(row).to_have_count(0)
    assert server.get(f"/admin/webhooks/{webhook_id}", token=sam).status == 404


def test_a_refused_webhook_url_is_shown_in_words_with_its_code(page: Page, server: Client) -> None:
    sign_in(page, "sam")
    open_webhooks(page)
    page.get_by_label("Endpoint URL").fill("ftp://127.0.0.1/hook")
    page.get_by_role("button", name="Add endpoint").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("webhook_url_not_allowed")
    expect(page.get_by_label("Signing secret")).to_have_count(0)
    assert_accessible(page, "a refused webhook")


def test_on_a_phone_from_the_keyboard_a_silent_endpoint_shows_its_delivery_pending(
        phone: Page, server: Client, unique: str) -> None:
    url = f"http://127.0.0.1:9/hook/{unique}"  # nothing answers there: the delivery waits for its retry
    sign_in(phone, "sam")
    open_webhooks(phone)
    _tab_to(phone, "Endpoint URL")
    phone.keyboard.type(url)
    phone.keyboard.press("Enter")
    expect(phone.get_by_label("Signing secret")).to_have_value(re.compile(r"^whsec_"))
    _tab_to(phone, f"Send a test event to {url}")
    phone.keyboard.press("Enter")
    log = phone.get_by_role("table", name=f"Deliveries to {url}")
    delivery = log.get_by_role("row", name="webhook.test")
    expect(delivery.locator(".badge")).to_have_text("pending")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the webhooks page scrolls sideways ({width}px)"
    assert_accessible(phone, "webhooks on a phone")
    webhook_id = phone.get_by_role("table", name="Webhook endpoints").get_by_role("row", name=url).get_attribute("data-webhook-id")
    assert server.delete(f"/admin/webhooks/{webhook_id}", token=token(server, "sam", support=True)).status == 204
