"""PATCH /admin/webhooks/{webhook_id}: change url, types, description or enabled (enabling clears a failing state) (support)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.webhooks import UpdateWebhook, Webhook
from orgplane.services import webhooks

app = http.new_app()


@http.route(app, "PATCH", "/admin/webhooks/{webhook_id}")
def update_webhook(caller: Caller, webhook_id: str, body: UpdateWebhook) -> Webhook:
    """Change url, types, description or enabled (enabling clears a failing state)."""
    return webhooks.update(caller, webhook_id, body)


lambda_handler = http.entrypoint(app)
