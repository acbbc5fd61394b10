import pytest

from tests.conftest import set_user_fields
from tests.jobs.conftest import add_experience, add_user_skills


@pytest.fixture
def seeker(app, make_user):
    user = make_user(industry="Software", location="Berlin", open_to_work=True)
    add_user_skills(app, user.id, {"Python": 5, "SQL": 3})
    add_experience(app, user.id, 6)
    return user


def test_recommendations_order_on_a_known_profile(app, alice, make_user, seeker, post_job, apply_to):
    retail = make_user(industry="Retail")
    a = post_job(alice, title="Senior Python Engineer", location="Berlin", skills=["Python", "SQL"])
    b = post_job(retail, title="Python Developer", location="Munich", skills=["python", "Go"])
    c = post_job(retail, title="Senior Accountant", location="Berlin")
    d = post_job(retail, title="Junior Designer", workplace="remote")
    post_job(retail, title="Chef", location="Paris", workplace="on-site")
    applied = post_job(alice, title="Senior Python Lead", location="Berlin", skills=["Python"])
    apply_to(seeker, applied["id"])
    post_job(seeker, title="Senior Python Engineer", location="Berlin", skills=["Python"])

    response = seeker.get("/api/jobs/recommended")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["job"]["id"] for item in items] == [a["id"], c["id"], b["id"], d["id"]]
    scores = [item["match_score"] for item in items]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert scores[0] == pytest.approx(0.91, abs=0.01)
    assert "Matches your skills: Python, SQL" in items[0]["reasons"]
    assert "In your industry (Software)" in items[0]["reasons"]
    assert "Remote" in items[3]["reasons"]
    assert seeker.get("/api/jobs/recommended?limit=2").get_json()["items"][1]["job"]["id"] == c["id"]


def test_recommendations_need_sign_in_and_valid_limit(anon, seeker):
    assert anon.get("/api/jobs/recommended").status_code == 401
    assert seeker.get("/api/jobs/recommended?limit=0").status_code == 422


def test_empty_profile_gets_only_remote_jobs(app, alice, make_user, post_job):
    newcomer = make_user()
    set_user_fields(app, newcomer.id, industry=None)
    remote = post_job(alice, title="Support", workplace="remote")
    post_job(alice, title="Office job", location="Rome")
    items = newcomer.get("/api/jobs/recommended").get_json()["items"]
    assert [item["job"]["id"] for item in items] == [remote["id"]]
