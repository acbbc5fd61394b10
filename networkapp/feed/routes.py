from flask_login import current_user, login_required

from networkapp.feed import bp, services
from networkapp.feed.schemas import FeedArgsSchema, FeedPageSchema


@bp.route("")
@login_required
@bp.arguments(FeedArgsSchema, location="query")
@bp.response(200, FeedPageSchema)
@bp.problems(400, 401, 422)
def get_feed(args):
    """My network's activity, ranked by relevance"""
    return services.feed(current_user, limit=args["limit"], cursor=args["cursor"])
