"""DELETE /me/join-requests/{request_id}: withdraw one's own pending join request."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import joining

app = http.new_app()


@http.route(app, "DELETE", "/me/join-requests/{request_id}", status=204)
def cancel_join_request(caller: Caller, request_id: str) -> None:
    """Cancel one's own pending join request."""
    joining.cancel(caller, request_id)


lambda_handler = http.entrypoint(app)
