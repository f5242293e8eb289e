"""The local server keeps the local contract: template routes, real authorizer, streams, /_local."""

from __future__ import annotations

import re
import subprocess
import threading
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from devserver import apps, template
from tests.http.client import Client, Response
from tests.http.conftest import ROOT, server_env
from tests.http.expect import assert_problem

ROUTES = [(r.method, r.path, f.name) for f in template.functions() for r in f.routes]


def unique_slug(prefix: str = "acme") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_org(api: Client, token: str, name: str = "Acme") -> dict[str, Any]:
    response = api.post("/orgs", token=token, json={"name": name, "slug": unique_slug()})
    assert response.status == 201, response
    return dict(response.json)


def is_unknown_route(response: Response) -> bool:
    return response.status == 404 and response.code == "not_found" and response.json.get("detail") == (
        "No such route.")


# ---------------------------------------------------------------- routes


@pytest.mark.parametrize(("method", "path", "name"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_every_template_route_is_served(api: Client, method: str, path: str, name: str) -> None:
    concrete = re.sub(r"\{([a-z_]+)\+?\}", lambda m: "me" if m.group(1) == "user_id" else "x", path)
    body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
    response = api.request(method, concrete, token=api.token(sub=f"route-{name}"), json=body)
    assert not is_unknown_route(response), f"{method} {path} ({name}) is not served"
    assert response.status < 500, response


def test_unknown_route_is_404_problem_json(api: Client) -> None:
    assert_problem(api.get("/no/such/route", token=api.token()), 404, "not_found")
    assert_problem(api.get("/no/such/route"), 404, "not_found")


def test_known_path_with_another_method_is_405(api: Client) -> None:
    response = api.put("/orgs", token=api.token(), json={})
    assert_problem(response, 405, "method_not_allowed")
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}


def test_openapi_paths_equal_template_routes(api: Client) -> None:
    response = api.get("/openapi.json")
    assert response.status == 200
    document = response.json
    assert document["openapi"].startswith("3.1")
    served = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert served == {(m, p) for m, p, _ in ROUTES}
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "Problem" in document["components"]["schemas"]
    create = document["paths"]["/orgs"]["post"]
    assert "201" in create["responses"] and "requestBody" in create
    assert "204" in document["paths"]["/orgs/{org_id}"]["delete"]["responses"]


def test_every_post_documents_the_idempotency_key_header(api: Client) -> None:
    paths = api.get("/openapi.json").json["paths"]
    posts = [(path, ops["post"]) for path, ops in paths.items() if "post" in ops]
    assert posts
    for path, operation in posts:
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert headers == ["Idempotency-Key"], path


def test_body_over_256_kib_is_413_problem(api: Client) -> None:
    payload = b'{"name": "' + b"x" * (256 * 1024) + b'"}'
    headers = {"Content-Type": "application/json"}
    response = api.post("/orgs", token=api.token(), body=payload, headers=headers)
    assert_problem(response, 413, "payload_too_large")


def test_concurrent_requests_are_served_by_separate_containers(api: Client) -> None:
    token = api.token(sub=f"busy-{uuid.uuid4().hex[:6]}")
    results: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        status = api.post("/orgs", token=token, json={"name": f"Org {n}", "slug": unique_slug("busy")}).status
        with lock:
            results.append(status)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [201] * 12
    pools = {f["name"]: f["containers"] for f in api.get("/_local/functions").json["data"]}
    assert 1 < pools["create_org"] <= 8
    listed = api.get("/orgs?limit=100", token=token)
    assert listed.status == 200 and len(listed.json["data"]) == 12


# ---------------------------------------------------------------- authorizer


def test_jwks_is_fetched_over_http(api: Client) -> None:
    token = api.token(app="demo", sub="alice", email="alice@example.com")
    me = api.get("/me", token=token)
    assert me.status == 200, me
    assert me.json == {"user_id": "alice", "email": "alice@example.com", "app_id": "demo", "support": False,
                       "type": "user"}

    keys = api.get(apps.jwks_path("demo")).json["keys"]
    assert [k["kid"] for k in keys] == [jwt.get_unverified_header(token)["kid"]]

    rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = jwt.decode(token, options={"verify_signature": False})
    unknown_kid = jwt.encode(claims, rogue, algorithm="RS256", headers={"kid": "not-served"})
    assert_problem(api.get("/me", token=unknown_kid), 401, "unauthorized")
    served_kid = jwt.encode(claims, rogue, algorithm="RS256", headers={"kid": keys[0]["kid"]})
    assert_problem(api.get("/me", token=served_kid), 401, "unauthorized")


def test_missing_token_gets_problem_json_401(api: Client) -> None:
    response = api.get("/me")
    assert_problem(response, 401, "unauthorized")
    assert response.headers.get("www-authenticate") == "Bearer"
    assert_problem(api.get("/me", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"}), 401, "unauthorized")
    assert_problem(api.get("/me", token="not-a-jwt"), 401, "unauthorized")


def test_expired_token_is_401(api: Client) -> None:
    assert_problem(api.get("/me", token=api.token(ttl=-3600)), 401, "unauthorized")


def test_token_of_unknown_issuer_is_401(api: Client) -> None:
    token = api.token(iss="https://issuer.local/nobody")
    assert_problem(api.get("/me", token=token), 401, "unauthorized")


def test_token_for_another_client_is_401(api: Client) -> None:
    assert_problem(api.get("/me", token=api.token(aud="someone-else")), 401, "unauthorized")


def test_access_token_is_accepted_without_email(api: Client) -> None:
    response = api.get("/me", token=api.token(sub="bob", token_use="access"))
    assert response.status == 200, response
    assert response.json["user_id"] == "bob" and response.json["email"] is None


def test_support_group_marks_support_staff(api: Client) -> None:
    response = api.get("/me", token=api.token(sub="sam", groups=["support"]))
    assert response.status == 200 and response.json["support"] is True


def test_clock_advance_expires_a_token(api: Client) -> None:
    token = api.token(ttl=300)
    assert api.get("/me", token=token).status == 200
    api.advance_clock(300 + 61)  # past exp and the authorizer's 60 s leeway
    assert_problem(api.get("/me", token=token), 401, "unauthorized")
    assert api.get("/me", token=api.token(ttl=300)).status == 200  # tokens minted on the server's clock


def test_the_documented_token_command_mints_on_the_clock_of_the_server_it_names(api: Client) -> None:
    """`make token ARGS=...` (README, banner, docs) from a plain shell: the project's interpreter, and the
    server named by --server, never $PORT. The walk-through moves the clock days ahead, then mints tokens."""
    api.advance_clock(2 * 3600)  # a wall-clock token of one hour is now long expired for the server
    env = {k: v for k, v in server_env().items() if not k.startswith("MAKE") and k not in ("MFLAGS", "PYTHONPATH")}
    env["PORT"] = "1"  # read by nothing: the server is named explicitly

    def minted(*extra: str) -> subprocess.CompletedProcess[str]:
        args = " ".join(["--sub clock-user", *extra])
        return subprocess.run(["make", "--no-print-directory", "-s", "token", f"ARGS={args}"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120, check=True)

    on_server = minted(f"--server {api.base_url}")
    assert api.get("/me", token=on_server.stdout.strip()).status == 200
    assert on_server.stderr == ""
    assert_problem(api.get("/me", token=minted(f"--server {api.base_url} --now {time.time()}").stdout.strip()),
                   401, "unauthorized")
    nobody = minted("--server http://127.0.0.1:1")  # no server there: the wall clock, and it says so
    assert "no local server answered at http://127.0.0.1:1" in nobody.stderr
    assert_problem(api.get("/me", token=nobody.stdout.strip()), 401, "unauthorized")


def test_clock_refuses_what_is_not_a_non_negative_number(api: Client) -> None:
    bodies: list[Any] = [{"advance_seconds": -1}, {"advance_seconds": "60"}, {"advance_seconds": True}, {}, []]
    for body in bodies:
        assert_problem(api.post("/_local/clock", json=body), 400, "validation_error")
    response = api.post("/_local/clock", json={"advance_seconds": 0})
    assert response.status == 200 and response.json["now"].endswith("Z")


# ---------------------------------------------------------------- apps and streams


def test_other_app_token_gets_404_for_demo_org(api: Client) -> None:
    alice = api.token(app="demo", sub="alice")
    org = create_org(api, alice)
    assert api.get(f"/orgs/{org['id']}", token=alice).status == 200
    mallory = api.token(app="other", sub="alice")  # the same sub in another app is another user
    assert_problem(api.get(f"/orgs/{org['id']}", token=mallory), 404, "org_not_found")
    assert_problem(api.delete(f"/orgs/{org['id']}", token=mallory), 404, "org_not_found")
    assert api.get(f"/orgs/{org['id']}", token=alice).status == 200


def test_stream_consumer_cleans_up_deleted_org(api: Client) -> None:
    owner = api.token(sub=f"owner-{uuid.uuid4().hex[:6]}")
    slug = unique_slug()
    created = api.post("/orgs", token=owner, json={"name": "Acme", "slug": slug})
    assert created.status == 201, created
    org_id = created.json["id"]
    assert org_id.startswith("org_")
    before = _cleanup_deliveries(api)

    assert api.delete(f"/orgs/{org_id}", token=owner).status == 204
    assert api.drain() >= 1

    assert _cleanup_deliveries(api) > before
    assert not [d for d in api.get("/_local/dead-letters").json["data"] if d["function"] == "org_cleanup"]
    assert_problem(api.get(f"/orgs/{org_id}", token=owner), 404, "org_not_found")
    assert api.get("/orgs", token=owner).json["data"] == []
    again = api.post("/orgs", token=owner, json={"name": "Acme again", "slug": slug})
    assert again.status == 201 and again.json["id"] != org_id


def _cleanup_deliveries(api: Client) -> int:
    consumers = api.get("/_local/streams").json["consumers"]
    return sum(c["delivered"] for c in consumers if c["function"] == "org_cleanup")


def test_drain_with_nothing_written_returns_promptly(api: Client) -> None:
    api.drain()
    assert api.drain() == 0


def test_local_health_needs_no_token(api: Client) -> None:
    assert api.get("/_local/health").json == {"status": "ok"}


def test_unknown_job_is_404(api: Client) -> None:
    assert_problem(api.post("/_local/jobs/no-such-job"), 404, "not_found")


def test_stream_records_reach_consumers_within_a_second(api: Client) -> None:
    owner = api.token(sub=f"owner-{uuid.uuid4().hex[:6]}")
    org = create_org(api, owner)
    api.drain()
    before = _cleanup_deliveries(api)
    assert api.delete(f"/orgs/{org['id']}", token=owner).status == 204
    deadline = time.monotonic() + 1.5
    while _cleanup_deliveries(api) == before:
        assert time.monotonic() < deadline, "the org cleanup consumer got nothing within 1.5 s"
        time.sleep(0.05)
