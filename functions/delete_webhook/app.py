"""DELETE /admin/webhooks/{webhook_id}: delete a webhook endpoint (support)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import webhooks

app = http.new_app()


@http.route(app, "DELETE", "/admin/webhooks/{webhook_id}", status=204)
def delete_webhook(caller: Caller, webhook_id: str) -> None:
    """Delete a webhook endpoint."""
    webhooks.delete(caller, webhook_id)


lambda_handler = http.entrypoint(app)
