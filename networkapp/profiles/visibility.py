"""What a viewer may see of a person: the one place that decides it.

Every endpoint that shows a person, or a fact about one (a suggestion's
reasons, a mentor match, an analytics breakdown, a message template), asks
here; content rules (``networkapp.posts.visibility``) call ``audience`` for
their person part.  The answer depends on who is looking (the person
themself, a connection, another signed-in member, an anonymous visitor,
someone on the other side of a block) and on the person's
``profile_visibility``:

=============  ======  ==========  ======  =========
visibility     owner   connection  member  anonymous
=============  ======  ==========  ======  =========
public         full    full        full    full
connections    full    full        card    card
private        full    card        card    card
=============  ======  ==========  ======  =========

A block in either direction hides the person completely (404).  A *card*
is the minimal identity (id, names, headline) so a link to the person still
resolves to something, never their details.  Within a full profile the
e-mail address, phone and website each have their own audience.

Each rule has a Python form (people already loaded) and a SQL form (a
condition to put inside a larger query), both here so they cannot drift
apart (tests/security/test_visibility_side_doors.py checks they agree).
Facts a viewer may not see neither show nor count: whatever ranks or
aggregates people (suggestions, mentor matches, analytics) uses only what
``level`` says the viewer could read on the profile.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

import sqlalchemy as sa

from networkapp.connections import graph
from networkapp.extensions import db
from networkapp.models import Block, ConnectionEdge, ContactInfo, User

CARD_FIELDS = ("id", "first_name", "last_name", "headline")


class Relation(StrEnum):
    OWNER = "owner"
    CONNECTION = "connection"
    MEMBER = "member"
    ANONYMOUS = "anonymous"
    BLOCKED = "blocked"


class Level(StrEnum):
    FULL = "full"
    CARD = "card"
    HIDDEN = "hidden"


def _viewer_id(viewer) -> uuid.UUID | sa.ColumnElement | None:
    """An id for a signed-in viewer; a bound parameter passes through (statements built once)."""
    if isinstance(viewer, uuid.UUID | sa.ColumnElement):
        return viewer
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    return viewer.id


def relation(viewer, person: User) -> Relation:
    return relation_and_status(viewer, person)[0]


def relation_and_status(viewer, person: User) -> tuple[Relation, str | None]:
    """``relation()`` and the viewer's ``connection_status`` with the person, in at most one query."""
    viewer_id = _viewer_id(viewer)
    if viewer_id is None:
        return Relation.ANONYMOUS, None
    if viewer_id == person.id:
        return Relation.OWNER, "self"
    blocked, status = graph.pair_state(viewer_id, person.id)
    if blocked:
        return Relation.BLOCKED, status
    return (Relation.CONNECTION if status == "connected" else Relation.MEMBER), status


def level(person: User, rel: Relation) -> Level:
    if rel is Relation.BLOCKED:
        return Level.HIDDEN
    if rel is Relation.OWNER or person.profile_visibility == "public":
        return Level.FULL
    if person.profile_visibility == "connections" and rel is Relation.CONNECTION:
        return Level.FULL
    return Level.CARD


def level_for(viewer, person: User) -> Level:
    """``level`` of ``person`` for ``viewer`` (one query)."""
    return level(person, relation(viewer, person))


def sees_in_full(viewer, person: User) -> bool:
    return level_for(viewer, person) is Level.FULL


def levels(viewer, people) -> dict[uuid.UUID, Level]:
    """``level`` of each of ``people`` (loaded Users) for ``viewer``, in at most one query."""
    people = list(people)
    rels = relations(viewer, [person.id for person in people])
    return {person.id: level(person, rels[person.id]) for person in people}


def relations(viewer, person_ids) -> dict[uuid.UUID, Relation]:
    """``relation`` of ``viewer`` to each of ``person_ids``, in at most one query."""
    viewer_id = _viewer_id(viewer)
    people = set(person_ids)
    others = [person_id for person_id in people if person_id != viewer_id]
    friends: set = set()
    hidden: set = set()
    if viewer_id is not None and others:
        rows = db.session.execute(
            sa.union_all(
                sa.select(ConnectionEdge.friend_id, sa.literal("friend")).where(
                    ConnectionEdge.user_id == viewer_id, ConnectionEdge.friend_id.in_(others)
                ),
                sa.select(Block.blocked_id, sa.literal("hidden")).where(
                    Block.blocker_id == viewer_id, Block.blocked_id.in_(others)
                ),
                sa.select(Block.blocker_id, sa.literal("hidden")).where(
                    Block.blocked_id == viewer_id, Block.blocker_id.in_(others)
                ),
            )
        ).all()
        friends = {person_id for person_id, kind in rows if kind == "friend"}
        hidden = {person_id for person_id, kind in rows if kind == "hidden"}
    result = {}
    for person_id in people:
        if viewer_id is None:
            rel = Relation.ANONYMOUS
        elif person_id == viewer_id:
            rel = Relation.OWNER
        elif person_id in hidden:
            rel = Relation.BLOCKED
        else:
            rel = Relation.CONNECTION if person_id in friends else Relation.MEMBER
        result[person_id] = rel
    return result


