import os

from networkapp.api import Blueprint

bp = Blueprint(
    "assessments",
    __name__,
    url_prefix="/api",
    description="Skill assessments: timed multiple-choice tests that earn a skill's badge",
)

# Operators tune these through the environment; tests through app.config.
SETTINGS = {
    "ASSESSMENT_TIME_LIMIT_SECONDS": 900,
    "ASSESSMENT_PASS_PERCENT": 70,
    "ASSESSMENT_RETAKE_COOLDOWN_HOURS": 24,
    "ASSESSMENT_QUESTION_COUNT": 10,
}


@bp.record_once
def _configure(state) -> None:
    for key, default in SETTINGS.items():
        state.app.config.setdefault(key, int(os.environ.get(key, default)))


from networkapp.assessments import cli, routes  # noqa: E402,F401
