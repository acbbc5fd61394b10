import uuid

from flask_login import current_user, login_required

from networkapp.achievements import bp, services
from networkapp.achievements.schemas import (
    AchievementArgsSchema,
    AchievementCreateSchema,
    AchievementPageSchema,
    AchievementSchema,
    AchievementUpdateSchema,
)


@bp.route("")
@bp.arguments(AchievementArgsSchema, location="query")
@bp.response(200, AchievementPageSchema)
@bp.problems(400, 401, 404, 422)
def list_achievements(args):
    """A person's achievements (default: mine), newest first or grouped by category"""
    return services.listing(current_user, **args)


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(AchievementCreateSchema)
@bp.response(201, AchievementSchema)
@bp.problems(401, 409, 415, 422)
def create_achievement(data):
    """Add an achievement to my profile"""
    return services.create(current_user, **data)


@bp.route("/<uuid:achievement_id>", methods=["PUT"])
@login_required
@bp.arguments(AchievementUpdateSchema)
@bp.response(200, AchievementSchema)
@bp.problems(401, 403, 404, 415, 422)
def update_achievement(data, achievement_id: uuid.UUID):
    """Change my achievement"""
    return services.update(current_user, achievement_id, **data)


@bp.route("/<uuid:achievement_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404)
def delete_achievement(achievement_id: uuid.UUID):
    """Remove my achievement"""
    services.delete(current_user, achievement_id)
    return "", 204
