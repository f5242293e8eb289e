"""Every reason the verifier refuses a token for has a class a client can act on (RFC 6750 401s)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import functions.authorizer.app as authorizer_app
from orgplane.identity import rejections

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "layers/orgplane/orgplane/identity").glob("*.py")), ROOT / "functions/authorizer/app.py"]
_RAISED = re.compile(r"(?:TokenRejected|JwksUnavailable)\(\s*(f?)\"([^\"]*)\"")


def raised_reasons() -> list[str]:
    """The literal part of every reason raised in the identity code (an f-string up to its first field)."""
    found = []
    for source in SOURCES:
        for is_f, text in _RAISED.findall(source.read_text()):
            found.append(text.split("{", 1)[0] if is_f else text)
    assert found, "no TokenRejected raised anywhere: has the verifier moved?"
    return found


@pytest.mark.parametrize("reason", sorted(set(raised_reasons())))
def test_every_reason_the_identity_code_raises_is_classified_explicitly(reason: str) -> None:
    listed = reason in rejections.REASONS or any(
        prefix.endswith(" ") and reason.startswith(prefix) for prefix in rejections.REASONS)
    assert listed, (f"TokenRejected({reason!r}) has no entry in orgplane.identity.rejections.REASONS: add it "
                    f"with the class a client sees (or None when it is not the token's fault)")


@pytest.mark.parametrize(("reason", "expected"), [
    ("token expired", "expired"), ("token issued in the future", "not_yet_valid"),
    ("invalid audience", "wrong_audience"), ("invalid client_id", "wrong_audience"),
    ("unknown signing key", "unknown_key"), ("missing claim token_use", "malformed"),
    ("invalid claim nbf", "malformed"), ("missing token", "missing"), ("something new", "malformed"),
])
def test_reasons_fall_into_the_documented_classes(reason: str, expected: str) -> None:
    rejection = rejections.classify(reason)
    assert rejection is not None and rejection.reason == expected


def test_what_is_not_the_tokens_fault_has_no_class() -> None:
    assert rejections.classify("signing keys unavailable (PyJWKClientConnectionError)") is None
    assert rejections.classify("invalid methodArn") is None


def test_a_refusal_with_a_broken_method_arn_is_api_gateways_plain_unauthorized() -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer_app.lambda_handler({"type": "TOKEN", "authorizationToken": "Bearer x.y.z", "methodArn": "nope"},
                                      None)


def test_details_are_printable_and_say_nothing_of_the_configuration() -> None:
    for rejection in rejections.CLASSES:
        assert rejection.detail.isprintable() and '"' not in rejection.detail and "\\" not in rejection.detail
        assert not re.search(r"https?://|\bkid\b|RS256|client_ids|registry", rejection.detail)
