"""The privacy matrix: every operation that returns people, against people who hide their facts.

The operations come from the OpenAPI document: a GET whose response reaches a schema
shaped like a person (``first_name``/``username``) or one naming a person by id
(``user_id``, ``creator_id``, ``organizer_id``, …).  ``MATRIX`` must list exactly
those, plus the operations that tell facts about people without returning a person
(analytics, templates), so a new people-returning endpoint fails here until it has an
entry.

The world: a private person and a connections-only person, each with distinctive
facts (a unique company, position, school, city, industry, skill, bio, phone and
public e-mail), who have done everything the endpoints list (posts, comments, likes,
a group, group posts, an event, RSVPs, an endorsement, a job posting, applications,
a company, an achievement, mentoring, messages, profile views, join requests); a
public control person who did the same.  Each is asked about by a stranger (who
shares a connection with them), a connection, and someone they blocked (after the
activity, so older traces exist); an acquaintance shares a connection with all of
them and has no request open with any.  What a viewer may see follows
docs/profiles.md: the stranger and the connection of a private person see the card,
the connection of a connections-only person sees everything, the blocked person
sees nothing at all (not even an id).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from tests.conftest import connect
from tests.security.people import card_facts, facts, leaked, reveal

PERSON_SHAPED = {"first_name", "username"}
PERSON_IDS = {
    "user_id",
    "creator_id",
    "organizer_id",
    "poster_id",
    "author_id",
    "endorser_id",
    "sender_id",
    "recipient_id",
    "actor_id",
    "mentor_id",
    "mentee_id",
}
# Operations that tell facts about people without returning a person-shaped object.
FACT_OPERATIONS = {"/api/analytics/network", "/api/messages/templates"}

TARGETS = {"private": ("Privatez", "private"), "connections": ("Connonlyz", "connections"), "open": ("Openz", "public")}
VIEWERS = ("stranger", "acquaintance", "connection", "blocked")
LEVELS = {
    ("stranger", "private"): "card",
    ("connection", "private"): "card",
    ("blocked", "private"): "hidden",
    ("stranger", "connections"): "card",
    ("acquaintance", "private"): "card",
    ("acquaintance", "connections"): "card",
    ("connection", "connections"): "full",
    ("blocked", "connections"): "hidden",
}


def _fact(url: str) -> tuple[str, bool]:
    """A URL whose query filters by a fact of the target: finding them there would confirm the fact."""
    return url, True


# Path template -> the URLs to call for (world, viewer, target).  A URL may be a (url, by_fact) pair.
MATRIX = {
    "/api/auth/user": lambda w, v, t: ["/api/auth/user"],
    "/api/notifications": lambda w, v, t: ["/api/notifications?limit=100"],
    "/api/profiles/search": lambda w, v, t: [
        f"/api/profiles/search?q={t.tag}",
        _fact(f"/api/profiles/search?location={t.facts['city']}"),
        _fact(f"/api/profiles/search?skills={t.facts['skill']}"),
        _fact(f"/api/profiles/search?industry={t.facts['industry']}"),
        _fact(f"/api/profiles/search?q={t.facts['bio']}"),
        _fact(f"/api/profiles/search?q={t.facts['company']}"),
    ],
    "/api/profiles/{user_id}": lambda w, v, t: [f"/api/profiles/{t.id}"],
    "/api/profiles/{user_id}/viewers": lambda w, v, t: [f"/api/profiles/{v.id}/viewers"],
    "/api/profiles/{user_id}/career-path": lambda w, v, t: [f"/api/profiles/{t.id}/career-path"],
    "/api/connections": lambda w, v, t: [
        "/api/connections?limit=100",
        _fact(f"/api/connections?location={t.facts['city']}"),
        _fact(f"/api/connections?industry={t.facts['industry']}"),
    ],
    "/api/connections/requests": lambda w, v, t: [
        "/api/connections/requests?direction=incoming",
        "/api/connections/requests?direction=outgoing",
    ],
    "/api/connections/blocked": lambda w, v, t: ["/api/connections/blocked"],
    "/api/connections/suggestions": lambda w, v, t: ["/api/connections/suggestions?limit=100"],
    "/api/connections/path/{user_id}": lambda w, v, t: [f"/api/connections/path/{t.id}"],
    "/api/endorsements": lambda w, v, t: [f"/api/endorsements?user_id={t.id}", f"/api/endorsements?user_id={w.n.id}"],
    "/api/jobs": lambda w, v, t: ["/api/jobs?limit=100"],
    "/api/jobs/{job_id}": lambda w, v, t: [f"/api/jobs/{t.job_id}", f"/api/jobs/{v.job_id}"],
    "/api/jobs/{job_id}/applications": lambda w, v, t: [f"/api/jobs/{v.job_id}/applications"],
    "/api/jobs/recommended": lambda w, v, t: ["/api/jobs/recommended"],
    "/api/talent/search": lambda w, v, t: [
        "/api/talent/search?limit=100",
        _fact(f"/api/talent/search?skills={t.facts['skill']}"),
        _fact(f"/api/talent/search?location={t.facts['city']}"),
        _fact(f"/api/talent/search?industry={t.facts['industry']}"),
    ],
    "/api/companies/{company_id}": lambda w, v, t: [f"/api/companies/{t.company_id}"],
    "/api/companies/{company_id}/admins": lambda w, v, t: [f"/api/companies/{t.company_id}/admins"],
    "/api/posts/{post_id}": lambda w, v, t: [f"/api/posts/{t.post_id}", f"/api/posts/{w.n.post_id}"],
    "/api/posts/{post_id}/comments": lambda w, v, t: [
        f"/api/posts/{t.post_id}/comments",
        f"/api/posts/{w.n.post_id}/comments",
    ],
    "/api/achievements": lambda w, v, t: [f"/api/achievements?user_id={t.id}"],
    "/api/feed": lambda w, v, t: ["/api/feed?limit=100"],
    "/api/messages": lambda w, v, t: ["/api/messages"],
    "/api/messages/{conversation_id}": lambda w, v, t: [
        f"/api/messages/{c}" for c in [t.conversations.get(v.name)] if c
    ],
    "/api/messages/templates": lambda w, v, t: [f"/api/messages/templates?recipient_id={t.id}"],
    "/api/analytics/network": lambda w, v, t: ["/api/analytics/network"],
    "/api/groups": lambda w, v, t: ["/api/groups?limit=100"],
    "/api/groups/recommended": lambda w, v, t: ["/api/groups/recommended"],
    "/api/groups/{group_id}": lambda w, v, t: [f"/api/groups/{g}" for g in (t.group_id, w.n.group_id, v.group_id)],
    "/api/groups/{group_id}/requests": lambda w, v, t: [f"/api/groups/{v.group_id}/requests"],
    "/api/groups/{group_id}/members": lambda w, v, t: [f"/api/groups/{g}/members" for g in (t.group_id, w.n.group_id)],
    "/api/groups/{group_id}/posts": lambda w, v, t: [f"/api/groups/{g}/posts" for g in (t.group_id, w.n.group_id)],
    "/api/events": lambda w, v, t: ["/api/events?limit=100"],
    "/api/events/recommended": lambda w, v, t: ["/api/events/recommended"],
    "/api/events/{event_id}": lambda w, v, t: [f"/api/events/{e}" for e in (t.event_id, w.n.event_id)],
    "/api/events/{event_id}/attendees": lambda w, v, t: [
        f"/api/events/{e}/attendees?status={s}" for e in (t.event_id, w.n.event_id) for s in ("going", "interested")
    ],
    "/api/events/{event_id}/suggestions": lambda w, v, t: [
        f"/api/events/{e}/suggestions" for e in (t.event_id, w.n.event_id)
    ],
    "/api/mentorship/profile": lambda w, v, t: ["/api/mentorship/profile"],
    "/api/mentorship/matches": lambda w, v, t: ["/api/mentorship/matches"],
    "/api/mentorship/requests": lambda w, v, t: [
        "/api/mentorship/requests?role=mentor",
        "/api/mentorship/requests?role=mentee",
    ],
}

# Where the public control person must show up, for every viewer: proof that the
# ids and calls above reach real data (a matrix of empty answers would pass for nothing).
CONTROL_SHOWN = {
    "/api/profiles/{user_id}",
    "/api/profiles/search",
    "/api/profiles/{user_id}/career-path",
    "/api/talent/search",
    "/api/messages/templates",
    "/api/mentorship/matches",
    "/api/endorsements",
    "/api/events/{event_id}/attendees",
}
# Nobody is suggested their own connections.
CONTROL_SUGGESTED_TO = {"stranger", "acquaintance"}


def _refs(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            found.add(node["$ref"].rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def people_operations(doc: dict) -> set[str]:
    """GET paths whose 200 response can contain a person (by shape or by a person's id)."""
    schemas = doc["components"]["schemas"]

    def has_people(name: str, seen: set[str]) -> bool:
        if name in seen or name not in schemas:
            return False
        seen.add(name)
        properties = set(schemas[name].get("properties") or {})
        if properties & (PERSON_SHAPED | PERSON_IDS):
            return True
        return any(has_people(ref, seen) for ref in _refs(schemas[name], set()))

    found = set()
    for path, operations in doc["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        response = get.get("responses", {}).get("200", {})
        if any(has_people(ref, set()) for ref in _refs(response, set())):
            found.add(path)
    return found


def test_the_matrix_lists_every_operation_that_returns_people(anon):
    doc = anon.get("/api/openapi.json").get_json()
    found = people_operations(doc)
    # The detection is not vacuous: the obvious ones are found.
    assert {"/api/profiles/{user_id}", "/api/connections/suggestions", "/api/feed", "/api/groups"} <= found
    gets = {path for path, operations in doc["paths"].items() if "get" in operations}
    assert gets >= FACT_OPERATIONS
    assert found - set(MATRIX) == set(), "people-returning operations without a privacy matrix entry"
    assert set(MATRIX) - found - FACT_OPERATIONS == set(), "matrix entries for operations that return nobody"


# -- the world ---------------------------------------------------------------------------------


def _ok(response, *codes):
    assert response.status_code in (codes or (200, 201, 204)), (response.status_code, response.get_json())
    return response.get_json()


def _event(actor, title: str) -> str:
    start = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    body = {
        "title": title,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "timezone": "UTC",
        "location": "Online",
    }
    return _ok(actor.post("/api/events", json=body))["id"]


def _own_things(actor, name: str) -> None:
    """A post, a public group, an event and a job of one's own."""
    actor.post_id = _ok(actor.post("/api/posts", json={"content": f"Hello from {name}"}))["id"]
    actor.group_id = _ok(actor.post("/api/groups", json={"name": f"Group of {name}", "visibility": "public"}))["id"]
    actor.event_id = _event(actor, f"Meetup of {name}")
    actor.job_id = _ok(actor.post("/api/jobs", json={"title": "Backend Engineer", "company": f"Firm of {name}"}))["id"]


@pytest.fixture
def world(app, make_user):
    w = SimpleNamespace()
    w.n = make_user("neutral", first_name="Neutral", last_name="Person")
    _ok(w.n.put(f"/api/profiles/{w.n.id}", json={"skills": [{"name": "Python", "proficiency_level": 4}]}))
    _own_things(w.n, "neutral")
    w.n.skill_id = _ok(w.n.get(f"/api/profiles/{w.n.id}"))["skills"][0]["id"]

    w.viewers = {}
    for name in VIEWERS:
        viewer = make_user(f"{name}_viewer", first_name=name.title(), last_name="Viewer")
        viewer.name = name
        _own_things(viewer, name)
        viewer.group_id = _ok(viewer.post("/api/groups", json={"name": f"Closed {name}", "visibility": "private"}))[
            "id"
        ]
        _ok(
            viewer.put(
                "/api/mentorship/profile",
                json={"as_mentor": {"topics": ["Go"], "capacity": 5}, "as_mentee": {"goals": ["Python"]}},
            )
        )
        w.viewers[name] = viewer
    connect(app, w.viewers["stranger"], w.viewers["connection"])
    # Shares a connection with every target and has no request open with any: suggestions may offer them.
    connect(app, w.viewers["acquaintance"], w.n)

    w.targets = {}
    for key, (tag, visibility) in TARGETS.items():
        t = make_user(f"{tag.lower()}_person", first_name=tag)
        t.tag, t.facts, t.key = tag, facts(tag), key
        t.email = f"{tag.lower()}_person@example.com"
        reveal(t, tag, visibility)
        t.conversations = {}
        for friend in (w.viewers["connection"], w.viewers["blocked"], w.n):
            connect(app, t, friend)
        _own_things(t, key)
        _ok(t.post(f"/api/posts/{t.post_id}/comments", json={"content": "First!"}))
        _ok(t.post(f"/api/posts/{w.n.post_id}/comments", json={"content": "Nice post"}))
        _ok(t.post(f"/api/posts/{w.n.post_id}/like"))
        _ok(t.post(f"/api/groups/{t.group_id}/posts", json={"content": "Welcome"}))
        _ok(t.post(f"/api/groups/{w.n.group_id}/join"))
        _ok(t.post(f"/api/groups/{w.n.group_id}/posts", json={"content": "Glad to be here"}))
        _ok(t.put(f"/api/events/{w.n.event_id}/rsvp", json={"status": "going"}))
        _ok(t.put(f"/api/events/{t.event_id}/rsvp", json={"status": "going"}))
        _ok(t.post("/api/skills/endorse", json={"user_id": w.n.id, "skill_id": w.n.skill_id}))
        _ok(w.n.post("/api/skills/endorse", json={"user_id": t.id, "skill_id": _skill_of(t)}))
        t.company_id = _ok(t.post("/api/companies", json={"name": f"Holding of the {key} person"}))["id"]
        _ok(t.post("/api/achievements", json={"title": "Won the cup", "category": "award"}))
        _ok(
            t.put(
                "/api/mentorship/profile",
                json={"as_mentor": {"topics": ["Python"], "capacity": 5}, "as_mentee": {"goals": ["Go"]}},
            )
        )
        if key != "open":
            _ok(t.post("/api/connections/request", json={"target_user_id": w.viewers["stranger"].id}))
        for viewer in w.viewers.values():
            _ok(t.post(f"/api/posts/{viewer.post_id}/like"))
            _ok(t.post(f"/api/jobs/{viewer.job_id}/apply", json={"cover_letter": "Hire me"}))
            _ok(t.post("/api/mentorship/requests", json={"mentor_id": viewer.id, "message": "Teach me"}))
            _ok(t.post(f"/api/groups/{viewer.group_id}/join"))
            _ok(t.get(f"/api/profiles/{viewer.id}"))
        for name in ("connection", "blocked"):
            sent = _ok(t.post("/api/messages", json={"recipient_id": w.viewers[name].id, "message_content": "Hi"}))
            t.conversations[name] = sent["conversation_id"]
        w.targets[key] = t
    # After the activity, so notifications, messages and memberships from before the block exist.
    for key in ("private", "connections"):
        _ok(w.targets[key].post("/api/connections/block", json={"user_id": w.viewers["blocked"].id}))
    return w


def _skill_of(actor) -> str:
    return _ok(actor.get(f"/api/profiles/{actor.id}"))["skills"][0]["id"]


def _forbidden_words(viewer, target, by_fact: bool) -> list[str]:
    shown = LEVELS.get((viewer.name, target.key), "full")
    if shown == "full":
        return []
    words = [*target.facts.values(), target.email]
    if shown == "hidden":
        words += [*card_facts(target.tag).values(), target.id, target.tag]
    if by_fact:
        words.append(target.id)
    return words


def test_no_operation_shows_a_viewer_what_a_profile_hides_from_them(world):
    leaks, errors, control_seen = [], [], {name: set() for name in VIEWERS}
    for viewer in world.viewers.values():
        for template, urls_for in MATRIX.items():
            for target in world.targets.values():
                for entry in urls_for(world, viewer, target):
                    url, by_fact = entry if isinstance(entry, tuple) else (entry, False)
                    response = viewer.get(url)
                    body = response.get_data(as_text=True)
                    response.close()
                    if response.status_code >= 500:
                        errors.append((viewer.name, url, response.status_code))
                    found = leaked(body, _forbidden_words(viewer, target, by_fact))
                    if found:
                        leaks.append((viewer.name, target.key, url, found))
                    shows_control = leaked(body, [target.id, *target.facts.values(), *card_facts(target.tag).values()])
                    if target.key == "open" and response.status_code == 200 and shows_control:
                        control_seen[viewer.name].add(template)
    assert errors == []
    assert leaks == [], "\n".join(map(str, leaks))
    for name, seen in control_seen.items():
        expected = CONTROL_SHOWN | ({"/api/connections/suggestions"} if name in CONTROL_SUGGESTED_TO else set())
        assert expected - seen == set(), f"the public control never showed up for the {name} in these"
