from networkapp.api import Blueprint

bp = Blueprint(
    "assessments",
    __name__,
    url_prefix="/api",
    description="Skill assessments: timed multiple-choice tests that earn a skill's badge",
)

from networkapp.assessments import cli, routes  # noqa: E402,F401
