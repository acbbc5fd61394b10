"""What a viewer may see of a person: the one place that decides it.

Every endpoint that shows a person asks here.  The answer depends on who is
looking (the person themself, a connection, another signed-in member, an
anonymous visitor, someone on the other side of a block) and on the
person's ``profile_visibility``:

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
"""

from __future__ import annotations

import uuid
from enum import StrEnum

import sqlalchemy as sa

from networkapp.connections import graph
from networkapp.models import ContactInfo, User

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


def _viewer_id(viewer) -> uuid.UUID | None:
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
    """``show_connections`` governs the connection count and mutual connections others see."""
    return rel is Relation.OWNER or bool(person.show_connections)


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


def card(person: User) -> dict:
    return {name: getattr(person, name) for name in CARD_FIELDS}


def listable(viewer) -> sa.ColumnElement[bool]:
    """SQL condition: people ``viewer`` may see in full in lists and search results.

    Private profiles never appear (not even to their owner: "private" means
    "not discoverable"); connections-only profiles appear to their connections
    and their owner; blocked people never appear.
    """
    viewer_id = _viewer_id(viewer)
    if viewer_id is None:
        return User.profile_visibility == "public"
    return sa.and_(
        sa.or_(
            User.profile_visibility == "public",
            sa.and_(
                User.profile_visibility == "connections",
                sa.or_(User.id == viewer_id, User.id.in_(graph.friend_ids(viewer_id))),
            ),
        ),
        User.id.not_in(graph.hidden_ids(viewer_id)),
    )
