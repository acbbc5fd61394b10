from flask_login import current_user, login_required

from networkapp.analytics import bp, services
from networkapp.analytics.schemas import NetworkAnalyticsSchema


@bp.route("/network")
@login_required
@bp.response(200, NetworkAnalyticsSchema)
@bp.problems(401)
def network():
    """My network: growth, who is in it, its strength and what to do next"""
    return services.network(current_user._get_current_object())
