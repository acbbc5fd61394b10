from networkapp.api import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/api/notifications", description="In-app notifications")

from networkapp.notifications import routes  # noqa: E402,F401
