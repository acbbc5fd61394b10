from networkapp.api import Blueprint

bp = Blueprint(
    "connections",
    __name__,
    url_prefix="/api/connections",
    description="Connection requests, my network, suggestions and blocking",
)

from networkapp.connections import routes  # noqa: E402,F401  (routes attach themselves to bp)
