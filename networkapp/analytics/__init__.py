from networkapp.api import Blueprint

bp = Blueprint("analytics", __name__, url_prefix="/api/analytics", description="Network analytics")

from networkapp.analytics import routes  # noqa: E402,F401  (routes attach themselves to bp)
