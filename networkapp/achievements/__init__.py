from networkapp.api import Blueprint

bp = Blueprint("achievements", __name__, url_prefix="/api/achievements", description="Achievements on profiles")

from networkapp.achievements import routes  # noqa: E402,F401
