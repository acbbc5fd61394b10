from networkapp.api import Blueprint

bp = Blueprint("companies", __name__, url_prefix="/api/companies", description="Company pages and their admins")

from networkapp.companies import routes  # noqa: E402,F401
