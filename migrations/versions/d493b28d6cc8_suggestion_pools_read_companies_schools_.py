"""suggestion pools read companies, schools and hub samples from indexes

Each index gains a column so the suggestion pools are answered from the index
alone: a company's or a school's people (with their ids, for DISTINCT and the
exclusion check), and a hub's newest eligible edges (with the friend, for the
exclusion check).  The new index is built before the one it replaces is dropped.
On SQLite, where the planner keeps statistics per index, a database that has been
analysed is analysed again for these tables: with statistics for every index but
the new ones, the planner misjudged them (suggestions p95 68 -> 307 ms at 100 000
people until ANALYZE).

Revision ID: d493b28d6cc8
Revises: c5e1d2a7f3b9
Create Date: 2026-11-21 15:13:03.262761

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d493b28d6cc8"
down_revision = "c5e1d2a7f3b9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("connection_edges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_connection_edges_user_created_friend", ["user_id", "created_at", "friend_id"], unique=False
        )
        batch_op.drop_index("ix_connection_edges_user_created")

    with op.batch_alter_table("education", schema=None) as batch_op:
        batch_op.create_index("ix_education_institution_user", ["institution", "user_id"], unique=False)
        batch_op.drop_index("ix_education_institution")

    with op.batch_alter_table("experience", schema=None) as batch_op:
        batch_op.create_index("ix_experience_company_user", ["company", "user_id"], unique=False)
        batch_op.drop_index("ix_experience_company")

    _refresh_sqlite_statistics()


def _refresh_sqlite_statistics():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first() is None:
        return
    for table in ("connection_edges", "education", "experience"):
        op.execute(f"ANALYZE {table}")


def downgrade():
    with op.batch_alter_table("experience", schema=None) as batch_op:
        batch_op.create_index("ix_experience_company", ["company"], unique=False)
        batch_op.drop_index("ix_experience_company_user")

    with op.batch_alter_table("education", schema=None) as batch_op:
        batch_op.create_index("ix_education_institution", ["institution"], unique=False)
        batch_op.drop_index("ix_education_institution_user")

    with op.batch_alter_table("connection_edges", schema=None) as batch_op:
        batch_op.create_index("ix_connection_edges_user_created", ["user_id", "created_at"], unique=False)
        batch_op.drop_index("ix_connection_edges_user_created_friend")

    _refresh_sqlite_statistics()
