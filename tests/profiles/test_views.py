import threading
from datetime import timedelta

import sqlalchemy as sa

from networkapp.database import utcnow
from networkapp.extensions import db
from networkapp.models import ProfileView, User
from tests.conftest import Actor
from tests.profiles.conftest import block, put_profile, uid


def _views(scalar, actor):
    return scalar(sa.select(User.profile_views).where(User.id == uid(actor)))


def test_views_count_once_per_viewer_per_day_and_never_self(alice, bob, anon, scalar):
    alice.get(f"/api/profiles/{alice.id}")
    assert _views(scalar, alice) == 0
    bob.get(f"/api/profiles/{alice.id}")
    bob.get(f"/api/profiles/{alice.id}")
    assert _views(scalar, alice) == 1
    anon.get(f"/api/profiles/{alice.id}")
    anon.get(f"/api/profiles/{alice.id}")
    assert _views(scalar, alice) == 3
    # Anonymous views are counted, not recorded.
    assert scalar(sa.select(sa.func.count()).select_from(ProfileView)) == 1
    assert alice.get("/api/auth/user").get_json()["network_stats"]["profile_views"] == 3


def test_concurrent_views_are_all_counted(app, make_user, alice, scalar):
    viewers = [make_user() for _ in range(6)]
    errors = []

    def view(actor):
        response = Actor(app, actor.user)
        response.client = actor.client
        status = response.get(f"/api/profiles/{alice.id}").status_code
        if status != 200:
            errors.append(status)

    threads = [threading.Thread(target=view, args=(v,)) for v in viewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _views(scalar, alice) == 6


def test_viewers_list_for_the_owner_only(app, make_user, alice, bob, anon):
    shy = make_user(first_name="Shy")
    put_profile(shy, privacy={"profile_visibility": "private"})
    blocked = make_user()
    for viewer in (bob, shy, blocked):
        viewer.get(f"/api/profiles/{alice.id}")
    block(app, alice, blocked)
    with app.app_context():
        old = ProfileView(
            profile_id=uid(alice),
            viewer_id=uid(bob),
            viewed_on=(utcnow() - timedelta(days=91)).date(),
            viewed_at=utcnow() - timedelta(days=91),
        )
        db.session.add(old)
        db.session.commit()
    response = alice.get(f"/api/profiles/{alice.id}/viewers")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total_views"] == 3
    items = body["items"]
    assert len(items) == 2
    assert items[0]["anonymous"] is True and items[0]["viewer"] is None
    assert items[1]["viewer"]["id"] == bob.id and items[1]["anonymous"] is False
    assert set(items[1]["viewer"]) == {
        "id",
        "username",
        "first_name",
        "last_name",
        "headline",
        "profile_image_url",
        "connection_degree",
    }
    assert bob.get(f"/api/profiles/{alice.id}/viewers").status_code == 403
    assert anon.get(f"/api/profiles/{alice.id}/viewers").status_code == 401


def test_viewers_paginate(make_user, alice):
    for _ in range(5):
        make_user().get(f"/api/profiles/{alice.id}")
    first = alice.get(f"/api/profiles/{alice.id}/viewers?limit=3").get_json()
    second = alice.get(f"/api/profiles/{alice.id}/viewers?limit=3&cursor={first['next_cursor']}").get_json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 5 and second["next_cursor"] is None


def test_profile_completion_counts_career_sections(alice):
    completion = alice.get("/api/auth/user").get_json()["profile_completion"]
    assert {"experience", "education"} <= set(completion["missing"])
    alice.post(f"/api/profiles/{alice.id}/experience", json={"company": "A", "position": "B"})
    alice.post(f"/api/profiles/{alice.id}/education", json={"institution": "U"})
    after = alice.get("/api/auth/user").get_json()["profile_completion"]
    assert "experience" not in after["missing"] and "education" not in after["missing"]
    assert after["percent"] == completion["percent"] + 20
