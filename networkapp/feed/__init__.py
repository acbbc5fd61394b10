from networkapp.api import Blueprint

bp = Blueprint("feed", __name__, url_prefix="/api/feed", description="The relevance-ranked activity feed")

from networkapp.feed import routes  # noqa: E402,F401
