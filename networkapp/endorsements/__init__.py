from networkapp.api import Blueprint

bp = Blueprint("endorsements", __name__, url_prefix="/api", description="Skill endorsements between connections")

from networkapp.endorsements import routes  # noqa: E402,F401  (routes attach themselves to bp)
