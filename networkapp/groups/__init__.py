from networkapp.api import Blueprint

bp = Blueprint("groups", __name__, url_prefix="/api/groups", description="Professional groups")

from networkapp.groups import routes  # noqa: E402,F401  (routes attach themselves to bp)
