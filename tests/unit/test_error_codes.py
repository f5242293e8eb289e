"""Each route's error codes are derived from what its handler's calls can raise (devserver.error_codes)."""

from __future__ import annotations

import pytest

from devserver import error_codes, template
from orgplane.errors import CATALOGUE

ROUTES = [(f, r) for f in template.functions() for r in f.routes]


def codes(name: str, handler: str, method: str, *, body: bool = False, query: bool = False,
          path_params: bool = False, authenticated: bool = True) -> list[str]:
    return error_codes.route_codes(f"functions.{name}.app", handler, has_body=body, has_query=query,
                                   has_path_params=path_params, honours_key=method == "POST",
                                   authenticated=authenticated)


def test_a_route_lists_the_codes_its_domain_calls_raise() -> None:
    found = codes("create_org", "create_org", "POST", body=True)
    assert {"slug_taken", "org_limit_reached", "validation_error", "payload_too_large", "unsupported_media_type",
            "idempotency_key_reused", "conflict", "unavailable"} <= set(found)
    assert not {"last_owner", "team_name_taken", "org_not_found", "not_found"} & set(found)


def test_codes_reached_through_an_import_inside_a_function_are_found() -> None:
    assert "org_not_found" in codes("list_org_audit", "list_org_audit", "GET", query=True, path_params=True)


def test_a_route_that_reads_nothing_lists_only_the_gateways_and_the_edges_codes() -> None:
    assert set(codes("me", "me", "GET")) == {"unauthorized", "insufficient_scope", "rate_limited", "internal_error"}


def test_a_public_route_is_never_refused_a_token() -> None:
    public = codes("jwks", "jwks", "GET", authenticated=False)
    assert "unauthorized" not in public and "insufficient_scope" not in public


def test_every_code_found_is_in_the_catalogue_in_catalogue_order() -> None:
    order = list(CATALOGUE)
    found = codes("accept_invitation", "accept_invitation", "POST", body=True)
    assert found == sorted(found, key=order.index)


@pytest.mark.parametrize(("function", "route"), ROUTES, ids=[f"{r.method} {r.path}" for _, r in ROUTES])
def test_every_route_of_the_template_can_be_followed_into_the_domain(function: template.Function,
                                                                   route: template.Route) -> None:
    """A handler the call graph cannot read (moved, renamed, not under functions/) would list nothing of its own."""
    module = ".".join(function.module_path.relative_to(error_codes.ROOT).with_suffix("").parts)
    handlers = [name for name in error_codes.graph().functions if name.startswith(f"{module}.")]
    assert handlers, f"{function.module_path} is not read by devserver.error_codes"
