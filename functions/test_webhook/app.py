"""POST /admin/webhooks/{webhook_id}/test: send a webhook.test event to this endpoint (support)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.webhooks import Delivery
from orgplane.services import webhooks

app = http.new_app()


@http.route(app, "POST", "/admin/webhooks/{webhook_id}/test", status=202)
def test_webhook(caller: Caller, webhook_id: str) -> Delivery:
    """Send a webhook.test event to this endpoint."""
    return webhooks.send_test(caller, webhook_id)


lambda_handler = http.entrypoint(app)
