"""Browser tier: the web console (``/console/``) in Debian's Chromium, driven by Playwright, against one
local server per session. The browser does each task; the API (``tests.http.client``) confirms it.

Chromium is ``/usr/bin/chromium`` (``make test-browser`` installs Debian's package when it is missing;
``ORGPLANE_CHROMIUM`` points elsewhere). Every page a test leaves must have raised no script error and
no Content-Security-Policy violation.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, expect, sync_playwright

from tests.http.client import Client
from tests.http.conftest import running_server

CHROMIUM = os.environ.get("ORGPLANE_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's hosts, which this
# network refuses (TOOLCHAIN.md).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    with running_server(tmp_path_factory.mktemp("devserver")) as client:
        yield client


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test-browser` installs Debian's chromium "
                    "(or set ORGPLANE_CHROMIUM)", pytrace=False)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class Problems:
    """Script errors and CSP violations a page raised: a test fails on any."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "status of 4" not in message.text and "status of 5" not in message.text:
            self.items.append(f"console: {message.text}")

    def page_error(self, error: Any) -> None:
        self.items.append(f"page error: {error}")


def _page(browser: Browser, server: Client, viewport: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(base_url=server.base_url, viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    problems = Problems()
    page.on("console", problems.console)
    page.on("pageerror", problems.page_error)
    yield page
    context.close()
    assert problems.items == [], problems.items


@pytest.fixture
def page(browser: Browser, server: Client) -> Iterator[Page]:
    yield from _page(browser, server, DESKTOP)


@pytest.fixture
def phone(browser: Browser, server: Client) -> Iterator[Page]:
    yield from _page(browser, server, PHONE)


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]
