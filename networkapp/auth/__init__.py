from networkapp.api import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Registration, login and sessions")

from networkapp.auth import routes  # noqa: E402,F401  (routes attach themselves to bp)
