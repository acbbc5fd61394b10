import uuid

import pytest
import sqlalchemy as sa

from networkapp.models import JobAlert, Notification


def alert_notes(session, user_id):
    return session.scalars(
        sa.select(Notification).where(Notification.user_id == uuid.UUID(user_id), Notification.type == "job_alert")
    ).all()


def test_alert_crud(bob, make_user, db_session):
    created = bob.post("/api/jobs/alerts", json={"name": "Py", "q": "python", "skills": ["SQL", "sql"]})
    assert created.status_code == 201
    alert = created.get_json()
    assert alert["skills"] == ["sql"] and alert["q"] == "python"
    listed = bob.get("/api/jobs/alerts").get_json()
    assert [a["id"] for a in listed["items"]] == [alert["id"]] and listed["limit"] == 10
    updated = bob.put(f"/api/jobs/alerts/{alert['id']}", json={"location": "Berlin"})
    assert updated.status_code == 200 and updated.get_json()["q"] == "python"
    assert updated.get_json()["location"] == "Berlin"
    other = make_user()
    assert other.put(f"/api/jobs/alerts/{alert['id']}", json={"q": "x"}).status_code == 404
    assert other.delete(f"/api/jobs/alerts/{alert['id']}").status_code == 404
    assert other.get("/api/jobs/alerts").get_json()["items"] == []
    assert bob.delete(f"/api/jobs/alerts/{alert['id']}").status_code == 204
    assert db_session(lambda s: s.scalar(sa.select(sa.func.count()).select_from(JobAlert))) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"employment_type": "gig"}, "employment_type"),
        ({"workplace": "space"}, "workplace"),
        ({"salary_min": -5}, "salary_min"),
        ({"q": "x" * 201}, "q"),
        ({"user_id": str(uuid.uuid4())}, "user_id"),
    ],
)
def test_alert_validation(bob, body, field):
    response = bob.post("/api/jobs/alerts", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_at_most_ten_alerts(bob, db_session):
    for n in range(10):
        assert bob.post("/api/jobs/alerts", json={"name": f"a{n}"}).status_code == 201
    response = bob.post("/api/jobs/alerts", json={"name": "one too many"})
    assert response.status_code == 409
    assert db_session(lambda s: s.scalar(sa.select(sa.func.count()).select_from(JobAlert))) == 10


def test_matching_alerts_fire_and_others_do_not(alice, bob, make_user, post_job, db_session):
    carol, dave, erin = make_user(), make_user(), make_user()
    bob.post("/api/jobs/alerts", json={"q": "python dev", "location": "berlin", "skills": ["SQL"]})
    carol.post("/api/jobs/alerts", json={"employment_type": "contract"})
    dave.post("/api/jobs/alerts", json={"salary_min": 100000})
    erin.post("/api/jobs/alerts", json={"workplace": "remote", "q": "rust"})
    alice.post("/api/jobs/alerts", json={"q": "python"})  # the poster's own alert never fires

    job = post_job(
        alice,
        title="Senior Python Developer",
        location="Berlin, DE",
        employment_type="full-time",
        workplace="remote",
        salary_range="€70k-90k",
        skills=["sql", "Python"],
    )

    def check(session):
        (note,) = alert_notes(session, bob.id)
        assert note.data["job_id"] == job["id"] and note.actor_id == uuid.UUID(alice.id)
        for person in (carol, dave, erin, alice):
            assert alert_notes(session, person.id) == []

    db_session(check)

    post_job(alice, title="Well paid contract", employment_type="contract", salary_range="$150k")
    db_session(lambda s: [len(alert_notes(s, p.id)) for p in (bob, carol, dave)] == [1, 1, 1] or pytest.fail("counts"))


def test_one_notification_per_person_even_with_several_matching_alerts(alice, bob, post_job, db_session):
    bob.post("/api/jobs/alerts", json={"q": "python"})
    bob.post("/api/jobs/alerts", json={"q": "developer"})
    post_job(alice, title="Python Developer")
    assert len(db_session(lambda s: alert_notes(s, bob.id))) == 1
