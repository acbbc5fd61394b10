"""Events: creation rules, visibility, RSVPs within capacity, attendees, calendar export, suggestions."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import Event, EventRsvp
from tests.communities.conftest import block, scalar
from tests.communities.test_groups import make_group
from tests.conftest import DEGREE_QUERIES, Actor, connect, set_user_fields


def future(days=10, hours=0):
    return (datetime.now(UTC) + timedelta(days=days, hours=hours)).replace(microsecond=0)


def make_event(actor, **fields):
    start = fields.pop("start", future())
    body = {
        "title": fields.pop("title", "Meetup"),
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "timezone": fields.pop("timezone", "UTC"),
        **fields,
    }
    if "online_url" not in body and "location" not in body:
        body["location"] = "Berlin"
    response = actor.post("/api/events", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def rsvp_rows(app, event_id, status="going"):
    return scalar(
        app,
        sa.select(sa.func.count())
        .select_from(EventRsvp)
        .where(EventRsvp.event_id == uuid.UUID(event_id), EventRsvp.status == status),
    )


def going_count(app, event_id):
    return scalar(app, sa.select(Event.going_count).where(Event.id == uuid.UUID(event_id)))


def make_past(app, event_id):
    with app.app_context():
        event = db.session.get(Event, uuid.UUID(event_id))
        event.starts_at = datetime.now(UTC) - timedelta(days=2)
        event.ends_at = datetime.now(UTC) - timedelta(days=1)
        db.session.commit()


# -- create ----------------------------------------------------------------------------------------


def test_create_reads_naive_times_in_the_events_zone(app, alice):
    response = alice.post(
        "/api/events",
        json={
            "title": "Summer mixer",
            "starts_at": "2030-07-01T18:00:00",
            "ends_at": "2030-07-01T21:30:00",
            "timezone": "America/New_York",
            "online_url": "https://meet.example.com/mixer",
            "capacity": 30,
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["starts_at"].startswith("2030-07-01T22:00:00")  # EDT is UTC-4
    assert body["ends_at"].startswith("2030-07-02T01:30:00")
    assert body["organizer_id"] == alice.id and body["seats_left"] == 30 and body["going_count"] == 0
    stored = scalar(app, sa.select(Event.starts_at))
    assert stored == datetime(2030, 7, 1, 22, 0, tzinfo=UTC)


def test_create_keeps_explicit_offsets(alice):
    body = make_event(alice, start=datetime(2031, 1, 5, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")), timezone="Europe/Paris")
    assert body["starts_at"].startswith("2031-01-05T00:00:00")


START, END = "2030-03-01T10:00:00+00:00", "2030-03-01T12:00:00+00:00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": None}, "title"),
        ({"title": "  "}, "title"),
        ({"description": "a\x00b"}, "description"),
        ({"online_url": "https://example.com/\x00"}, "online_url"),
        ({"ends_at": "2030-03-01T09:00:00+00:00"}, "ends_at"),
        ({"ends_at": START}, "ends_at"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"location": None}, "location"),
        ({"online_url": "ftp://example.com/x"}, "online_url"),
        ({"capacity": 0}, "capacity"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "0001-01-01T00:00:00"}, "starts_at"),
        ({"group_id": str(uuid.uuid4())}, "group_id"),
        ({"going_count": 3}, "going_count"),
    ],
)
def test_create_validation(app, alice, changes, field):
    body = {"title": "T", "starts_at": START, "ends_at": END, "timezone": "UTC", "location": "Berlin"}
    body.update(changes)
    body = {k: v for k, v in body.items() if v is not None or k not in ("title", "location")}
    response = alice.post("/api/events", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert scalar(app, sa.select(sa.func.count()).select_from(Event)) == 0


def test_group_events_by_members_only_and_private_ones_hidden(app, alice, bob, carol):
    public = make_group(alice)
    private = make_group(alice, "private")
    response = bob.post(
        "/api/events",
        json={
            "title": "x",
            "starts_at": START,
            "ends_at": END,
            "timezone": "UTC",
            "location": "L",
            "group_id": public["id"],
        },
    )
    assert response.status_code == 403
    open_event = make_event(alice, group_id=public["id"])
    closed_event = make_event(alice, group_id=private["id"], title="Board dinner")
    assert bob.get(f"/api/events/{open_event['id']}").status_code == 200
    assert bob.get(f"/api/events/{closed_event['id']}").status_code == 404
    assert bob.get(f"/api/events/{closed_event['id']}.ics").status_code == 404
    assert bob.put(f"/api/events/{closed_event['id']}/rsvp", json={"status": "going"}).status_code == 404
    listed = [e["id"] for e in bob.get("/api/events").get_json()["items"]]
    assert listed == [open_event["id"]]
    carol.post(f"/api/groups/{private['id']}/join")
    alice.post(f"/api/groups/{private['id']}/requests/{carol.id}/approve")
    assert carol.get(f"/api/events/{closed_event['id']}").status_code == 200
    by_group = carol.get(f"/api/events?group_id={private['id']}").get_json()["items"]
    assert [e["id"] for e in by_group] == [closed_event["id"]]


def test_list_upcoming_and_past(app, alice):
    later = make_event(alice, title="later", start=future(20))
    sooner = make_event(alice, title="sooner", start=future(5))
    old = make_event(alice, title="old")
    make_past(app, old["id"])
    titles = lambda q: [e["title"] for e in alice.get(f"/api/events{q}").get_json()["items"]]  # noqa: E731
    assert titles("?upcoming=true") == ["sooner", "later"]
    assert titles("?upcoming=false") == ["old"]
    assert titles("") == ["old", "sooner", "later"]
    page = alice.get("/api/events?upcoming=true&limit=1").get_json()
    assert [e["title"] for e in page["items"]] == ["sooner"]
    rest = alice.get(f"/api/events?upcoming=true&limit=1&cursor={page['next_cursor']}").get_json()
    assert [e["title"] for e in rest["items"]] == ["later"] and rest["next_cursor"] is None
    assert later["id"] and sooner["id"]


def test_list_query_count_is_constant(alice, query_counter):
    for n in range(6):
        make_event(alice, title=f"e{n}")
    with query_counter() as statements:
        items = alice.get("/api/events?limit=50").get_json()["items"]
    assert len(items) == 6
    assert len(statements) <= 4


# -- update and delete -------------------------------------------------------------------------------


def test_only_the_organiser_updates_and_deletes(app, alice, bob):
    event = make_event(alice, capacity=10)
    assert bob.put(f"/api/events/{event['id']}", json={"title": "Mine"}).status_code == 403
    assert bob.delete(f"/api/events/{event['id']}").status_code == 403
    response = alice.put(
        f"/api/events/{event['id']}",
        json={
            "title": "Renamed",
            "timezone": "Europe/Berlin",
            "starts_at": "2030-01-10T19:00:00",
            "ends_at": "2030-01-10T21:00:00",
        },
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["title"] == "Renamed" and body["starts_at"].startswith("2030-01-10T18:00:00")
    assert body["capacity"] == 10 and body["location"] == "Berlin"
    assert alice.delete(f"/api/events/{event['id']}").status_code == 204
    assert scalar(app, sa.select(sa.func.count()).select_from(Event)) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": "2000-01-01T00:00:00+00:00"}, "ends_at"),
        ({"location": None}, "location"),
        ({"capacity": 1}, "capacity"),
        ({"group_id": None}, "group_id"),
        ({"timezone": "Nowhere"}, "timezone"),
    ],
)
def test_update_validation(app, alice, bob, carol, changes, field):
    event = make_event(alice, capacity=5)
    bob.put(f"/api/events/{event['id']}/rsvp", json={"status": "going"})
    carol.put(f"/api/events/{event['id']}/rsvp", json={"status": "going"})
    response = alice.put(f"/api/events/{event['id']}", json=changes)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert scalar(app, sa.select(Event.capacity)) == 5


# -- RSVP ------------------------------------------------------------------------------------------


def test_rsvp_transitions_keep_counts(app, alice, bob):
    event = make_event(alice, capacity=2)
    url = f"/api/events/{event['id']}/rsvp"
    body = bob.put(url, json={"status": "interested"}).get_json()
    assert (body["status"], body["going_count"], body["interested_count"], body["seats_left"]) == (
        "interested",
        0,
        1,
        2,
    )
    body = bob.put(url, json={"status": "going"}).get_json()
    assert (body["going_count"], body["interested_count"], body["seats_left"]) == (1, 0, 1)
    body = bob.put(url, json={"status": "going"}).get_json()
    assert body["going_count"] == 1
    body = bob.put(url, json={"status": "not_going"}).get_json()
    assert (body["going_count"], body["interested_count"]) == (0, 0)
    assert rsvp_rows(app, event["id"], "not_going") == 1
    assert bob.get(f"/api/events/{event['id']}").get_json()["my_rsvp"] == "not_going"


@pytest.mark.parametrize("body", [{}, {"status": "maybe"}, {"status": "going", "plus_one": True}])
def test_rsvp_validation(app, alice, bob, body):
    event = make_event(alice)
    response = bob.put(f"/api/events/{event['id']}/rsvp", json=body)
    assert response.status_code == 422
    assert rsvp_rows(app, event["id"]) == 0


def test_full_event_refuses_going_but_allows_interest(app, alice, bob, carol):
    event = make_event(alice, capacity=1)
    assert bob.put(f"/api/events/{event['id']}/rsvp", json={"status": "going"}).status_code == 200
    response = carol.put(f"/api/events/{event['id']}/rsvp", json={"status": "going"})
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert carol.put(f"/api/events/{event['id']}/rsvp", json={"status": "interested"}).status_code == 200
    assert going_count(app, event["id"]) == 1
    bob.put(f"/api/events/{event['id']}/rsvp", json={"status": "not_going"})
    assert carol.put(f"/api/events/{event['id']}/rsvp", json={"status": "going"}).status_code == 200
    assert going_count(app, event["id"]) == 1 and rsvp_rows(app, event["id"]) == 1


def test_past_events_take_no_rsvps(app, alice, bob):
    event = make_event(alice)
    make_past(app, event["id"])
    assert bob.put(f"/api/events/{event['id']}/rsvp", json={"status": "going"}).status_code == 409


def test_concurrent_rsvps_never_overbook(app, alice, make_user):
    event = make_event(alice, capacity=5)
    people = [make_user() for _ in range(20)]
    for person in people:
        person.refresh_csrf()
    barrier = threading.Barrier(len(people))
    statuses: list[int] = []
    lock = threading.Lock()

    def go(person: Actor):
        barrier.wait()
        response = person.put(f"/api/events/{event['id']}/rsvp", json={"status": "going"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=go, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 5 + [409] * 15
    assert going_count(app, event["id"]) == 5
    assert rsvp_rows(app, event["id"]) == 5


# -- attendees -------------------------------------------------------------------------------------


def test_attendees_respect_privacy_and_blocks(app, alice, bob, carol, make_user):
    dave = make_user("dave", first_name="Dave", last_name="Dunn", headline="CTO")
    erin = make_user("erin", first_name="Erin", last_name="East", headline="CFO")
    set_user_fields(app, dave.id, profile_visibility="private", profile_image_url="https://img/d.png")
    set_user_fields(app, erin.id, profile_visibility="connections")
    connect(app, bob, erin)
    event = make_event(alice)
    for person in (bob, carol, dave, erin):
        assert person.put(f"/api/events/{event['id']}/rsvp", json={"status": "going"}).status_code == 200
    block(app, carol, bob)

    items = bob.get(f"/api/events/{event['id']}/attendees").get_json()["items"]
    cards = {i["user"]["id"]: i["user"] for i in items}
    assert list(cards) == [bob.id, dave.id, erin.id]  # carol blocked bob
    card = {k: v for k, v in cards[dave.id].items() if k != "connection_degree"}
    assert card == {"id": dave.id, "first_name": "Dave", "last_name": "Dunn", "headline": "CTO"}
    assert cards[erin.id]["username"] == "erin"  # connected: the full card
    assert cards[bob.id]["username"] == "bob"
    seen_by_alice = {
        i["user"]["id"]: i["user"] for i in alice.get(f"/api/events/{event['id']}/attendees").get_json()["items"]
    }
    assert "username" not in seen_by_alice[erin.id]
    assert alice.get(f"/api/events/{event['id']}/attendees?status=interested").get_json()["items"] == []
    assert alice.get(f"/api/events/{event['id']}/attendees?status=nope").status_code == 422


def test_attendee_list_query_count_is_constant(app, alice, make_user, query_counter):
    event = make_event(alice)
    for _ in range(6):
        person = make_user()
        set_user_fields(app, person.id, profile_visibility="connections")
        person.put(f"/api/events/{event['id']}/rsvp", json={"status": "going"})
    with query_counter() as statements:
        items = alice.get(f"/api/events/{event['id']}/attendees").get_json()["items"]
    assert len(items) == 6
    assert len(statements) <= 6 + DEGREE_QUERIES


# -- calendar --------------------------------------------------------------------------------------


def test_ics_is_valid_with_zone_times(alice, bob):
    event = alice.post(
        "/api/events",
        json={
            "title": "Winter talk",
            "description": "Slides, coffee",
            "starts_at": "2030-12-03T18:30:00",
            "ends_at": "2030-12-03T20:00:00",
            "timezone": "Europe/Berlin",
            "location": "Kulturbrauerei, Berlin",
            "online_url": "https://stream.example.com/talk",
        },
    ).get_json()
    response = bob.get(f"/api/events/{event['id']}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    vevents = list(calendar.walk("VEVENT"))
    assert len(vevents) == 1
    vevent = vevents[0]
    assert str(vevent["UID"]) == f"{event['id']}@networkapp"
    assert vevent["SUMMARY"] == "Winter talk"
    assert vevent["LOCATION"] == "Kulturbrauerei, Berlin"
    assert vevent["URL"] == "https://stream.example.com/talk"
    assert vevent["DTSTAMP"].dt.tzinfo is not None
    start, end = vevent["DTSTART"], vevent["DTEND"]
    assert start.params["TZID"] == "Europe/Berlin"
    assert start.dt.replace(tzinfo=None) == datetime(2030, 12, 3, 18, 30)
    assert start.dt.astimezone(UTC) == datetime(2030, 12, 3, 17, 30, tzinfo=UTC)
    assert end.dt.astimezone(UTC) == datetime(2030, 12, 3, 19, 0, tzinfo=UTC)
    zones = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert zones == ["Europe/Berlin"]
    assert b"\r\n" in response.data


def test_ics_in_utc_and_unknown_event(alice):
    event = make_event(alice, online_url="https://x.example.com", title="Remote")
    calendar = icalendar.Calendar.from_ical(alice.get(f"/api/events/{event['id']}.ics").data)
    vevent = next(iter(calendar.walk("VEVENT")))
    assert vevent["DTSTART"].dt.utcoffset() == timedelta(0)
    assert vevent["LOCATION"] == "https://x.example.com"
    assert alice.get(f"/api/events/{uuid.uuid4()}.ics").status_code == 404


# -- recommendations and suggestions -----------------------------------------------------------------


def test_recommended_order_and_reasons(app, make_user, alice, bob, carol):
    me = make_user("attendee", industry="Design")
    set_user_fields(app, me.id, location="Lisbon")
    connect(app, me, bob)
    connect(app, me, carol)
    group = make_group(alice, name="Design Circle")
    me.post(f"/api/groups/{group['id']}/join")
    designer = make_user(industry="design")

    group_event = make_event(alice, title="Circle night", group_id=group["id"], start=future(3))
    popular = make_event(designer, title="Friends go", start=future(4))
    bob.put(f"/api/events/{popular['id']}/rsvp", json={"status": "going"})
    carol.put(f"/api/events/{popular['id']}/rsvp", json={"status": "interested"})
    nearby = make_event(alice, title="Lisbon drinks", location="Lisbon, Portugal", start=future(5))
    industry = make_event(designer, title="Design talk", start=future(6))
    make_event(alice, title="Unrelated", start=future(2))
    answered = make_event(designer, title="Already answered")
    me.put(f"/api/events/{answered['id']}/rsvp", json={"status": "not_going"})
    old = make_event(designer, title="Past design")
    make_past(app, old["id"])
    make_event(me, title="My own", location="Lisbon")

    body = me.get("/api/events/recommended").get_json()
    got = [(i["event"]["title"], i["score"], i["reasons"]) for i in body["items"]]
    assert got == [
        ("Friends go", 5.0, ["2 of your connections are attending", "In your industry"]),
        ("Circle night", 3.0, ["Event of your group Design Circle"]),
        ("Lisbon drinks", 1.5, ["Near you: Lisbon, Portugal"]),
        ("Design talk", 1.0, ["In your industry"]),
    ]
    assert nearby["id"] and industry["id"] and group_event["id"]


def test_suggestions_list_attendees_i_do_not_know(app, alice, bob, carol, make_user):
    dave = make_user("dave")
    erin = make_user("erin")
    event = make_event(alice, title="Pydata")
    other = make_event(alice, title="Other")
    connect(app, alice, bob)
    connect(app, carol, bob)
    for person in (alice, bob, carol, dave, erin):
        person.put(f"/api/events/{event['id']}/rsvp", json={"status": "going"})
    alice.put(f"/api/events/{other['id']}/rsvp", json={"status": "going"})
    dave.put(f"/api/events/{other['id']}/rsvp", json={"status": "interested"})
    block(app, erin, alice)

    items = alice.get(f"/api/events/{event['id']}/suggestions").get_json()["items"]
    got = [(i["user"]["id"], i["score"], i["mutual_connections"], i["reasons"]) for i in items]
    assert got == [
        (dave.id, 2.0, 0, ["Also attending Pydata", "Attending 1 other event with you"]),
        (carol.id, 1.5, 1, ["Also attending Pydata", "1 mutual connection"]),
    ]
    with app.app_context():
        from networkapp.events.services import also_attending

        assert also_attending(uuid.UUID(alice.id)) == {
            uuid.UUID(dave.id): 2,
            uuid.UUID(bob.id): 1,
            uuid.UUID(carol.id): 1,
        }


def test_suggestions_skip_pending_requests(app, alice, bob):
    from networkapp.models import Connection

    event = make_event(alice)
    bob.put(f"/api/events/{event['id']}/rsvp", json={"status": "going"})
    with app.app_context():
        low, high = Connection.pair(uuid.UUID(alice.id), uuid.UUID(bob.id))
        db.session.add(
            Connection(
                requester_id=uuid.UUID(bob.id), recipient_id=uuid.UUID(alice.id), user_low_id=low, user_high_id=high
            )
        )
        db.session.commit()
    assert alice.get(f"/api/events/{event['id']}/suggestions").get_json()["items"] == []
