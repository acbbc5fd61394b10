"""Mentorship: opt-in profiles, matching, requests, and career paths.

A mentor's open seats are ``mentor_capacity - active_mentee_count``; the
count moves only through a conditional UPDATE (accept) or a relative one
(end), so two acceptances racing for the last seat cannot both win.  At most
one pending-or-active mentorship exists per pair: a partial unique index.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import date
from itertools import pairwise

import sqlalchemy as sa

from networkapp import counters
from networkapp.connections import graph
from networkapp.database import commit, utcnow
from networkapp.errors import Conflict, Forbidden, Invalid, NotFound
from networkapp.extensions import db
from networkapp.models import (
    ConnectionEdge,
    Experience,
    MentorshipProfile,
    MentorshipRequest,
    MentorshipSkill,
    Skill,
    User,
    UserSkill,
)
from networkapp.notifications.services import notify
from networkapp.pagination import keyset_page
from networkapp.profiles import visibility

OPEN = ("pending", "active")

# -- profile -----------------------------------------------------------------------------------------


def _skills_by_name(names: list[str], field: str) -> list[Skill]:
    keys = list(dict.fromkeys(n.strip().lower() for n in names if n.strip()))
    if not keys:
        raise Invalid("Name at least one skill.", field=field)
    found = {s.name_key: s for s in db.session.scalars(sa.select(Skill).where(Skill.name_key.in_(keys)))}
    missing = [k for k in keys if k not in found]
    if missing:
        raise Invalid(errors={field: [f"Not in the skills catalogue: {', '.join(missing)}."]})
    return [found[k] for k in keys]


def _profile_view(user_id: uuid.UUID, profile: MentorshipProfile | None) -> dict:
    if profile is None:
        return {"user_id": user_id, "as_mentor": None, "as_mentee": None, "updated_at": None}
    skills = db.session.execute(
        sa.select(MentorshipSkill.kind, Skill.name)
        .join(Skill, Skill.id == MentorshipSkill.skill_id)
        .where(MentorshipSkill.user_id == user_id)
        .order_by(Skill.name)
    ).all()
    by_kind = defaultdict(list)
    for kind, name in skills:
        by_kind[kind].append(name)
    return {
        "user_id": user_id,
        "as_mentor": {
            "topics": by_kind["topic"],
            "capacity": profile.mentor_capacity,
            "bio": profile.mentor_bio,
            "active_mentees": profile.active_mentee_count,
        }
        if profile.is_mentor
        else None,
        "as_mentee": {"goals": by_kind["goal"], "bio": profile.mentee_bio} if profile.is_mentee else None,
        "updated_at": profile.updated_at,
    }


def get_profile(user: User) -> dict:
    return _profile_view(user.id, db.session.get(MentorshipProfile, user.id))


def _replace_skills(user_id: uuid.UUID, kind: str, skills: list[Skill]) -> None:
    db.session.execute(
        sa.delete(MentorshipSkill).where(MentorshipSkill.user_id == user_id, MentorshipSkill.kind == kind)
    )
    db.session.add_all(MentorshipSkill(user_id=user_id, kind=kind, skill_id=s.id) for s in skills)


def update_profile(user: User, data: dict) -> dict:
    profile = db.session.get(MentorshipProfile, user.id)
    if profile is None:
        profile = MentorshipProfile(user_id=user.id, active_mentee_count=0)
        db.session.add(profile)
        db.session.flush()
    if "as_mentor" in data:
        mentor = data["as_mentor"]
        if mentor is None:
            # Mentorships under way continue; nobody new can ask.
            profile.is_mentor = False
            _replace_skills(user.id, "topic", [])
        else:
            _replace_skills(user.id, "topic", _skills_by_name(mentor["topics"], "as_mentor.topics"))
            profile.is_mentor = True
            profile.mentor_capacity = mentor["capacity"]
            profile.mentor_bio = mentor.get("bio")
    if "as_mentee" in data:
        mentee = data["as_mentee"]
        if mentee is None:
            profile.is_mentee = False
            _replace_skills(user.id, "goal", [])
        else:
            _replace_skills(user.id, "goal", _skills_by_name(mentee["goals"], "as_mentee.goals"))
            profile.is_mentee = True
            profile.mentee_bio = mentee.get("bio")
    profile.updated_at = utcnow()
    commit()
    return get_profile(user)


# -- matching ----------------------------------------------------------------------------------------

TOPIC_WEIGHT = 3.0
PROFICIENCY_WEIGHT = 0.4  # per proficiency level (1..5) the mentor has in a goal skill
SENIORITY_IDEAL, SENIORITY_SOME, SENIORITY_FAR = 3.0, 1.0, 1.5
INDUSTRY_WEIGHT = 2.0
CONNECTED_WEIGHT, SHARED_WEIGHT = 2.0, 1.0
CANDIDATES = 500


def years_of_experience(rows: list[tuple[date | None, date | None]], today: date) -> float:
    """Years covered by positions, overlapping ones counted once; open-ended ones run to today."""
    spans = sorted((start, min(end or today, today)) for start, end in rows if start is not None and start <= today)
    total, current_start, current_end = 0, None, None
    for start, end in spans:
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).days
    return round(total / 365.25, 1)


def _years_by_user(user_ids: list[uuid.UUID]) -> dict[uuid.UUID, float]:
    rows = defaultdict(list)
    for user_id, start, end in db.session.execute(
        sa.select(Experience.user_id, Experience.start_date, Experience.end_date).where(
            Experience.user_id.in_(user_ids)
        )
    ):
        rows[user_id].append((start, end))
    today = date.today()
    return {u: years_of_experience(rows.get(u, []), today) for u in user_ids}


def _seniority(gap: float) -> tuple[float, str | None]:
    if 3 <= gap <= 15:
        return SENIORITY_IDEAL, f"{gap:g} more years of experience"
    if gap > 15:
        return SENIORITY_FAR, f"{gap:g} more years of experience"
    if gap > 0:
        return SENIORITY_SOME, f"{gap:g} more years of experience"
    return 0.0, None


def matches(user: User, *, limit: int) -> list[dict]:
    """Mentors with open seats ranked for me by skills, seniority, industry and network distance."""
    goal_ids = list(
        db.session.scalars(
            sa.select(MentorshipSkill.skill_id).where(
                MentorshipSkill.user_id == user.id,
                MentorshipSkill.kind == "goal",
                MentorshipSkill.user_id.in_(sa.select(MentorshipProfile.user_id).where(MentorshipProfile.is_mentee)),
            )
        )
    )
    open_mentors = sa.select(MentorshipProfile.user_id).where(
        MentorshipProfile.is_mentor,
        MentorshipProfile.active_mentee_count < MentorshipProfile.mentor_capacity,
        MentorshipProfile.user_id != user.id,
        MentorshipProfile.user_id.not_in(graph.hidden_ids(user.id)),
        MentorshipProfile.user_id.not_in(
            sa.select(MentorshipRequest.mentor_id).where(
                MentorshipRequest.mentee_id == user.id, MentorshipRequest.status.in_(OPEN)
            )
        ),
    )
    candidates: set[uuid.UUID] = set()
    if goal_ids:
        candidates |= set(
            db.session.scalars(
                sa.select(MentorshipSkill.user_id)
                .where(
                    MentorshipSkill.kind == "topic",
                    MentorshipSkill.skill_id.in_(goal_ids),
                    MentorshipSkill.user_id.in_(open_mentors),
                )
                .distinct()
                .limit(CANDIDATES)
            )
        )
        candidates |= set(
            db.session.scalars(
                sa.select(UserSkill.user_id)
                .join(User, User.id == UserSkill.user_id)
                .where(
                    UserSkill.skill_id.in_(goal_ids),
                    UserSkill.user_id.in_(open_mentors),
                    visibility.profile_visible(user),
                )
                .distinct()
                .limit(CANDIDATES)
            )
        )
    if user.industry:
        candidates |= set(
            db.session.scalars(
                sa.select(User.id)
                .where(
                    sa.func.lower(User.industry) == user.industry.strip().lower(),
                    User.id.in_(open_mentors),
                    visibility.profile_visible(user),
                )
                .limit(CANDIDATES)
            )
        )
    candidates |= set(
        db.session.scalars(
            sa.select(MentorshipProfile.user_id).where(
                MentorshipProfile.user_id.in_(graph.friend_ids(user.id)), MentorshipProfile.user_id.in_(open_mentors)
            )
        )
    )
    if not candidates:
        return []
    ids = list(candidates)
    mentors = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    # A mentor's profile facts (skills, career length, industry) rank and explain a match only where I could
    # read them on the profile: a private mentor is matched on the topics they offer and our network alone.
    rels = visibility.relations(user, mentors)
    readable = {i for i, m in mentors.items() if visibility.level(m, rels[i]) is visibility.Level.FULL}
    topics = defaultdict(set)
    for user_id, skill_id in db.session.execute(
        sa.select(MentorshipSkill.user_id, MentorshipSkill.skill_id).where(
            MentorshipSkill.user_id.in_(ids), MentorshipSkill.kind == "topic", MentorshipSkill.skill_id.in_(goal_ids)
        )
    ):
        topics[user_id].add(skill_id)
    proficiency = defaultdict(dict)
    for user_id, skill_id, level in db.session.execute(
        sa.select(UserSkill.user_id, UserSkill.skill_id, UserSkill.proficiency_level).where(
            UserSkill.user_id.in_(list(readable)), UserSkill.skill_id.in_(goal_ids)
        )
    ):
        proficiency[user_id][skill_id] = level
    names = dict(db.session.execute(sa.select(Skill.id, Skill.name).where(Skill.id.in_(goal_ids))).all())
    years = _years_by_user([*readable, user.id])
    friends = set(db.session.scalars(graph.friend_ids(user.id).where(ConnectionEdge.friend_id.in_(ids))))
    mutual = graph.mutual_counts(user.id, [i for i in ids if i not in friends])
    my_industry = (user.industry or "").strip().lower()

    results = []
    for mentor_id, mentor in mentors.items():
        score, reasons = 0.0, []
        taught = sorted(names[s] for s in topics[mentor_id])
        skilled = sorted(names[s] for s in proficiency[mentor_id] if s not in topics[mentor_id])
        score += TOPIC_WEIGHT * len(taught)
        score += PROFICIENCY_WEIGHT * sum(proficiency[mentor_id].values())
        if taught:
            reasons.append(f"Mentors in {', '.join(taught)}")
        if skilled:
            reasons.append(f"Skilled in {', '.join(skilled)}")
        if mentor_id in readable:
            points, reason = _seniority(round(years[mentor_id] - years[user.id], 1))
            score += points
            if reason:
                reasons.append(reason)
        if mentor_id in readable and my_industry and (mentor.industry or "").strip().lower() == my_industry:
            score += INDUSTRY_WEIGHT
            reasons.append(f"Works in your industry ({mentor.industry})")
        if mentor_id in friends:
            network = "connected"
            score += CONNECTED_WEIGHT
            reasons.append("You are connected")
        elif mutual.get(mentor_id) and visibility.shows_network(mentor, rels[mentor_id]):
            network = "shared_connections"
            score += SHARED_WEIGHT
            n = mutual[mentor_id]
            reasons.append(f"{n} shared connection{'s' if n > 1 else ''}")
        else:
            network = "none"
        results.append(
            {
                "mentor": mentor,
                "score": round(score, 2),
                "reasons": reasons,
                "topics": taught,
                "years_experience": years.get(mentor_id),
                "network": network,
            }
        )
    results.sort(key=lambda r: (-r["score"], r["mentor"].id.hex))
    return results[:limit]


# -- requests ----------------------------------------------------------------------------------------


def _visible_person(viewer: User, user_id: uuid.UUID, *, locked: bool = False) -> User:
    """``locked``: hold the pair's lock to the commit, so that no block lands before the write that follows."""
    person = db.session.get(User, user_id)
    if person is None or graph.is_blocked_between(viewer.id, user_id, lock=locked):
        raise NotFound("No such person.")
    return person


