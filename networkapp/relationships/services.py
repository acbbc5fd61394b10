"""Who links me to a person, told without exposing anyone who keeps their network private."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from networkapp.connections import graph, paths
from networkapp.errors import Invalid, NotFound
from networkapp.extensions import db
from networkapp.models import User
from networkapp.profiles import visibility

SUMMARY_FIELDS = ("id", "username", "first_name", "last_name", "headline", "profile_image_url")


def _summary(user: User) -> dict:
    return {"hidden": False, **{name: getattr(user, name) for name in SUMMARY_FIELDS}}


def _masked(chain: tuple[uuid.UUID, ...], private: set[uuid.UUID]) -> list[bool]:
    """Which positions of ``chain`` must not be named.

    Naming an intermediary reveals their links to both neighbours on the
    chain; the viewer's own links are theirs to know.  So an intermediary is
    named only if neither they nor a neighbour other than the viewer hides
    their connections.
    """
    last = len(chain) - 1
    return [0 < i < last and any(chain[j] in private for j in (i - 1, i, i + 1) if j > 0) for i in range(len(chain))]


def path_to(viewer: User, target_id: uuid.UUID) -> dict:
    target = db.session.get(User, target_id)
    if target is None or graph.is_blocked_between(viewer.id, target.id):
        raise NotFound("No such user.")
    if target.id == viewer.id:
        raise Invalid("A path leads from you to someone else.", field="user_id")

    found = paths.shortest_chains(viewer.id, target.id)
    if found.degree is None:
        return {"degree": None, "path": [], "alternative_paths": 0, "hidden_links": 0}

    middle = {person for chain in found.chains for person in chain[1:-1]}
    people = [target]
    if middle:
        people += db.session.scalars(sa.select(User).where(User.id.in_(list(middle)))).all()
    rels = visibility.relations(viewer, [person.id for person in people])
    private = {person.id for person in people if not visibility.shows_network(person, rels[person.id])}

    masks = [_masked(chain, private) for chain in found.chains]
    # Show the chain that names the most people; ties keep the search's stable order.
    best = min(range(len(found.chains)), key=lambda i: sum(masks[i]))
    chain, mask = found.chains[best], masks[best]
    named = {viewer.id: viewer, target.id: target}
    wanted = [person for person, hidden in zip(chain, mask, strict=True) if not hidden and person not in named]
    if wanted:
        named.update({user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(wanted)))})
    return {
        "degree": found.degree,
        "path": [{"hidden": True} if hidden else _summary(named[p]) for p, hidden in zip(chain, mask, strict=True)],
        "alternative_paths": len(found.chains) - 1,
        "hidden_links": sum(1 for m in masks if any(m)),
    }
