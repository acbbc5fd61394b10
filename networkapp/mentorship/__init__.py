from networkapp.api import Blueprint

bp = Blueprint(
    "mentorship", __name__, url_prefix="/api/mentorship", description="Mentorship profiles, matches and requests"
)
# Career paths hang off a profile's URL; the profiles domain owns the rest of that prefix.
career_bp = Blueprint("career_path", __name__, url_prefix="/api/profiles", description="Career path analysis")

from networkapp.mentorship import routes  # noqa: E402,F401  (routes attach themselves to the blueprints)
