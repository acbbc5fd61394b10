"""Mentorship: opt-in profiles, match ranking, the request lifecycle, and career paths."""

from __future__ import annotations

import threading
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from networkapp.models import MentorshipProfile, MentorshipRequest, MentorshipSkill
from tests.communities.conftest import add_experience, block, give_skills, notifications_of, scalar
from tests.conftest import DEGREE_QUERIES, PASSWORD, Actor, connect, set_user_fields


def years_ago(years: float) -> date:
    return date.today() - timedelta(days=round(365.25 * years))


def be_mentor(actor, topics=("Python",), capacity=2, bio=None):
    response = actor.put(
        "/api/mentorship/profile", json={"as_mentor": {"topics": list(topics), "capacity": capacity, "bio": bio}}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ask(actor, mentor, message=None):
    return actor.post("/api/mentorship/requests", json={"mentor_id": mentor.id, "message": message})


def active_count(app, mentor):
    return scalar(
        app, sa.select(MentorshipProfile.active_mentee_count).where(MentorshipProfile.user_id == uuid.UUID(mentor.id))
    )


def request_status(app, request_id):
    return scalar(app, sa.select(MentorshipRequest.status).where(MentorshipRequest.id == uuid.UUID(request_id)))


# -- profile -----------------------------------------------------------------------------------------


def test_profile_opt_in_partial_update_and_opt_out(app, alice):
    assert alice.get("/api/mentorship/profile").get_json()["as_mentor"] is None
    body = be_mentor(alice, topics=["python", "SQL", "Python"], capacity=3, bio="Ten years of backends")
    assert body["as_mentor"] == {
        "topics": ["Python", "SQL"],
        "capacity": 3,
        "bio": "Ten years of backends",
        "active_mentees": 0,
    }
    assert body["as_mentee"] is None
    body = alice.put("/api/mentorship/profile", json={"as_mentee": {"goals": ["Kubernetes"]}}).get_json()
    assert body["as_mentor"]["topics"] == ["Python", "SQL"]
    assert body["as_mentee"] == {"goals": ["Kubernetes"], "bio": None}
    body = alice.put("/api/mentorship/profile", json={"as_mentor": None}).get_json()
    assert body["as_mentor"] is None and body["as_mentee"]["goals"] == ["Kubernetes"]
    assert alice.get("/api/mentorship/profile").get_json() == body
    kinds = scalar(app, sa.select(sa.func.count()).select_from(MentorshipSkill).where(MentorshipSkill.kind == "topic"))
    assert kinds == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"as_mentor": {"topics": ["Python"]}}, "as_mentor"),
        ({"as_mentor": {"topics": [], "capacity": 2}}, "as_mentor"),
        ({"as_mentor": {"topics": ["Python"], "capacity": 0}}, "as_mentor"),
        ({"as_mentor": {"topics": ["Python"], "capacity": 2, "rate": 100}}, "as_mentor"),
        ({"as_mentor": {"topics": ["Basket weaving for eels"], "capacity": 2}}, "as_mentor.topics"),
        ({"as_mentee": {"goals": ["Python"] * 21}}, "as_mentee"),
        ({"as_mentee": {"goals": ["Nope-not-a-skill"]}}, "as_mentee.goals"),
        ({"as_mentee": "yes"}, "as_mentee"),
        ({"as_mentee": {"goals": ["Py\x00thon"]}}, "as_mentee"),
        ({"mentor": True}, "mentor"),
    ],
)
def test_profile_validation(app, alice, body, field):
    response = alice.put("/api/mentorship/profile", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert scalar(app, sa.select(sa.func.count()).select_from(MentorshipSkill)) == 0


# -- matching ----------------------------------------------------------------------------------------


def test_matches_rank_by_skills_seniority_industry_and_network(app, make_user):
    me = make_user("mentee", industry="Software")
    me.put("/api/mentorship/profile", json={"as_mentee": {"goals": ["Python", "SQL"]}})
    add_experience(app, me, "Developer", years_ago(2))

    teacher = make_user("teacher", industry="Software")  # both goals as topics, expert, 8 years ahead
    be_mentor(teacher, topics=["Python", "SQL"])
    give_skills(app, teacher, "Python", proficiency=5)
    add_experience(app, teacher, "Staff Engineer", years_ago(10))

    veteran = make_user("veteran", industry="Finance")  # one topic, 18 years ahead, connected
    be_mentor(veteran, topics=["Python", "Docker"])
    add_experience(app, veteran, "CTO", years_ago(20))
    connect(app, me, veteran)

    practitioner = make_user("practitioner", industry="software")  # only a profile skill, shares a connection
    be_mentor(practitioner, topics=["Docker"])
    give_skills(app, practitioner, "SQL", proficiency=3)
    add_experience(app, practitioner, "Engineer", years_ago(6))
    connect(app, practitioner, veteran)

    full = make_user("full", industry="Software")
    be_mentor(full, topics=["Python", "SQL"], capacity=1)
    ask(make_user(), full)
    full_request = full.get("/api/mentorship/requests?role=mentor").get_json()["items"][0]
    full.put(f"/api/mentorship/requests/{full_request['id']}/accept")

    blocker = make_user("blocker", industry="Software")
    be_mentor(blocker, topics=["Python", "SQL"])
    block(app, blocker, me)
    be_mentor(me, topics=["Python", "SQL"])  # never matched with myself

    body = me.get("/api/mentorship/matches").get_json()
    got = [(m["mentor"]["username"], m["score"], m["network"]) for m in body["items"]]
    # teacher: 2 topics (6) + proficiency 5 (2) + ideal gap (3) + industry (2) = 13
    # practitioner: proficiency 3 (1.2) + ideal gap (3) + industry (2) + shared connection (1) = 7.2
    # veteran: 1 topic (3) + a very large gap (1.5) + connected (2) = 6.5
    assert got == [
        ("teacher", 13.0, "none"),
        ("practitioner", 7.2, "shared_connections"),
        ("veteran", 6.5, "connected"),
    ]
    reasons = {m["mentor"]["username"]: m["reasons"] for m in body["items"]}
    assert reasons["teacher"] == [
        "Mentors in Python, SQL",
        "8 more years of experience",
        "Works in your industry (Software)",
    ]
    assert reasons["practitioner"] == [
        "Skilled in SQL",
        "4 more years of experience",
        "Works in your industry (software)",
        "1 shared connection",
    ]
    assert reasons["veteran"] == ["Mentors in Python", "18 more years of experience", "You are connected"]
    assert body["items"][0]["topics"] == ["Python", "SQL"] and body["items"][0]["years_experience"] == 10.0
    assert me.get("/api/mentorship/matches?limit=101").status_code == 422


def test_matches_query_count_does_not_grow_with_mentors(app, make_user, query_counter):
    me = make_user("mentee", industry="Software")
    me.put("/api/mentorship/profile", json={"as_mentee": {"goals": ["Python"]}})
    for _ in range(6):
        be_mentor(make_user(), topics=["Python"])
    with query_counter() as statements:
        items = me.get("/api/mentorship/matches").get_json()["items"]
    assert len(items) == 6
    assert len(statements) <= 14 + DEGREE_QUERIES


# -- requests ----------------------------------------------------------------------------------------


def test_request_lifecycle_accept_and_end(app, alice, bob, carol):
    be_mentor(alice, capacity=1)
    response = ask(bob, alice, "Could you help me with Python?")
    assert response.status_code == 201
    request = response.get_json()
    assert request["status"] == "pending" and request["mentor"]["id"] == alice.id and request["mentee_id"] == bob.id
    notes = notifications_of(alice, "mentorship_request")
    assert len(notes) == 1 and notes[0]["actor"]["id"] == bob.id and notes[0]["data"]["request_id"] == request["id"]
    assert ask(bob, alice).status_code == 409

    url = f"/api/mentorship/requests/{request['id']}"
    assert bob.put(f"{url}/accept").status_code == 403
    assert carol.put(f"{url}/accept").status_code == 404
    assert carol.delete(url).status_code == 404
    assert alice.delete(url).status_code == 403  # a mentor declines rather than deletes a pending request
    accepted = alice.put(f"{url}/accept")
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "active" and accepted.get_json()["responded_at"]
    assert active_count(app, alice) == 1
    assert len(notifications_of(bob, "mentorship_accepted")) == 1
    assert alice.put(f"{url}/accept").status_code == 409
    assert alice.put(f"{url}/decline").status_code == 409
    assert ask(bob, alice).status_code == 409  # active already
    assert ask(carol, alice).status_code == 409  # no seats left

    assert alice.delete(url).status_code == 204
    assert request_status(app, request["id"]) == "ended"
    assert active_count(app, alice) == 0
    assert bob.delete(url).status_code == 204  # already over: nothing changes
    assert request_status(app, request["id"]) == "ended"
    assert active_count(app, alice) == 0
    assert ask(bob, alice).status_code == 201  # a new mentorship may start later


def test_request_decline_and_withdraw(app, alice, bob):
    be_mentor(alice)
    first = ask(bob, alice).get_json()
    declined = alice.put(f"/api/mentorship/requests/{first['id']}/decline")
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"
    assert bob.put(f"/api/mentorship/requests/{first['id']}/decline").status_code == 403
    second = ask(bob, alice).get_json()
    assert bob.put(f"/api/mentorship/requests/{second['id']}/decline").status_code == 403
    assert bob.delete(f"/api/mentorship/requests/{second['id']}").status_code == 204
    assert request_status(app, second["id"]) == "withdrawn"
    assert alice.put(f"/api/mentorship/requests/{second['id']}/accept").status_code == 409
    assert active_count(app, alice) == 0


def test_request_rules(app, alice, bob, carol):
    be_mentor(alice)
    response = alice.post("/api/mentorship/requests", json={"mentor_id": alice.id})
    assert response.status_code == 422 and "mentor_id" in response.get_json()["errors"]
    response = alice.post("/api/mentorship/requests", json={"mentor_id": bob.id})
    assert response.status_code == 422 and "mentor_id" in response.get_json()["errors"]
    assert bob.post("/api/mentorship/requests", json={"mentor_id": str(uuid.uuid4())}).status_code == 404
    block(app, alice, carol)
    assert carol.post("/api/mentorship/requests", json={"mentor_id": alice.id}).status_code == 404
    for body in (
        {},
        {"mentor_id": "nope"},
        {"mentor_id": alice.id, "message": "x" * 1001},
        {"mentor_id": alice.id, "x": 1},
    ):
        assert bob.post("/api/mentorship/requests", json=body).status_code == 422
    assert scalar(app, sa.select(sa.func.count()).select_from(MentorshipRequest)) == 0


def test_last_seat_goes_to_one_request(app, alice, bob, carol):
    be_mentor(alice, capacity=1)
    first = ask(bob, alice).get_json()
    second = ask(carol, alice).get_json()
    assert alice.put(f"/api/mentorship/requests/{first['id']}/accept").status_code == 200
    assert alice.put(f"/api/mentorship/requests/{second['id']}/accept").status_code == 409
    assert request_status(app, second["id"]) == "pending"
    assert active_count(app, alice) == 1


def test_list_requests_by_role(alice, bob, carol):
    be_mentor(alice)
    be_mentor(bob)
    to_alice = ask(bob, alice).get_json()
    to_bob = ask(carol, bob).get_json()
    as_mentor = bob.get("/api/mentorship/requests?role=mentor").get_json()["items"]
    as_mentee = bob.get("/api/mentorship/requests?role=mentee").get_json()["items"]
    both = bob.get("/api/mentorship/requests").get_json()["items"]
    assert [r["id"] for r in as_mentor] == [to_bob["id"]]
    assert [r["id"] for r in as_mentee] == [to_alice["id"]]
    assert [r["id"] for r in both] == [to_bob["id"], to_alice["id"]]
    assert bob.get("/api/mentorship/requests?role=boss").status_code == 422
    assert bob.get("/api/mentorship/requests?status=active").get_json()["items"] == []


# -- career path -------------------------------------------------------------------------------------


def test_career_path_fixture(app, make_user, alice, bob):
    add_experience(app, alice, "Junior Developer", date(2015, 1, 1), date(2017, 6, 30), company="Alpha")
    add_experience(app, alice, "Software Engineer", date(2017, 7, 1), date(2021, 1, 31), company="Beta")
    add_experience(app, alice, "Senior Software Engineer", date(2021, 2, 1), date(2024, 2, 1), company="beta ")

    histories = [
        [("Senior Software Engineer", 2010), ("Staff Engineer", 2014)],
        [("senior software engineer ", 2011), ("Engineering Manager", 2013), ("Director", 2016)],
        [("Software Engineer", 2008), ("Senior Software Engineer", 2012), ("Staff Engineer", 2015)],
        [("Senior Software Engineer", 2019)],
        [("Staff Engineer", 2012), ("Principal Engineer", 2016)],
    ]
    for history in histories:
        person = make_user()
        for title, year in history:
            add_experience(
                app, person, title, date(year, 1, 1), None if (title, year) == history[-1] else date(year + 1, 12, 31)
            )

    body = bob.get(f"/api/profiles/{alice.id}/career-path").get_json()
    assert body["user_id"] == alice.id
    assert [(p["position"], p["duration_months"]) for p in body["positions"]] == [
        ("Junior Developer", 29),
        ("Software Engineer", 42),
        ("Senior Software Engineer", 36),
    ]
    assert body["transitions"] == [
        {
            "from_position": "Junior Developer",
            "to_position": "Software Engineer",
            "from_company": "Alpha",
            "to_company": "Beta",
            "changed_company": True,
            "after_months": 29,
        },
        {
            "from_position": "Software Engineer",
            "to_position": "Senior Software Engineer",
            "from_company": "Beta",
            "to_company": "beta ",
            "changed_company": False,
            "after_months": 42,
        },
    ]
    assert body["total_years"] == 9.1  # 911 + 1310 + 1095 days
    assert body["current_position"] == "Senior Software Engineer"
    assert body["common_next_positions"] == [
        {"position": "Staff Engineer", "count": 2},
        {"position": "Engineering Manager", "count": 1},
    ]


def test_career_path_respects_privacy(app, alice, bob, carol):
    add_experience(app, alice, "Analyst", date(2020, 1, 1))
    set_user_fields(app, alice.id, profile_visibility="private")
    assert bob.get(f"/api/profiles/{alice.id}/career-path").status_code == 404
    own = alice.get(f"/api/profiles/{alice.id}/career-path").get_json()
    assert own["current_position"] == "Analyst" and own["common_next_positions"] == []
    set_user_fields(app, alice.id, profile_visibility="connections")
    connect(app, alice, bob)
    assert bob.get(f"/api/profiles/{alice.id}/career-path").status_code == 200
    assert carol.get(f"/api/profiles/{alice.id}/career-path").status_code == 404
    set_user_fields(app, alice.id, profile_visibility="public")
    block(app, alice, carol)
    assert carol.get(f"/api/profiles/{alice.id}/career-path").status_code == 404
    assert carol.get(f"/api/profiles/{uuid.uuid4()}/career-path").status_code == 404


def test_career_path_without_experience(alice, bob):
    body = bob.get(f"/api/profiles/{alice.id}/career-path").get_json()
    assert body == {
        "user_id": alice.id,
        "positions": [],
        "transitions": [],
        "total_years": 0.0,
        "current_position": None,
        "common_next_positions": [],
    }


def test_concurrent_accepts_of_one_request_take_one_seat(app, alice, bob):
    be_mentor(alice, capacity=3)
    request = ask(bob, alice).get_json()
    sessions = []
    for _ in range(4):
        session = Actor(app)
        assert session.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
        sessions.append(session)
    barrier = threading.Barrier(len(sessions))
    statuses: list[int] = []

    def accept(session):
        barrier.wait()
        statuses.append(session.put(f"/api/mentorship/requests/{request['id']}/accept").status_code)

    threads = [threading.Thread(target=accept, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409, 409, 409]
    assert active_count(app, alice) == 1
    assert request_status(app, request["id"]) == "active"
    assert len(notifications_of(bob, "mentorship_accepted")) == 1
