"""Event rules: visibility through groups, RSVPs within capacity, calendar export, suggestions.

Seats are guarded by one conditional UPDATE on ``events.going_count``
(``... WHERE capacity IS NULL OR going_count < capacity``): on PostgreSQL
the row lock makes a concurrent RSVP re-check the condition against the
committed count; on SQLite writers queue on BEGIN IMMEDIATE.  Either way
the last seat goes to exactly one person, and a CHECK constraint backs it.
"""

from __future__ import annotations

import uuid
import zoneinfo

import icalendar
import sqlalchemy as sa

from networkapp.connections import graph
from networkapp.database import commit, lock_in_order, utcnow
from networkapp.errors import Conflict, Forbidden, Invalid, NotFound
from networkapp.events.schemas import to_utc
from networkapp.extensions import db
from networkapp.groups import services as groups
from networkapp.models import Connection, Event, EventRsvp, Group, User
from networkapp.pagination import keyset_page
from networkapp.profiles import visibility

ATTENDING = ("going", "interested")


# -- reading ---------------------------------------------------------------------------------------


def _visible_clause(user_id: uuid.UUID):
    """Events without a group, or of a group whose insides ``user_id`` may see."""
    return sa.or_(Event.group_id.is_(None), Event.group_id.in_(groups.visible_group_ids(user_id)))


def _get_visible(user: User, event_id: uuid.UUID) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or graph.is_blocked_between(user.id, event.organizer_id):
        raise NotFound("No such event.")
    if event.group_id is not None and not groups.can_see_inside(db.session.get(Group, event.group_id), user.id):
        raise NotFound("No such event.")
    return event


def _seats_left(event: Event) -> int | None:
    return None if event.capacity is None else max(event.capacity - event.going_count, 0)


def _view(event: Event, my_rsvp: str | None) -> dict:
    view = {column.key: getattr(event, column.key) for column in Event.__table__.columns}
    view.update(organizer=event.organizer, seats_left=_seats_left(event), my_rsvp=my_rsvp)
    return view


def _views(events: list[Event], user: User) -> list[dict]:
    ids = [e.id for e in events]
    mine = {}
    if ids:
        mine = dict(
            db.session.execute(
                sa.select(EventRsvp.event_id, EventRsvp.status).where(
                    EventRsvp.user_id == user.id, EventRsvp.event_id.in_(ids)
                )
            ).all()
        )
    return [_view(e, mine.get(e.id)) for e in events]


def get_event(user: User, event_id: uuid.UUID) -> dict:
    return _views([_get_visible(user, event_id)], user)[0]


def list_events(user: User, *, upcoming: bool | None, group_id, limit: int, cursor: str | None):
    stmt = sa.select(Event).where(_visible_clause(user.id), Event.organizer_id.not_in(graph.hidden_ids(user.id)))
    if group_id is not None:
        stmt = stmt.where(Event.group_id == group_id)
    now = utcnow()
    if upcoming is True:
        stmt = stmt.where(Event.ends_at > now)
    elif upcoming is False:
        stmt = stmt.where(Event.ends_at <= now)
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[Event.starts_at, Event.id],
        limit=limit,
        cursor=cursor,
        salt=f"events:{upcoming}",
        descending=upcoming is False,
    )
    return _views([r[0] for r in rows], user), next_cursor


# -- writing -----------------------------------------------------------------------------------------


def create_event(user: User, data: dict) -> dict:
    group_id = data.pop("group_id", None)
    if group_id is not None:
        group = db.session.get(Group, group_id)
        if group is None or not groups.can_see_inside(group, user.id):
            raise Invalid("No such group.", field="group_id")
        if not groups.is_member(group.id, user.id):
            raise Forbidden("Only members can create events for a group.")
    event = Event(organizer_id=user.id, group_id=group_id, **data)
    db.session.add(event)
    commit()
    return _view(event, None)


def _own(user: User, event_id: uuid.UUID) -> Event:
    event = _get_visible(user, event_id)
    if event.organizer_id != user.id:
        raise Forbidden("Only the organiser can change this event.")
    return event


