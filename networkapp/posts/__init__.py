from networkapp.api import Blueprint

bp = Blueprint("posts", __name__, url_prefix="/api/posts", description="Posts, likes and comments")

from networkapp.posts import routes  # noqa: E402,F401


def _fix_counts_when_accounts_go() -> None:
    from networkapp.posts.services import forget_activity
    from networkapp.profiles.services import account_deleting

    account_deleting.connect(forget_activity, weak=False)


_fix_counts_when_accounts_go()
