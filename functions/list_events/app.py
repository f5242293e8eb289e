"""GET /events: the app's events, oldest first, from a cursor; ?types=, ?org_id= (support)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import Page
from orgplane.models.events import Event, EventsQuery
from orgplane.services import event_log

app = http.new_app()


@http.route(app, "GET", "/events")
def list_events(caller: Caller, query: EventsQuery) -> Page[Event]:
    """The app's events, oldest first, after a cursor; next_cursor is always returned to poll again."""
    return event_log.list_events(caller, query)


lambda_handler = http.entrypoint(app)
