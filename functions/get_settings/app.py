"""GET /admin/settings: the app's settings (support only)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.settings import AppSettings
from orgplane.services import settings_admin

app = http.new_app()


@http.route(app, "GET", "/admin/settings")
def get_settings(caller: Caller) -> AppSettings:
    """The app's settings with their defaults (support only)."""
    return settings_admin.get(caller)


lambda_handler = http.entrypoint(app)
