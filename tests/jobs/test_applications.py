import threading
import uuid

import pytest
import sqlalchemy as sa

from networkapp.jobs.pipeline import POSTER_TRANSITIONS
from networkapp.models import ApplicationStatusChange, JobApplication, Notification
from networkapp.models.jobs import APPLICATION_STATUSES
from tests.conftest import Actor

PATHS = {
    "applied": [],
    "reviewed": ["reviewed"],
    "interviewed": ["reviewed", "interviewed"],
    "hired": ["reviewed", "interviewed", "hired"],
    "rejected": ["rejected"],
    "withdrawn": None,
}
ALLOWED = {
    ("applied", "reviewed"), ("applied", "rejected"), ("reviewed", "interviewed"), ("reviewed", "rejected"),
    ("interviewed", "hired"), ("interviewed", "rejected"),
}  # fmt: skip


def notifications(session, user_id, type_):
    return session.scalars(
        sa.select(Notification).where(Notification.user_id == uuid.UUID(user_id), Notification.type == type_)
    ).all()


def test_apply_creates_the_application_history_and_notifies_the_poster(alice, bob, post_job, db_session):
    job = post_job(alice)
    body = {"cover_letter": "Hello", "resume_url": "https://cv.example.com/bob.pdf", "application_notes": "Remote ok"}
    response = bob.post(f"/api/jobs/{job['id']}/apply", json=body)
    assert response.status_code == 201
    application = response.get_json()
    assert application["status"] == "applied" and application["job_id"] == job["id"]
    assert application["applicant_id"] == bob.id and application["cover_letter"] == "Hello"
    assert {"applied_at", "updated_at", "resume_url", "application_notes"} <= set(application)

    def check(session):
        history = session.scalars(sa.select(ApplicationStatusChange)).all()
        assert [(h.from_status, h.to_status) for h in history] == [(None, "applied")]
        (note,) = notifications(session, alice.id, "job_application")
        assert note.actor_id == uuid.UUID(bob.id) and note.data["application_id"] == application["id"]

    db_session(check)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"resume_url": "ftp://x"}, "resume_url"),
        ({"resume_url": "not a url"}, "resume_url"),
        ({"cover_letter": "x" * 10_001}, "cover_letter"),
        ({"status": "hired"}, "status"),
    ],
)
def test_apply_validation(alice, bob, post_job, db_session, body, field):
    job = post_job(alice)
    response = bob.post(f"/api/jobs/{job['id']}/apply", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert db_session(lambda s: s.scalar(sa.select(sa.func.count()).select_from(JobApplication))) == 0


def test_apply_twice_is_409_and_own_job_is_422(alice, bob, post_job, apply_to):
    job = post_job(alice)
    apply_to(bob, job["id"])
    assert bob.post(f"/api/jobs/{job['id']}/apply", json={}).status_code == 409
    own = alice.post(f"/api/jobs/{job['id']}/apply", json={})
    assert own.status_code == 422
    assert bob.post(f"/api/jobs/{uuid.uuid4()}/apply", json={}).status_code == 404


def test_apply_to_closed_job_is_409(alice, bob, post_job):
    job = post_job(alice)
    alice.delete(f"/api/jobs/{job['id']}", json={"reason": "filled"})
    assert bob.post(f"/api/jobs/{job['id']}/apply", json={}).status_code == 409


def test_apply_is_idempotent_with_a_key(alice, bob, post_job, db_session):
    job = post_job(alice)
    headers = {"Idempotency-Key": "apply-1"}
    first = bob.post(f"/api/jobs/{job['id']}/apply", json={"cover_letter": "hi"}, headers=headers)
    second = bob.post(f"/api/jobs/{job['id']}/apply", json={"cover_letter": "hi"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert db_session(lambda s: s.scalar(sa.select(sa.func.count()).select_from(JobApplication))) == 1


def test_concurrent_applications_create_exactly_one(app, alice, bob, post_job, db_session):
    job = post_job(alice)
    actors = []
    for _ in range(4):
        actor = Actor(app)
        actor.post("/api/auth/login", json={"username": "bob", "password": bob.password})
        actors.append(actor)
    barrier = threading.Barrier(len(actors))
    results = []

    def submit(actor):
        barrier.wait()
        results.append(actor.post(f"/api/jobs/{job['id']}/apply", json={"cover_letter": "race"}).status_code)

    threads = [threading.Thread(target=submit, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201, 409, 409, 409]
    assert db_session(lambda s: s.scalar(sa.select(sa.func.count()).select_from(JobApplication))) == 1


def _application_at(alice, bob, post_job, apply_to, status):
    job = post_job(alice)
    application = apply_to(bob, job["id"])
    if status == "withdrawn":
        assert bob.post(f"/api/applications/{application['id']}/withdraw").status_code == 200
    else:
        for step in PATHS[status]:
            assert alice.put(f"/api/applications/{application['id']}", json={"status": step}).status_code == 200
    return application


def test_transition_table_is_the_documented_one():
    allowed = {(a, b) for a, targets in POSTER_TRANSITIONS.items() for b in targets}
    assert allowed == ALLOWED


@pytest.mark.parametrize("current", APPLICATION_STATUSES)
@pytest.mark.parametrize("new", ["reviewed", "interviewed", "hired", "rejected"])
def test_every_poster_transition(alice, bob, post_job, apply_to, db_session, current, new):
    application = _application_at(alice, bob, post_job, apply_to, current)
    response = alice.put(f"/api/applications/{application['id']}", json={"status": new, "note": "n"})
    stored = db_session(lambda s: s.get(JobApplication, uuid.UUID(application["id"])).status)
    if (current, new) in ALLOWED:
        assert response.status_code == 200 and response.get_json()["status"] == new
        assert stored == new
    else:
        assert response.status_code == 409
        assert stored == current


@pytest.mark.parametrize("status", ["applied", "withdrawn", "accepted", "", None])
def test_poster_cannot_set_applicant_statuses(alice, bob, post_job, apply_to, status):
    application = _application_at(alice, bob, post_job, apply_to, "applied")
    response = alice.put(f"/api/applications/{application['id']}", json={"status": status})
    assert response.status_code == 422 and "status" in response.get_json()["errors"]


def test_status_change_is_recorded_and_notifies_without_the_note(alice, bob, post_job, apply_to, db_session):
    application = _application_at(alice, bob, post_job, apply_to, "applied")
    alice.put(f"/api/applications/{application['id']}", json={"status": "reviewed", "note": "weak on SQL"})

    def check(session):
        change = session.scalars(
            sa.select(ApplicationStatusChange).where(ApplicationStatusChange.to_status == "reviewed")
        ).one()
        assert change.changed_by_id == uuid.UUID(alice.id) and change.note == "weak on SQL"
        (note,) = notifications(session, bob.id, "application_status")
        assert note.data["status"] == "reviewed" and "weak on SQL" not in str(note.data)

    db_session(check)
    mine = bob.get("/api/applications").get_json()
    assert "weak on SQL" not in str(mine)
    assert [h["status"] for h in mine["items"][0]["status_history"]] == ["applied", "reviewed"]
    assert mine["items"][0]["status_history"][1]["changed_by"] == "employer"
    theirs = alice.get(f"/api/jobs/{application['job_id']}/applications").get_json()
    assert theirs["items"][0]["status_history"][1]["note"] == "weak on SQL"


def test_who_may_move_and_withdraw(alice, bob, make_user, post_job, apply_to, db_session):
    carol = make_user()
    application = _application_at(alice, bob, post_job, apply_to, "applied")
    url = f"/api/applications/{application['id']}"
    assert bob.put(url, json={"status": "reviewed"}).status_code == 403
    assert carol.put(url, json={"status": "reviewed"}).status_code == 404
    assert carol.post(f"{url}/withdraw").status_code == 404
    assert alice.post(f"{url}/withdraw").status_code == 403
    assert alice.put(f"/api/applications/{uuid.uuid4()}", json={"status": "reviewed"}).status_code == 404
    assert db_session(lambda s: s.get(JobApplication, uuid.UUID(application["id"])).status) == "applied"


@pytest.mark.parametrize("status", APPLICATION_STATUSES)
def test_withdraw(alice, bob, post_job, apply_to, db_session, status):
    application = _application_at(alice, bob, post_job, apply_to, status)
    response = bob.post(f"/api/applications/{application['id']}/withdraw")
    if status in ("applied", "reviewed", "interviewed"):
        assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
        notes = db_session(lambda s: notifications(s, alice.id, "application_status"))
        assert notes[-1].data["status"] == "withdrawn"
    else:
        assert response.status_code == 409


def test_poster_sees_only_their_own_jobs_applicants(alice, bob, make_user, post_job, apply_to):
    carol = make_user()
    job = post_job(alice)
    other = post_job(carol)
    apply_to(bob, job["id"])
    apply_to(bob, other["id"])
    assert carol.get(f"/api/jobs/{job['id']}/applications").status_code == 403
    assert bob.get(f"/api/jobs/{job['id']}/applications").status_code == 403
    mine = alice.get(f"/api/jobs/{job['id']}/applications").get_json()["items"]
    assert [a["job_id"] for a in mine] == [job["id"]]
    assert mine[0]["applicant"]["id"] == bob.id and "email" not in mine[0]["applicant"]
    assert alice.get(f"/api/jobs/{uuid.uuid4()}/applications").status_code == 404


def test_poster_filters_applications_by_status(alice, bob, make_user, post_job, apply_to):
    job = post_job(alice)
    first = apply_to(bob, job["id"])
    apply_to(make_user(), job["id"])
    alice.put(f"/api/applications/{first['id']}", json={"status": "reviewed"})
    reviewed = alice.get(f"/api/jobs/{job['id']}/applications?status=reviewed").get_json()["items"]
    assert [a["id"] for a in reviewed] == [first["id"]]
    assert alice.get(f"/api/jobs/{job['id']}/applications?status=nope").status_code == 422


def test_my_applications_filters_and_pages(app, alice, bob, post_job, apply_to, query_counter):
    jobs = [post_job(alice, title=f"Role {n}") for n in range(4)]
    apps = [apply_to(bob, job["id"]) for job in jobs]
    alice.put(f"/api/applications/{apps[0]['id']}", json={"status": "reviewed"})
    body = bob.get("/api/applications").get_json()
    assert [a["id"] for a in body["items"]] == [a["id"] for a in reversed(apps)]
    assert body["items"][0]["job"]["title"] == "Role 3"
    reviewed = bob.get("/api/applications?status=reviewed").get_json()["items"]
    assert [a["id"] for a in reviewed] == [apps[0]["id"]]
    since = apps[2]["applied_at"]
    recent = bob.get("/api/applications", query_string={"since": since}).get_json()["items"]
    assert [a["id"] for a in recent] == [apps[3]["id"], apps[2]["id"]]
    older = bob.get("/api/applications", query_string={"until": since}).get_json()["items"]
    assert [a["id"] for a in older] == [apps[1]["id"], apps[0]["id"]]
    page = bob.get("/api/applications?limit=3").get_json()
    rest = bob.get(f"/api/applications?limit=3&cursor={page['next_cursor']}").get_json()
    assert [a["id"] for a in page["items"] + rest["items"]] == [a["id"] for a in reversed(apps)]
    assert rest["next_cursor"] is None
    assert alice.get("/api/applications").get_json()["items"] == []
    with query_counter() as statements:
        bob.get("/api/applications")
    few = len(statements)
    for n in range(6):
        apply_to(bob, post_job(alice, title=f"More {n}")["id"])
    with query_counter() as statements:
        assert len(bob.get("/api/applications").get_json()["items"]) == 10
    assert len(statements) == few


def test_history_survives_job_closing(alice, bob, post_job, apply_to, db_session):
    application = _application_at(alice, bob, post_job, apply_to, "interviewed")
    alice.delete(f"/api/jobs/{application['job_id']}", json={"reason": "filled"})
    (item,) = bob.get("/api/applications").get_json()["items"]
    assert [h["status"] for h in item["status_history"]] == ["applied", "reviewed", "interviewed"]
    # The pipeline can still finish after the posting closes.
    assert alice.put(f"/api/applications/{application['id']}", json={"status": "hired"}).status_code == 200
    assert db_session(lambda s: s.scalar(sa.select(sa.func.count()).select_from(ApplicationStatusChange))) == 4
