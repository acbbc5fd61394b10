from flask_login import current_user, login_required

from networkapp.endorsements import bp, services
from networkapp.endorsements.schemas import (
    EndorsementArgsSchema,
    EndorsementSchema,
    EndorseSchema,
    SkillEndorsementsPageSchema,
)


@bp.route("/skills/endorse", methods=["POST"])
@login_required
@bp.arguments(EndorseSchema)
@bp.response(201, EndorsementSchema)
@bp.problems(401, 403, 404, 409, 415, 422)
def endorse(data):
    """Endorse a connection's skill; they are notified"""
    return services.endorse(
        current_user._get_current_object(), data["user_id"], data["skill_id"], data["endorsement_text"]
    )


@bp.route("/endorsements")
@login_required
@bp.arguments(EndorsementArgsSchema, location="query")
@bp.response(200, SkillEndorsementsPageSchema)
@bp.problems(401, 404, 422)
def list_endorsements(args):
    """Someone's endorsements (default: mine), grouped by skill, most endorsed first"""
    return {"items": services.grouped(current_user._get_current_object(), args["user_id"]), "next_cursor": None}