def update_event(user: User, event_id: uuid.UUID, changes: dict) -> dict:
    event = _own(user, event_id)
    timezone = changes.get("timezone", event.timezone)
    for key in ("starts_at", "ends_at"):
        if key in changes:
            changes[key] = to_utc(changes[key], timezone)
    merged = {c.key: getattr(event, c.key) for c in Event.__table__.columns} | changes
    errors: dict[str, list[str]] = {}
    if merged["ends_at"] <= merged["starts_at"]:
        errors["ends_at"] = ["The event must end after it starts."]
    if not merged["online_url"] and not merged["location"]:
        errors["location"] = ["Give an online_url, a location, or both."]
    if merged["capacity"] is not None and merged["capacity"] < event.going_count:
        errors["capacity"] = [f"{event.going_count} people are already going; capacity cannot be lower."]
    if errors:
        raise Invalid(errors=errors)
    for key, value in changes.items():
        setattr(event, key, value)
    event.updated_at = utcnow()
    commit()
    return get_event(user, event_id)


def delete_event(user: User, event_id: uuid.UUID) -> None:
    db.session.delete(_own(user, event_id))
    commit()


def rsvp(user: User, event_id: uuid.UUID, status: str) -> dict:
    event = _get_visible(user, event_id)
    if event.ends_at <= utcnow():
        raise Conflict("This event is over.")
    # The counts move by the difference between the answer read below and the new one, so that read
    # must be settled: holding the event row, a double-clicked first answer waits and then finds the
    # first click's row (200, counted once) instead of both counting and one failing on the key.
    lock_in_order(Event.id, [event.id])
    current = db.session.execute(
        sa.select(EventRsvp)
        .where(EventRsvp.event_id == event.id, EventRsvp.user_id == user.id)
        # PostgreSQL cannot lock the outer-joined user row that the default eager load would add.
        .options(sa.orm.lazyload(EventRsvp.user))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    previous = current.status if current is not None else None
    if previous != status:
        going = (status == "going") - (previous == "going")
        interested = (status == "interested") - (previous == "interested")
        stmt = sa.update(Event).where(Event.id == event.id)
        if going > 0:
            stmt = stmt.where(sa.or_(Event.capacity.is_(None), Event.going_count < Event.capacity))
        result = db.session.execute(
            stmt.values(going_count=Event.going_count + going, interested_count=Event.interested_count + interested)
        )
        if result.rowcount == 0:
            raise Conflict("The event is full.")
        if current is None:
            current = EventRsvp(event_id=event.id, user_id=user.id, status=status)
            db.session.add(current)
        else:
            current.status = status
            current.updated_at = utcnow()
    commit()
    db.session.refresh(event)
    return {
        "event_id": event.id,
        "user_id": user.id,
        "status": status,
        "going_count": event.going_count,
        "interested_count": event.interested_count,
        "seats_left": _seats_left(event),
        "updated_at": current.updated_at,
    }


# -- people ----------------------------------------------------------------------------------------


def attendees(user: User, event_id: uuid.UUID, *, status: str, limit: int, cursor: str | None):
    event = _get_visible(user, event_id)
    stmt = sa.select(EventRsvp).where(
        EventRsvp.event_id == event.id,
        EventRsvp.status == status,
        EventRsvp.user_id.not_in(graph.hidden_ids(user.id)),
    )
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[EventRsvp.created_at, EventRsvp.user_id],
        limit=limit,
        cursor=cursor,
        salt="event-attendees",
        descending=False,
    )
    rsvps = [r[0] for r in rows]
    shown = visibility.levels(user, [r.user for r in rsvps])
    items = [
        {"user": visibility.shown_as(r.user, shown[r.user_id]), "status": r.status, "responded_at": r.updated_at}
        for r in rsvps
    ]
    return items, next_cursor


def _pending_with(user_id: uuid.UUID) -> sa.Select:
    return sa.union(
        sa.select(Connection.recipient_id).where(Connection.requester_id == user_id, Connection.status == "pending"),
        sa.select(Connection.requester_id).where(Connection.recipient_id == user_id, Connection.status == "pending"),
    )


