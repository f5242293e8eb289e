"""The HTTP edge of soft delete and restore: ``GET /admin/orgs?deleted=true`` and
``POST /admin/orgs/{org_id}/restore`` (support only), statuses, objects and problem codes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.service.test_handlers import create_org
from tests.service.test_operator_handlers import OLGA, call
from tests.service.test_service_principals import service

ALICE = {"app_id": "demo", "sub": "alice", "email": "alice@example.com"}
ORG_FIELDS = {"id", "name", "slug", "metadata", "member_count", "pending_invitation_count", "team_count",
              "domain_join", "created_by", "created_at", "updated_at"}


@pytest.fixture
def deleted_org() -> str:
    org_id = create_org()
    status, _ = call("delete_org", "DELETE", f"/orgs/{org_id}", identity=ALICE)
    assert status == 204
    return org_id


def restore(org_id: str, body: Any = None, identity: dict[str, Any] | None = None) -> tuple[int, Any]:
    kwargs: dict[str, Any] = {"identity": identity} if identity else {}
    return call("admin_restore_org", "POST", f"/admin/orgs/{org_id}/restore", body={} if body is None else body,
                **kwargs)


def test_deleted_true_lists_deleted_orgs_with_deleted_at_and_purge_at(deleted_org: str) -> None:
    status, page = call("admin_list_orgs", "GET", "/admin/orgs", query={"deleted": "true"})
    assert status == 200 and [o["id"] for o in page["data"]] == [deleted_org]
    assert set(page["data"][0]) == ORG_FIELDS | {"deleted_at", "purge_at"}
    status, live = call("admin_list_orgs", "GET", "/admin/orgs")
    assert status == 200 and live["data"] == []
    status, live = call("admin_list_orgs", "GET", "/admin/orgs", query={"deleted": "false"})
    assert status == 200 and live["data"] == []


def test_restore_answers_with_the_org_and_a_second_restore_is_404(deleted_org: str) -> None:
    status, org = restore(deleted_org)
    assert status == 200 and set(org) == ORG_FIELDS and org["id"] == deleted_org and org["slug"] == "acme"
    assert call("get_org", "GET", f"/orgs/{deleted_org}", identity=ALICE)[0] == 200
    status, problem = restore(deleted_org)
    assert status == 404 and problem["code"] == "org_not_found"


def test_restore_with_a_taken_slug_is_409_unless_a_new_slug_is_given(deleted_org: str) -> None:
    create_org("acme")
    status, problem = restore(deleted_org)
    assert status == 409 and problem["code"] == "slug_taken"
    status, org = restore(deleted_org, {"slug": "acme-2"})
    assert status == 200 and org["slug"] == "acme-2"


@pytest.mark.parametrize("body", [{"slug": "Not A Slug"}, {"slug": 5}, {"slug": "x" * 60}, {"name": "x"},
                                  {"slug": None, "extra": True}])
def test_restore_refuses_bad_bodies_with_400_and_restores_nothing(deleted_org: str, body: dict[str, Any]) -> None:
    status, problem = restore(deleted_org, body)
    assert status == 400 and problem["code"] == "validation_error"
    assert call("get_org", "GET", f"/orgs/{deleted_org}", identity=ALICE)[0] == 404


def test_a_member_is_403_another_apps_support_404(deleted_org: str) -> None:
    status, problem = restore(deleted_org, identity=ALICE)
    assert status == 403 and problem["code"] == "forbidden"
    status, problem = call("admin_list_orgs", "GET", "/admin/orgs", identity=ALICE, query={"deleted": "true"})
    assert status == 403 and problem["code"] == "forbidden"
    status, problem = restore(deleted_org, identity=OLGA)
    assert status == 404 and problem["code"] == "org_not_found"
    status, page = call("admin_list_orgs", "GET", "/admin/orgs", identity=OLGA, query={"deleted": "true"})
    assert status == 200 and page["data"] == []


@pytest.mark.parametrize("query", [{"deleted": "maybe"}, {"deleted": "true", "limit": "0"},
                                   {"deleted": "true", "cursor": "forged"}])
def test_the_deleted_listing_refuses_bad_queries_with_400(deleted_org: str, query: dict[str, str]) -> None:
    status, problem = call("admin_list_orgs", "GET", "/admin/orgs", query=query)
    assert status == 400 and problem["code"] == "validation_error"


def test_a_service_with_the_write_scope_restores_and_the_read_scope_only_lists(deleted_org: str) -> None:
    reader, writer = service("orgplane/read"), service("orgplane/write")
    status, page = call("admin_list_orgs", "GET", "/admin/orgs", identity=reader, query={"deleted": "true"})
    assert status == 200 and [o["id"] for o in page["data"]] == [deleted_org]
    status, problem = restore(deleted_org, identity=reader)
    assert status == 403 and problem["code"] == "insufficient_scope"
    status, org = restore(deleted_org, identity=writer)
    assert status == 200 and org["id"] == deleted_org
