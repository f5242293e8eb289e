"""GET /admin/webhooks: the app's webhook endpoints (support)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import ListQuery, Page
from orgplane.models.webhooks import Webhook
from orgplane.services import webhooks

app = http.new_app()


@http.route(app, "GET", "/admin/webhooks")
def list_webhooks(caller: Caller, query: ListQuery) -> Page[Webhook]:
    """The app's webhook endpoints."""
    return webhooks.list_all(caller, query)


lambda_handler = http.entrypoint(app)
