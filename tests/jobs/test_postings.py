import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from networkapp.database import utcnow
from networkapp.models import Job, JobApplication, JobSkill, Skill
from tests.jobs.conftest import job_body, past, shift_job

JOB_FIELDS = {
    "id", "poster_id", "title", "company", "description", "location", "requirements", "employment_type",
    "salary_range", "salary_min", "salary_max", "salary_currency", "salary_period", "posted_at", "expires_at",
    "is_active", "skills", "workplace", "company_id", "closed_reason",
}  # fmt: skip


def test_create_returns_the_job_with_parsed_salary_and_catalogue_skills(alice, db_session):
    response = alice.post(
        "/api/jobs",
        json=job_body(
            description="Build APIs",
            location="Berlin",
            requirements="5 years of Python",
            employment_type="full-time",
            workplace="hybrid",
            salary_range="€60k-80k per year",
            skills=["python", "PYTHON", "Quantum Basket Weaving"],
        ),
    )
    assert response.status_code == 201
    job = response.get_json()
    assert set(job) >= JOB_FIELDS
    assert job["poster_id"] == alice.id
    assert job["is_active"] is True and job["closed_reason"] is None
    assert job["salary_range"] == "€60k-80k per year"
    assert (job["salary_min"], job["salary_max"], job["salary_currency"], job["salary_period"]) == (
        60000,
        80000,
        "EUR",
        "year",
    )
    assert sorted(job["skills"]) == ["Python", "Quantum Basket Weaving"]

    def check(session):
        stored = session.get(Job, uuid.UUID(job["id"]))
        assert stored.expires_at - stored.posted_at == timedelta(days=60)
        links = session.scalars(sa.select(JobSkill).where(JobSkill.job_id == stored.id)).all()
        assert len(links) == 2
        new_skill = session.scalars(sa.select(Skill).where(Skill.name_key == "quantum basket weaving")).one()
        assert new_skill.category == "Other"

    db_session(check)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"company": "Acme"}, "title"),
        ({"title": "Engineer"}, "company"),
        ({"title": "   ", "company": "Acme"}, "title"),
        ({"title": "x" * 201, "company": "Acme"}, "title"),
        (job_body(employment_type="freelance"), "employment_type"),
        (job_body(workplace="moon"), "workplace"),
        (job_body(expires_at="2001-01-01T00:00:00Z"), "expires_at"),
        (job_body(expires_at="not a date"), "expires_at"),
        (job_body(expires_at="2030-01-01T00:00:00"), "expires_at"),
        (job_body(skills="python"), "skills"),
        (job_body(skills=["x" * 101]), "skills"),
        (job_body(skills=["s"] * 31), "skills"),
        (job_body(company_id="not-a-uuid"), "company_id"),
        (job_body(company_id=str(uuid.uuid4())), "company_id"),
        (job_body(is_active=False), "is_active"),
        (job_body(poster_id=str(uuid.uuid4())), "poster_id"),
        (job_body(salary_min=5), "salary_min"),
    ],
)
def test_create_rejects_invalid_input(alice, db_session, body, field):
    response = alice.post("/api/jobs", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert db_session(lambda s: s.scalar(sa.select(sa.func.count()).select_from(Job))) == 0


def test_far_future_expiry_is_refused(alice):
    far = (utcnow() + timedelta(days=400)).isoformat()
    assert alice.post("/api/jobs", json=job_body(expires_at=far)).status_code == 422


def test_create_needs_sign_in(anon):
    response = anon.post("/api/jobs", json=job_body())
    assert response.status_code == 401


def test_idempotency_key_replays_without_a_second_job(alice, db_session):
    headers = {"Idempotency-Key": "job-1"}
    first = alice.post("/api/jobs", json=job_body(), headers=headers)
    again = alice.post("/api/jobs", json=job_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = alice.post("/api/jobs", json=job_body(title="Other"), headers=headers)
    assert other.status_code == 422
    assert db_session(lambda s: s.scalar(sa.select(sa.func.count()).select_from(Job))) == 1


def test_detail_shows_applicant_count_to_the_poster_only(alice, bob, make_user, anon, post_job, apply_to):
    job = post_job(alice, requirements="SQL")
    carol = make_user()
    apply_to(bob, job["id"])
    apply_to(carol, job["id"])
    mine = alice.get(f"/api/jobs/{job['id']}").get_json()
    assert mine["applicant_count"] == 2 and mine["application_status"] is None
    assert mine["requirements"] == "SQL" and mine["company_info"] is None
    theirs = bob.get(f"/api/jobs/{job['id']}").get_json()
    assert theirs["applicant_count"] is None and theirs["application_status"] == "applied"
    assert anon.get(f"/api/jobs/{job['id']}").get_json()["applicant_count"] is None


def test_unknown_job_is_404(bob):
    missing = uuid.uuid4()
    assert bob.get(f"/api/jobs/{missing}").status_code == 404
    assert bob.put(f"/api/jobs/{missing}", json={"title": "x"}).status_code == 404
    assert bob.delete(f"/api/jobs/{missing}").status_code == 404
    assert bob.get("/api/jobs/not-a-uuid").status_code == 404


def test_only_the_poster_may_edit_or_close(alice, bob, post_job, db_session):
    job = post_job(alice)
    assert bob.put(f"/api/jobs/{job['id']}", json={"title": "Hacked"}).status_code == 403
    assert bob.delete(f"/api/jobs/{job['id']}").status_code == 403
    stored = db_session(lambda s: s.get(Job, uuid.UUID(job["id"])))
    assert stored.title == "Backend Engineer" and stored.is_active


def test_put_changes_only_given_fields_and_reparses_salary(alice, post_job):
    job = post_job(alice, location="Paris", salary_range="competitive", skills=["Python"])
    response = alice.put(f"/api/jobs/{job['id']}", json={"salary_range": "$50/hour", "skills": ["Go"]})
    assert response.status_code == 200
    body = response.get_json()
    assert body["location"] == "Paris" and body["title"] == job["title"]
    assert (body["salary_min"], body["salary_currency"], body["salary_period"]) == (50, "USD", "hour")
    assert body["skills"] == ["Go"]
    assert alice.put(f"/api/jobs/{job['id']}", json={"title": None}).status_code == 422
    assert alice.put(f"/api/jobs/{job['id']}", json={"posted_at": "2020-01-01T00:00:00Z"}).status_code == 422


@pytest.mark.parametrize(("how", "reason"), [("body", "filled"), ("query", "withdrawn"), (None, "withdrawn")])
def test_delete_closes_the_posting_and_keeps_applications(alice, bob, post_job, apply_to, db_session, how, reason):
    job = post_job(alice)
    application = apply_to(bob, job["id"])
    url = f"/api/jobs/{job['id']}"
    if how == "body":
        response = alice.delete(url, json={"reason": reason})
    elif how == "query":
        response = alice.delete(f"{url}?reason={reason}")
    else:
        response = alice.delete(url)
    assert response.status_code == 204
    detail = bob.get(url).get_json()
    assert detail["is_active"] is False and detail["closed_reason"] == reason
    assert bob.get("/api/jobs").get_json()["items"] == []
    mine = bob.get("/api/applications").get_json()["items"]
    assert [a["id"] for a in mine] == [application["id"]]
    assert mine[0]["job"]["closed_reason"] == reason and mine[0]["status_history"]
    assert db_session(lambda s: s.get(JobApplication, uuid.UUID(application["id"]))) is not None
    assert alice.delete(url).status_code == 409
    assert alice.put(url, json={"title": "Again"}).status_code == 409


def test_delete_with_an_unknown_reason_is_422(alice, post_job):
    job = post_job(alice)
    assert alice.delete(f"/api/jobs/{job['id']}", json={"reason": "bored"}).status_code == 422
    assert alice.get(f"/api/jobs/{job['id']}").get_json()["is_active"] is True


def test_expired_postings_leave_the_listing_and_refuse_applications(app, alice, bob, post_job):
    job = post_job(alice)
    shift_job(app, job["id"], expires_at=past(1))
    assert bob.get("/api/jobs").get_json()["items"] == []
    detail = bob.get(f"/api/jobs/{job['id']}").get_json()
    assert detail["is_active"] is False and detail["closed_reason"] == "expired"
    assert bob.post(f"/api/jobs/{job['id']}/apply", json={}).status_code == 409
    # The poster may extend an expired (not closed) posting.
    future = (utcnow() + timedelta(days=10)).isoformat()
    assert alice.put(f"/api/jobs/{job['id']}", json={"expires_at": future}).status_code == 200
    assert len(bob.get("/api/jobs").get_json()["items"]) == 1
