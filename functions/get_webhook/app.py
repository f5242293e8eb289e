"""GET /admin/webhooks/{webhook_id}: one webhook endpoint (support)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.webhooks import Webhook
from orgplane.services import webhooks

app = http.new_app()


@http.route(app, "GET", "/admin/webhooks/{webhook_id}")
def get_webhook(caller: Caller, webhook_id: str) -> Webhook:
    """One webhook endpoint."""
    return webhooks.get(caller, webhook_id)


lambda_handler = http.entrypoint(app)
