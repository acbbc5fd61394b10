import uuid

import pytest
import sqlalchemy as sa

from networkapp.models import Company, CompanyAdmin, Job
from tests.jobs.conftest import job_body


@pytest.fixture
def acme(alice):
    response = alice.post("/api/companies", json={"name": "Acme Corp", "industry": "Software", "size": "11-50"})
    assert response.status_code == 201
    return response.get_json()


def test_create_makes_the_creator_admin(alice, acme, db_session):
    assert acme["slug"] == "acme-corp" and acme["is_admin"] is True
    admins = db_session(lambda s: s.scalars(sa.select(CompanyAdmin.user_id)).all())
    assert admins == [uuid.UUID(alice.id)]


def test_slugs_are_unique(alice, bob, acme, db_session):
    derived = bob.post("/api/companies", json={"name": "ACME corp!"})
    assert derived.status_code == 201 and derived.get_json()["slug"] == "acme-corp-2"
    taken = bob.post("/api/companies", json={"name": "Other", "slug": "acme-corp"})
    assert taken.status_code == 409
    assert db_session(lambda s: s.scalar(sa.select(sa.func.count()).select_from(Company))) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": " "}, "name"),
        ({"name": "A", "slug": "Bad Slug"}, "slug"),
        ({"name": "A", "size": "huge"}, "size"),
        ({"name": "A", "website": "javascript:alert(1)"}, "website"),
        ({"name": "A", "logo_url": "not a url"}, "logo_url"),
        ({"name": "A", "id": str(uuid.uuid4())}, "id"),
    ],
)
def test_create_validation(alice, db_session, body, field):
    response = alice.post("/api/companies", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert db_session(lambda s: s.scalar(sa.select(sa.func.count()).select_from(Company))) == 0


def test_detail_lists_open_jobs(alice, bob, anon, acme, post_job):
    open_job = post_job(alice, company_id=acme["id"], company="Acme Corp")
    closed = post_job(alice, company_id=acme["id"], company="Acme Corp")
    post_job(alice)
    alice.delete(f"/api/jobs/{closed['id']}")
    body = anon.get(f"/api/companies/{acme['id']}").get_json()
    assert [job["id"] for job in body["open_jobs"]] == [open_job["id"]]
    assert body["is_admin"] is False
    detail = bob.get(f"/api/jobs/{open_job['id']}").get_json()
    assert detail["company_info"]["slug"] == "acme-corp"
    assert anon.get(f"/api/companies/{uuid.uuid4()}").status_code == 404


def test_only_admins_edit_and_post_for_the_company(alice, bob, acme, db_session):
    assert bob.put(f"/api/companies/{acme['id']}", json={"name": "Mine"}).status_code == 403
    response = bob.post("/api/jobs", json=job_body(company_id=acme["id"]))
    assert response.status_code == 403
    assert db_session(lambda s: s.scalar(sa.select(sa.func.count()).select_from(Job))) == 0
    updated = alice.put(f"/api/companies/{acme['id']}", json={"description": "We make anvils"})
    assert updated.status_code == 200
    assert updated.get_json()["description"] == "We make anvils" and updated.get_json()["name"] == "Acme Corp"
    assert alice.put(f"/api/companies/{uuid.uuid4()}", json={"name": "x"}).status_code == 404


def test_admins_manage_admins(alice, bob, make_user, acme, post_job, db_session):
    carol = make_user()
    url = f"/api/companies/{acme['id']}/admins"
    assert bob.post(url, json={"user_id": carol.id}).status_code == 403
    added = alice.post(url, json={"user_id": bob.id})
    assert added.status_code == 201 and added.get_json()["user"]["id"] == bob.id
    assert alice.post(url, json={"user_id": bob.id}).status_code == 409
    assert alice.post(url, json={"user_id": str(uuid.uuid4())}).status_code == 404
    assert alice.post(url, json={"user_id": "nope"}).status_code == 422
    # Bob is an admin now: he may post for the company and manage admins.
    post_job(bob, company_id=acme["id"])
    assert {a["user"]["id"] for a in bob.get(url).get_json()["items"]} == {alice.id, bob.id}
    assert carol.get(url).status_code == 403
    assert bob.delete(url, json={"user_id": alice.id}).status_code == 204
    assert bob.delete(f"{url}/{bob.id}").status_code == 409  # the last admin stays
    assert bob.delete(f"{url}/{carol.id}").status_code == 404
    admins = db_session(lambda s: s.scalars(sa.select(CompanyAdmin.user_id)).all())
    assert admins == [uuid.UUID(bob.id)]
    assert alice.put(f"/api/companies/{acme['id']}", json={"name": "x"}).status_code == 403
