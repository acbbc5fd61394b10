"""Reading, editing and deleting a profile."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa
from blinker import Namespace
from flask import session as cookie_session
from flask_login import logout_user

from networkapp import counters
from networkapp.connections import graph
from networkapp.database import after_commit, commit, lock_in_order
from networkapp.errors import Forbidden, NotFound
from networkapp.extensions import db
from networkapp.models import (
    Connection,
    ConnectionEdge,
    ContactInfo,
    Education,
    Experience,
    Media,
    Notification,
    Project,
    User,
)
from networkapp.profiles import career, skills, views
from networkapp.profiles.media import delete_files
from networkapp.profiles.visibility import (
    Level,
    Relation,
    card,
    contact_fields,
    level,
    relation_and_status,
    shows_network,
)

USER_FIELDS = ("first_name", "last_name", "headline", "bio", "industry", "location", "profile_image_url")
PRIVACY_FIELDS = ("profile_visibility", "show_email", "show_connections", "open_to_work")

signals = Namespace()
# Sent inside the deleting transaction, before the user row goes, for clean-up a domain owns
# (the counts other people's rows keep are fixed before it, by ``counters.release_account``).
account_deleting = signals.signal("account-deleting")

# Sections other domains own and show on a profile (e.g. achievements): name -> callable(user) -> list.
EXTRA_SECTIONS: dict[str, Callable[[User], list]] = {}


def get_user(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such profile.")
    return user


def read(viewer, user_id: uuid.UUID) -> dict:
    """The profile as ``viewer`` may see it, counting the view."""
    person = get_user(user_id)
    rel, status = relation_and_status(viewer, person)
    shown = level(person, rel)
    if shown is Level.HIDDEN:
        raise NotFound("No such profile.")
    viewer_id = viewer.id if rel is not Relation.ANONYMOUS else None
    # Before the sections load: a counted view commits, which would expire every loaded
    # row and make the response refresh them one statement each (an N+1 per section).
    views.record(viewer_id, person)
    if shown is Level.CARD:
        return {**card(person), "restricted": True, "connection_status": status}
    return _full(person, rel, status, viewer_id)


def _full(person: User, rel: Relation, status: str | None, viewer_id: uuid.UUID | None) -> dict:
    result = {
        "id": person.id,
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "headline": person.headline,
        "bio": person.bio,
        "industry": person.industry,
        "location": person.location,
        "profile_image_url": person.profile_image_url,
        "created_at": person.created_at,
        "last_active": person.last_active,
        "profile_views": person.profile_views,
        "is_verified": person.is_verified,
        "open_to_work": person.open_to_work,
        "restricted": False,
        "connection_status": status,
        "experience": career.items(Experience, person.id),
        "education": career.items(Education, person.id),
        "skills": skills.profile_skills(person.id),
        "projects": career.items(Project, person.id),
    }
    # "achievements" comes first and, once its domain registers it, is loaded once.
    for name in dict.fromkeys(("achievements", *EXTRA_SECTIONS)):
        provider = EXTRA_SECTIONS.get(name)
        result[name] = provider(person) if provider else []
    if shows_network(person, rel):
        result["connection_count"] = person.connection_count
        if rel is Relation.OWNER:
            result["mutual_connections"] = 0
        elif viewer_id is not None:
            result["mutual_connections"] = graph.mutual_count(viewer_id, person.id)
    contact = db.session.get(ContactInfo, person.id)
    shown = contact_fields(person, contact, rel)
    if "email" in shown:
        result["email"] = shown["email"]
    if rel is Relation.OWNER:
        shown.update(_contact_settings(contact))
        result["privacy"] = {name: getattr(person, name) for name in PRIVACY_FIELDS}
    result["contact_info"] = shown
    return result


def _contact_settings(contact: ContactInfo | None) -> dict:
    defaults = {c.key: c.default.arg for c in ContactInfo.__table__.columns if c.key.endswith("_visibility")}
    if contact is None:
        return defaults
    return {key: getattr(contact, key) for key in defaults}


def update(actor: User, user_id: uuid.UUID, data: dict) -> dict:
    person = get_user(user_id)
    if actor.id != person.id:
        raise Forbidden("You can only change your own profile.")
    # Serialises concurrent edits of one profile, so skill counts move exactly once per change.
    db.session.execute(sa.select(User.id).where(User.id == person.id).with_for_update())
    for name in USER_FIELDS:
        if name in data:
            setattr(person, name, data[name])
    for name, value in (data.get("privacy") or {}).items():
        setattr(person, name, value)
    if "contact_info" in data:
        contact = db.session.get(ContactInfo, person.id) or ContactInfo(user_id=person.id)
        for name, value in data["contact_info"].items():
            setattr(contact, name, value)
        db.session.add(contact)
    for section in ("experience", "education"):
        if section in data:
            career.replace(db.session, section, person.id, data[section])
    if "skills" in data:
        skills.replace_skills(person, data["skills"])
    db.session.flush()
    commit()
    return _full(person, Relation.OWNER, "self", person.id)


def delete_account(actor: User, user_id: uuid.UUID) -> None:
    """Remove the account and its personal data; other people's counts stay right.

    Foreign keys cascade the rows that belong to the account (career, skills,
    sessions, notifications, connections, blocks, views, media rows); what is
    derived from it elsewhere is fixed here in the same transaction.
    """
    person = get_user(user_id)
    if actor.id != person.id:
        raise Forbidden("You can only delete your own account.")
    # Locks in the order the connection lifecycle takes them (connections.services): the pair rows
    # first, then the people whose counts move, each in id order.  Taking the person's row first
    # deadlocked with an accept of one of their requests, which holds the request and waits for
    # that row.
    mine = sa.or_(Connection.requester_id == person.id, Connection.recipient_id == person.id)
    lock_in_order(Connection.id, sa.select(Connection.id).where(mine))
    friends = sa.select(ConnectionEdge.friend_id).where(ConnectionEdge.user_id == person.id)
    lock_in_order(User.id, sa.union_all(sa.select(sa.literal(person.id, sa.Uuid)), friends))
    db.session.execute(
        sa.update(User)
        .where(User.id.in_(friends))
        .values(connection_count=User.connection_count - 1)
        .execution_options(synchronize_session=False)
    )
    counters.release_account(person.id)
    account_deleting.send(person)
    files = list(db.session.execute(sa.select(Media.storage_name).where(Media.user_id == person.id)).scalars())
    # Notifications about the person's actions (requests, likes) point at nothing once they are gone.
    db.session.execute(sa.delete(Notification).where(Notification.actor_id == person.id))
    db.session.expunge(person)
    db.session.execute(sa.delete(User).where(User.id == user_id))
    logout_user()
    cookie_session.clear()
    after_commit(lambda: delete_files(files))
    commit()
