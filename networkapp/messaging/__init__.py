from networkapp.api import Blueprint

bp = Blueprint(
    "messaging",
    __name__,
    url_prefix="/api/messages",
    cli_group="messages",
    description="Conversations, messages, attachments and messaging settings",
)

from networkapp.messaging import commands, routes  # noqa: E402,F401  (they attach themselves to bp)
