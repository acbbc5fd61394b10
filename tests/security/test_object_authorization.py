"""Object-level authorization (OWASP API1), generated from the OpenAPI document.

An owner creates one object of every kind; an intruder (signed in, not
connected to the owner) and an anonymous client then call every documented
operation whose path takes an id, on the owner's ids.  Each answer must be a
refusal (or a read or action the product allows anyone), never a 5xx; no
error body may leak internals; every response is ``Cache-Control: no-store``;
and the owner's rows are exactly as they were.
"""

from __future__ import annotations

import io
import re
import uuid

import pytest
import sqlalchemy as sa
from PIL import Image

from networkapp.extensions import db
from tests.conftest import Actor, connect

PNG = Image.new("RGB", (4, 4), (10, 120, 200))
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# Operations anyone signed in may perform on another person's id: public reads,
# and actions that only touch the caller's own data (applying, dismissing a suggestion).
OPEN_TO_OTHERS = {
    ("get", "/api/profiles/{user_id}"),
    ("get", "/api/profiles/{user_id}/projects"),
    ("get", "/api/profiles/{user_id}/media"),
    ("get", "/api/media/{media_id}"),
    ("get", "/api/connections/path/{user_id}"),
    ("post", "/api/connections/suggestions/{user_id}/dismiss"),
    ("get", "/api/jobs/{job_id}"),
    ("post", "/api/jobs/{job_id}/apply"),
    ("get", "/api/companies/{company_id}"),
    ("get", "/api/profiles/{user_id}/career-path"),
    # A private group shows outsiders its card, and anyone may ask to join (their own request).
    ("get", "/api/groups/{group_id}"),
    ("post", "/api/groups/{group_id}/join"),
}
# Of those, what an anonymous visitor may also read.
OPEN_TO_ANONYMOUS = {
    ("get", "/api/profiles/{user_id}"),
    ("get", "/api/profiles/{user_id}/projects"),
    ("get", "/api/profiles/{user_id}/media"),
    ("get", "/api/media/{media_id}"),
    ("get", "/api/jobs/{job_id}"),
    ("get", "/api/companies/{company_id}"),
}
UNKNOWN_ID = str(uuid.UUID(int=0xDEADBEEF))
# Not the owner's object: a catalogue id (the intruder has no such skill on their profile).
NOT_OWNED = {("post", "/api/skills/{skill_id}/assessments")}

UPLOADS = {
    "/api/profiles/{user_id}/media",
    "/api/profiles/{user_id}/photo",
    "/api/messages/{conversation_id}/attachments",
}
JSON_BODIES = {
    ("post", "/api/profiles/{user_id}/experience"): {"company": "Evil", "position": "Intruder"},
    ("post", "/api/profiles/{user_id}/education"): {"institution": "Evil U"},
    ("post", "/api/profiles/{user_id}/projects"): {"title": "Evil"},
    ("put", "/api/profiles/{user_id}"): {"headline": "owned"},
    ("put", "/api/profiles/{user_id}/experience/{item_id}"): {"company": "Evil"},
    ("put", "/api/profiles/{user_id}/education/{item_id}"): {"institution": "Evil U"},
    ("put", "/api/profiles/{user_id}/projects/{item_id}"): {"title": "Evil"},
    ("post", "/api/assessments/{attempt_id}/submit"): {"answers": {}},
    ("put", "/api/jobs/{job_id}"): {"title": "Owned"},
    ("post", "/api/jobs/{job_id}/apply"): {"cover_letter": "hello"},
    ("put", "/api/applications/{application_id}"): {"status": "reviewed"},
    ("put", "/api/jobs/alerts/{alert_id}"): {"name": "owned"},
    ("put", "/api/companies/{company_id}"): {"name": "Owned Inc"},
    ("post", "/api/companies/{company_id}/admins"): {"user_id": "{intruder}"},
    ("delete", "/api/companies/{company_id}/admins"): {"user_id": "{owner}"},
    ("put", "/api/posts/{post_id}"): {"content": "owned"},
    ("post", "/api/posts/{post_id}/comments"): {"content": "owned"},
    ("put", "/api/achievements/{achievement_id}"): {"title": "owned"},
    ("post", "/api/messages/groups/{conversation_id}/members"): {"user_ids": ["{intruder}"]},
    ("put", "/api/groups/{group_id}"): {"name": "Owned"},
    ("put", "/api/groups/{group_id}/members/{user_id}"): {"role": "admin"},
    ("post", "/api/groups/{group_id}/posts"): {"content": "owned"},
    ("put", "/api/events/{event_id}"): {"title": "Owned"},
    ("put", "/api/events/{event_id}/rsvp"): {"status": "going"},
}
# Tables whose rows change when anyone reads anything (sessions, views, notifications, activity).
VOLATILE_TABLES = {
    "users",
    "user_sessions",
    "notifications",
    "profile_views",
    "idempotency_keys",
    "socket_presence",
    "alembic_version",
}
LEAKS = re.compile(
    r"Traceback|File \"|\.py\b|site-packages|/work/|/usr/|/tmp/|sqlalchemy|psycopg|sqlite3?|"
    r"\bSELECT\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|\bDELETE FROM\b|\bWHERE\b|IntegrityError|OperationalError",
    re.IGNORECASE,
)


