from networkapp.api import Blueprint

bp = Blueprint(
    "jobs",
    __name__,
    url_prefix="/api",
    description="Job postings, applications, alerts, recommendations, insights and talent search",
)

from networkapp.jobs import routes  # noqa: E402,F401
