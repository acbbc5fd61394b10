from flask_login import current_user, login_required

from networkapp.relationships import bp, services
from networkapp.relationships.schemas import PathSchema


@bp.route("/path/<uuid:user_id>")
@login_required
@bp.response(200, PathSchema)
@bp.problems(401, 404, 422)
def path(user_id):
    """The shortest chain of connections from me to a person (up to three hops)"""
    return services.path_to(current_user, user_id)
