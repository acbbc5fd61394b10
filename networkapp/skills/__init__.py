"""The skills catalogue (endorsements live in their own blueprint)."""

from networkapp.api import Blueprint

bp = Blueprint("skills", __name__, url_prefix="/api/skills", description="The skills catalogue")

from networkapp.skills import routes  # noqa: E402,F401
