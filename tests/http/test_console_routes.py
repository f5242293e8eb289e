"""The local server's console routes: static files at /console/ with the strict policy, and the demo
sign-in (``/_local/console/*``), which exists only here."""

from __future__ import annotations

import pytest

from devserver import console
from tests.http.client import Client


def test_console_is_served_at_console_with_its_security_headers(api: Client) -> None:
    response = api.get("/console/")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == console.CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    module = api.get("/console/js/main.js")
    assert module.status == 200 and module.headers["content-type"].startswith("text/javascript")


def test_console_without_its_slash_redirects(api: Client) -> None:
    response = api.get("/console")
    assert response.status == 308 and response.headers["location"] == "/console/"


@pytest.mark.parametrize("path", ["/console/../Makefile", "/console/%2e%2e/template.yaml",
                                  "/console/js/../../devserver/apps.py", "/console/missing.js"])
def test_console_serves_nothing_outside_its_folder(api: Client, path: str) -> None:
    response = api.get(path)
    assert response.status == 404
    assert b"Makefile" not in repr(response.json).encode()


def test_console_files_are_read_only(api: Client) -> None:
    response = api.post("/console/index.html", json={})
    assert response.status == 405 and "GET" in response.headers["allow"]


def test_local_config_says_local_sign_in(api: Client) -> None:
    assert api.get("/console/config.json").json == {"mode": "local"}


def test_demo_users_are_listed_with_their_apps(api: Client) -> None:
    users = {u["id"]: u for u in api.get("/_local/console/users").json["data"]}
    assert {"alice", "bob", "sam", "otto"} <= set(users)
    assert users["sam"]["support"] and users["sam"]["app"] == "demo"
    assert users["otto"]["support"] and users["otto"]["app"] == "other"
    assert not users["bob"]["support"]


def test_a_demo_users_token_is_accepted_by_the_api(api: Client) -> None:
    minted = api.post("/_local/console/token", json={"user": "sam"})
    assert minted.status == 200 and minted.json["app"] == "demo"
    me = api.get("/me", token=minted.json["token"])
    assert me.status == 200
    assert {k: me.json[k] for k in ("user_id", "email", "app_id", "support")} == {
        "user_id": "sam", "email": "sam@support.example.com", "app_id": "demo", "support": True}
    other = api.post("/_local/console/token", json={"user": "otto"}).json["token"]
    assert api.get("/me", token=other).json["app_id"] == "other"


@pytest.mark.parametrize("body", [{"user": "mallory"}, {"user": ["alice"]}, {}, ["alice"], {"user": None}])
def test_only_listed_demo_users_get_a_token(api: Client, body: object) -> None:
    response = api.post("/_local/console/token", json=body)
    assert response.status == 404 and response.code == "not_found"
    assert "token" not in (response.json or {})
