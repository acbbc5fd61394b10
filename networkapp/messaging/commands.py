"""``flask messages rotate-key``: re-encrypt everything under the first key of MESSAGE_ENCRYPTION_KEYS."""

from __future__ import annotations

import click
import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.messaging import bp, crypto

BATCH = 500

# Raw views of the encrypted columns: rotation works on ciphertext and must bypass EncryptedText.
ENCRYPTED_COLUMNS = (
    ("messages", "id", "content"),
    ("message_attachments", "id", "filename"),
    ("messaging_settings", "user_id", "auto_response"),
)


def _rotate_table(name: str, key: str, column: str) -> int:
    table = sa.table(name, sa.column(key, sa.Uuid()), sa.column(column, sa.Text()))
    done, after = 0, None
    while True:
        stmt = sa.select(table.c[key], table.c[column]).where(table.c[column].is_not(None)).order_by(table.c[key])
        if after is not None:
            stmt = stmt.where(table.c[key] > after)
        rows = db.session.execute(stmt.limit(BATCH)).all()
        if not rows:
            return done
        for row_id, token in rows:
            db.session.execute(sa.update(table).where(table.c[key] == row_id).values({column: crypto.rotate(token)}))
        if name == "messages":
            _reindex([row_id for row_id, _ in rows])
        db.session.commit()
        done += len(rows)
        after = rows[-1][0]


def _reindex(message_ids: list) -> None:
    """Search tokens are keyed too: rebuild them under the current key."""
    from networkapp.models import Message, MessageSearchToken

    db.session.execute(sa.delete(MessageSearchToken).where(MessageSearchToken.message_id.in_(message_ids)))
    rows = db.session.execute(
        sa.select(Message.id, Message.conversation_id, Message.content).where(Message.id.in_(message_ids))
    ).all()
    tokens = [
        {"token": t, "message_id": mid, "conversation_id": cid}
        for mid, cid, text in rows
        for t in crypto.index_tokens(text)
    ]
    if tokens:
        db.session.execute(sa.insert(MessageSearchToken), tokens)


@bp.cli.command("rotate-key")
def rotate_key() -> None:
    """Re-encrypt message bodies, attachment names and auto-responses with the current key."""
    for name, key, column in ENCRYPTED_COLUMNS:
        count = _rotate_table(name, key, column)
        click.echo(f"{name}.{column}: {count} re-encrypted")
    click.echo("done; keys after the first can be removed from MESSAGE_ENCRYPTION_KEYS")
