"""GET /admin/users/{user_id}: a user's memberships, teams and pending invitations (support only)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.admin import AdminUser
from orgplane.services import admin

app = http.new_app()


@http.route(app, "GET", "/admin/users/{user_id}")
def admin_get_user(caller: Caller, user_id: str) -> AdminUser:
    """Everything a user holds in the app (support only)."""
    return admin.get_user(caller, user_id)


lambda_handler = http.entrypoint(app)
