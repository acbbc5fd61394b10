"""Profiles: the person, their career, skills, privacy, portfolio, media and discovery search."""

from networkapp.api import Blueprint

bp = Blueprint("profiles", __name__, url_prefix="/api/profiles", description="Profiles, privacy and search")
media_bp = Blueprint("media", __name__, url_prefix="/api/media", description="Uploaded profile media")

from networkapp.profiles import completion, media_routes, routes  # noqa: E402,F401

completion.register()
