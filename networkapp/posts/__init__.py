from networkapp.api import Blueprint

bp = Blueprint("posts", __name__, url_prefix="/api/posts", description="Posts, likes and comments")

from networkapp.posts import routes  # noqa: E402,F401
