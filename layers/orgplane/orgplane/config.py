"""Deployment settings: the only module that reads ``os.environ``.

Read once per container (``settings()`` is cached); tests and the local server call
``reset()`` after changing the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Settings:
    table_name: str
    app_registry: str
    secret_arn: str | None
    secret_value: str | None
    audit_retention_days: int
    cleanup_batch_size: int
    max_transaction_items: int
    settings_cache_seconds: float
    max_body_bytes: int
    local_accept_url: str
    ses_configuration_set: str | None
    default_from_address: str
    #: org tokens: the KMS key (alias or ARN) that signs, the retired key ids still published; locally a
    #: key file instead (made on first use); the issuer URL (empty: the API's own URL, from the request)
    org_token_key_id: str | None = None
    org_token_previous_key_ids: tuple[str, ...] = ()
    org_token_key_file: str | None = None
    org_token_issuer: str | None = None
    #: webhooks: the KMS key sealing signing secrets (unset locally: a key derived from the secret),
    #: whether http://localhost / 127.0.0.1 URLs are allowed (the local server only, never in AWS), and
    #: the SQS FIFO queue of deliveries (a message group per endpoint and org)
    webhook_kms_key_id: str | None = None
    webhooks_allow_local: bool = False
    webhook_queue_url: str | None = None
    #: the EventBridge bus every event is put on (the stack's custom bus)
    event_bus_name: str = "default"


@cache
def settings() -> Settings:
    env = os.environ
    return Settings(
        table_name=env.get("TABLE_NAME", "orgplane"),
        app_registry=env.get("APP_REGISTRY", "{}"),
        secret_arn=env.get("SECRET_ARN") or None,
        secret_value=env.get("ORGPLANE_SECRET") or None,
        audit_retention_days=int(env.get("AUDIT_RETENTION_DAYS", "365")),
        cleanup_batch_size=int(env.get("CLEANUP_BATCH_SIZE", "25")),
        # DynamoDB takes 100 operations per transaction; DynamoDB Local before 1.19 only 10
        max_transaction_items=int(env.get("MAX_TRANSACTION_ITEMS", "100")),
        settings_cache_seconds=float(env.get("SETTINGS_CACHE_SECONDS", "30")),
        max_body_bytes=int(env.get("MAX_BODY_BYTES", str(16 * 1024))),
        local_accept_url=env.get("DEFAULT_ACCEPT_URL", "http://127.0.0.1:3000/accept?token={token}"),
        ses_configuration_set=env.get("SES_CONFIGURATION_SET") or None,
        default_from_address=env.get("DEFAULT_FROM_ADDRESS", "no-reply@example.com"),
        org_token_key_id=env.get("ORG_TOKEN_KEY_ID") or None,
        org_token_previous_key_ids=tuple(k for k in env.get("ORG_TOKEN_PREVIOUS_KEY_IDS", "").split(",") if k),
        org_token_key_file=env.get("ORG_TOKEN_KEY_FILE") or None,
        org_token_issuer=env.get("ORG_TOKEN_ISSUER") or None,
        webhook_kms_key_id=env.get("WEBHOOK_KMS_KEY_ID") or None,
        webhooks_allow_local=env.get("WEBHOOKS_ALLOW_LOCAL", "") == "true",
        event_bus_name=env.get("EVENT_BUS_NAME", "default"),
        webhook_queue_url=env.get("WEBHOOK_QUEUE_URL") or None,
    )


@cache
def secret() -> bytes:
    """The HMAC key for cursors and invitation tokens, resolved once per container.

    Deployed: a Secrets Manager secret named by ``SECRET_ARN``. Locally: ``ORGPLANE_SECRET``.
    """
    current = settings()
    if current.secret_value:
        return current.secret_value.encode()
    if not current.secret_arn:
        raise RuntimeError("neither ORGPLANE_SECRET nor SECRET_ARN is set")
    import boto3  # only this path needs Secrets Manager

    value = boto3.client("secretsmanager").get_secret_value(SecretId=current.secret_arn)["SecretString"]
    return str(value).encode()


def reset() -> None:
    settings.cache_clear()
    secret.cache_clear()
