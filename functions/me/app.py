"""GET /me: who the token says the caller is."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.members import Me, ServiceMe
from orgplane.services import users

app = http.new_app()


@http.route(app, "GET", "/me")
def me(caller: Caller) -> Me | ServiceMe:
    """The caller's identity in this app."""
    return users.me(caller)


lambda_handler = http.entrypoint(app)