def also_attending_query(user_id: uuid.UUID, *, limit: int) -> sa.Select:
    """SELECT ``(user_id, shared)``: the ``limit`` people sharing most events with ``user_id``.

    For the connection-suggestion score, which embeds it in its candidate query:
    excludes the person and people hidden by blocks; the caller drops existing
    connections as it does for every signal.
    """
    mine = sa.select(EventRsvp.event_id).where(EventRsvp.user_id == user_id, EventRsvp.status.in_(ATTENDING))
    shared = sa.func.count(sa.distinct(EventRsvp.event_id))
    return (
        sa.select(EventRsvp.user_id, shared.label("shared"))
        .where(
            EventRsvp.event_id.in_(mine),
            EventRsvp.status.in_(ATTENDING),
            EventRsvp.user_id != user_id,
            EventRsvp.user_id.not_in(graph.hidden_ids(user_id)),
        )
        .group_by(EventRsvp.user_id)
        .order_by(shared.desc())
        .limit(limit)
    )


def also_attending(user_id: uuid.UUID, *, limit: int = 500) -> dict[uuid.UUID, int]:
    """People who go to (or are interested in) the same events as ``user_id``, with the number shared."""
    rows = db.session.execute(also_attending_query(user_id, limit=limit)).all()
    return {other: count for other, count in rows}


def suggestions(user: User, event_id: uuid.UUID, *, limit: int) -> list[dict]:
    """Attendees of an event I am not connected to (nor have a pending request with)."""
    event = _get_visible(user, event_id)
    people = list(
        db.session.scalars(
            sa.select(User)
            .join(EventRsvp, EventRsvp.user_id == User.id)
            .where(
                EventRsvp.event_id == event.id,
                EventRsvp.status.in_(ATTENDING),
                User.id != user.id,
                User.id.not_in(graph.friend_ids(user.id)),
                User.id.not_in(graph.hidden_ids(user.id)),
                User.id.not_in(_pending_with(user.id)),
            )
        )
    )
    if not people:
        return []
    ids = [p.id for p in people]
    mutual = graph.mutual_counts(user.id, ids)
    shared = also_attending(user.id, limit=10_000)
    items = []
    for person in people:
        reasons = [f"Also attending {event.title}"]
        others = max(shared.get(person.id, 1) - 1, 0)
        if others:
            reasons.append(f"Attending {others} other event{'s' if others > 1 else ''} with you")
        if mutual.get(person.id):
            n = mutual[person.id]
            reasons.append(f"{n} mutual connection{'s' if n > 1 else ''}")
        score = 1.0 + others + 0.5 * mutual.get(person.id, 0)
        items.append(
            {"user": person, "score": score, "mutual_connections": mutual.get(person.id, 0), "reasons": reasons}
        )
    items.sort(key=lambda item: (-item["score"], item["user"].id.hex))
    return items[:limit]


# -- recommendations -------------------------------------------------------------------------------

GROUP_WEIGHT = 3.0
FRIEND_WEIGHT = 2.0
MAX_FRIENDS_COUNTED = 5
INDUSTRY_WEIGHT = 1.0
LOCATION_WEIGHT = 1.5
CANDIDATES = 300


