from flask_login import current_user, login_required

from networkapp.assessments import bp, services
from networkapp.assessments.schemas import AttemptListArgsSchema, AttemptPageSchema, AttemptSchema, SubmitSchema


@bp.route("/skills/<uuid:skill_id>/assessments", methods=["POST"])
@login_required
@bp.response(201, AttemptSchema)
@bp.problems(401, 404, 409, 422)
def start(skill_id):
    """Start a timed assessment of a skill on my profile"""
    return services.detail(services.start_attempt(current_user, skill_id))


@bp.route("/assessments/<uuid:attempt_id>/submit", methods=["POST"])
@login_required
@bp.arguments(SubmitSchema)
@bp.response(200, AttemptSchema)
@bp.problems(401, 404, 409, 422)
def submit(data, attempt_id):
    """Submit my answers and get my score"""
    return services.detail(services.submit(current_user, attempt_id, data["answers"]))


@bp.route("/assessments/<uuid:attempt_id>")
@login_required
@bp.response(200, AttemptSchema)
@bp.problems(401, 404)
def show(attempt_id):
    """One of my attempts, with my score once submitted"""
    return services.detail(services.get_attempt(current_user, attempt_id))


@bp.route("/assessments")
@login_required
@bp.arguments(AttemptListArgsSchema, location="query")
@bp.response(200, AttemptPageSchema)
@bp.problems(400, 401, 422)
def index(args):
    """My assessment attempts, newest first"""
    items, next_cursor = services.list_attempts(
        current_user, skill_id=args["skill_id"], limit=args["limit"], cursor=args["cursor"]
    )
    return {"items": items, "next_cursor": next_cursor}
