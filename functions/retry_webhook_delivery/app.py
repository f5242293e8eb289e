"""POST /admin/webhooks/{webhook_id}/deliveries/{delivery_id}/retry: send a finished delivery again (support)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.webhooks import Delivery
from orgplane.services import webhooks

app = http.new_app()


@http.route(app, "POST", "/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", status=202)
def retry_webhook_delivery(caller: Caller, webhook_id: str, delivery_id: str) -> Delivery:
    """Send a finished delivery again."""
    return webhooks.retry(caller, webhook_id, delivery_id)


lambda_handler = http.entrypoint(app)