def request_mentorship(user: User, mentor_id: uuid.UUID, message: str | None) -> MentorshipRequest:
    if mentor_id == user.id:
        raise Invalid("You cannot mentor yourself.", field="mentor_id")
    mentor = _visible_person(user, mentor_id, locked=True)
    profile = db.session.get(MentorshipProfile, mentor.id)
    if profile is None or not profile.is_mentor:
        raise Invalid("This person is not offering mentorship.", field="mentor_id")
    existing = db.session.scalar(
        sa.select(MentorshipRequest.status).where(
            MentorshipRequest.mentor_id == mentor.id,
            MentorshipRequest.mentee_id == user.id,
            MentorshipRequest.status.in_(OPEN),
        )
    )
    if existing:
        raise Conflict(f"You already have a {existing} mentorship with this person.")
    if profile.active_mentee_count >= profile.mentor_capacity:
        raise Conflict("This mentor has no open seats.")
    request = MentorshipRequest(mentor_id=mentor.id, mentee_id=user.id, message=(message or "").strip() or None)
    db.session.add(request)
    db.session.flush()
    notify(mentor, "mentorship_request", actor=user, data={"request_id": str(request.id)})
    commit()
    return request


def _get_request(user: User, request_id: uuid.UUID) -> MentorshipRequest:
    request = db.session.get(MentorshipRequest, request_id)
    if request is None or user.id not in (request.mentor_id, request.mentee_id):
        raise NotFound("No such mentorship request.")
    return request


