"""POST /admin/webhooks/{webhook_id}/rotate-secret: a new signing secret (shown only here); the old one also signs for 24 hours (support)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.webhooks import WebhookWithSecret
from orgplane.services import webhooks

app = http.new_app()


@http.route(app, "POST", "/admin/webhooks/{webhook_id}/rotate-secret")
def rotate_webhook_secret(caller: Caller, webhook_id: str) -> WebhookWithSecret:
    """A new signing secret (shown only here); the old one also signs for 24 hours."""
    return webhooks.rotate_secret(caller, webhook_id)


lambda_handler = http.entrypoint(app)
