import uuid

from flask_login import current_user, login_required

from networkapp.events import bp, services
from networkapp.events.schemas import (
    AttendeeArgsSchema,
    AttendeePageSchema,
    EventCreateSchema,
    EventListArgsSchema,
    EventPageSchema,
    EventRecommendArgsSchema,
    EventSchema,
    EventUpdateSchema,
    RecommendedEventPageSchema,
    RsvpInSchema,
    RsvpSchema,
    SuggestionPageSchema,
)
from networkapp.http import calendar_response


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(EventCreateSchema)
@bp.response(201, EventSchema)
@bp.problems(401, 403, 415, 422)
def create_event(data):
    """Create an event (a group's event: group members only)"""
    return services.create_event(current_user, data)


@bp.route("")
@login_required
@bp.arguments(EventListArgsSchema, location="query")
@bp.response(200, EventPageSchema)
@bp.problems(400, 401, 422)
def list_events(args):
    """Events I can see, by start time"""
    items, next_cursor = services.list_events(
        current_user,
        upcoming=args.get("upcoming"),
        group_id=args.get("group_id"),
        limit=args["limit"],
        cursor=args["cursor"],
    )
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/recommended")
@login_required
@bp.arguments(EventRecommendArgsSchema, location="query")
@bp.response(200, RecommendedEventPageSchema)
@bp.problems(401, 422)
def recommended(args):
    """Upcoming events for me: my groups', my connections', nearby and in my industry"""
    return {"items": services.recommended(current_user, limit=args["limit"]), "next_cursor": None}


@bp.route("/<uuid:event_id>")
@login_required
@bp.response(200, EventSchema)
@bp.problems(401, 404)
def get_event(event_id: uuid.UUID):
    """An event with its seat counts and my RSVP"""
    return services.get_event(current_user, event_id)


@bp.route("/<uuid:event_id>", methods=["PUT"])
@login_required
@bp.arguments(EventUpdateSchema)
@bp.response(200, EventSchema)
@bp.problems(401, 403, 404, 415, 422)
def update_event(data, event_id: uuid.UUID):
    """Change an event (organiser)"""
    return services.update_event(current_user, event_id, data)


@bp.route("/<uuid:event_id>", methods=["DELETE"])
@login_required
@bp.response(204)
@bp.problems(401, 403, 404)
def delete_event(event_id: uuid.UUID):
    """Cancel an event (organiser)"""
    services.delete_event(current_user, event_id)
    return "", 204


@bp.route("/<uuid:event_id>/rsvp", methods=["PUT"])
@login_required
@bp.arguments(RsvpInSchema)
@bp.response(200, RsvpSchema)
@bp.problems(401, 404, 409, 415, 422)
def rsvp(data, event_id: uuid.UUID):
    """Answer going, interested or not going (going takes a seat; 409 when full)"""
    return services.rsvp(current_user, event_id, data["status"])


@bp.route("/<uuid:event_id>/attendees")
@login_required
@bp.arguments(AttendeeArgsSchema, location="query")
@bp.response(200, AttendeePageSchema)
@bp.problems(400, 401, 404, 422)
def attendees(args, event_id: uuid.UUID):
    """Who is going (or interested), in the order they answered"""
    items, next_cursor = services.attendees(
        current_user, event_id, status=args["status"], limit=args["limit"], cursor=args["cursor"]
    )
    return {"items": items, "next_cursor": next_cursor}


@bp.route("/<uuid:event_id>/suggestions")
@login_required
@bp.arguments(EventRecommendArgsSchema, location="query")
@bp.response(200, SuggestionPageSchema)
@bp.problems(401, 404, 422)
def suggestions(args, event_id: uuid.UUID):
    """People attending this event I am not connected to yet"""
    return {"items": services.suggestions(current_user, event_id, limit=args["limit"]), "next_cursor": None}


@bp.route("/<uuid:event_id>.ics")
@login_required
@bp.response(200, content_type="text/calendar")
@bp.problems(401, 404)
def ics(event_id: uuid.UUID):
    """The event as an iCalendar file"""
    return calendar_response(services.to_ics(current_user, event_id), f"event-{event_id}.ics")
