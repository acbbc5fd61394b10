from flask_login import current_user, login_required

from networkapp.connections import bp, services, suggestions
from networkapp.connections.schemas import (
    BlockPageSchema,
    BlockRequestSchema,
    BlockSchema,
    ConnectionListArgsSchema,
    ConnectionPageSchema,
    ConnectionRequestSchema,
    ConnectionSchema,
    PendingRequestPageSchema,
    RequestListArgsSchema,
    SuggestionPageSchema,
)
from networkapp.idempotency import idempotent
from networkapp.pagination import PageArgsSchema


def _me():
    return current_user._get_current_object()


@bp.route("/request", methods=["POST"])
@login_required
@idempotent
@bp.arguments(ConnectionRequestSchema)
@bp.response(201, ConnectionSchema)
@bp.problems(401, 404, 409, 415, 422)
def request_connection(data):
    """Ask someone to connect; they are notified"""
    return services.request_connection(_me(), data["target_user_id"], data["message"])


@bp.route("/<uuid:connection_id>/accept", methods=["PUT"])
@login_required
@bp.response(200, ConnectionSchema)
@bp.problems(401, 403, 404, 409)
def accept(connection_id):
    """Accept a request sent to me; the requester is notified"""
    return services.accept(_me(), connection_id)


@bp.route("/<uuid:connection_id>/decline", methods=["PUT"])
@login_required
@bp.response(200, ConnectionSchema)
@bp.problems(401, 403, 404, 409)
def decline(connection_id):
    """Decline a request sent to me"""
    return services.decline(_me(), connection_id)


@bp.route("/<uuid:connection_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404, 409)
def remove(connection_id):
    """Remove a connection (either person) or withdraw my pending request"""
    services.remove(_me(), connection_id)
    return "", 204


@bp.route("")
@login_required
@bp.arguments(ConnectionListArgsSchema, location="query")
@bp.response(200, ConnectionPageSchema)
@bp.problems(400, 401)
def list_connections(args):
    """My connections, newest first, with mutual-connection counts"""
    items, next_cursor = services.connections(_me(), **args)
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/requests")
@login_required
@bp.arguments(RequestListArgsSchema, location="query")
@bp.response(200, PendingRequestPageSchema)
@bp.problems(400, 401)
def list_requests(args):
    """Pending requests I received (incoming) or sent (outgoing)"""
    items, next_cursor = services.requests(_me(), **args)
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/block", methods=["POST"])
@login_required
@bp.arguments(BlockRequestSchema)
@bp.response(201, BlockSchema)
@bp.problems(401, 404, 409, 415, 422)
def block(data):
    """Block someone: removes any connection or request and hides each from the other"""
    return services.block(_me(), data["user_id"])


@bp.route("/block/<uuid:user_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 404)
def unblock(user_id):
    """Lift a block I placed"""
    services.unblock(_me(), user_id)
    return "", 204


@bp.route("/blocked")
@login_required
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, BlockPageSchema)
@bp.problems(400, 401)
def list_blocked(args):
    """The people I have blocked"""
    items, next_cursor = services.blocked(_me(), **args)
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/suggestions")
@login_required
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, SuggestionPageSchema)
@bp.problems(400, 401)
def list_suggestions(args):
    """People I may know, best match first, with the reasons"""
    items, next_cursor = suggestions.suggest(_me(), **args)
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/suggestions/<uuid:user_id>/dismiss", methods=["POST"])
@login_required
@bp.response(204)
@bp.problems(401, 404, 422)
def dismiss_suggestion(user_id):
    """Stop suggesting this person"""
    suggestions.dismiss(_me(), user_id)
    return "", 204
