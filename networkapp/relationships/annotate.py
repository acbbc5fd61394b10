"""``connection_degree`` on every person a signed-in viewer is shown.

People appear in many responses (profiles, search, lists, the feed, members,
attendees).  Rather than teach every schema to compute degrees one person at
a time (an N+1), the finished JSON body is walked once: every person object —
a dict with ``id``, ``first_name`` and ``last_name`` — is collected, their
degrees are computed in one batch (``paths.degrees``: a constant number of
queries per response), and written back.  The viewer's own record is left alone.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Response, json, request
from flask_login import current_user

from networkapp.connections.paths import degrees
from networkapp.database import SAFE_METHODS
from networkapp.errors import database_unavailable, unavailable_response

PERSON_KEYS = frozenset({"id", "first_name", "last_name"})
# Bodies above this size are passed through unchanged rather than re-encoded.
MAX_BODY = 512 * 1024


def _people(node, found: list[dict]) -> None:
    if isinstance(node, dict):
        if node.keys() >= PERSON_KEYS and "connection_degree" not in node:
            found.append(node)
        for value in node.values():
            _people(value, found)
    elif isinstance(node, list):
        for value in node:
            _people(value, found)


def add_connection_degrees(response: Response) -> Response:
    if (
        not request.path.startswith("/api/")
        or response.mimetype != "application/json"
        or response.status_code not in (200, 201)
        or response.direct_passthrough
        or (response.content_length or 0) > MAX_BODY
        or not current_user.is_authenticated
    ):
        return response
    body = response.get_json(silent=True)
    people: list[dict] = []
    _people(body, people)
    # The identity map key, not the attribute: after a commit the attribute is
    # expired and reading it would reload the viewer's row.
    viewer_id = sa.inspect(current_user._get_current_object()).identity[0]
    ids: dict[uuid.UUID, list[dict]] = {}
    for person in people:
        try:
            person_id = uuid.UUID(str(person["id"]))
        except ValueError:
            continue
        if person_id != viewer_id:
            ids.setdefault(person_id, []).append(person)
    if not ids:
        return response
    try:
        found = degrees(viewer_id, ids)
    except sa.exc.DBAPIError as error:
        if not database_unavailable(error):
            raise
        if request.method in SAFE_METHODS:
            return unavailable_response(error)
        # The write has committed: reporting a failure would invite the client
        # to repeat it, so it gets its result without the degrees.
        return response
    for person_id, degree in found.items():
        for person in ids[person_id]:
            person["connection_degree"] = degree
    response.set_data(json.dumps(body))
    return response
