import uuid

import sqlalchemy as sa

from networkapp.models import (
    Connection,
    ConnectionEdge,
    ContactInfo,
    Education,
    Experience,
    Media,
    Notification,
    ProfileSearchDoc,
    ProfileView,
    Project,
    SkillEndorsement,
    User,
    UserSession,
    UserSkill,
)
from tests.conftest import connect
from tests.profiles.conftest import put_profile, uid, usage
from tests.profiles.test_media import PNG


def _count(scalar, model, column, value):
    return scalar(sa.select(sa.func.count()).select_from(model).where(column == value))


def test_deleting_account_removes_personal_data_and_fixes_counts(app, alice, bob, make_user, scalar, media_root):
    carol = make_user()
    connect(app, alice, bob)
    connect(app, alice, carol)
    connect(app, bob, carol)
    base = usage(app, "python")
    put_profile(
        alice,
        skills=[{"name": "Python"}, {"name": "Alicean Lore"}],
        experience=[{"company": "A", "position": "B"}],
        education=[{"institution": "U"}],
        contact_info={"phone": "+1 555 0100"},
    )
    put_profile(bob, skills=[{"name": "Python"}])
    alice.post(f"/api/profiles/{alice.id}/projects", json={"title": "P"})
    upload = alice.post(f"/api/profiles/{alice.id}/media", data={"file": (PNG(), "a.png")})
    assert upload.status_code == 201
    bob.get(f"/api/profiles/{alice.id}")
    alice.get(f"/api/profiles/{bob.id}")
    assert usage(app, "python") == base + 2
    assert len(list(media_root.iterdir())) == 1

    response = alice.delete(f"/api/profiles/{alice.id}")
    assert response.status_code == 204
    me = uid(alice)
    assert scalar(sa.select(User.id).where(User.id == me)) is None
    for model, column in [
        (Experience, Experience.user_id),
        (Education, Education.user_id),
        (UserSkill, UserSkill.user_id),
        (ContactInfo, ContactInfo.user_id),
        (Project, Project.user_id),
        (Media, Media.user_id),
        (UserSession, UserSession.user_id),
        (ProfileView, ProfileView.viewer_id),
        (ProfileView, ProfileView.profile_id),
        (ConnectionEdge, ConnectionEdge.user_id),
        (ConnectionEdge, ConnectionEdge.friend_id),
        (Connection, Connection.requester_id),
        (Connection, Connection.recipient_id),
        (Notification, Notification.actor_id),
        (ProfileSearchDoc, ProfileSearchDoc.user_id),
    ]:
        assert _count(scalar, model, column, me) == 0, model
    assert list(media_root.iterdir()) == []
    # Other people's counts follow: bob and carol lost one connection each, python one user.
    assert scalar(sa.select(User.connection_count).where(User.id == uid(bob))) == 1
    assert scalar(sa.select(User.connection_count).where(User.id == uid(carol))) == 1
    assert usage(app, "python") == base + 1
    assert usage(app, "alicean lore") == 0
    assert scalar(sa.select(sa.func.count()).select_from(sa.text("profile_search_fts"))) == 2
    # The session is gone; the profile is gone for everyone.
    assert alice.get("/api/auth/user").status_code == 401
    assert bob.get(f"/api/profiles/{me}").status_code == 404
    assert bob.get("/api/profiles/search?q=alice").get_json()["items"] == []


def test_deleting_removes_endorsements_both_ways(app, alice, bob, scalar):
    from networkapp.extensions import db
    from networkapp.models import Skill

    put_profile(alice, skills=[{"name": "Python"}])
    put_profile(bob, skills=[{"name": "Python"}])
    with app.app_context():
        python = db.session.scalar(sa.select(Skill.id).where(Skill.name_key == "python"))
        db.session.add(SkillEndorsement(endorser_id=uid(alice), endorsee_id=uid(bob), skill_id=python))
        db.session.add(SkillEndorsement(endorser_id=uid(bob), endorsee_id=uid(alice), skill_id=python))
        db.session.commit()
    assert alice.delete(f"/api/profiles/{alice.id}").status_code == 204
    assert scalar(sa.select(sa.func.count()).select_from(SkillEndorsement)) == 0
    assert bob.get(f"/api/profiles/{bob.id}").get_json()["skills"][0]["endorsement_count"] == 0


def test_only_the_owner_may_delete(alice, bob, anon, scalar):
    assert bob.delete(f"/api/profiles/{alice.id}").status_code == 403
    assert anon.delete(f"/api/profiles/{alice.id}").status_code == 401
    assert bob.delete(f"/api/profiles/{uuid.uuid4()}").status_code == 404
    assert scalar(sa.select(sa.func.count()).select_from(User)) == 2
