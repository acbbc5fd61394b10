"""presence rows carry their process and heartbeat

Revision ID: 2f8d8d6ba3e0
Revises: d493b28d6cc8
Create Date: 2026-12-04 03:38:10.586244

"""
from alembic import op
import sqlalchemy as sa

import networkapp.database


# revision identifiers, used by Alembic.
revision = '2f8d8d6ba3e0'
down_revision = 'd493b28d6cc8'
branch_labels = None
depends_on = None


def upgrade():
    # Rows written before this revision name no process and have no heartbeat: their sockets
    # belong to the servers being replaced, and reconnect (and are recorded anew) on the new ones.
    op.execute("DELETE FROM socket_presence")
    with op.batch_alter_table('socket_presence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('server_id', sa.String(length=80), nullable=False))
        batch_op.add_column(sa.Column('seen_at', networkapp.database.UTCDateTime(timezone=True), nullable=False))
        batch_op.create_index(batch_op.f('ix_socket_presence_seen_at'), ['seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_socket_presence_server_id'), ['server_id'], unique=False)


def downgrade():
    with op.batch_alter_table('socket_presence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_socket_presence_server_id'))
        batch_op.drop_index(batch_op.f('ix_socket_presence_seen_at'))
        batch_op.drop_column('seen_at')
        batch_op.drop_column('server_id')