def hidden_among(viewer, person_ids) -> set[uuid.UUID]:
    """Which of ``person_ids`` are on the other side of a block from ``viewer`` (one query)."""
    wanted = [person_id for person_id in person_ids if person_id is not None]
    return {person_id for person_id, rel in relations(viewer, wanted).items() if rel is Relation.BLOCKED}


def shown_as(person: User, shown: Level):
    """What a list shows of ``person`` at ``shown``: the person (their summary), the card, or nothing."""
    if shown is Level.FULL:
        return person
    if shown is Level.CARD:
        return card(person)
    return None


def audience_allows(setting: str, rel: Relation) -> bool:
    """Whether a field shown to ``setting`` (public|connections|private) reaches ``rel``."""
    if rel is Relation.OWNER:
        return True
    if setting == "public":
        return rel is not Relation.BLOCKED
    if setting == "connections":
        return rel is Relation.CONNECTION
    return False


def shows_network(person: User, rel: Relation) -> bool:
    """Whether ``rel`` may learn whom ``person`` is connected to (their count, mutual connections, paths).

    ``show_connections`` governs it, and only within a profile ``rel`` sees in full: a card tells nothing
    of the person's network.
    """
    return rel is Relation.OWNER or (bool(person.show_connections) and level(person, rel) is Level.FULL)


def contact_fields(person: User, contact: ContactInfo | None, rel: Relation) -> dict:
    """The contact details ``rel`` may see; the e-mail also needs the owner's ``show_email``."""
    email_audience = contact.email_visibility if contact else "connections"
    shown: dict = {}
    if rel is Relation.OWNER or (person.show_email and audience_allows(email_audience, rel)):
        shown["email"] = person.email
    if contact is not None:
        for name in ("phone", "website"):
            value = getattr(contact, name)
            if value and audience_allows(getattr(contact, f"{name}_visibility"), rel):
                shown[name] = value
    return shown


def browses_anonymously(person: User) -> bool:
    """People with a private profile browse privately: whoever they view learns that someone looked, not who."""
    return person.profile_visibility == "private"


def card(person: User) -> dict:
    return {name: getattr(person, name) for name in CARD_FIELDS}


def audience(viewer, owner_id, setting) -> sa.ColumnElement[bool]:
    """SQL form of ``audience_allows``: ``setting`` (public|connections|private) of ``owner_id`` reaches ``viewer``."""
    viewer_id = _viewer_id(viewer)
    if viewer_id is None:
        return setting == "public"
    return sa.or_(
        owner_id == viewer_id,
        sa.and_(
            owner_id.not_in(graph.hidden_ids(viewer_id)),
            sa.or_(
                setting == "public",
                sa.and_(setting == "connections", owner_id.in_(graph.friend_ids(viewer_id))),
            ),
        ),
    )


def profile_visible(viewer, person=User) -> sa.ColumnElement[bool]:
    """SQL form of ``level(...) is Level.FULL``: ``viewer`` may see ``person`` (User or an alias) in full."""
    return audience(viewer, person.id, person.profile_visibility)


def network_visible(viewer, person=User) -> sa.ColumnElement[bool]:
    """SQL form of ``shows_network``: ``viewer`` may learn whom ``person`` (User or an alias) is connected to."""
    viewer_id = _viewer_id(viewer)
    shown = sa.and_(person.show_connections.is_(True), profile_visible(viewer, person))
    return shown if viewer_id is None else sa.or_(person.id == viewer_id, shown)


def listable(viewer, person=User) -> sa.ColumnElement[bool]:
    """SQL condition: people ``viewer`` may see in full in lists and search results.

    Private profiles never appear (not even to their owner: "private" means
    "not discoverable"); connections-only profiles appear to their connections
    and their owner; blocked people never appear.
    """
    return sa.and_(person.profile_visibility != "private", profile_visible(viewer, person))
