"""GET /me/join-requests: the caller's join requests."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import ListQuery, Page
from orgplane.models.joining import JoinRequest
from orgplane.services import joining

app = http.new_app()


@http.route(app, "GET", "/me/join-requests")
def list_my_join_requests(caller: Caller, query: ListQuery) -> Page[JoinRequest]:
    """The caller's own join requests, every status."""
    return joining.list_mine(caller, query)


lambda_handler = http.entrypoint(app)
