"""GET /admin/webhooks/{webhook_id}/deliveries: the endpoint's deliveries, newest first (support)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import Page
from orgplane.models.webhooks import DeliveriesQuery, Delivery
from orgplane.services import webhooks

app = http.new_app()


@http.route(app, "GET", "/admin/webhooks/{webhook_id}/deliveries")
def list_webhook_deliveries(caller: Caller, webhook_id: str, query: DeliveriesQuery) -> Page[Delivery]:
    """The endpoint's deliveries, newest first."""
    return webhooks.list_deliveries(caller, webhook_id, query)


lambda_handler = http.entrypoint(app)
