"""Network analytics numbers on a known graph."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import sqlalchemy as sa

from networkapp.analytics import services
from networkapp.database import utcnow
from networkapp.extensions import db
from networkapp.models import ConnectionEdge
from tests.conftest import connect, set_user_fields
from tests.connections.conftest import add_career, add_skills


def backdate(app, a, b, days: int) -> None:
    """Pretend ``a`` and ``b`` connected ``days`` ago."""
    ids = [uuid.UUID(a.id), uuid.UUID(b.id)]
    with app.app_context():
        db.session.execute(
            sa.update(ConnectionEdge)
            .where(ConnectionEdge.user_id.in_(ids), ConnectionEdge.friend_id.in_(ids))
            .values(created_at=utcnow() - timedelta(days=days))
        )
        db.session.commit()


def test_network_analytics_on_a_known_graph(app, make_user, alice):
    set_user_fields(app, alice.id, profile_views=7)
    b = make_user(industry="Software", location="London")
    c = make_user(industry="Software", location="Paris")
    d = make_user(industry="Finance", location="London")
    e = make_user(industry="Finance")
    for person in (b, c, d, e):
        connect(app, alice, person)
    connect(app, b, c)  # one link among alice's 4 connections: density 1/6
    backdate(app, alice, d, 100)
    backdate(app, alice, e, 400)
    add_career(app, alice.id, jobs=[("Acme", "Engineer", date(2015, 1, 1), None)], schools=["MIT"])
    for _ in range(2):
        add_career(app, make_user().id, jobs=[("Acme", "Analyst", None, None)])
    add_career(app, b.id, schools=["MIT"])  # already a connection: not counted
    make_user().post("/api/connections/request", json={"target_user_id": alice.id})

    response = alice.get("/api/analytics/network")
    assert response.status_code == 200
    body = response.get_json()
    assert body["connection_count"] == 4
    assert body["profile_views"] == 7
    assert len(body["profile_views_trend"]) == 12 and sum(w["views"] for w in body["profile_views_trend"]) == 0
    assert body["industry_breakdown"] == [
        {"industry": "Finance", "count": 2, "percent": 50.0},
        {"industry": "Software", "count": 2, "percent": 50.0},
    ]
    assert body["location_breakdown"][0] == {"location": "London", "count": 2, "percent": 50.0}
    assert {(r["location"], r["count"]) for r in body["location_breakdown"]} == {("London", 2), ("Paris", 1), (None, 1)}

    weeks = [g for g in body["growth"] if g["period"] == "week"]
    months = [g for g in body["growth"] if g["period"] == "month"]
    assert len(weeks) == len(months) == 12
    assert weeks[-1]["new_connections"] == 2 and weeks[-1]["total"] == 4
    assert sum(w["new_connections"] for w in weeks) == 2  # d was 100 days ago: outside 12 weeks
    assert weeks[0]["total"] == 2  # d and e came before
    assert months[-1]["total"] == 4 and months[0]["total"] >= 1
    assert sum(m["new_connections"] for m in months) == 3  # e (400 days ago) predates 12 months
    assert date.fromisoformat(weeks[-1]["start"]).weekday() == 0
    assert date.fromisoformat(months[-1]["start"]).day == 1

    strength = body["network_strength"]
    # size: 100*ln(5)/ln(501) = 25.9; diversity: 1 - (0.5² + 0.5²) = 50; density: 1 of 6 pairs = 17;
    # recent: 2 connections in 30 days * 20 = 40.  score = .35*26 + .25*50 + .2*17 + .2*40 = 33.
    assert strength["components"] == {"size": 26, "diversity": 50, "mutual_density": 17, "recent_interaction": 40}
    assert strength["score"] == 33

    tips = body["recommendations"]
    assert "2 people from your past companies are here" in tips
    assert not any("schools" in tip for tip in tips)
    assert "Answer your 1 pending connection request" in tips
    assert "Complete your skills to get endorsed: list at least 3" in tips
    assert "Connect with 6 more people to reach 10 connections" in tips


def test_empty_network(alice):
    body = alice.get("/api/analytics/network").get_json()
    assert body["connection_count"] == 0 and body["industry_breakdown"] == [] and body["location_breakdown"] == []
    assert all(g["new_connections"] == 0 and g["total"] == 0 for g in body["growth"])
    assert body["network_strength"] == {
        "score": 0,
        "components": {"size": 0, "diversity": 0, "mutual_density": 0, "recent_interaction": 0},
    }
    assert "Connect with 10 more people to reach 10 connections" in body["recommendations"]


def test_endorsements_count_as_recent_interaction_and_skills_tip_goes(app, alice, bob):
    connect(app, alice, bob)
    backdate(app, alice, bob, 90)
    skill = add_skills(app, bob.id, "Python")["Python"]
    add_skills(app, alice.id, "SQL", "Go", "Rust")
    assert alice.post("/api/skills/endorse", json={"user_id": bob.id, "skill_id": skill}).status_code == 201
    body = alice.get("/api/analytics/network").get_json()
    assert body["network_strength"]["components"]["recent_interaction"] == 20
    assert not any(tip.startswith("Complete your skills") for tip in body["recommendations"])


def test_hidden_people_not_recommended(app, make_user, alice):
    add_career(app, alice.id, jobs=[("Initech", "Dev", None, None)])
    other = make_user()
    add_career(app, other.id, jobs=[("Initech", "Dev", None, None)])
    assert (
        "1 person from your past companies is here" in alice.get("/api/analytics/network").get_json()["recommendations"]
    )
    other.post("/api/connections/block", json={"user_id": alice.id})
    tips = alice.get("/api/analytics/network").get_json()["recommendations"]
    assert not any("past companies" in tip for tip in tips)


def test_week_and_month_starts():
    assert services._week_starts(date(2024, 3, 6))[-1] == date(2024, 3, 4)
    assert services._month_starts(date(2024, 2, 15))[0] == date(2023, 3, 1)


def test_needs_login(anon):
    assert anon.get("/api/analytics/network").status_code == 401


def test_profile_views_trend_counts_recorded_views_per_week(app, make_user, alice):
    viewers = [make_user() for _ in range(3)]
    for viewer in viewers:
        assert viewer.get(f"/api/profiles/{alice.id}").status_code == 200
    viewers[0].get(f"/api/profiles/{alice.id}")  # the same viewer again today: one recorded view
    trend = alice.get("/api/analytics/network").get_json()["profile_views_trend"]
    assert trend[-1]["views"] == 3
    assert sum(w["views"] for w in trend[:-1]) == 0
    starts = [w["start"] for w in trend]
    assert starts == sorted(starts)


def test_reach_counts_second_degree_people_once_and_skips_blocked(app, make_user, alice):
    from networkapp.extensions import db
    from networkapp.models import Block

    b, c, d, e, f = (make_user() for _ in range(5))
    connect(app, alice, b)
    connect(app, alice, c)
    connect(app, b, c)  # a connection of a connection that is also mine: 1st degree only
    connect(app, b, d)
    connect(app, c, d)  # d is reached twice: counted once
    connect(app, c, e)
    connect(app, c, f)
    with app.app_context():
        import uuid

        db.session.add(Block(blocker_id=uuid.UUID(f.id), blocked_id=uuid.UUID(alice.id)))
        db.session.commit()
    body = alice.get("/api/analytics/network").get_json()
    assert body["reach"] == {"first_degree": 2, "second_degree": 2}
    degrees = {p.id: alice.get(f"/api/profiles/{p.id}").get_json().get("connection_degree") for p in (d, e)}
    assert degrees == {d.id: 2, e.id: 2}
