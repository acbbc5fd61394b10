import uuid

import pytest
import sqlalchemy as sa

from networkapp.models import Education, Experience, Project
from tests.profiles.conftest import uid

SECTIONS = {
    "experience": (Experience, {"company": "Acme", "position": "Engineer", "start_date": "2020-01-01"}),
    "education": (Education, {"institution": "MIT", "degree": "BSc", "start_date": "2010-09-01"}),
    "projects": (Project, {"title": "Compiler", "skills": ["Rust"], "start_date": "2021-03-01"}),
}


def _count(scalar, model, actor):
    return scalar(sa.select(sa.func.count()).select_from(model).where(model.user_id == uid(actor)))


@pytest.mark.parametrize("section", SECTIONS)
def test_crud_round_trip(alice, scalar, section):
    model, body = SECTIONS[section]
    created = alice.post(f"/api/profiles/{alice.id}/{section}", json=body)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["start_date"] == body["start_date"] and item["id"]
    changed = alice.put(f"/api/profiles/{alice.id}/{section}/{item['id']}", json={"end_date": "2022-06-30"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["end_date"] == "2022-06-30"
    assert changed.get_json()["start_date"] == body["start_date"]
    profile = alice.get(f"/api/profiles/{alice.id}").get_json()
    assert [i["id"] for i in profile[section]] == [item["id"]]
    assert alice.delete(f"/api/profiles/{alice.id}/{section}/{item['id']}").status_code == 204
    assert _count(scalar, model, alice) == 0


@pytest.mark.parametrize("section", SECTIONS)
def test_other_users_cannot_write(alice, bob, anon, scalar, section):
    model, body = SECTIONS[section]
    item = alice.post(f"/api/profiles/{alice.id}/{section}", json=body).get_json()
    assert bob.post(f"/api/profiles/{alice.id}/{section}", json=body).status_code == 403
    assert anon.post(f"/api/profiles/{alice.id}/{section}", json=body).status_code == 401
    assert bob.put(f"/api/profiles/{alice.id}/{section}/{item['id']}", json={"end_date": None}).status_code == 403
    assert bob.delete(f"/api/profiles/{alice.id}/{section}/{item['id']}").status_code == 403
    # Bob addressing alice's item under his own profile: it is not there.
    assert bob.put(f"/api/profiles/{bob.id}/{section}/{item['id']}", json={"end_date": None}).status_code == 404
    assert bob.delete(f"/api/profiles/{bob.id}/{section}/{item['id']}").status_code == 404
    assert alice.delete(f"/api/profiles/{alice.id}/{section}/{uuid.uuid4()}").status_code == 404
    assert bob.post(f"/api/profiles/{uuid.uuid4()}/{section}", json=body).status_code == 404
    assert _count(scalar, model, alice) == 1 and _count(scalar, model, bob) == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"company": "A", "position": "B", "start_date": "2020-05-01", "end_date": "2020-04-30"}, "end_date"),
        ({"company": "A", "position": "B", "end_date": "2020-04-30", "is_current": True}, "is_current"),
        ({"company": "A", "position": "B", "start_date": "2020-13-01"}, "start_date"),
        ({"company": "A", "position": "B", "start_date": "yesterday"}, "start_date"),
        ({"company": "A", "position": "B", "start_date": "2020-01-01T10:00:00"}, "start_date"),
        ({"position": "B"}, "company"),
        ({"company": "", "position": "B"}, "company"),
        ({"company": "A", "position": "B", "salary": 1}, "salary"),
        ({"company": "A", "position": "B", "id": str(uuid.uuid4())}, "id"),
        ({"company": "A", "position": "B", "user_id": str(uuid.uuid4())}, "user_id"),
    ],
)
def test_experience_validation(alice, scalar, body, field):
    response = alice.post(f"/api/profiles/{alice.id}/experience", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert _count(scalar, Experience, alice) == 0


def test_update_validates_the_merged_item(alice):
    item = alice.post(
        f"/api/profiles/{alice.id}/experience",
        json={"company": "A", "position": "B", "start_date": "2020-05-01", "is_current": True},
    ).get_json()
    url = f"/api/profiles/{alice.id}/experience/{item['id']}"
    response = alice.put(url, json={"end_date": "2019-01-01"})
    assert response.status_code == 422 and "end_date" in response.get_json()["errors"]
    response = alice.put(url, json={"end_date": "2021-01-01", "is_current": True})
    assert response.status_code == 422 and "is_current" in response.get_json()["errors"]
    # Ending a current job with only an end date clears is_current.
    response = alice.put(url, json={"end_date": "2021-01-01"})
    assert response.status_code == 200
    assert response.get_json()["is_current"] is False
    education = alice.post(f"/api/profiles/{alice.id}/education", json={"institution": "U", "end_date": "2010-01-01"})
    response = alice.put(
        f"/api/profiles/{alice.id}/education/{education.get_json()['id']}", json={"start_date": "2012-01-01"}
    )
    assert response.status_code == 422 and "end_date" in response.get_json()["errors"]


def test_sections_are_newest_first(alice):
    for company, start, current in [
        ("First", "2010-01-01", False),
        ("Undated", None, False),
        ("Third", "2018-01-01", False),
        ("Now", "2015-01-01", True),
    ]:
        body = {"company": company, "position": "X", "start_date": start, "is_current": current}
        assert alice.post(f"/api/profiles/{alice.id}/experience", json=body).status_code == 201
    profile = alice.get(f"/api/profiles/{alice.id}").get_json()
    assert [e["company"] for e in profile["experience"]] == ["Now", "Third", "First", "Undated"]


def test_project_url_and_skills_validation(alice):
    bad = alice.post(f"/api/profiles/{alice.id}/projects", json={"title": "T", "url": "ftp://x"})
    assert bad.status_code == 422 and "url" in bad.get_json()["errors"]
    bad = alice.post(f"/api/profiles/{alice.id}/projects", json={"title": "T", "skills": ["x"] * 31})
    assert bad.status_code == 422 and "skills" in bad.get_json()["errors"]


def test_projects_list_follows_privacy(alice, bob, anon):
    alice.post(f"/api/profiles/{alice.id}/projects", json={"title": "Open"})
    assert [p["title"] for p in anon.get(f"/api/profiles/{alice.id}/projects").get_json()["items"]] == ["Open"]
    alice.put(f"/api/profiles/{alice.id}", json={"privacy": {"profile_visibility": "connections"}})
    assert bob.get(f"/api/profiles/{alice.id}/projects").status_code == 404
    assert alice.get(f"/api/profiles/{alice.id}/projects").status_code == 200
