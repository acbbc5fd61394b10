import uuid

from flask_login import current_user, login_required

from networkapp.mentorship import bp, career_bp, services
from networkapp.mentorship.schemas import (
    CareerPathSchema,
    MatchArgsSchema,
    MatchPageSchema,
    MentorshipProfileSchema,
    ProfileInSchema,
    RequestArgsSchema,
    RequestInSchema,
    RequestPageSchema,
    RequestSchema,
)


@bp.route("/profile")
@login_required
@bp.response(200, MentorshipProfileSchema)
@bp.problems(401)
def get_profile():
    """My mentorship profile (null roles: not opted in)"""
    return services.get_profile(current_user)


@bp.route("/profile", methods=["PUT"])
@login_required
@bp.arguments(ProfileInSchema)
@bp.response(200, MentorshipProfileSchema)
@bp.problems(401, 415, 422)
def update_profile(data):
    """Opt in or out as mentor and/or mentee"""
    return services.update_profile(current_user, data)


@bp.route("/matches")
@login_required
@bp.arguments(MatchArgsSchema, location="query")
@bp.response(200, MatchPageSchema)
@bp.problems(401, 422)
def matches(args):
    """Mentors for me, best match first"""
    return {"items": services.matches(current_user, limit=args["limit"]), "next_cursor": None}


@bp.route("/requests", methods=["POST"])
@login_required
@bp.arguments(RequestInSchema)
@bp.response(201, RequestSchema)
@bp.problems(401, 404, 409, 415, 422)
def create_request(data):
    """Ask someone to mentor me; they are notified"""
    return services.request_mentorship(current_user, data["mentor_id"], data.get("message"))


@bp.route("/requests")
@login_required
@bp.arguments(RequestArgsSchema, location="query")
@bp.response(200, RequestPageSchema)
@bp.problems(400, 401, 422)
def list_requests(args):
    """My mentorships and requests, as mentor, mentee or both, newest first"""
    items, next_cursor = services.list_requests(
        current_user, role=args.get("role"), status=args.get("status"), limit=args["limit"], cursor=args["cursor"]
    )
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/requests/<uuid:request_id>/accept", methods=["PUT"])
@login_required
@bp.response(200, RequestSchema)
@bp.problems(401, 403, 404, 409)
def accept(request_id: uuid.UUID):
    """Accept a request (the mentor); takes one of the mentor's seats"""
    return services.accept(current_user, request_id)


@bp.route("/requests/<uuid:request_id>/decline", methods=["PUT"])
@login_required
@bp.response(200, RequestSchema)
@bp.problems(401, 403, 404, 409)
def decline(request_id: uuid.UUID):
    """Decline a request (the mentor)"""
    return services.decline(current_user, request_id)


@bp.route("/requests/<uuid:request_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404, 409)
def end(request_id: uuid.UUID):
    """Withdraw my pending request, or end an active mentorship (either side)"""
    services.end(current_user, request_id)
    return "", 204


@career_bp.route("/<uuid:user_id>/career-path")
@login_required
@career_bp.response(200, CareerPathSchema)
@career_bp.problems(401, 404)
def career_path(user_id: uuid.UUID):
    """A person's trajectory and the positions people with the same title most often took next"""
    return services.career_path(current_user, user_id)
