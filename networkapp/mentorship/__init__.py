from networkapp.api import Blueprint

bp = Blueprint("mentorship", __name__, url_prefix="/api/mentorship", description="Mentorship matching and career paths")

from networkapp.mentorship import routes  # noqa: E402,F401  (routes attach themselves to bp)
