from __future__ import annotations

import functools
import zoneinfo
from datetime import UTC, datetime

import marshmallow as ma

from networkapp.models.communities import RSVP_STATUSES
from networkapp.pagination import MAX_LIMIT, PageArgsSchema, page_schema
from networkapp.schemas import Int, StrictSchema, Text, Url, UserSummarySchema

# Far enough either way for any real plan, and safely inside what every zone database and calendar client handles.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_timezone(name: str) -> bool:
    return name in _zones()


def to_utc(value: datetime, timezone: str) -> datetime:
    """An offset-carrying time is an instant; a naive one is wall-clock time in ``timezone``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zoneinfo.ZoneInfo(timezone))
    return value.astimezone(UTC)


def _check_year(value: datetime) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ma.ValidationError(f"Must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}.")


TIME_HELP = "ISO 8601; without an offset it is read as wall-clock time in `timezone`."


class _EventFields(StrictSchema):
    title = Text(max_length=200)
    description = Text(allow_none=True, max_length=5000)
    starts_at = ma.fields.DateTime(validate=_check_year, metadata={"description": TIME_HELP})
    ends_at = ma.fields.DateTime(validate=_check_year, metadata={"description": TIME_HELP})
    timezone = Text(max_length=64, metadata={"description": "IANA time zone, e.g. Europe/Berlin"})
    online_url = Url(allow_none=True, require_tld=False)
    location = Text(allow_none=True, max_length=200)
    capacity = Int(allow_none=True, minimum=1, maximum=100_000)

    @ma.validates("timezone")
    def known_zone(self, value, **kwargs):
        if not is_timezone(value):
            raise ma.ValidationError("Not an IANA time zone name (for example Europe/Berlin).")


class EventCreateSchema(_EventFields):
    title = Text(required=True, max_length=200)
    starts_at = ma.fields.DateTime(required=True, validate=_check_year, metadata={"description": TIME_HELP})
    ends_at = ma.fields.DateTime(required=True, validate=_check_year, metadata={"description": TIME_HELP})
    timezone = Text(required=True, max_length=64, metadata={"description": "IANA time zone, e.g. Europe/Berlin"})
    group_id = ma.fields.UUID(allow_none=True)

    @ma.validates_schema(skip_on_field_errors=False, pass_original=True)
    def consistent(self, data, original, **kwargs):
        # Judged beside the field errors (one 422 names them all); a place that was sent but is
        # invalid already has its own error, and times that failed to parse are not compared.
        sent = original if isinstance(original, dict) else {}
        errors = {}
        if not any(data.get(key) or (key not in data and sent.get(key)) for key in ("online_url", "location")):
            errors["location"] = ["Give an online_url, a location, or both."]
        times = all(key in data for key in ("starts_at", "ends_at", "timezone")) and is_timezone(data["timezone"])
        if times and to_utc(data["ends_at"], data["timezone"]) <= to_utc(data["starts_at"], data["timezone"]):
            errors["ends_at"] = ["The event must end after it starts."]
        if errors:
            raise ma.ValidationError(errors)

    @ma.post_load
    def in_utc(self, data, **kwargs):
        data["starts_at"] = to_utc(data["starts_at"], data["timezone"])
        data["ends_at"] = to_utc(data["ends_at"], data["timezone"])
        return data


class EventUpdateSchema(_EventFields):
    """Every field optional; the service checks the merged event (naive times read in its time zone)."""


class EventSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    organizer_id = ma.fields.UUID(required=True)
    organizer = ma.fields.Nested(UserSummarySchema)
    group_id = ma.fields.UUID(allow_none=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(allow_none=True)
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    timezone = ma.fields.String(required=True)
    online_url = ma.fields.String(allow_none=True)
    location = ma.fields.String(allow_none=True)
    capacity = ma.fields.Integer(allow_none=True)
    going_count = ma.fields.Integer(required=True)
    interested_count = ma.fields.Integer(required=True)
    seats_left = ma.fields.Integer(allow_none=True, metadata={"description": "null when capacity is unlimited"})
    my_rsvp = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class EventListArgsSchema(PageArgsSchema):
    upcoming = ma.fields.Boolean(
        metadata={"description": "true: not yet ended, soonest first; false: ended, latest first; absent: all"}
    )
    group_id = ma.fields.UUID()


class RsvpInSchema(StrictSchema):
    status = Text(required=True, validate=ma.validate.OneOf(RSVP_STATUSES))


class RsvpSchema(ma.Schema):
    event_id = ma.fields.UUID(required=True)
    user_id = ma.fields.UUID(required=True)
    status = ma.fields.String(required=True)
    going_count = ma.fields.Integer(required=True)
    interested_count = ma.fields.Integer(required=True)
    seats_left = ma.fields.Integer(allow_none=True)
    updated_at = ma.fields.DateTime(required=True)


class AttendeeUserSchema(ma.Schema):
    """A person's card; people whose profile is not open to me get only id, name and headline."""

    id = ma.fields.UUID(required=True)
    username = ma.fields.String()
    first_name = ma.fields.String(required=True)
    last_name = ma.fields.String(required=True)
    headline = ma.fields.String(allow_none=True)
    profile_image_url = ma.fields.String(allow_none=True)


class AttendeeSchema(ma.Schema):
    user = ma.fields.Nested(AttendeeUserSchema, required=True)
    status = ma.fields.String(required=True)
    responded_at = ma.fields.DateTime(required=True)


class AttendeeArgsSchema(PageArgsSchema):
    status = Text(load_default="going", validate=ma.validate.OneOf(("going", "interested")))


class EventRecommendArgsSchema(ma.Schema):
    limit = Int(minimum=1, maximum=MAX_LIMIT, load_default=10)


class RecommendedEventSchema(ma.Schema):
    event = ma.fields.Nested(EventSchema, required=True)
    score = ma.fields.Float(required=True)
    reasons = ma.fields.List(ma.fields.String(), required=True)


class EventSuggestionSchema(ma.Schema):
    user = ma.fields.Nested(UserSummarySchema, required=True)
    score = ma.fields.Float(required=True)
    mutual_connections = ma.fields.Integer(required=True)
    reasons = ma.fields.List(ma.fields.String(), required=True)


EventPageSchema = page_schema(EventSchema)
AttendeePageSchema = page_schema(AttendeeSchema)
RecommendedEventPageSchema = page_schema(RecommendedEventSchema)
SuggestionPageSchema = page_schema(EventSuggestionSchema, "EventSuggestion")
