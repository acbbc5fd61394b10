import uuid

from flask_login import current_user, login_required

from networkapp.idempotency import idempotent
from networkapp.posts import bp, services
from networkapp.posts.schemas import (
    CommentArgsSchema,
    CommentCreateSchema,
    CommentPageSchema,
    CommentSchema,
    PostCreateSchema,
    PostSchema,
    PostUpdateSchema,
)


@bp.route("", methods=["POST"])
@login_required
@idempotent
@bp.arguments(PostCreateSchema)
@bp.response(201, PostSchema)
@bp.problems(401, 415, 422)
def create_post(data):
    """Publish a post (accepts an Idempotency-Key)"""
    return services.create(current_user, **data)


@bp.route("/<uuid:post_id>")
@bp.response(200, PostSchema)
@bp.problems(404)
def get_post(post_id: uuid.UUID):
    """A post, if its visibility lets the caller see it"""
    return services.post_view(current_user, services.visible_post(current_user, post_id))


@bp.route("/<uuid:post_id>", methods=["PUT"])
@login_required
@bp.arguments(PostUpdateSchema)
@bp.response(200, PostSchema)
@bp.problems(401, 403, 404, 415, 422)
def update_post(data, post_id: uuid.UUID):
    """Edit my post"""
    return services.update(current_user, post_id, **data)


@bp.route("/<uuid:post_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404)
def delete_post(post_id: uuid.UUID):
    """Delete my post with its likes and comments"""
    services.delete(current_user, post_id)
    return "", 204


@bp.route("/<uuid:post_id>/like", methods=["POST"])
@login_required
@bp.response(200, PostSchema)
@bp.problems(401, 404, 409)
def like_post(post_id: uuid.UUID):
    """Like a post (once per person)"""
    return services.like(current_user, post_id)


@bp.route("/<uuid:post_id>/like", methods=["DELETE"])
@login_required
@bp.response(200, PostSchema)
@bp.problems(401, 404)
def unlike_post(post_id: uuid.UUID):
    """Withdraw my like"""
    return services.unlike(current_user, post_id)


@bp.route("/<uuid:post_id>/comments")
@bp.arguments(CommentArgsSchema, location="query")
@bp.response(200, CommentPageSchema)
@bp.problems(400, 404, 422)
def list_comments(args, post_id: uuid.UUID):
    """Comments on a post, oldest first"""
    items, next_cursor, total = services.comments(current_user, post_id, limit=args["limit"], cursor=args["cursor"])
    return {"items": items, "next_cursor": next_cursor, "comment_count": total}


@bp.route("/<uuid:post_id>/comments", methods=["POST"])
@login_required
@bp.arguments(CommentCreateSchema)
@bp.response(201, CommentSchema)
@bp.problems(401, 404, 415, 422)
def add_comment(data, post_id: uuid.UUID):
    """Comment on a post"""
    return services.add_comment(current_user, post_id, data["content"])


@bp.route("/<uuid:post_id>/comments/<uuid:comment_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404)
def delete_comment(post_id: uuid.UUID, comment_id: uuid.UUID):
    """Delete a comment (its author or the post's author)"""
    services.delete_comment(current_user, post_id, comment_id)
    return "", 204
