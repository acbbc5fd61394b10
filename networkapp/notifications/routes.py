from flask_login import current_user, login_required

from networkapp.notifications import bp, services
from networkapp.notifications.schemas import (
    MarkedSchema,
    MarkReadSchema,
    NotificationArgsSchema,
    NotificationPageSchema,
)


@bp.route("")
@login_required
@bp.arguments(NotificationArgsSchema, location="query")
@bp.response(200, NotificationPageSchema)
@bp.problems(400, 401)
def list_notifications(args):
    """My notifications, newest first, with the unread count"""
    items, next_cursor = services.inbox(
        current_user, limit=args["limit"], cursor=args["cursor"], unread_only=args["unread"]
    )
    return {"items": items, "next_cursor": next_cursor, "unread_count": services.unread_count(current_user)}


@bp.route("/read", methods=["POST"])
@login_required
@bp.arguments(MarkReadSchema)
@bp.response(200, MarkedSchema)
@bp.problems(401)
def mark_read(data):
    """Mark the given notifications read, or all of them when no ids are given"""
    marked = services.mark_read(current_user, data.get("ids"))
    return {"marked": marked, "unread_count": services.unread_count(current_user)}
