from networkapp.api import Blueprint

bp = Blueprint(
    "relationships",
    __name__,
    url_prefix="/api/connections",
    description="Relationship mapping: degrees of separation and chains of connections",
)

from networkapp.relationships import routes  # noqa: E402,F401
