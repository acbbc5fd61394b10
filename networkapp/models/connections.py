"""What the connections domain stores beyond the foundation graph: dismissed suggestions.

The indexes declared here serve the domain's hot paths on foundation tables:
"my connections, newest first" and the bounded candidate pools of suggestions.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from networkapp.database import UTCDateTime, utcnow
from networkapp.extensions import db
from networkapp.models.graph import ConnectionEdge
from networkapp.models.user import User


class SuggestionDismissal(db.Model):
    """A person I do not want suggested again (until I connect with them some other way)."""

    __tablename__ = "suggestion_dismissals"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    dismissed_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.CheckConstraint("user_id <> dismissed_id", name="not_self"),)


# Lists and growth read one person's edges in time order; hub expansion takes the newest N, and with the
# friend in the index the eligible newest ones are found without reading the table.
sa.Index(
    "ix_connection_edges_user_created_friend",
    ConnectionEdge.user_id,
    ConnectionEdge.created_at,
    ConnectionEdge.friend_id,
)
# Suggestion pools: "the best-connected people in my industry / city", bounded by LIMIT.
sa.Index("ix_users_industry_connections", User.industry, User.connection_count)
sa.Index("ix_users_location_connections", User.location, User.connection_count)
# People search sorted by connections (and its keyset pages at any depth): an index walk, not a sort.
sa.Index("ix_users_connections_id", User.connection_count, User.id)
