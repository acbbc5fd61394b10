"""Network analytics for the signed-in person (formulas in docs/connections.md)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from networkapp.connections import graph
from networkapp.database import utcnow
from networkapp.extensions import db
from networkapp.models import (
    Connection,
    ConnectionEdge,
    Education,
    Experience,
    ProfileView,
    SkillEndorsement,
    User,
    UserSkill,
)
from networkapp.profiles import visibility

GROWTH_PERIODS = 12
BREAKDOWN_ROWS = 10
# Mutual density is measured over my newest connections only, so it costs the same for a hub.
DENSITY_SAMPLE = 200
RECENT_DAYS = 30
SIZE_FOR_FULL_SCORE = 500
WEIGHTS = {"size": 0.35, "diversity": 0.25, "mutual_density": 0.20, "recent_interaction": 0.20}


def _week_starts(today: date) -> list[date]:
    this_week = today - timedelta(days=today.weekday())
    return [this_week - timedelta(weeks=k) for k in range(GROWTH_PERIODS - 1, -1, -1)]


def _month_starts(today: date) -> list[date]:
    starts = []
    year, month = today.year, today.month
    for _ in range(GROWTH_PERIODS):
        starts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def growth(me: User, today: date) -> list[dict]:
    weeks, months = _week_starts(today), _month_starts(today)
    earliest = min(weeks[0], months[0])
    since = datetime(earliest.year, earliest.month, earliest.day, tzinfo=utcnow().tzinfo)
    mine = ConnectionEdge.user_id == me.id
    before = db.session.scalar(
        sa.select(sa.func.count()).select_from(ConnectionEdge).where(mine, ConnectionEdge.created_at < since)
    )
    days = sorted(
        created.date()
        for created in db.session.scalars(
            sa.select(ConnectionEdge.created_at).where(mine, ConnectionEdge.created_at >= since)
        )
    )

    def period(kind: str, start: date, end: date) -> dict:
        new = sum(1 for d in days if start <= d < end)
        total = before + sum(1 for d in days if d < end)
        return {"period": kind, "start": start, "new_connections": new, "total": total}

    return [period("week", w, w + timedelta(weeks=1)) for w in weeks] + [
        period("month", m, _next_month(m)) for m in months
    ]


def views_trend(me: User, today: date) -> list[dict]:
    """Recorded views per week (signed-in viewers, one per viewer and day; anonymous views only add to the total)."""
    weeks = _week_starts(today)
    days = db.session.scalars(
        sa.select(ProfileView.viewed_on).where(ProfileView.profile_id == me.id, ProfileView.viewed_on >= weeks[0])
    ).all()
    return [{"start": w, "views": sum(1 for d in days if w <= d < w + timedelta(weeks=1))} for w in weeks]


def reach(me: User) -> dict:
    """How many people my network reaches: 1st degree (connections) and 2nd degree.

    Second degree has the meaning ``connection_degree`` gives it everywhere
    (networkapp.connections.paths): shares a connection with me, is not one, is
    not me and is not blocked either way.  One SQL count over connection_edges.
    """
    mine = ConnectionEdge.__table__.alias("mine")
    theirs = ConnectionEdge.__table__.alias("theirs")
    hidden = graph.hidden_ids(me.id)
    second = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(theirs.c.friend_id)))
        .select_from(mine.join(theirs, theirs.c.user_id == mine.c.friend_id))
        .where(
            mine.c.user_id == me.id,
            theirs.c.friend_id != me.id,
            theirs.c.friend_id.not_in(graph.friend_ids(me.id)),
            theirs.c.friend_id.not_in(hidden),
            mine.c.friend_id.not_in(hidden),
        )
    )
    return {"first_degree": me.connection_count, "second_degree": second or 0}


def _breakdown(me: User, column) -> tuple[list[dict], list[int]]:
    """Connections counted by ``column``; a connection whose profile hides it from me counts as unknown (null).

    Counting their value would tell it: one private connection would read "Paris 100 %".
    """
    value = sa.case((visibility.profile_visible(me, User), column), else_=sa.null()).label("value")
    rows = db.session.execute(
        sa.select(value, sa.func.count().label("n"))
        .select_from(ConnectionEdge)
        .join(User, User.id == ConnectionEdge.friend_id)
        .where(ConnectionEdge.user_id == me.id)
        .group_by(value)
        .order_by(sa.desc("n"), value)
    ).all()
    total = sum(n for _, n in rows)
    shown = [{"value": value, "count": n, "percent": round(100 * n / total, 1)} for value, n in rows[:BREAKDOWN_ROWS]]
    return shown, [n for _, n in rows]


def _mutual_density(me: User) -> int:
    sample = list(
        db.session.scalars(
            sa.select(ConnectionEdge.friend_id)
            .where(ConnectionEdge.user_id == me.id)
            .order_by(ConnectionEdge.created_at.desc())
            .limit(DENSITY_SAMPLE)
        )
    )
    k = len(sample)
    if k < 2:
        return 0
    directed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ConnectionEdge)
        .where(ConnectionEdge.user_id.in_(sample), ConnectionEdge.friend_id.in_(sample))
    )
    return round(100 * (directed / 2) / (k * (k - 1) / 2))


def _recent_events(me: User, since: datetime) -> int:
    new_connections = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ConnectionEdge)
        .where(ConnectionEdge.user_id == me.id, ConnectionEdge.created_at >= since)
    )
    endorsements = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SkillEndorsement)
        .where(
            sa.or_(SkillEndorsement.endorser_id == me.id, SkillEndorsement.endorsee_id == me.id),
            SkillEndorsement.created_at >= since,
        )
    )
    return new_connections + endorsements


def strength(me: User, industry_counts: list[int], recent_events: int) -> dict:
    n = sum(industry_counts)
    total = sum(industry_counts)
    components = {
        "size": round(min(100, 100 * math.log(1 + n) / math.log(1 + SIZE_FOR_FULL_SCORE))),
        "diversity": round(100 * (1 - sum((c / total) ** 2 for c in industry_counts))) if total else 0,
        "mutual_density": _mutual_density(me),
        "recent_interaction": min(100, 20 * recent_events),
    }
    score = round(sum(WEIGHTS[name] * value for name, value in components.items()))
    return {"score": score, "components": components}


def _people_here(me: User, model, column) -> int:
    """People from my companies or schools, not yet connected, whose profile shows me that they were there."""
    mine = sa.select(column).where(model.user_id == me.id)
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(model.user_id)))
        .join(User, User.id == model.user_id)
        .where(
            column.in_(mine),
            model.user_id != me.id,
            model.user_id.not_in(graph.friend_ids(me.id)),
            visibility.profile_visible(me, User),
        )
    )


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


def recommendations(me: User, breakdown: list[dict], components: dict) -> list[str]:
    tips = []
    colleagues = _people_here(me, Experience, Experience.company)
    if colleagues:
        tips.append(f"{_people(colleagues)} from your past companies {'is' if colleagues == 1 else 'are'} here")
    alumni = _people_here(me, Education, Education.institution)
    if alumni:
        tips.append(f"{_people(alumni)} from your schools {'is' if alumni == 1 else 'are'} here")
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Connection)
        .where(Connection.recipient_id == me.id, Connection.status == "pending")
    )
    if pending:
        tips.append(f"Answer your {pending} pending connection request{'s' if pending != 1 else ''}")
    skills = db.session.scalar(sa.select(sa.func.count()).select_from(UserSkill).where(UserSkill.user_id == me.id))
    if skills < 3:
        tips.append("Complete your skills to get endorsed: list at least 3")
    if me.connection_count < 10:
        more = 10 - me.connection_count
        tips.append(f"Connect with {_people(more).replace(' ', ' more ', 1)} to reach 10 connections")
    if me.connection_count >= 5 and components["diversity"] < 30 and breakdown:
        tips.append(f"Most of your network is in {breakdown[0]['value'] or 'one industry'}: connect beyond it")
    if me.connection_count and components["recent_interaction"] == 0:
        tips.append("Endorse a connection's skills to keep in touch")
    return tips


def network(me: User) -> dict:
    now = utcnow()
    industry, industry_counts = _breakdown(me, User.industry)
    location, _ = _breakdown(me, User.location)
    network_strength = strength(me, industry_counts, _recent_events(me, now - timedelta(days=RECENT_DAYS)))
    return {
        "connection_count": me.connection_count,
        "growth": growth(me, now.date()),
        "industry_breakdown": industry,
        "location_breakdown": location,
        "reach": reach(me),
        "profile_views": me.profile_views,
        "profile_views_trend": views_trend(me, now.date()),
        "network_strength": network_strength,
        "recommendations": recommendations(me, industry, network_strength["components"]),
    }
