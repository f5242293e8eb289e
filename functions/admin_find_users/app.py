"""GET /admin/users: find the app's users by member email prefix, ?email= (support only)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.admin import FindUsersQuery, UserMatch
from orgplane.models.common import Page
from orgplane.services import admin

app = http.new_app()


@http.route(app, "GET", "/admin/users")
def admin_find_users(caller: Caller, query: FindUsersQuery) -> Page[UserMatch]:
    """Users whose email starts with ?email= (support only)."""
    return admin.find_users(caller, query)


lambda_handler = http.entrypoint(app)
