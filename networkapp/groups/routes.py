import uuid

from flask_login import current_user, login_required

from networkapp.groups import bp, services
from networkapp.groups.schemas import (
    GroupCreateSchema,
    GroupListArgsSchema,
    GroupPageSchema,
    GroupPostCreateSchema,
    GroupPostPageSchema,
    GroupPostSchema,
    GroupSchema,
    GroupUpdateSchema,
    JoinRequestPageSchema,
    JoinRequestSchema,
    JoinResultSchema,
    MemberArgsSchema,
    MemberPageSchema,
    MemberSchema,
    RecommendArgsSchema,
    RecommendedGroupPageSchema,
    RoleSchema,
)
from networkapp.idempotency import idempotent
from networkapp.pagination import PageArgsSchema


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(GroupCreateSchema)
@bp.response(201, GroupSchema)
@bp.problems(401, 415, 422)
def create_group(data):
    """Create a group; the creator becomes its first admin"""
    return services.create_group(current_user, **data)


@bp.route("")
@login_required
@bp.arguments(GroupListArgsSchema, location="query")
@bp.response(200, GroupPageSchema)
@bp.problems(400, 401, 422)
def list_groups(args):
    """Public groups and the private groups I belong to, newest first"""
    items, next_cursor = services.list_groups(
        current_user, q=args.get("q"), industry=args.get("industry"), limit=args["limit"], cursor=args["cursor"]
    )
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/recommended")
@login_required
@bp.arguments(RecommendArgsSchema, location="query")
@bp.response(200, RecommendedGroupPageSchema)
@bp.problems(401, 422)
def recommended(args):
    """Public groups I may like, from my industry, my skills and my connections' memberships"""
    return {"items": services.recommended(current_user, limit=args["limit"]), "next_cursor": None}


@bp.route("/<uuid:group_id>")
@login_required
@bp.response(200, GroupSchema)
@bp.problems(401, 404)
def get_group(group_id: uuid.UUID):
    """A group (outsiders of a private group see its name, description and size only)"""
    return services.get_group(current_user, group_id)


@bp.route("/<uuid:group_id>", methods=["PUT"])
@login_required
@bp.arguments(GroupUpdateSchema)
@bp.response(200, GroupSchema)
@bp.problems(401, 403, 404, 415, 422)
def update_group(data, group_id: uuid.UUID):
    """Change a group's details (admins)"""
    return services.update_group(current_user, group_id, data)


@bp.route("/<uuid:group_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404)
def delete_group(group_id: uuid.UUID):
    """Delete a group with its posts and events (admins or the creator)"""
    services.delete_group(current_user, group_id)
    return "", 204


@bp.route("/<uuid:group_id>/join", methods=["POST"])
@login_required
@bp.response(201, JoinResultSchema)
@bp.problems(401, 404, 409)
def join(group_id: uuid.UUID):
    """Join a public group, or ask to join a private one"""
    return services.join(current_user, group_id)


@bp.route("/<uuid:group_id>/leave", methods=["POST"])
@login_required
@bp.response(204)
@bp.problems(401, 404, 409)
def leave(group_id: uuid.UUID):
    """Leave a group (its last admin must hand over first)"""
    services.leave(current_user, group_id)
    return "", 204


@bp.route("/<uuid:group_id>/requests")
@login_required
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, JoinRequestPageSchema)
@bp.problems(400, 401, 403, 404, 422)
def list_requests(args, group_id: uuid.UUID):
    """Pending requests to join, oldest first (admins)"""
    items, next_cursor = services.list_requests(current_user, group_id, limit=args["limit"], cursor=args["cursor"])
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/<uuid:group_id>/requests/<uuid:user_id>/approve", methods=["POST"])
@login_required
@bp.response(200, MemberSchema)
@bp.problems(401, 403, 404, 409)
def approve_request(group_id: uuid.UUID, user_id: uuid.UUID):
    """Let a person in (admins); they are notified"""
    return services.approve_request(current_user, group_id, user_id)


@bp.route("/<uuid:group_id>/requests/<uuid:user_id>/decline", methods=["POST"])
@login_required
@bp.response(200, JoinRequestSchema)
@bp.problems(401, 403, 404, 409)
def decline_request(group_id: uuid.UUID, user_id: uuid.UUID):
    """Turn down a request to join (admins)"""
    return services.decline_request(current_user, group_id, user_id)


@bp.route("/<uuid:group_id>/members")
@login_required
@bp.arguments(MemberArgsSchema, location="query")
@bp.response(200, MemberPageSchema)
@bp.problems(400, 401, 403, 404, 422)
def list_members(args, group_id: uuid.UUID):
    """A group's members, earliest first (members only for a private group)"""
    items, next_cursor = services.list_members(
        current_user, group_id, role=args.get("role"), limit=args["limit"], cursor=args["cursor"]
    )
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/<uuid:group_id>/members/<uuid:user_id>", methods=["PUT"])
@login_required
@bp.arguments(RoleSchema)
@bp.response(200, MemberSchema)
@bp.problems(401, 403, 404, 409, 415, 422)
def set_role(data, group_id: uuid.UUID, user_id: uuid.UUID):
    """Promote a member to admin or demote an admin (admins)"""
    return services.set_role(current_user, group_id, user_id, data["role"])


@bp.route("/<uuid:group_id>/members/<uuid:user_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404, 409)
def remove_member(group_id: uuid.UUID, user_id: uuid.UUID):
    """Remove a member (admins; removing yourself is leaving)"""
    services.remove_member(current_user, group_id, user_id)
    return "", 204


@bp.route("/<uuid:group_id>/posts", methods=["POST"])
@login_required
@idempotent
@bp.arguments(GroupPostCreateSchema)
@bp.response(201, GroupPostSchema)
@bp.problems(401, 403, 404, 415, 422)
def create_post(data, group_id: uuid.UUID):
    """Post to a group (members)"""
    return services.create_post(current_user, group_id, data["content"])


@bp.route("/<uuid:group_id>/posts")
@login_required
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, GroupPostPageSchema)
@bp.problems(400, 401, 403, 404, 422)
def list_posts(args, group_id: uuid.UUID):
    """A group's posts, newest first (members)"""
    items, next_cursor = services.list_posts(current_user, group_id, limit=args["limit"], cursor=args["cursor"])
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/<uuid:group_id>/posts/<uuid:post_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404)
def delete_post(group_id: uuid.UUID, post_id: uuid.UUID):
    """Delete a group post (its author or a group admin)"""
    services.delete_post(current_user, group_id, post_id)
    return "", 204
