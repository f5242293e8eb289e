"""Deployed sign-in: Cognito managed login with the authorization code and PKCE, played against a
stand-in login domain (Playwright answers its two endpoints), under the deployed CSP of template.yaml.
The id token the stand-in issues is a real token of the local ``demo`` issuer, so the API accepts it."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from playwright.sync_api import Page, Route, expect

from devserver import template
from tests.browser.console import token
from tests.http.client import Client

LOGIN = "https://login.orgplane.test"


def _deployed_csp() -> str:
    policy = template.load()["Resources"]["ConsoleHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    text: str = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    return text.replace("${AWS::Region}", "us-east-1").replace("${ConsoleAuthOrigins}", LOGIN)


def test_cognito_managed_login_with_pkce_signs_in_and_keeps_the_token_in_memory(
        page: Page, server: Client) -> None:
    seen: dict[str, Any] = {}
    config = {"mode": "cognito", "apps": [{"id": "demo", "label": "demo", "client_id": "demo-web", "domain": LOGIN}]}

    def document(route: Route) -> None:  # the console's page, with the deployed site's headers
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": _deployed_csp()})

    def authorize(route: Route) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()}
        seen["authorize"] = query
        back = f"{query['redirect_uri']}?{urlencode({'code': 'the-code', 'state': query['state']})}"
        # a page that sends the browser back (Playwright does not route the target of a 302)
        route.fulfill(content_type="text/html", body=f'<meta http-equiv="refresh" content="0;url={back}">')

    def exchange(route: Route) -> None:
        form = {k: v[0] for k, v in parse_qs(route.request.post_data or "").items()}
        seen["token"] = form
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        ok = form.get("code") == "the-code" and challenge == seen["authorize"]["code_challenge"]
        body = {"id_token": token(server, "alice"), "access_token": "unused", "token_type": "Bearer",
                "expires_in": 3600} if ok else {"error": "invalid_grant"}
        route.fulfill(status=200 if ok else 400, content_type="application/json", body=json.dumps(body),
                      headers={"access-control-allow-origin": "*"})

    page.route(lambda url: urlsplit(url).path == "/console/", document)
    page.route("**/console/config.json", lambda route: route.fulfill(json=config))
    page.route(f"{LOGIN}/oauth2/authorize?*", authorize)
    page.route(f"{LOGIN}/oauth2/token", exchange)

    page.goto("/console/")
    page.get_by_role("button", name="Sign in to demo").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text("alice@example.com · app demo")).to_be_visible()

    authorize_query = seen["authorize"]
    assert authorize_query["response_type"] == "code" and authorize_query["client_id"] == "demo-web"
    assert authorize_query["code_challenge_method"] == "S256"
    assert authorize_query["redirect_uri"] == f"{server.base_url}/console/"
    assert seen["token"]["grant_type"] == "authorization_code"
    assert "code=" not in page.url and "state=" not in page.url
    stored = page.evaluate("() => JSON.stringify([Object.keys(localStorage), Object.keys(sessionStorage), document.cookie])")
    assert stored == '[[],[],""]'


def test_a_login_answer_with_a_foreign_state_is_refused(page: Page, server: Client) -> None:
    config = {"mode": "cognito", "apps": [{"id": "demo", "label": "demo", "client_id": "demo-web", "domain": LOGIN}]}
    page.route("**/console/config.json", lambda route: route.fulfill(json=config))
    page.goto("/console/?code=stolen&state=forged")
    expect(page.get_by_role("alert")).to_contain_text("state_mismatch")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
