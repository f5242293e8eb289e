"""PATCH /admin/settings: change the app's settings (support only)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.settings import AppSettings, UpdateSettings
from orgplane.services import settings_admin

app = http.new_app()


@http.route(app, "PATCH", "/admin/settings")
def update_settings(caller: Caller, body: UpdateSettings) -> AppSettings:
    """Change the settings given (limits, custom roles, invitation email); audited (support only)."""
    return settings_admin.patch(caller, body)


lambda_handler = http.entrypoint(app)