def recommended(user: User, *, limit: int) -> list[dict]:
    """Upcoming events I have not answered: my groups' events, events my connections attend, nearby, my industry."""
    base = sa.and_(
        Event.ends_at > utcnow(),
        Event.organizer_id != user.id,
        _visible_clause(user.id),
        Event.organizer_id.not_in(graph.hidden_ids(user.id)),
        Event.id.not_in(sa.select(EventRsvp.event_id).where(EventRsvp.user_id == user.id)),
    )
    group_events = set(
        db.session.scalars(
            sa.select(Event.id).where(base, Event.group_id.in_(groups.member_group_ids(user.id))).limit(CANDIDATES)
        )
    )
    friends = dict(
        db.session.execute(
            sa.select(EventRsvp.event_id, sa.func.count())
            .join(Event, Event.id == EventRsvp.event_id)
            .where(
                base,
                EventRsvp.status.in_(ATTENDING),
                EventRsvp.user_id.in_(graph.friend_ids(user.id)),
                EventRsvp.user_id.not_in(graph.hidden_ids(user.id)),
            )
            .group_by(EventRsvp.event_id)
            .order_by(sa.func.count().desc())
            .limit(CANDIDATES)
        ).all()
    )
    industry_events: set = set()
    if user.industry:
        organizer = sa.orm.aliased(User)
        industry = user.industry.strip().lower()
        industry_events = set(
            db.session.scalars(
                sa.select(Event.id)
                .join(organizer, organizer.id == Event.organizer_id)
                .outerjoin(Group, Group.id == Event.group_id)
                .where(
                    base,
                    sa.or_(
                        # An organizer's industry counts only where their profile shows it to me.
                        sa.and_(
                            sa.func.lower(organizer.industry) == industry, visibility.profile_visible(user, organizer)
                        ),
                        sa.func.lower(Group.industry) == industry,
                    ),
                )
                .order_by(Event.starts_at)
                .limit(CANDIDATES)
            )
        )
    nearby: set = set()
    if user.location and user.location.strip():
        nearby = set(
            db.session.scalars(
                sa.select(Event.id)
                .where(base, sa.func.lower(Event.location).contains(user.location.strip().lower(), autoescape=True))
                .order_by(Event.starts_at)
                .limit(CANDIDATES)
            )
        )
    candidates = group_events | set(friends) | industry_events | nearby
    if not candidates:
        return []
    events = db.session.scalars(sa.select(Event).where(Event.id.in_(candidates))).unique().all()
    group_names = dict(
        db.session.execute(
            sa.select(Group.id, Group.name).where(Group.id.in_({e.group_id for e in events if e.group_id}))
        ).all()
    )
    scored = []
    for event in events:
        score, reasons = 0.0, []
        if event.id in group_events:
            score += GROUP_WEIGHT
            reasons.append(f"Event of your group {group_names[event.group_id]}")
        if friends.get(event.id):
            n = friends[event.id]
            score += FRIEND_WEIGHT * min(n, MAX_FRIENDS_COUNTED)
            reasons.append(f"{n} of your connections {'is' if n == 1 else 'are'} attending")
        if event.id in nearby:
            score += LOCATION_WEIGHT
            reasons.append(f"Near you: {event.location}")
        if event.id in industry_events:
            score += INDUSTRY_WEIGHT
            reasons.append("In your industry")
        scored.append((score, event, reasons))
    scored.sort(key=lambda t: (-t[0], t[1].starts_at, t[1].id.hex))
    top = scored[:limit]
    views = _views([event for _, event, _ in top], user)
    return [
        {"event": view, "score": round(score, 2), "reasons": reasons}
        for (score, _, reasons), view in zip(top, views, strict=True)
    ]


# -- calendar --------------------------------------------------------------------------------------


def to_ics(user: User, event_id: uuid.UUID) -> bytes:
    """RFC 5545 calendar with one VEVENT, times in the event's zone (with its VTIMEZONE)."""
    event = _get_visible(user, event_id)
    zone = zoneinfo.ZoneInfo(event.timezone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//networkapp//events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    vevent = icalendar.Event()
    # Stable across exports and hosts, so calendar clients update the entry instead of duplicating it.
    vevent.add("uid", f"{event.id}@networkapp")
    vevent.add("dtstamp", utcnow())
    vevent.add("dtstart", event.starts_at.astimezone(zone))
    vevent.add("dtend", event.ends_at.astimezone(zone))
    vevent.add("created", event.created_at)
    vevent.add("last-modified", event.updated_at)
    vevent.add("summary", event.title)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    elif event.online_url:
        vevent.add("location", event.online_url)
    if event.online_url:
        vevent.add("url", event.online_url)
    vevent.add("organizer", f"urn:uuid:{event.organizer_id}", parameters={"CN": event.organizer.full_name})
    calendar.add_component(vevent)
    if event.timezone != "UTC":
        calendar.add_missing_timezones()
    return calendar.to_ical()
