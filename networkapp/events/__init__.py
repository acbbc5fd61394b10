from networkapp.api import Blueprint

bp = Blueprint("events", __name__, url_prefix="/api/events", description="Events, RSVPs and calendar export")

from networkapp.events import routes  # noqa: E402,F401  (routes attach themselves to bp)
