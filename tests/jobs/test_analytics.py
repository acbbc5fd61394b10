import uuid
from datetime import timedelta

import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import ApplicationStatusChange, JobApplication


def backdate(app, application_id, hours_by_status: dict[str, float]):
    """Place each history row ``hours`` after the application (time travel for tests)."""
    with app.app_context():
        application = db.session.get(JobApplication, uuid.UUID(application_id))
        base = application.applied_at
        for change in db.session.scalars(
            sa.select(ApplicationStatusChange).where(ApplicationStatusChange.application_id == application.id)
        ):
            change.changed_at = base + timedelta(hours=hours_by_status.get(change.to_status, 0))
        if application.first_response_at is not None:
            first = min(h for s, h in hours_by_status.items() if s not in ("applied", "withdrawn"))
            application.first_response_at = base + timedelta(hours=first)
        db.session.commit()


def test_seeker_analytics(app, alice, bob, make_user, post_job, apply_to):
    jobs = [post_job(alice, title=f"R{n}") for n in range(4)]
    apps = [apply_to(bob, job["id"]) for job in jobs]
    alice.put(f"/api/applications/{apps[0]['id']}", json={"status": "reviewed"})
    alice.put(f"/api/applications/{apps[1]['id']}", json={"status": "rejected"})
    bob.post(f"/api/applications/{apps[2]['id']}/withdraw")
    backdate(app, apps[0]["id"], {"reviewed": 10})
    backdate(app, apps[1]["id"], {"rejected": 20})
    body = bob.get("/api/applications/analytics").get_json()
    assert body["total"] == 4 and body["responded"] == 2
    assert body["by_status"]["applied"] == 1 and body["by_status"]["withdrawn"] == 1
    assert body["by_status"]["reviewed"] == 1 and body["by_status"]["rejected"] == 1
    assert body["response_rate"] == 0.5
    assert body["avg_hours_to_first_response"] == 15.0
    empty = make_user().get("/api/applications/analytics").get_json()
    assert empty["total"] == 0 and empty["response_rate"] is None


def test_job_funnel(app, alice, bob, make_user, post_job, apply_to):
    job = post_job(alice)
    first, second, third = (apply_to(person, job["id"]) for person in (bob, make_user(), make_user()))
    for status in ("reviewed", "interviewed", "hired"):
        alice.put(f"/api/applications/{first['id']}", json={"status": status})
    alice.put(f"/api/applications/{second['id']}", json={"status": "reviewed"})
    alice.put(f"/api/applications/{second['id']}", json={"status": "rejected"})
    backdate(app, first["id"], {"reviewed": 2, "interviewed": 6, "hired": 30})
    backdate(app, second["id"], {"reviewed": 4, "rejected": 8})
    response = alice.get(f"/api/jobs/{job['id']}/analytics")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["total"] == 3
    funnel = {stage["stage"]: stage for stage in body["funnel"]}
    assert [s["stage"] for s in body["funnel"]] == ["applied", "reviewed", "interviewed", "hired"]
    assert [funnel[s]["count"] for s in ("applied", "reviewed", "interviewed", "hired")] == [3, 2, 1, 1]
    assert funnel["applied"]["avg_hours_in_stage"] == 3.0
    assert funnel["reviewed"]["avg_hours_in_stage"] == 4.0
    assert funnel["interviewed"]["avg_hours_in_stage"] == 24.0
    assert funnel["hired"]["avg_hours_in_stage"] is None
    assert body["by_status"]["applied"] == 1 and body["by_status"]["hired"] == 1
    assert third["id"]
    assert bob.get(f"/api/jobs/{job['id']}/analytics").status_code == 403
    assert alice.get(f"/api/jobs/{uuid.uuid4()}/analytics").status_code == 404