def _ok(response, status=201) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _upload(actor, path: str, data: bytes, name: str):
    response = actor.post(path, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    response.request.environ["wsgi.input"].close()
    return response


def _png() -> bytes:
    buffer = io.BytesIO()
    PNG.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(app, make_user, tmp_path):
    """The owner's objects of every kind, and the people around them."""
    app.config["MEDIA_ROOT"] = str(tmp_path / "media")
    app.config["MESSAGE_ATTACHMENT_DIR"] = str(tmp_path / "attachments")
    owner, friend, stranger, intruder = (make_user(name) for name in ("owner", "friend", "stranger", "intruder"))
    connect(app, owner, friend)
    me = owner.id
    ids: dict[str, str] = {"owner": me, "friend": friend.id, "intruder": intruder.id}

    ids["experience"] = _ok(owner.post(f"/api/profiles/{me}/experience", json={"company": "A", "position": "B"}))["id"]
    ids["education"] = _ok(owner.post(f"/api/profiles/{me}/education", json={"institution": "Uni"}))["id"]
    ids["project"] = _ok(owner.post(f"/api/profiles/{me}/projects", json={"title": "Thing"}))["id"]
    ids["media"] = _ok(_upload(owner, f"/api/profiles/{me}/media", _png(), "a.png"))["id"]

    from networkapp.models import AssessmentQuestion, Skill, UserSkill

    with app.app_context():
        skill_id = db.session.scalar(
            sa.select(AssessmentQuestion.skill_id).group_by(AssessmentQuestion.skill_id).limit(1)
        )
        assert skill_id is not None, "the migrations ship an assessment question bank"
        db.session.add(UserSkill(user_id=uuid.UUID(me), skill_id=skill_id))
        db.session.commit()
        assert db.session.get(Skill, skill_id) is not None
    ids["skill"] = str(skill_id)
    ids["attempt"] = _ok(owner.post(f"/api/skills/{skill_id}/assessments"))["id"]

    ids["pending"] = _ok(owner.post("/api/connections/request", json={"target_user_id": stranger.id}))["id"]
    ids["accepted"] = _ok(owner.get("/api/connections"), 200)["items"][0]["id"]

    ids["job"] = _ok(owner.post("/api/jobs", json={"title": "Engineer", "company": "Owner Co"}))["id"]
    friends_job = _ok(friend.post("/api/jobs", json={"title": "Analyst", "company": "Friend Co"}))["id"]
    ids["application"] = _ok(owner.post(f"/api/jobs/{friends_job}/apply", json={}))["id"]
    ids["alert"] = _ok(owner.post("/api/jobs/alerts", json={"name": "mine", "q": "python"}))["id"]
    ids["company"] = _ok(owner.post("/api/companies", json={"name": "Owner Co"}))["id"]

    ids["post"] = _ok(owner.post("/api/posts", json={"content": "only me", "visibility": "private"}))["id"]
    ids["comment"] = _ok(owner.post(f"/api/posts/{ids['post']}/comments", json={"content": "note to self"}))["id"]
    ids["achievement"] = _ok(owner.post("/api/achievements", json={"title": "Award", "category": "award"}))["id"]

    ids["conversation"] = _ok(owner.post("/api/messages", json={"recipient_id": friend.id, "message_content": "hi"}))[
        "conversation_id"
    ]
    ids["chat_group"] = _ok(owner.post("/api/messages/groups", json={"title": "Team", "participant_ids": [friend.id]}))[
        "id"
    ]
    ids["attachment"] = _ok(_upload(owner, f"/api/messages/{ids['conversation']}/attachments", PDF, "cv.pdf"))["id"]

    ids["group"] = _ok(owner.post("/api/groups", json={"name": "Inner circle", "visibility": "private"}))["id"]
    ids["group_post"] = _ok(owner.post(f"/api/groups/{ids['group']}/posts", json={"content": "members only"}))["id"]
    ids["event"] = _ok(
        owner.post(
            "/api/events",
            json={
                "title": "Members meetup",
                "starts_at": "2031-03-01T18:00:00",
                "ends_at": "2031-03-01T20:00:00",
                "timezone": "Europe/Berlin",
                "location": "Berlin",
                "group_id": ids["group"],
            },
        )
    )["id"]
    _ok(friend.put("/api/mentorship/profile", json={"as_mentor": {"topics": ["Python"], "capacity": 2}}), 200)
    ids["request"] = _ok(owner.post("/api/mentorship/requests", json={"mentor_id": friend.id}))["id"]
    return {"owner": owner, "friend": friend, "intruder": intruder, "ids": ids}


def _path_values(template: str, ids: dict) -> dict:
    """The owner's id for every placeholder of ``template``."""
    values = {}
    for name in re.findall(r"{(\w+)}", template):
        if name == "item_id":
            section = template.split("/")[4]
            values[name] = ids[{"experience": "experience", "education": "education", "projects": "project"}[section]]
        elif name == "user_id":
            values[name] = ids["friend"] if template.startswith("/api/messages/groups/") else ids["owner"]
        elif name == "conversation_id":
            values[name] = ids["chat_group"] if "/groups/" in template else ids["conversation"]
        elif name == "post_id" and template.startswith("/api/groups/"):
            values[name] = ids["group_post"]
        elif name == "connection_id":
            values[name] = ids["pending"]
        else:
            # A kind this suite does not create yet: an id that exists nowhere (see _unknown_kinds).
            values[name] = ids.get(name.removesuffix("_id"), UNKNOWN_ID)
    return values


def _unknown_kinds(template: str, ids: dict) -> bool:
    return UNKNOWN_ID in _path_values(template, ids).values()


def _operations(anon) -> list[tuple[str, str]]:
    document = anon.get("/api/openapi.json").get_json()
    return sorted(
        (method, path)
        for path, item in document["paths"].items()
        if "{" in path
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


def _fill(value, ids: dict):
    """``"{owner}"``/``"{intruder}"`` placeholders in a body template, replaced by those people's ids."""
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, str) and value in ("{owner}", "{intruder}"):
        return ids[value.strip("{}")]
    return value


def _call(actor: Actor, method: str, template: str, ids: dict, path_values: dict | None = None):
    path = template.format(**(path_values or _path_values(template, ids)))
    if method == "post" and template in UPLOADS:
        data = _png() if "/profiles/" in template else PDF
        return _upload(actor, path, data, "x.png" if "/profiles/" in template else "x.pdf")
    body = JSON_BODIES.get((method, template))
    if body is not None:
        return actor.open(method, path, json=_fill(body, ids))
    if method in ("put", "patch"):
        return actor.open(method, path, json={})
    return actor.open(method, path)


def _snapshot(app, exclude_ids: set[str]) -> dict[str, set]:
    """Every stored row except activity tables and rows that belong to ``exclude_ids``."""
    with app.app_context():
        meta = sa.MetaData()
        meta.reflect(db.engine)
        tables = {}
        for table in meta.sorted_tables:
            if table.name in VOLATILE_TABLES or table.name.startswith(("fts_", "sqlite_")) or "_fts" in table.name:
                continue
            rows = set()
            for row in db.session.execute(table.select()).all():
                cells = tuple(str(v) for v in row)
                if not any(cell.replace("-", "") in exclude_ids for cell in cells):
                    rows.add(cells)
            tables[table.name] = rows
        db.session.rollback()
        return tables


def _assert_safe(response, method: str, path: str, secret: str) -> None:
    assert response.status_code < 500, (method, path, response.status_code)
    if response.mimetype.startswith("image/") or response.mimetype == "application/pdf":
        response.close()
    else:
        text = response.get_data(as_text=True)
        assert "no-store" in response.headers.get("Cache-Control", ""), (method, path)
        assert secret not in text
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", (method, path)
            body = response.get_json()
            assert {"type", "title", "status", "detail"} <= set(body)
            assert not LEAKS.search(text), (method, path, text)


def test_every_id_operation_is_covered(anon):
    """A new endpoint with an id in its path must be classified here before it ships."""
    known = {t for _, t in OPEN_TO_OTHERS | NOT_OWNED} | {t for _, t in JSON_BODIES} | UPLOADS
    for method, template in _operations(anon):
        placeholders = set(re.findall(r"{(\w+)}", template))
        assert placeholders, template
        if method in ("post", "put") and template not in known:
            # Writes without a body documented here must really take none.
            document = anon.get("/api/openapi.json").get_json()
            assert "requestBody" not in document["paths"][template][method], (method, template)


def test_another_user_cannot_touch_the_owners_objects(app, world, anon):
    intruder, ids = world["intruder"], world["ids"]
    secret = app.config["SECRET_KEY"]
    before = _snapshot(app, {ids["intruder"].replace("-", "")})
    operations = _operations(anon)
    assert len(operations) >= 50
    outcomes = {}
    for method, template in operations:
        response = _call(intruder, method, template, ids)
        _assert_safe(response, method, template, secret)
        outcomes[(method, template)] = response.status_code
        if (method, template) in OPEN_TO_OTHERS | NOT_OWNED:
            continue
        if _unknown_kinds(template, ids):
            # Objects of a kind added after this suite: at least a missing id must never succeed.
            assert 400 <= response.status_code < 500, (method, template, response.status_code)
            continue
        assert response.status_code in (403, 404), (method, template, response.status_code, response.get_json())
    assert outcomes[("get", "/api/profiles/{user_id}")] == 200
    assert outcomes[("post", "/api/skills/{skill_id}/assessments")] in (403, 404, 422)
    # Nothing of the owner's (or anyone else's) changed; only the intruder's own rows may have appeared.
    assert _snapshot(app, {ids["intruder"].replace("-", "")}) == before


def test_anonymous_clients_are_refused_everything_private(app, world, anon):
    ids = world["ids"]
    secret = app.config["SECRET_KEY"]
    before = _snapshot(app, set())
    for method, template in _operations(anon):
        response = _call(anon, method, template, ids)
        _assert_safe(response, method, template, secret)
        if (method, template) in OPEN_TO_ANONYMOUS:
            continue
        if _unknown_kinds(template, ids):
            assert 400 <= response.status_code < 500, (method, template, response.status_code)
            continue
        assert response.status_code in (401, 403, 404), (method, template, response.status_code)
    assert _snapshot(app, set()) == before


@pytest.mark.parametrize(
    ("template", "item"),
    [
        ("/api/profiles/{user_id}/experience/{item_id}", "experience"),
        ("/api/profiles/{user_id}/education/{item_id}", "education"),
        ("/api/profiles/{user_id}/projects/{item_id}", "project"),
    ],
)
@pytest.mark.parametrize("method", ["put", "delete"])
def test_an_item_cannot_be_reached_through_my_own_parent(app, world, template, item, method):
    """The intruder's own profile id with the owner's item id: the parent in the path is not a key."""
    intruder, ids = world["intruder"], world["ids"]
    before = _snapshot(app, set())
    response = _call(intruder, method, template, ids, {"user_id": ids["intruder"], "item_id": ids[item]})
    assert response.status_code == 404
    assert _snapshot(app, set()) == before


@pytest.mark.parametrize("method", ["delete"])
def test_a_comment_cannot_be_deleted_through_another_post(app, world, method):
    intruder, ids = world["intruder"], world["ids"]
    own_post = _ok(intruder.post("/api/posts", json={"content": "mine"}))["id"]
    before = _snapshot(app, set())
    response = intruder.open(method, f"/api/posts/{own_post}/comments/{ids['comment']}")
    assert response.status_code == 404
    assert _snapshot(app, set()) == before
