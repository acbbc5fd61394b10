"""``connection_degree`` on every person a signed-in viewer sees, and the assessment badge on profiles."""

from __future__ import annotations

import itertools
import uuid

import sqlalchemy as sa

from networkapp.database import utcnow
from networkapp.extensions import db
from networkapp.models import Skill, UserSkill
from tests.conftest import connect


def chain(app, make_user, length):
    people = [make_user(headline=f"Person {n}") for n in range(length)]
    for a, b in itertools.pairwise(people):
        connect(app, a, b)
    return people


def test_profiles_carry_the_viewers_degree(app, make_user):
    me, one, two, three, four = chain(app, make_user, 5)
    degrees = {
        p.id: me.get(f"/api/profiles/{p.id}").get_json().get("connection_degree") for p in (one, two, three, four)
    }
    assert degrees == {one.id: 1, two.id: 2, three.id: 3, four.id: None}
    assert "connection_degree" not in me.get(f"/api/profiles/{me.id}").get_json()


def test_people_in_lists_carry_degrees_in_one_batch(app, make_user, query_counter):
    me, one, two, _ = chain(app, make_user, 4)
    items = me.get("/api/connections").get_json()["items"]
    assert [(i["user"]["id"], i["user"]["connection_degree"]) for i in items] == [(one.id, 1)]
    results = me.get("/api/profiles/search?q=Person").get_json()["items"]
    found = {i["id"]: i.get("connection_degree", "absent") for i in results}
    assert found[one.id] == 1 and found[two.id] == 2
    assert found.get(me.id, "absent") == "absent"  # the viewer's own record carries no degree
    for _ in range(10):
        connect(app, me, make_user())
    with query_counter() as few:
        assert len(me.get("/api/connections?limit=2").get_json()["items"]) == 2
    with query_counter() as many:
        assert len(me.get("/api/connections?limit=11").get_json()["items"]) == 11
    assert len(many) == len(few)


def test_anonymous_viewers_get_no_degrees(app, make_user, anon):
    person = make_user()
    assert "connection_degree" not in anon.get(f"/api/profiles/{person.id}").get_json()


def test_a_passed_assessment_shows_as_a_badge_on_the_profile(app, make_user):
    person, viewer = make_user(), make_user()
    assert (
        person.put(
            f"/api/profiles/{person.id}", json={"skills": [{"name": "Python", "proficiency_level": 4}]}
        ).status_code
        == 200
    )
    assert viewer.get(f"/api/profiles/{person.id}").get_json()["skills"][0]["assessment_passed"] is False
    with app.app_context():
        skill_id = db.session.scalar(sa.select(Skill.id).where(Skill.name_key == "python"))
        db.session.execute(
            sa.update(UserSkill)
            .where(UserSkill.user_id == uuid.UUID(person.id), UserSkill.skill_id == skill_id)
            .values(assessment_passed_at=utcnow())
        )
        db.session.commit()
    skill = viewer.get(f"/api/profiles/{person.id}").get_json()["skills"][0]
    assert skill["assessment_passed"] is True and "score" not in skill
