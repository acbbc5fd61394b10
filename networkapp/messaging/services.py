"""Messaging rules, shared by the REST views and the Socket.IO namespace."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from networkapp.connections import graph
from networkapp.database import UTCDateTime, after_commit, commit, new_uuid, utcnow, write_step
from networkapp.errors import Conflict, Forbidden, Invalid, NotFound
from networkapp.extensions import db
from networkapp.messaging import crypto, live, presence
from networkapp.models import (
    AutoResponseLog,
    Block,
    ConnectionEdge,
    Conversation,
    ConversationParticipant,
    EmailOutbox,
    Message,
    MessageSearchToken,
    MessagingSettings,
    User,
)
from networkapp.pagination import keyset_page

MAX_CONTENT = 5000
SUMMARY_COLUMNS = (User.id, User.username, User.first_name, User.last_name, User.headline, User.profile_image_url)
MAX_GROUP_SIZE = 50
NOT_FOUND = "No such conversation."


# ----------------------------------------------------------------- settings


@dataclass
class Prefs:
    read_receipts: bool = True
    availability: str = "available"
    auto_response: str | None = None
    email_opt_out: list = field(default_factory=list)


def prefs_for(user_ids) -> dict[uuid.UUID, Prefs]:
    """Messaging preferences of several people in one query (defaults for those who never set any)."""
    ids = list(user_ids)
    rows = db.session.execute(sa.select(MessagingSettings).where(MessagingSettings.user_id.in_(ids))).scalars()
    found = {
        row.user_id: Prefs(row.read_receipts, row.availability, row.auto_response, list(row.email_opt_out or []))
        for row in rows
    }
    return {uid: found.get(uid, Prefs()) for uid in ids}


def get_settings(user: User) -> Prefs:
    return prefs_for([user.id])[user.id]


def update_settings(user: User, changes: dict) -> Prefs:
    row = db.session.get(MessagingSettings, user.id)
    if row is None:
        row = MessagingSettings(user_id=user.id, email_opt_out=[])
        db.session.add(row)
    for name, value in changes.items():
        setattr(row, name, value)
    commit()
    return get_settings(user)


# ----------------------------------------------------------- conversations


def _participant(conversation_id: uuid.UUID, user_id: uuid.UUID) -> ConversationParticipant | None:
    return db.session.get(ConversationParticipant, (conversation_id, user_id))


def _member_ids(conversation_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        db.session.scalars(
            sa.select(ConversationParticipant.user_id).where(ConversationParticipant.conversation_id == conversation_id)
        )
    )


def conversation_for(user: User, conversation_id: uuid.UUID) -> tuple[Conversation, ConversationParticipant]:
    """The conversation if ``user`` takes part in it; others get the same 404 as for a missing one."""
    me = _participant(conversation_id, user.id)
    if me is None:
        raise NotFound(NOT_FOUND)
    conversation = db.session.get(Conversation, conversation_id)
    if not conversation.is_group and me.peer_id is not None and graph.is_blocked_between(user.id, me.peer_id):
        raise NotFound(NOT_FOUND)
    return conversation, me


def _check_can_message(sender_id: uuid.UUID, other_id: uuid.UUID) -> bool:
    """Raise unless the two may message each other; returns whether they are connected (one query)."""
    connected, blocked = db.session.execute(
        sa.select(
            sa.exists().where(ConnectionEdge.user_id == sender_id, ConnectionEdge.friend_id == other_id),
            sa.exists().where(
                sa.or_(
                    sa.and_(Block.blocker_id == sender_id, Block.blocked_id == other_id),
                    sa.and_(Block.blocker_id == other_id, Block.blocked_id == sender_id),
                )
            ),
        )
    ).one()
    _refuse_unless_allowed(connected, blocked)
    return True


def _refuse_unless_allowed(connected: bool, blocked: bool) -> None:
    if blocked:
        raise Forbidden("You cannot message this person.")
    if not connected:
        raise Forbidden("You can only message your connections.")


@dataclass(frozen=True)
class Target:
    """Where a message goes, as the sending checks found it (no ORM object is needed to post).

    ``peer_id`` is the other person of a 1:1 seen from the sender; ``maybe_away`` is False when
    the checks saw no other participant set to "away", so posting need not look for an auto-response.
    """

    id: uuid.UUID
    is_group: bool
    peer_id: uuid.UUID | None = None
    maybe_away: bool = True


# The checks before a send, one statement per path, built once: on the hot path building the
# statement costs about as much as running it.  ``earlier`` is the client_id replay (NULL without one).
_msg = Message.__table__
_conv = Conversation.__table__
_part = ConversationParticipant.__table__
_edge = ConnectionEdge.__table__
_block = Block.__table__
_settings = MessagingSettings.__table__
_tokens = MessageSearchToken.__table__


def _blocked_between(a, b):
    return sa.exists().where(
        sa.or_(
            sa.and_(_block.c.blocker_id == a, _block.c.blocked_id == b),
            sa.and_(_block.c.blocker_id == b, _block.c.blocked_id == a),
        )
    )


def _away_among(conversation_id, sender):
    other = _part.alias("other")
    return sa.exists().where(
        other.c.conversation_id == conversation_id,
        other.c.user_id != sender,
        _settings.c.user_id == other.c.user_id,
        _settings.c.availability == "away",
    )


_EARLIER = (
    sa.select(_msg.c.id)
    .where(_msg.c.sender_id == sa.bindparam("sender"), _msg.c.client_id == sa.bindparam("client_id"))
    .scalar_subquery()
    .label("earlier")
)
_SENDER, _OTHER = sa.bindparam("sender"), sa.bindparam("other")
_DIRECT_GATE = sa.select(
    _EARLIER,
    sa.exists().where(_edge.c.user_id == _SENDER, _edge.c.friend_id == _OTHER).label("connected"),
    _blocked_between(_SENDER, _OTHER).label("blocked"),
    sa.select(_conv.c.id).where(_conv.c.pair_key == sa.bindparam("pair_key")).scalar_subquery().label("conversation"),
    sa.exists().where(_settings.c.user_id == _OTHER, _settings.c.availability == "away").label("away"),
)
_me = _part.alias("me")
_CONVERSATION_GATE = (
    sa.select(
        _EARLIER,
        _conv.c.is_group,
        _me.c.peer_id,
        sa.exists().where(_edge.c.user_id == _SENDER, _edge.c.friend_id == _me.c.peer_id).label("connected"),
        _blocked_between(_SENDER, _me.c.peer_id).label("blocked"),
        _away_among(_me.c.conversation_id, _SENDER).label("away"),
    )
    .select_from(_me.join(_conv, _conv.c.id == _me.c.conversation_id))
    .where(_me.c.conversation_id == sa.bindparam("conversation"), _me.c.user_id == _SENDER)
)


def _create_direct(sender: User, recipient_id: uuid.UUID, key: str) -> uuid.UUID:
    # Two first messages racing: the unique pair key lets one create, the other reuses it.
    try:
        with db.session.begin_nested():
            conversation = Conversation(is_group=False, pair_key=key, creator_id=sender.id)
            db.session.add(conversation)
            db.session.flush()
            db.session.add_all(
                [
                    ConversationParticipant(conversation_id=conversation.id, user_id=sender.id, peer_id=recipient_id),
                    ConversationParticipant(conversation_id=conversation.id, user_id=recipient_id, peer_id=sender.id),
                ]
            )
            db.session.flush()
        return conversation.id
    except IntegrityError:
        return db.session.scalar(sa.select(_conv.c.id).where(_conv.c.pair_key == key))


def _direct_target(sender: User, recipient_id: uuid.UUID, gate) -> Target:
    if recipient_id == sender.id:
        raise Invalid("You cannot message yourself.", field="recipient_id")
    try:
        _refuse_unless_allowed(gate.connected, gate.blocked)
    except Forbidden:
        # Only now is it worth a query to tell "nobody" (404) from "not your connection" (403).
        if db.session.scalar(sa.select(User.id).where(User.id == recipient_id)) is None:
            raise NotFound("No such user.") from None
        raise
    conversation_id = gate.conversation
    if conversation_id is None:
        conversation_id = _create_direct(sender, recipient_id, Conversation.pair_key_for(sender.id, recipient_id))
    return Target(conversation_id, False, recipient_id, bool(gate.away))


def _conversation_target(sender: User, conversation_id: uuid.UUID, gate) -> Target:
    if gate is None:
        raise NotFound(NOT_FOUND)
    if not gate.is_group and gate.peer_id is not None:
        # Across a block a 1:1 conversation does not exist (404), as when reading it.
        if gate.blocked:
            raise NotFound(NOT_FOUND)
        # The gate read without the pair's lock: if taking it may have waited for a block, look again.
        if graph.lock_pair(sender.id, gate.peer_id) and graph.is_blocked_between(sender.id, gate.peer_id):
            raise NotFound(NOT_FOUND)
        _refuse_unless_allowed(gate.connected, gate.blocked)
    return Target(conversation_id, gate.is_group, None if gate.is_group else gate.peer_id, bool(gate.away))


def writable_conversation(sender: User, conversation_id: uuid.UUID) -> Target:
    """The conversation ``sender`` may post into now (404 when not theirs, 403 across a 1:1 they may not use)."""
    gate = db.session.execute(
        _CONVERSATION_GATE, {"sender": sender.id, "conversation": conversation_id, "client_id": None}
    ).one_or_none()
    return _conversation_target(sender, conversation_id, gate)


def _clean_content(content: str) -> str:
    text = (content or "").strip()
    if not text:
        raise Invalid("A message cannot be empty.", field="message_content")
    if len(text) > MAX_CONTENT:
        raise Invalid(f"A message has at most {MAX_CONTENT} characters.", field="message_content")
    return text


def send_message(
    sender: User,
    *,
    content: str,
    recipient_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    client_id: str | None = None,
) -> Message:
    """Send a text message to a connection (creating the 1:1 conversation) or into a conversation.

    One statement checks everything before the write (the client_id replay, the conversation,
    connection and blocks), and the rules keep the order clients rely on: a replay wins over
    everything (whatever the body), then the text (422), then who may write where (404/403).
    """
    if (recipient_id is None) == (conversation_id is None):
        detail = "Give exactly one of recipient_id and conversation_id."
        raise Invalid(detail, errors={"recipient_id": [detail], "conversation_id": [detail]})
    if recipient_id is not None:
        if recipient_id != sender.id:
            # Taken before the gate, so that its block check sees a block committed meanwhile.
            graph.lock_pair(sender.id, recipient_id)
        params = {
            "sender": sender.id,
            "other": recipient_id,
            "client_id": client_id,
            "pair_key": Conversation.pair_key_for(sender.id, recipient_id),
        }
        gate = db.session.execute(_DIRECT_GATE, params).one()
        earlier = gate.earlier
    else:
        params = {"sender": sender.id, "conversation": conversation_id, "client_id": client_id}
        gate = db.session.execute(_CONVERSATION_GATE, params).one_or_none()
        # Not (or no longer) a participant: a retry still finds the message it sent.
        earlier = gate.earlier if gate is not None else (client_id and _earlier_id(sender.id, client_id))
    if client_id is not None and earlier is not None:
        return db.session.get(Message, earlier)
    text = _clean_content(content)
    if recipient_id is not None:
        target = _direct_target(sender, recipient_id, gate)
    else:
        target = _conversation_target(sender, conversation_id, gate)
    message = post(target, sender.id, text, client_id=client_id)
    if message is None:
        # The same client_id won a race on another connection: that message is the answer.
        earlier = _by_client_id(sender.id, client_id)
        if earlier is None:
            raise Conflict("The message conflicts with the current state of the conversation.")
        return earlier
    commit()
    return message


def _earlier_id(sender_id: uuid.UUID, client_id: str) -> uuid.UUID | None:
    return db.session.scalar(sa.select(_msg.c.id).where(_msg.c.sender_id == sender_id, _msg.c.client_id == client_id))


def _by_client_id(sender_id: uuid.UUID, client_id: str) -> Message | None:
    return db.session.scalar(sa.select(Message).where(Message.sender_id == sender_id, Message.client_id == client_id))


_INSERT = sa.insert(_msg)
# A client_id already used by this sender inserts nothing (and returns no row) instead of failing, so
# a send needs no savepoint: the race is rare and is answered with the message that won it.  RETURNING,
# not rowcount: psycopg reports no row count for this statement.
_INSERT_ONCE = {
    name: dialect.insert(_msg).on_conflict_do_nothing(index_elements=["sender_id", "client_id"]).returning(_msg.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_TOKEN_COLUMNS = ["token", "message_id", "conversation_id"]
_each_token = sa.func.json_each(sa.bindparam("tokens")).table_valued("value")
# A message's search tokens in one row-producing statement, not one row per parameter set: a
# pipelined executemany costs a driver round of work for every word.
_INSERT_TOKENS = {
    "postgresql": sa.insert(_tokens).from_select(
        _TOKEN_COLUMNS,
        sa.select(
            sa.func.unnest(sa.bindparam("tokens", type_=postgresql.ARRAY(sa.String(32)))),
            sa.bindparam("message", type_=sa.Uuid),
            sa.bindparam("conversation", type_=sa.Uuid),
        ),
    ),
    "sqlite": sa.insert(_tokens).from_select(
        _TOKEN_COLUMNS,
        sa.select(
            _each_token.c.value, sa.bindparam("message", type_=sa.Uuid), sa.bindparam("conversation", type_=sa.Uuid)
        ).select_from(_each_token),
    ),
}
# Concurrent sends commit in any order, so a send replaces the last message only with a newer one,
# newer in the order history pages in (sent_at, id): the conversation always names its newest message.
# On PostgreSQL a send waiting for another's row lock re-checks this against the committed row.
_NOW = sa.bindparam("now", type_=UTCDateTime)
_MESSAGE = sa.bindparam("message", type_=sa.Uuid)
_BUMP_CONVERSATION = (
    sa.update(_conv)
    .where(
        _conv.c.id == sa.bindparam("conversation"),
        sa.or_(
            _conv.c.last_message_id.is_(None),
            _conv.c.last_activity < _NOW,
            sa.and_(_conv.c.last_activity == _NOW, _conv.c.last_message_id < _MESSAGE),
        ),
    )
    .values(last_activity=_NOW, last_message_id=_MESSAGE)
)
# One statement: the counters are incremented by the database, so concurrent senders never lose an
# update; it also returns the participants, who are the people to push to.
_BUMP_PARTICIPANTS = (
    sa.update(_part)
    .where(_part.c.conversation_id == sa.bindparam("conversation"))
    .values(
        # Never back in time: the inbox order follows the newest message, whichever send commits last.
        last_activity=sa.case((_part.c.last_activity < _NOW, _NOW), else_=_part.c.last_activity),
        archived_at=None,
        unread_count=_part.c.unread_count + sa.case((_part.c.user_id == sa.bindparam("sender"), 0), else_=1),
    )
    .returning(_part.c.user_id)
)


def post(
    target: Target,
    sender_id: uuid.UUID,
    text: str,
    *,
    message_type: str = "text",
    client_id: str | None = None,
    attachment=None,
    auto_reply: bool = True,
) -> Message | None:
    """Store a message, bump the conversation for every participant and queue its live push.

    The caller owns the transaction.  Returns None, having written nothing, when ``client_id`` is
    already taken by this sender.  The returned ``Message`` is not loaded into the session: it
    carries what the REST body and the push need (``snapshot``, ``payload``).
    """
    now = utcnow()
    values = {
        "id": new_uuid(),
        "conversation_id": target.id,
        "sender_id": sender_id,
        "recipient_id": None if target.is_group else target.peer_id,
        "content": text,
        "message_type": message_type,
        "client_id": client_id,
        "sent_at": now,
        "read_at": None,
    }
    session = db.session
    if client_id is None:
        session.execute(_INSERT, values)
    elif session.execute(_INSERT_ONCE[session.get_bind().dialect.name], values).first() is None:
        return None
    message = Message(**values)
    if attachment is not None:
        attachment.message_id = message.id
        session.add(attachment)
        session.flush()
    bump = {"conversation": target.id, "now": now, "message": message.id, "sender": sender_id}
    session.execute(_BUMP_CONVERSATION, bump)
    members = list(session.scalars(_BUMP_PARTICIPANTS, bump))
    tokens = crypto.index_tokens(text)
    if tokens:
        dialect = session.get_bind().dialect.name
        session.execute(
            _INSERT_TOKENS[dialect],
            {
                "tokens": json.dumps(tokens) if dialect == "sqlite" else tokens,
                "message": message.id,
                "conversation": target.id,
            },
        )
    # Serialised once, here: the push to every participant, the REST body and the ack reuse it.
    message.snapshot = message_dict(message, attachment=attachment)
    payload = message.payload = serialize(message.snapshot)
    after_commit(lambda: live.push_message(members, payload))
    others = [uid for uid in members if uid != sender_id]
    emails = bool(current_app.config.get("MAIL_SERVER"))
    answer = auto_reply and message_type != "system" and target.maybe_away
    if others and (emails or answer):
        prefs = prefs_for(others)
        if emails:
            _queue_emails(message, others, prefs)
        if answer:
            _auto_respond(target, sender_id, prefs, now)
    return message


def _auto_respond(target: Target, sender_id: uuid.UUID, prefs: dict, now: datetime) -> None:
    for user_id, pref in prefs.items():
        if pref.availability != "away" or not pref.auto_response:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(AutoResponseLog(conversation_id=target.id, user_id=user_id, day=now.date()))
                db.session.flush()
        except IntegrityError:
            continue  # already answered in this conversation today
        reply_to = Target(target.id, target.is_group, None if target.is_group else sender_id, maybe_away=False)
        post(reply_to, user_id, pref.auto_response, message_type="system", auto_reply=False)


def _queue_emails(message: Message, recipients: list[uuid.UUID], prefs: dict) -> None:
    """People with no live socket hear about the message in their next e-mail digest."""
    online = presence.online_user_ids(recipients)
    for user_id in recipients:
        if user_id in online or "message" in prefs[user_id].email_opt_out:
            continue
        db.session.add(EmailOutbox(user_id=user_id, kind="message", message_id=message.id))


_UNSET = object()


def message_dict(
    message: Message, *, viewer_id: uuid.UUID | None = None, hide_receipts: bool = False, attachment=_UNSET
) -> dict:
    """A message for the API; someone who sends no read receipts sees none on their own messages either."""
    read_at = message.read_at
    if hide_receipts and message.sender_id == viewer_id:
        read_at = None
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "sender_id": message.sender_id,
        "recipient_id": message.recipient_id,
        "content": message.content,
        "message_type": message.message_type,
        "sent_at": message.sent_at,
        "read_at": read_at,
        "client_id": message.client_id,
        "attachment": message.attachment if attachment is _UNSET else attachment,
    }


def serialize(snapshot: dict) -> dict:
    """The message as pushed over Socket.IO: the same JSON the REST views return."""
    return _message_schema().dump(snapshot)


@cache
def _message_schema():
    # One instance: building a schema costs more than dumping a message with it.
    from networkapp.messaging.schemas import MessageSchema

    return MessageSchema()


def created_view(message: Message) -> dict:
    """A message just sent (or found again by client_id), for the sender."""
    snapshot = getattr(message, "snapshot", None)
    return snapshot if snapshot is not None else message_dict(message)


def created_payload(message: Message) -> dict:
    payload = getattr(message, "payload", None)
    return payload if payload is not None else serialize(message_dict(message))


# ------------------------------------------------------------------ reading


def history(user: User, conversation_id: uuid.UUID, *, limit: int, cursor: str | None):
    """A page of the conversation, newest first; reading it marks what the caller had not read."""
    conversation, me = conversation_for(user, conversation_id)
    # Reading an already-read conversation writes nothing, so only an unread one takes the write lock.
    if me.unread_count:
        with write_step():
            conversation, me = conversation_for(user, conversation_id)
            mark_read(user, conversation, me)
    stmt = (
        sa.select(Message)
        .where(Message.conversation_id == conversation.id)
        .options(sa.orm.selectinload(Message.attachment))
    )
    rows, next_cursor = keyset_page(
        db.session, stmt, columns=[Message.sent_at, Message.id], limit=limit, cursor=cursor, salt="messages"
    )
    hide = not get_settings(user).read_receipts
    return [message_dict(row[0], viewer_id=user.id, hide_receipts=hide) for row in rows], next_cursor


def mark_read(user: User, conversation: Conversation, me: ConversationParticipant) -> datetime | None:
    if me.unread_count == 0:
        return None
    now = utcnow()
    changed = db.session.execute(
        sa.update(ConversationParticipant)
        .where(
            ConversationParticipant.conversation_id == conversation.id,
            ConversationParticipant.user_id == user.id,
            ConversationParticipant.unread_count > 0,
        )
        .values(unread_count=0, last_read_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        return None
    members = _member_ids(conversation.id)
    prefs = prefs_for(members)
    if prefs[user.id].read_receipts:
        db.session.execute(
            sa.update(Message)
            .where(
                Message.conversation_id == conversation.id,
                Message.sender_id != user.id,
                Message.read_at.is_(None),
            )
            .values(read_at=now)
            .execution_options(synchronize_session=False)
        )
        watchers = [uid for uid in members if uid != user.id and prefs[uid].read_receipts]
        event = {"conversation_id": str(conversation.id), "user_id": str(user.id), "read_at": now.isoformat()}
        after_commit(lambda: live.push_read(watchers, event))
    commit()
    db.session.expire_all()
    return now


def inbox(user: User, *, limit: int, cursor: str | None, archived: bool = False, q: str | None = None):
    """My conversations, newest activity first, with the last message and participants (constant queries)."""
    cp = ConversationParticipant
    stmt = (
        sa.select(cp, Conversation)
        .join(Conversation, Conversation.id == cp.conversation_id)
        .where(cp.user_id == user.id)
    )
    stmt = stmt.where(cp.archived_at.is_not(None) if archived else cp.archived_at.is_(None))
    stmt = stmt.where(sa.or_(cp.peer_id.is_(None), cp.peer_id.not_in(graph.hidden_ids(user.id))))
    if q:
        groups = crypto.query_tokens(q)
        if not groups:
            return [], None
        flat = [t for tokens in groups for t in tokens]
        matching = (
            sa.select(MessageSearchToken.conversation_id)
            .where(
                MessageSearchToken.token.in_(flat),
                MessageSearchToken.conversation_id.in_(sa.select(cp.conversation_id).where(cp.user_id == user.id)),
            )
            .group_by(MessageSearchToken.message_id, MessageSearchToken.conversation_id)
            .having(sa.func.count(sa.distinct(MessageSearchToken.token)) >= len(groups))
        )
        stmt = stmt.where(cp.conversation_id.in_(matching))
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[cp.last_activity, cp.conversation_id],
        limit=limit,
        cursor=cursor,
        salt="conversations",
        key=lambda row: (row[0].last_activity, row[0].conversation_id),
    )
    if not rows:
        return [], next_cursor
    ids = [row[1].id for row in rows]
    # Only the summary card's columns: rows, not User entities, keep a page of 20 conversations cheap.
    people = db.session.execute(
        sa.select(cp.conversation_id, *SUMMARY_COLUMNS)
        .join(User, User.id == cp.user_id)
        .where(cp.conversation_id.in_(ids))
        .order_by(cp.joined_at, User.id)
    ).all()
    participants: dict = {}
    for row in people:
        participants.setdefault(row.conversation_id, []).append(row)
    last_ids = [row[1].last_message_id for row in rows if row[1].last_message_id]
    last = {}
    if last_ids:
        last = {
            m.id: m
            for m in db.session.scalars(
                sa.select(Message).where(Message.id.in_(last_ids)).options(sa.orm.selectinload(Message.attachment))
            )
        }
    hide = not get_settings(user).read_receipts
    items = []
    for mine, conversation in rows:
        message = last.get(conversation.last_message_id)
        if message is not None:
            message = message_dict(message, viewer_id=user.id, hide_receipts=hide)
        items.append(
            {
                "id": conversation.id,
                "is_group": conversation.is_group,
                "title": conversation.title,
                "creator_id": conversation.creator_id,
                "participants": participants.get(conversation.id, []),
                "last_message": message,
                "unread_count": mine.unread_count,
                "last_activity": mine.last_activity,
                "archived": mine.archived_at is not None,
            }
        )
    return items, next_cursor


def conversation_view(user: User, conversation: Conversation) -> dict:
    items = db.session.execute(
        sa.select(ConversationParticipant, User)
        .join(User, User.id == ConversationParticipant.user_id)
        .where(ConversationParticipant.conversation_id == conversation.id)
        .order_by(ConversationParticipant.joined_at, User.id)
    ).all()
    mine = next((p for p, _ in items if p.user_id == user.id), None)
    last = None
    if conversation.last_message_id:
        last = db.session.scalar(
            sa.select(Message)
            .where(Message.id == conversation.last_message_id)
            .options(sa.orm.selectinload(Message.attachment))
        )
        hide = not get_settings(user).read_receipts
        last = message_dict(last, viewer_id=user.id, hide_receipts=hide)
    return {
        "id": conversation.id,
        "is_group": conversation.is_group,
        "title": conversation.title,
        "creator_id": conversation.creator_id,
        "participants": [person for _, person in items],
        "last_message": last,
        "unread_count": mine.unread_count if mine else 0,
        "last_activity": conversation.last_activity,
        "archived": bool(mine and mine.archived_at),
    }


def set_archived(user: User, conversation_id: uuid.UUID, archived: bool) -> dict:
    conversation, me = conversation_for(user, conversation_id)
    me.archived_at = utcnow() if archived else None
    commit()
    return conversation_view(user, conversation)


# ------------------------------------------------------------------- groups


def _check_invitees(creator: User, user_ids: list[uuid.UUID]) -> None:
    if creator.id in user_ids:
        raise Invalid("Do not list yourself; the creator is always a member.", field="participant_ids")
    if not user_ids:
        return
    # Under the pairs' locks: a block committed meanwhile is seen, one committed later waits for us.
    graph.lock_pairs(creator.id, user_ids)
    friends = set(db.session.scalars(graph.friend_ids(creator.id).where(ConnectionEdge.friend_id.in_(user_ids))))
    hidden = set(db.session.scalars(graph.hidden_ids(creator.id)))
    refused = [str(uid) for uid in user_ids if uid not in friends or uid in hidden]
    if refused:
        raise Forbidden(f"Only your connections can be added to a group: {', '.join(refused)}.")


def create_group(creator: User, *, title: str, participant_ids: list[uuid.UUID]) -> dict:
    ids = list(dict.fromkeys(participant_ids))
    if len(ids) + 1 > MAX_GROUP_SIZE:
        raise Invalid(f"A group has at most {MAX_GROUP_SIZE} members.", field="participant_ids")
    _check_invitees(creator, ids)
    conversation = Conversation(is_group=True, title=title.strip(), creator_id=creator.id)
    db.session.add(conversation)
    db.session.flush()
    now = utcnow()
    db.session.add_all(
        [
            ConversationParticipant(conversation_id=conversation.id, user_id=uid, joined_at=now)
            for uid in [creator.id, *ids]
        ]
    )
    db.session.flush()
    commit()
    return conversation_view(creator, conversation)


def _own_group(user: User, conversation_id: uuid.UUID) -> Conversation:
    conversation, _ = conversation_for(user, conversation_id)
    if not conversation.is_group:
        raise Conflict("Members can only be changed in group conversations.")
    if conversation.creator_id != user.id:
        raise Forbidden("Only the group's creator can change its members.")
    return conversation


def add_members(user: User, conversation_id: uuid.UUID, user_ids: list[uuid.UUID]) -> dict:
    conversation = _own_group(user, conversation_id)
    current = set(_member_ids(conversation.id))
    new = [uid for uid in dict.fromkeys(user_ids) if uid not in current]
    _check_invitees(user, new)
    if len(current) + len(new) > MAX_GROUP_SIZE:
        raise Invalid(f"A group has at most {MAX_GROUP_SIZE} members.", field="user_ids")
    now = utcnow()
    db.session.add_all(
        [
            ConversationParticipant(conversation_id=conversation.id, user_id=uid, joined_at=now, last_activity=now)
            for uid in new
        ]
    )
    db.session.flush()
    commit()
    return conversation_view(user, conversation)


def remove_member(user: User, conversation_id: uuid.UUID, member_id: uuid.UUID) -> None:
    _settle_participants(conversation_id)
    conversation = _own_group(user, conversation_id)
    if member_id == user.id:
        raise Invalid("Use leave to leave a group you created.", field="user_id")
    row = _participant(conversation.id, member_id)
    if row is None:
        raise NotFound("This person is not a member of the group.")
    _drop_participant(row, "This person is not a member of the group.")
    commit()


def _settle_participants(conversation_id: uuid.UUID) -> None:
    """Lock the conversation row before a member goes, so the last one out sees that it is the last.

    ``FOR UPDATE``: deleting the conversation needs that lock, and taking it up front means no send
    holding a key-share lock (its message insert) is waited for half-way.
    """
    db.session.execute(sa.select(Conversation.id).where(Conversation.id == conversation_id).with_for_update())


def _drop_participant(row: ConversationParticipant, missing: str) -> None:
    # A plain DELETE whose row count is checked: a second leave racing the first removes nothing
    # and answers 404, as a repeat does.
    removed = db.session.execute(
        sa.delete(ConversationParticipant)
        .where(
            ConversationParticipant.conversation_id == row.conversation_id,
            ConversationParticipant.user_id == row.user_id,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not removed:
        raise NotFound(missing)
    db.session.expunge(row)


def leave(user: User, conversation_id: uuid.UUID) -> None:
    _settle_participants(conversation_id)
    conversation, me = conversation_for(user, conversation_id)
    if not conversation.is_group:
        raise Conflict("You can leave group conversations only; archive a 1:1 conversation instead.")
    _drop_participant(me, NOT_FOUND)
    remaining = db.session.scalars(
        sa.select(ConversationParticipant.user_id)
        .where(ConversationParticipant.conversation_id == conversation.id)
        .order_by(ConversationParticipant.joined_at, ConversationParticipant.user_id)
    ).all()
    if not remaining:
        db.session.delete(conversation)
    elif conversation.creator_id == user.id:
        # The longest-standing member inherits the group, so it always has someone who can manage it.
        conversation.creator_id = remaining[0]
    commit()