def _as_mentor(user: User, request_id: uuid.UUID) -> MentorshipRequest:
    request = _get_request(user, request_id)
    if request.mentor_id != user.id:
        raise Forbidden("Only the mentor can answer this request.")
    if request.status != "pending":
        raise Conflict(f"This request is already {request.status}.")
    # Across a block the request is hidden from both; answering it would reach the blocked person.
    if graph.is_blocked_between(request.mentor_id, request.mentee_id, lock=True):
        raise NotFound("No such mentorship request.")
    return request


def _moved(request: MentorshipRequest, old: str, new: str, **values) -> bool:
    """Change the status only if nobody else did since we read it (a double click, the other party)."""
    result = db.session.execute(
        sa.update(MentorshipRequest)
        .where(MentorshipRequest.id == request.id, MentorshipRequest.status == old)
        .values(status=new, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(request)
    return result.rowcount == 1


def _move(request: MentorshipRequest, old: str, new: str, **values) -> None:
    if not _moved(request, old, new, **values):
        raise Conflict("This request changed in the meantime; reload it.")


def accept(user: User, request_id: uuid.UUID) -> MentorshipRequest:
    request = _as_mentor(user, request_id)
    _move(request, "pending", "active", responded_at=utcnow())
    seat = db.session.execute(
        sa.update(MentorshipProfile)
        .where(
            MentorshipProfile.user_id == user.id,
            MentorshipProfile.active_mentee_count < MentorshipProfile.mentor_capacity,
        )
        .values(active_mentee_count=MentorshipProfile.active_mentee_count + 1)
    )
    if seat.rowcount == 0:
        raise Conflict("You have no open mentee seats: raise your capacity or end a mentorship first.")
    notify(request.mentee_id, "mentorship_accepted", actor=user, data={"request_id": str(request.id)})
    commit()
    return request


def decline(user: User, request_id: uuid.UUID) -> MentorshipRequest:
    request = _as_mentor(user, request_id)
    _move(request, "pending", "declined", responded_at=utcnow())
    commit()
    return request


def end(user: User, request_id: uuid.UUID) -> None:
    """The mentee withdraws a pending request; either side ends an active mentorship.

    Deleting one that is already over (withdrawn, declined, ended) changes nothing and is not an
    error, however the repeat comes: a second click, or the other side ending it at the same moment.
    """
    request = _get_request(user, request_id)
    if request.status == "pending" and request.mentee_id != user.id:
        raise Forbidden("Decline the request instead.")
    if request.status not in OPEN:
        return
    old, new = ("pending", "withdrawn") if request.status == "pending" else ("active", "ended")
    if not _moved(request, old, new, ended_at=utcnow()):
        if request.status in OPEN:
            raise Conflict("This request changed in the meantime; reload it.")
        return
    if new == "ended":
        counters.shift(MentorshipProfile.active_mentee_count, request.mentor_id, -1)
    commit()


def close_for_block(blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> None:
    """Close what is open between the two when one blocks the other (the caller holds the pair's lock).

    A pending request is declined when the mentor blocks and withdrawn when the mentee does; an
    active mentorship ends and gives its seat back, once for each row that really ended.
    """
    now = utcnow()
    pair = sa.or_(
        sa.and_(MentorshipRequest.mentor_id == blocker_id, MentorshipRequest.mentee_id == blocked_id),
        sa.and_(MentorshipRequest.mentor_id == blocked_id, MentorshipRequest.mentee_id == blocker_id),
    )
    by_mentor = MentorshipRequest.mentor_id == blocker_id
    db.session.execute(
        sa.update(MentorshipRequest)
        .where(pair, MentorshipRequest.status == "pending")
        .values(
            status=sa.case((by_mentor, "declined"), else_="withdrawn"),
            responded_at=sa.case((by_mentor, now), else_=MentorshipRequest.responded_at),
            ended_at=sa.case((by_mentor, MentorshipRequest.ended_at), else_=now),
        )
        .execution_options(synchronize_session=False)
    )
    ended = db.session.scalars(
        sa.update(MentorshipRequest)
        .where(pair, MentorshipRequest.status == "active")
        .values(status="ended", ended_at=now)
        .returning(MentorshipRequest.mentor_id)
        .execution_options(synchronize_session=False)
    ).all()
    for mentor_id in ended:
        db.session.execute(
            sa.update(MentorshipProfile)
            .where(MentorshipProfile.user_id == mentor_id)
            .values(active_mentee_count=MentorshipProfile.active_mentee_count - 1)
        )


def list_requests(user: User, *, role: str | None, status: str | None, limit: int, cursor: str | None):
    if role == "mentor":
        mine = MentorshipRequest.mentor_id == user.id
    elif role == "mentee":
        mine = MentorshipRequest.mentee_id == user.id
    else:
        mine = sa.or_(MentorshipRequest.mentor_id == user.id, MentorshipRequest.mentee_id == user.id)
    hidden = graph.hidden_ids(user.id)
    stmt = sa.select(MentorshipRequest).where(
        mine, MentorshipRequest.mentor_id.not_in(hidden), MentorshipRequest.mentee_id.not_in(hidden)
    )
    if status:
        stmt = stmt.where(MentorshipRequest.status == status)
    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=[MentorshipRequest.created_at, MentorshipRequest.id],
        limit=limit,
        cursor=cursor,
        salt=f"mentorship:{role}:{status}",
    )
    return [r[0] for r in rows], next_cursor


# -- career path -------------------------------------------------------------------------------------

MAX_PEERS = 2000  # people compared for "what came next"; plenty for a stable ranking


def normalise_title(title: str) -> str:
    # Case and surrounding spaces only: the same rule runs in SQL (lower(trim(...))) on every backend.
    return title.strip().lower()


def _months(start: date | None, end: date | None, today: date) -> int | None:
    if start is None:
        return None
    end = min(end or today, today)
    return max((end.year - start.year) * 12 + end.month - start.month, 0)


def _ordered(rows: list[Experience]) -> list[Experience]:
    return sorted(rows, key=lambda e: (e.start_date is None, e.start_date or date.min, e.created_at))


def career_path(viewer: User, user_id: uuid.UUID) -> dict:
    person = db.session.get(User, user_id)
    if person is None or not visibility.sees_in_full(viewer, person):
        raise NotFound("No such profile.")
    today = date.today()
    rows = _ordered(list(db.session.scalars(sa.select(Experience).where(Experience.user_id == person.id))))
    positions = [
        {
            "company": e.company,
            "position": e.position,
            "start_date": e.start_date,
            "end_date": e.end_date,
            "is_current": e.is_current,
            "duration_months": _months(e.start_date, e.end_date, today),
        }
        for e in rows
    ]
    transitions = [
        {
            "from_position": a.position,
            "to_position": b.position,
            "from_company": a.company,
            "to_company": b.company,
            "changed_company": a.company.strip().lower() != b.company.strip().lower(),
            "after_months": _months(a.start_date, a.end_date or b.start_date, today),
        }
        for a, b in pairwise(rows)
    ]
    latest = _latest(rows)
    return {
        "user_id": person.id,
        "positions": positions,
        "transitions": transitions,
        "total_years": years_of_experience([(e.start_date, e.end_date) for e in rows], today),
        "current_position": latest.position if latest else None,
        "common_next_positions": _common_next(viewer, person.id, latest.position) if latest else [],
    }


def _latest(rows: list[Experience]) -> Experience | None:
    current = [e for e in rows if e.is_current]
    return (current or rows or [None])[-1]


def _common_next(viewer: User, person_id: uuid.UUID, title: str, top: int = 5) -> list[dict]:
    """What people who held the same title (case and spacing aside) moved to next.

    Only careers ``viewer`` could read on the profiles: a count over hidden ones would tell them.
    """
    key = normalise_title(title)
    peers = (
        sa.select(Experience.user_id)
        .join(User, User.id == Experience.user_id)
        .where(
            sa.func.lower(sa.func.trim(Experience.position)) == key,
            Experience.user_id != person_id,
            visibility.profile_visible(viewer, User),
        )
        .distinct()
        .limit(MAX_PEERS)
    )
    by_user = defaultdict(list)
    for e in db.session.scalars(sa.select(Experience).where(Experience.user_id.in_(peers))):
        by_user[e.user_id].append(e)
    counts: Counter[str] = Counter()
    spelling: dict[str, Counter[str]] = defaultdict(Counter)
    for history in by_user.values():
        history = _ordered(history)
        taken: set[str] = set()
        for i, e in enumerate(history):
            if normalise_title(e.position) != key:
                continue
            following = next((n for n in history[i + 1 :] if normalise_title(n.position) != key), None)
            if following is not None:
                taken.add(normalise_title(following.position))
                spelling[normalise_title(following.position)][following.position.strip()] += 1
        # One vote per person, however often they came back to the title.
        counts.update(taken)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [{"position": spelling[k].most_common(1)[0][0], "count": n} for k, n in ranked]
