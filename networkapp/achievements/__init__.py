from networkapp.api import Blueprint

bp = Blueprint("achievements", __name__, url_prefix="/api/achievements", description="Achievements on profiles")

from networkapp.achievements import routes  # noqa: E402,F401


def _show_on_profiles() -> None:
    from networkapp.achievements.services import for_profile
    from networkapp.profiles.services import EXTRA_SECTIONS

    EXTRA_SECTIONS["achievements"] = for_profile


_show_on_profiles()
