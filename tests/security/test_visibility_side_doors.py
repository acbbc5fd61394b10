"""Facts a viewer may not read on a person's profile do not reach them through any other door.

Each test sets up a private (or connections-only) person with distinctive facts and a
public control person with the same kind of facts, so a test fails if the door is shut
for everyone as well as if it leaks.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Notification
from tests.conftest import connect
from tests.security.people import card_facts, facts, leaked, reveal


def block(actor, other) -> None:
    response = actor.post("/api/connections/block", json={"user_id": other.id})
    assert response.status_code in (200, 201), response.get_json()


def suggestions(actor) -> dict[str, dict]:
    response = actor.get("/api/connections/suggestions?limit=50")
    assert response.status_code == 200, response.get_json()
    return {item["user"]["id"]: item for item in response.get_json()["items"]}


# -- suggestions -----------------------------------------------------------------------------------


@pytest.fixture
def lookalikes(app, make_user):
    """alice, and people who share everything with her through a common friend: one per visibility."""
    alice = make_user("alice")
    reveal(alice, "Sharedx", "public")
    friend = make_user("friend")
    connect(app, alice, friend)
    people = {"alice": alice}
    for name, visibility in (("pub", "public"), ("conn", "connections"), ("priv", "private")):
        person = make_user(name)
        # Everything alice has, at the same time: company, school, city, industry, skill.
        reveal(person, "Sharedx", visibility)
        connect(app, person, friend)
        people[name] = person
    return people


def test_suggestions_never_list_people_whose_profile_the_viewer_sees_only_as_a_card(lookalikes):
    alice = lookalikes["alice"]
    shown = suggestions(alice)
    pub = shown[lookalikes["pub"].id]
    shared = facts("Sharedx")
    assert "1 mutual connection" in pub["reasons"]
    assert {f"Also worked at {shared['company']} at the same time", f"Also studied at {shared['school']}"} <= set(
        pub["reasons"]
    )
    assert f"Also based in {shared['city']}" in pub["reasons"]
    assert f"Both know {shared['skill']}" in pub["reasons"]
    # The private and the connections-only person share every fact too, and a friend: neither is suggested.
    assert lookalikes["priv"].id not in shown
    assert lookalikes["conn"].id not in shown


def test_guessing_a_hidden_fact_changes_nothing_in_suggestions(make_user, app):
    target = make_user("target")
    reveal(target, "Hiddenq", "private")
    control = make_user("control")
    reveal(control, "Openq", "public")
    guesser = make_user("guesser")
    before = suggestions(guesser)
    # The guesser copies the private person's company, school, city, industry and skill.
    reveal(guesser, "Hiddenq", "public")
    after = suggestions(guesser)
    assert target.id not in before and target.id not in after
    assert after == before
    # The same guess about a public person does find them: the test would see a leak.
    reveal(guesser, "Openq", "public")
    assert control.id in suggestions(guesser)


def test_people_who_hide_their_network_get_no_mutual_points_or_reasons(app, make_user):
    alice = make_user("alice", location="Lisbon", industry="Alicework")
    quiet = make_user("quiet", location="Lisbon", industry="Quietwork")
    loud = make_user("loud", location="Lisbon", industry="Loudwork")
    quiet.put(f"/api/profiles/{quiet.id}", json={"privacy": {"show_connections": False}})
    for i in range(2):
        friend = make_user(f"friend{i}")
        connect(app, alice, friend)
        connect(app, quiet, friend)
        connect(app, loud, friend)
    shown = suggestions(alice)
    assert shown[loud.id]["mutual_connections"] == 2 and "2 mutual connections" in shown[loud.id]["reasons"]
    assert shown[quiet.id]["mutual_connections"] == 0
    assert shown[quiet.id]["reasons"] == ["Also based in Lisbon"]
    assert shown[quiet.id]["score"] == 8
    assert shown[quiet.id]["user"]["connection_degree"] is None


@pytest.fixture
def cached_app(make_app):
    return make_app(SUGGESTIONS_CACHE_SECONDS=300)


@pytest.mark.parametrize("visibility", ["private", "connections"])
def test_a_privacy_change_reaches_cached_suggestions_at_once(cached_app, visibility):
    from tests.conftest import Actor

    def register(name):
        actor = Actor(cached_app)
        response = actor.post(
            "/api/auth/register",
            json={
                "username": name,
                "email": f"{name}@example.com",
                "password": "correct horse battery staple",
                "first_name": name.title(),
                "last_name": "Test",
                "industry": f"{name}work",
            },
        )
        assert response.status_code == 201, response.get_json()
        actor.user = response.get_json()
        return actor

    alice, person, friend = register("alice"), register("person"), register("friend")
    reveal(alice, "Cachex", "public")
    reveal(person, "Cachex", "public")
    connect(cached_app, alice, friend)
    connect(cached_app, person, friend)
    first = suggestions(alice)
    assert person.id in first and "1 mutual connection" in first[person.id]["reasons"]
    from networkapp.connections import suggestion_cache

    with cached_app.app_context():
        assert suggestion_cache.load(uuid.UUID(alice.id)) is not None
    response = person.put(f"/api/profiles/{person.id}", json={"privacy": {"profile_visibility": visibility}})
    assert response.status_code == 200
    assert person.id not in suggestions(alice)
    # Public again with the network hidden: back at once, without the mutual part.
    person.put(
        f"/api/profiles/{person.id}", json={"privacy": {"profile_visibility": "public", "show_connections": False}}
    )
    again = suggestions(alice)[person.id]
    assert again["mutual_connections"] == 0
    assert not [reason for reason in again["reasons"] if "mutual" in reason or "degree" in reason]
    assert again["score"] == first[person.id]["score"] - 10


# -- mentorship ----------------------------------------------------------------------------------


def be_mentor(actor, *topics):
    response = actor.put("/api/mentorship/profile", json={"as_mentor": {"topics": list(topics), "capacity": 3}})
    assert response.status_code == 200, response.get_json()


def test_mentor_matches_show_a_private_mentors_career_and_industry_to_nobody_outside(app, make_user):
    mentee = make_user("mentee", industry="Mentorindustry")
    response = mentee.put("/api/mentorship/profile", json={"as_mentee": {"goals": ["Python"]}})
    assert response.status_code == 200, response.get_json()
    common = make_user("common")
    connect(app, mentee, common)
    matches = {}
    for name, visibility in (("open", "public"), ("closed", "private")):
        mentor = make_user(name)
        connect(app, mentor, common)
        reveal(mentor, "Mentorx", visibility, industry="Mentorindustry")
        mentor.put(
            f"/api/profiles/{mentor.id}",
            json={"skills": [{"name": "Python", "proficiency_level": 5}]},
        )
        be_mentor(mentor, "Python")
        matches[name] = mentor
    body = mentee.get("/api/mentorship/matches").get_json()
    by_id = {item["mentor"]["id"]: item for item in body["items"]}
    open_, closed = by_id[matches["open"].id], by_id[matches["closed"].id]
    assert open_["years_experience"] > 10
    assert "Works in your industry (Mentorindustry)" in open_["reasons"]
    assert any("more years of experience" in reason for reason in open_["reasons"])
    assert "Skilled in Python" not in open_["reasons"] and "Mentors in Python" in open_["reasons"]
    assert open_["network"] == "shared_connections" and "1 shared connection" in open_["reasons"]
    assert closed["years_experience"] is None
    # Nor whom they know: a private profile's network is hidden too.
    assert closed["reasons"] == ["Mentors in Python"] and closed["network"] == "none"
    assert closed["score"] < open_["score"]
    assert leaked(str(closed), facts("Mentorx").values()) == []


# -- message templates ---------------------------------------------------------------------------


@pytest.mark.parametrize(("visibility", "shown"), [("public", True), ("connections", False), ("private", False)])
def test_templates_fill_in_the_recipients_job_only_from_a_full_profile(make_user, visibility, shown):
    me = make_user("writer")
    recipient = make_user("recipient")
    reveal(recipient, "Templatex", visibility)
    response = me.get(f"/api/messages/templates?recipient_id={recipient.id}")
    assert response.status_code == 200, response.get_json()
    text = response.get_data(as_text=True)
    assert bool(leaked(text, [facts("Templatex")["company"]])) is shown
    if not shown:
        assert "[company]" in text
        assert leaked(text, facts("Templatex").values()) == []


def test_templates_for_a_connection_with_a_connections_only_profile_use_their_job(app, make_user):
    me = make_user("writer")
    recipient = make_user("recipient")
    reveal(recipient, "Templatex", "connections")
    connect(app, me, recipient)
    text = me.get(f"/api/messages/templates?recipient_id={recipient.id}").get_data(as_text=True)
    assert facts("Templatex")["company"] in text


def test_templates_for_someone_across_a_block_are_not_found(make_user):
    me = make_user("writer")
    recipient = make_user("recipient")
    block(recipient, me)
    assert me.get(f"/api/messages/templates?recipient_id={recipient.id}").status_code == 404


# -- network analytics ---------------------------------------------------------------------------


def test_analytics_do_not_count_facts_that_connections_hide_from_me(app, make_user):
    me = make_user("mee")
    private = make_user("private")
    reveal(private, "Analyticx", "private")
    connect(app, me, private)
    body = me.get("/api/analytics/network").get_json()
    assert leaked(str(body), facts("Analyticx").values()) == []
    assert body["location_breakdown"] == [{"location": None, "count": 1, "percent": 100.0}]
    assert body["industry_breakdown"] == [{"industry": None, "count": 1, "percent": 100.0}]
    # A connection whose connections-only profile I see in full is counted with their values.
    shared = make_user("shared")
    reveal(shared, "Sharedy", "connections")
    connect(app, me, shared)
    body = me.get("/api/analytics/network").get_json()
    locations = {row["location"]: row["count"] for row in body["location_breakdown"]}
    assert locations == {None: 1, facts("Sharedy")["city"]: 1}


def test_analytics_tips_count_only_colleagues_whose_profile_shows_the_company(app, make_user):
    me = make_user("mee")
    reveal(me, "Tipx", "public")
    hidden = make_user("hidden")
    reveal(hidden, "Tipx", "private")
    tips = me.get("/api/analytics/network").get_json()["recommendations"]
    assert not [tip for tip in tips if "past companies" in tip or "your schools" in tip]
    shown = make_user("shown")
    reveal(shown, "Tipx", "public")
    tips = me.get("/api/analytics/network").get_json()["recommendations"]
    assert "1 person from your past companies is here" in tips
    assert "1 person from your schools is here" in tips


# -- notifications -------------------------------------------------------------------------------


@pytest.mark.parametrize("who_blocks", ["recipient", "actor"])
def test_notifications_from_before_a_block_no_longer_show_who_sent_them(app, make_user, who_blocks):
    alice, bob = make_user("alice"), make_user("bob")
    reveal(bob, "Notifyx", "public")
    post = alice.post("/api/posts", json={"content": "hello"}).get_json()
    assert bob.post(f"/api/posts/{post['id']}/like").status_code in (200, 201)
    before = alice.get("/api/notifications").get_json()["items"]
    assert [n["actor"]["id"] for n in before if n["type"] == "post_like"] == [bob.id]
    if who_blocks == "recipient":
        block(alice, bob)
    else:
        block(bob, alice)
    body = alice.get("/api/notifications").get_json()
    assert [n for n in body["items"] if n["type"] == "post_like"] == []
    assert leaked(str(body), [bob.id, *card_facts("Notifyx").values()]) == []
    # The block settles what passed between the pair: their notifications go with it
    # (docs/connections.md); one that slipped past shows no actor (visibility.hidden_among).
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Notification).where(Notification.type == "post_like")
            )
            == 0
        )


# -- groups --------------------------------------------------------------------------------------


def test_a_public_groups_creator_is_not_shown_across_a_block(make_user):
    creator, outsider, other = make_user("creator"), make_user("outsider"), make_user("other")
    group = creator.post("/api/groups", json={"name": "Chess", "visibility": "public"}).get_json()
    assert outsider.get(f"/api/groups/{group['id']}").get_json()["creator_id"] == creator.id
    block(creator, outsider)
    assert outsider.get(f"/api/groups/{group['id']}").get_json()["creator_id"] is None
    listed = [g for g in outsider.get("/api/groups").get_json()["items"] if g["id"] == group["id"]]
    assert listed and listed[0]["creator_id"] is None
    assert other.get(f"/api/groups/{group['id']}").get_json()["creator_id"] == creator.id


# -- paths and career ----------------------------------------------------------------------------


def test_a_path_to_a_private_person_does_not_name_who_links_to_them(app, make_user):
    me, friend, target = make_user("mee"), make_user("friend"), make_user("target")
    connect(app, me, friend)
    connect(app, friend, target)
    named = me.get(f"/api/connections/path/{target.id}").get_json()["path"]
    assert [step.get("id") for step in named] == [me.id, friend.id, target.id]
    target.put(f"/api/profiles/{target.id}", json={"privacy": {"profile_visibility": "private"}})
    masked = me.get(f"/api/connections/path/{target.id}").get_json()
    assert masked["degree"] == 2
    assert masked["path"][1] == {"hidden": True}


def test_career_path_of_a_card_only_profile_is_not_found(app, make_user):
    viewer, person = make_user("viewer"), make_user("person")
    reveal(person, "Careerx", "connections")
    assert viewer.get(f"/api/profiles/{person.id}/career-path").status_code == 404
    connect(app, viewer, person)
    response = viewer.get(f"/api/profiles/{person.id}/career-path")
    assert response.status_code == 200 and facts("Careerx")["company"] in response.get_data(as_text=True)


# -- recommendations and aggregates over other people ---------------------------------------------


def _event_body(title: str) -> dict:
    from datetime import UTC, datetime, timedelta

    start = (datetime.now(UTC) + timedelta(days=5)).replace(microsecond=0)
    return {
        "title": title,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "timezone": "UTC",
        "online_url": "https://meet.example.com/x",
    }


def test_events_are_not_recommended_for_an_organizers_hidden_industry(make_user):
    me = make_user("mee", industry="Rareindustry")
    shown, hidden = make_user("shown", industry="Rareindustry"), make_user("hidden", industry="Rareindustry")
    hidden.put(f"/api/profiles/{hidden.id}", json={"privacy": {"profile_visibility": "private"}})
    open_event = shown.post("/api/events", json=_event_body("Open meetup")).get_json()
    closed_event = hidden.post("/api/events", json=_event_body("Closed meetup")).get_json()
    items = {item["event"]["id"]: item for item in me.get("/api/events/recommended").get_json()["items"]}
    assert items[open_event["id"]]["reasons"] == ["In your industry"]
    assert closed_event["id"] not in items


def test_groups_are_not_recommended_for_members_hidden_skills(app, make_user):
    me = make_user("mee")
    me.put(f"/api/profiles/{me.id}", json={"skills": [{"name": "Raresk"}]})
    groups = {}
    for name, visibility in (("open", "public"), ("closed", "private")):
        owner = make_user(f"{name}owner")
        groups[name] = owner.post("/api/groups", json={"name": f"{name} club", "visibility": "public"}).get_json()
        member = make_user(f"{name}member")
        member.put(
            f"/api/profiles/{member.id}",
            json={"skills": [{"name": "Raresk"}], "privacy": {"profile_visibility": visibility}},
        )
        assert member.post(f"/api/groups/{groups[name]['id']}/join").status_code in (200, 201)
    items = {item["group"]["id"]: item for item in me.get("/api/groups/recommended").get_json()["items"]}
    assert items[groups["open"]["id"]]["reasons"] == ["Members share 1 of your skills"]
    assert groups["closed"]["id"] not in items


def test_career_paths_count_only_next_moves_the_viewer_could_read(app, make_user):
    from tests.communities.conftest import add_experience

    viewer, person = make_user("viewer"), make_user("person")
    add_experience(app, person, "Rarist", date(2010, 1, 1))
    for name, visibility in (("open", "public"), ("closed", "private")):
        peer = make_user(f"{name}peer")
        peer.put(f"/api/profiles/{peer.id}", json={"privacy": {"profile_visibility": visibility}})
        add_experience(app, peer, "Rarist", date(2010, 1, 1), date(2012, 1, 1))
        add_experience(app, peer, f"{name.title()} Next", date(2012, 1, 1))
    body = viewer.get(f"/api/profiles/{person.id}/career-path").get_json()
    assert body["common_next_positions"] == [{"position": "Open Next", "count": 1}]


# -- the owner's two forms -----------------------------------------------------------------------


def test_the_sql_forms_of_the_rule_agree_with_the_python_forms(app, make_user):
    """Queries (lists, aggregates) and single reads (profiles) must never answer differently."""
    from networkapp.models import User
    from networkapp.profiles import visibility

    viewer = make_user("viewer")
    people = []
    for profile in ("public", "connections", "private"):
        for network in (True, False):
            for tie in ("connected", "member", "blocked", "blocker"):
                person = make_user(f"{profile[:4]}{int(network)}{tie}")
                person.put(
                    f"/api/profiles/{person.id}",
                    json={"privacy": {"profile_visibility": profile, "show_connections": network}},
                )
                if tie == "connected":
                    connect(app, viewer, person)
                elif tie == "blocked":
                    block(viewer, person)
                elif tie == "blocker":
                    block(person, viewer)
                people.append(uuid.UUID(person.id))
    people.append(uuid.UUID(viewer.id))
    with app.app_context():
        me = db.session.get(User, uuid.UUID(viewer.id))
        users = db.session.scalars(sa.select(User).where(User.id.in_(people))).all()
        levels = visibility.levels(me, users)
        rels = visibility.relations(me, [u.id for u in users])
        rows = db.session.execute(
            sa.select(
                User.id,
                visibility.profile_visible(me),
                visibility.listable(me),
                visibility.network_visible(me),
            ).where(User.id.in_(people))
        ).all()
        assert len(rows) == len(users) == 25
        by_id = {u.id: u for u in users}
        for user_id, full, listed, network in rows:
            person = by_id[user_id]
            assert bool(full) is (levels[user_id] is visibility.Level.FULL), person.username
            assert visibility.level_for(me, person) is levels[user_id]
            assert bool(listed) is (bool(full) and person.profile_visibility != "private"), person.username
            assert bool(network) is visibility.shows_network(person, rels[user_id]), person.username
        assert {levels[u.id] for u in users if u.username.endswith(("blocked", "blocker"))} == {visibility.Level.HIDDEN}


# -- the feed ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("privacy", "told"), [({}, True), ({"show_connections": False}, False)])
def test_the_feed_tells_a_new_connection_only_if_both_sides_show_their_network(app, make_user, privacy, told):
    me, friend, other = make_user("mee"), make_user("friend"), make_user("other")
    if privacy:
        other.put(f"/api/profiles/{other.id}", json={"privacy": privacy})
    connect(app, me, friend)
    connect(app, friend, other)
    items = me.get("/api/feed?limit=100").get_json()["items"]
    connections = [i for i in items if i["type"] == "new_connection"]
    assert bool([i for i in connections if i["object"]["user"]["id"] == other.id]) is told
