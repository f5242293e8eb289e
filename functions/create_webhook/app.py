"""POST /admin/webhooks: register a webhook endpoint; the signing secret is shown only in this answer (support)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.webhooks import CreateWebhook, WebhookWithSecret
from orgplane.services import webhooks

app = http.new_app()


@http.route(app, "POST", "/admin/webhooks", status=201)
def create_webhook(caller: Caller, body: CreateWebhook) -> WebhookWithSecret:
    """Register a webhook endpoint; the signing secret is shown only in this answer."""
    return webhooks.create(caller, body)


lambda_handler = http.entrypoint(app)
