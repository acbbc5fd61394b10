import uuid

import pytest
import sqlalchemy as sa

from networkapp.models import ContactInfo, Education, Experience, Skill, User, UserSkill
from tests.profiles.conftest import put_profile, uid, usage, usage_counts_off


def test_owner_reads_own_full_profile(alice):
    response = alice.get(f"/api/profiles/{alice.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == alice.id
    assert body["restricted"] is False
    assert body["connection_status"] == "self"
    assert body["email"] == "alice@example.com"
    assert body["privacy"] == {
        "profile_visibility": "public",
        "show_email": False,
        "show_connections": True,
        "open_to_work": False,
    }
    assert body["experience"] == [] and body["education"] == [] and body["skills"] == []
    assert body["achievements"] == [] and body["projects"] == []
    assert "password_hash" not in body


def test_unknown_profile_is_404(alice):
    response = alice.get(f"/api/profiles/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_owner_updates_given_fields_only(alice, scalar):
    response = put_profile(alice, headline="Engineer", bio="I build things", location="Berlin")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["headline"] == "Engineer" and body["location"] == "Berlin"
    assert body["first_name"] == "Alice" and body["industry"] == "Software"
    assert scalar(sa.select(User.headline).where(User.id == uid(alice))) == "Engineer"
    response = put_profile(alice, headline=None)
    assert response.get_json()["headline"] is None
    assert response.get_json()["bio"] == "I build things"


def test_put_on_someone_elses_profile_is_403(alice, bob, scalar):
    response = bob.put(f"/api/profiles/{alice.id}", json={"headline": "hacked"})
    assert response.status_code == 403
    assert scalar(sa.select(User.headline).where(User.id == uid(alice))) is None


def test_put_needs_sign_in(alice, anon):
    assert anon.put(f"/api/profiles/{alice.id}", json={"headline": "x"}).status_code == 401


@pytest.mark.parametrize(
    "field, value",
    [
        ("is_verified", True),
        ("connection_count", 500),
        ("profile_views", 9),
        ("id", str(uuid.uuid4())),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("username", "root"),
        ("email", "x@example.com"),
        ("password_hash", "x"),
    ],
)
def test_server_owned_fields_are_rejected(alice, scalar, field, value):
    response = put_profile(alice, headline="ok", **{field: value})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    # Nothing changed, not even the allowed field sent alongside.
    assert scalar(sa.select(User.headline).where(User.id == uid(alice))) is None
    assert scalar(sa.select(User.is_verified).where(User.id == uid(alice))) is False


@pytest.mark.parametrize(
    "body, field",
    [
        ({"first_name": ""}, "first_name"),
        ({"first_name": None}, "first_name"),
        ({"last_name": "x" * 81}, "last_name"),
        ({"headline": "h" * 221}, "headline"),
        ({"profile_image_url": "javascript:alert(1)"}, "profile_image_url"),
        ({"privacy": {"profile_visibility": "friends"}}, "privacy"),
        ({"privacy": {"is_admin": True}}, "privacy"),
        ({"skills": [{"name": "Python", "proficiency_level": 6}]}, "skills"),
        ({"skills": [{"name": "Python", "proficiency_level": 0}]}, "skills"),
        ({"skills": [{"name": "Python", "years_experience": -1}]}, "skills"),
        ({"skills": [{"name": ""}]}, "skills"),
        ({"skills": [{"name": "Python"}, {"name": "python"}]}, "skills"),
        (
            {"experience": [{"company": "A", "position": "B", "start_date": "2020-05-01", "end_date": "2019-01-01"}]},
            "experience",
        ),
        ({"contact_info": {"phone": "call me"}}, "contact_info"),
        ({"contact_info": {"phone_visibility": "everyone"}}, "contact_info"),
    ],
)
def test_invalid_updates_are_422_and_change_nothing(alice, scalar, body, field):
    response = put_profile(alice, **body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert scalar(sa.select(User.first_name).where(User.id == uid(alice))) == "Alice"
    assert scalar(sa.select(sa.func.count()).select_from(UserSkill)) == 0


def test_skills_map_onto_catalogue_case_insensitively(app, alice, bob):
    before = usage(app, "python")
    response = put_profile(
        alice,
        skills=[
            {"name": "pYtHoN", "proficiency_level": 5, "years_experience": 7},
            {"name": "Quantum Basket Weaving", "proficiency_level": 2},
        ],
    )
    assert response.status_code == 200, response.get_json()
    skills = {s["name"]: s for s in response.get_json()["skills"]}
    assert set(skills) == {"Python", "Quantum Basket Weaving"}
    assert skills["Python"]["proficiency_level"] == 5 and skills["Python"]["years_experience"] == 7
    assert skills["Python"]["category"] == "Programming Languages"
    assert skills["Quantum Basket Weaving"]["category"] == "Other"
    assert skills["Quantum Basket Weaving"]["years_experience"] == 0
    assert skills["Python"]["endorsement_count"] == 0
    assert usage(app, "python") == before + 1
    assert usage(app, "quantum basket weaving") == 1
    # A second person naming the new skill differently shares the catalogue row.
    assert put_profile(bob, skills=[{"name": "QUANTUM basket weaving"}]).status_code == 200
    assert usage(app, "quantum basket weaving") == 2


def test_replacing_skills_keeps_usage_counts_exact(app, alice, scalar):
    base = {name: usage(app, name) for name in ("python", "sql", "docker")}
    put_profile(alice, skills=[{"name": "Python"}, {"name": "SQL"}])
    put_profile(alice, skills=[{"name": "SQL", "proficiency_level": 4}, {"name": "Docker"}])
    assert usage(app, "python") == base["python"]
    assert usage(app, "sql") == base["sql"] + 1
    assert usage(app, "docker") == base["docker"] + 1
    put_profile(alice, skills=[{"name": "SQL", "proficiency_level": 4}, {"name": "Docker"}])
    assert usage(app, "sql") == base["sql"] + 1
    put_profile(alice, skills=[])
    assert {name: usage(app, name) for name in base} == base
    assert scalar(sa.select(sa.func.count()).select_from(UserSkill).where(UserSkill.user_id == uid(alice))) == 0
    # Counts equal the rows that exist.
    assert usage_counts_off(app) == 0


def test_skills_show_endorsement_counts(app, alice, bob, make_user):
    from networkapp.extensions import db
    from networkapp.models import SkillEndorsement

    put_profile(alice, skills=[{"name": "Python"}, {"name": "SQL"}])
    carol = make_user()
    with app.app_context():
        python = db.session.scalar(sa.select(Skill.id).where(Skill.name_key == "python"))
        for endorser in (bob, carol):
            db.session.add(SkillEndorsement(endorser_id=uid(endorser), endorsee_id=uid(alice), skill_id=python))
        db.session.commit()
    skills = {s["name"]: s["endorsement_count"] for s in bob.get(f"/api/profiles/{alice.id}").get_json()["skills"]}
    assert skills == {"Python": 2, "SQL": 0}


def test_put_lists_replace_career_sections(alice, scalar):
    response = put_profile(
        alice,
        experience=[
            {"company": "Old Co", "position": "Dev", "start_date": "2015-01-01", "end_date": "2018-01-01"},
            {"company": "New Co", "position": "Lead", "start_date": "2018-02-01", "is_current": True},
        ],
        education=[{"institution": "MIT", "degree": "BSc", "start_date": "2010-09-01", "end_date": "2014-06-30"}],
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [e["company"] for e in body["experience"]] == ["New Co", "Old Co"]
    assert body["education"][0]["institution"] == "MIT"
    put_profile(alice, experience=[{"company": "Only Co", "position": "CTO"}])
    assert scalar(sa.select(sa.func.count()).select_from(Experience).where(Experience.user_id == uid(alice))) == 1
    assert scalar(sa.select(sa.func.count()).select_from(Education).where(Education.user_id == uid(alice))) == 1


def test_privacy_and_contact_settings_are_saved(alice, scalar):
    response = put_profile(
        alice,
        privacy={"profile_visibility": "connections", "show_email": True, "open_to_work": True},
        contact_info={"phone": "+44 20 7946 0000", "website": "https://alice.dev", "phone_visibility": "private"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["privacy"]["profile_visibility"] == "connections"
    assert body["privacy"]["show_email"] is True and body["privacy"]["show_connections"] is True
    assert body["open_to_work"] is True
    assert body["contact_info"]["phone"] == "+44 20 7946 0000"
    assert body["contact_info"]["phone_visibility"] == "private"
    assert body["contact_info"]["website_visibility"] == "public"
    assert scalar(sa.select(ContactInfo.website).where(ContactInfo.user_id == uid(alice))) == "https://alice.dev"
