"""Interview invitations: scheduled with the pipeline move, exported as iCalendar for both parties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from networkapp.database import utcnow


@pytest.fixture
def application(alice, bob, post_job, apply_to):
    job = post_job(alice, title="Platform Engineer", company="Initech")
    applied = apply_to(bob, job["id"])
    assert alice.put(f"/api/applications/{applied['id']}", json={"status": "reviewed"}).status_code == 200
    return applied


def schedule(poster, application_id, when, **extra):
    return poster.put(
        f"/api/applications/{application_id}",
        json={"status": "interviewed", "interview_at": when.isoformat(), **extra},
    )


def test_poster_schedules_and_both_parties_export_the_invitation(alice, bob, application):
    when = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    response = schedule(alice, application["id"], when, interview_minutes=45, interview_location="Room 4")
    assert response.status_code == 200
    assert response.get_json()["interview_at"] == when.isoformat()
    notification = bob.get("/api/notifications").get_json()["items"][0]
    assert notification["data"]["interview_at"] == when.isoformat()

    for actor in (alice, bob):
        exported = actor.get(f"/api/applications/{application['id']}/interview.ics")
        assert exported.status_code == 200
        assert exported.mimetype == "text/calendar"
        calendar = icalendar.Calendar.from_ical(exported.data)
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("dtstart") == when
        assert event.decoded("dtend") == when + timedelta(minutes=45)
        assert str(event["summary"]) == "Interview: Platform Engineer at Initech"
        assert str(event["location"]) == "Room 4"
        assert str(event["uid"]) == f"interview-{application['id']}@networkapp"


def test_others_and_unscheduled_interviews_get_404(alice, bob, make_user, application):
    assert bob.get(f"/api/applications/{application['id']}/interview.ics").status_code == 404
    schedule(alice, application["id"], utcnow() + timedelta(days=1))
    assert make_user().get(f"/api/applications/{application['id']}/interview.ics").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "reviewed", "interview_at": "2031-01-01T10:00:00+00:00"}, "interview_at"),
        ({"status": "interviewed", "interview_at": "not a date"}, "interview_at"),
        (
            {"status": "interviewed", "interview_at": "2031-01-01T10:00:00+00:00", "interview_minutes": 1},
            "interview_minutes",
        ),
    ],
)
def test_interview_scheduling_validation(alice, application, body, field):
    response = alice.put(f"/api/applications/{application['id']}", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_interviews_in_the_past_are_refused_and_nothing_changes(alice, bob, application):
    response = schedule(alice, application["id"], datetime(2020, 1, 1, tzinfo=UTC))
    assert response.status_code == 422
    mine = bob.get("/api/applications").get_json()["items"][0]
    assert mine["status"] == "reviewed"
