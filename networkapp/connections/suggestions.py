"""People you may know: bounded candidate pools, scored in Python.

The whole graph is never loaded.  Candidates come from a few pools, each
bounded by an index and a LIMIT (see docs/connections.md for the numbers):

* friends of friends, counted in SQL over ``connection_edges`` from my most
  recent friends; a hub friend contributes only its newest edges;
* the best-connected people in my industry and in my location;
* people who worked at my companies or studied at my schools;
* people going to the same events as me.

Everyone I must not be suggested (me, my connections, pending requests either
way, recently declined pairs, blocks either way, dismissals) is excluded in the
same SQL.  The union of the pools (a few hundred people at most) is then scored
with the documented formula, and pages are cut from that ranking by a signed
``(score, id)`` cursor.

The ranking is cached per person (``suggestion_cache``); a page served from it
re-applies every exclusion and counts mutual connections afresh, so the cache
may only be stale in its order, never in who is shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from networkapp.connections import graph, paths, suggestion_cache
from networkapp.connections.services import DECLINE_COOLDOWN, _visible_user
from networkapp.database import among, commit, utcnow
from networkapp.errors import BadRequest, Invalid
from networkapp.extensions import db
from networkapp.models import (
    Block,
    Connection,
    ConnectionEdge,
    Education,
    Experience,
    Skill,
    SuggestionDismissal,
    User,
    UserSkill,
)
from networkapp.pagination import decode_cursor, encode_cursor

# Friends-of-friends are expanded from at most this many of my newest friends...
FRIENDS_EXPANDED = 150
# ...and a friend with more connections than this contributes only its newest HUB_SAMPLE.  At
# 100 000 people the rows aggregated for someone with ~160 friends of a few hundred connections
# each made the p95 (66 ms on SQLite); these bounds brought it to 42 ms.  The mutual counts shown
# are always exact (graph.mutual_counts); only the ranking's estimate uses the sample.
HUB_THRESHOLD = 250
HUB_SAMPLE = 100
# Up to this many connections of mine, the people I must not be suggested are materialised once
# per query; above it each candidate probes the keys instead (see ``allowed``).
MATERIALISED_EXCLUSIONS = 500
# Size of each candidate pool.
FOF_POOL = 150
SIDE_POOL = 50

# The score (docs/connections.md): points per signal, with caps so no single signal dominates.
MUTUAL_POINTS, MUTUAL_CAP = 10, 10
COMPANY_POINTS, COMPANY_CAP, OVERLAP_BONUS = 15, 2, 10
SCHOOL_POINTS, SCHOOL_CAP = 10, 2
INDUSTRY_POINTS = 10
LOCATION_POINTS = 8
SKILL_POINTS, SKILL_CAP = 3, 5
POSITION_POINTS = 5
EVENT_POINTS, EVENT_CAP = 6, 3
# The same degrees of separation every person summary carries (networkapp.connections.paths).
DEGREE_REASONS = {2: "2nd-degree connection", 3: "3rd-degree connection"}
EVENT_POOL = 50


@dataclass
class Candidate:
    user_id: uuid.UUID
    mutual: int = 0
    user: sa.Row | None = None
    skills: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    overlapped: bool = False
    schools: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    events: int = 0
    score: float = 0.0
    others: list[tuple[float, str]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def excluded_ids(me_id: uuid.UUID) -> sa.CompoundSelect:
    """Everyone who must not be suggested to ``me_id`` (the set ``eligible`` probes for one person)."""
    since = utcnow() - DECLINE_COOLDOWN
    open_pair = sa.or_(
        Connection.status == "pending",
        sa.and_(Connection.status == "declined", Connection.responded_at > since),
    )
    # Flat: SQLite rejects a parenthesised compound (graph.hidden_ids is one) inside another.
    return sa.union_all(
        sa.select(sa.literal(me_id, sa.Uuid)),
        graph.friend_ids(me_id),
        sa.select(Block.blocked_id).where(Block.blocker_id == me_id),
        sa.select(Block.blocker_id).where(Block.blocked_id == me_id),
        sa.select(SuggestionDismissal.dismissed_id).where(SuggestionDismissal.user_id == me_id),
        sa.select(Connection.recipient_id).where(Connection.requester_id == me_id, open_pair),
        sa.select(Connection.requester_id).where(Connection.recipient_id == me_id, open_pair),
    )


def eligible(candidate, me_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """True when ``candidate`` (a column or bound value) may be suggested to ``me_id``.

    Excluded: me, my connections, pending requests either way, pairs declined in
    the cool-down (either direction), blocks either way, dismissals.  Each is a
    key probe per candidate (``NOT EXISTS``), not ``NOT IN`` over my whole
    network: a hub's thousands of connections were materialised for every pool,
    while a probe costs the same whatever my degree.
    """
    since = utcnow() - DECLINE_COOLDOWN
    # An alias: the candidate column often comes from connection_edges itself, and the probe must not
    # correlate to that outer row.
    edge = ConnectionEdge.__table__.alias("my_edges")
    pair = sa.or_(
        sa.and_(Connection.user_low_id == me_id, Connection.user_high_id == candidate),
        sa.and_(Connection.user_low_id == candidate, Connection.user_high_id == me_id),
    )
    open_pair = sa.or_(
        Connection.status == "pending",
        sa.and_(Connection.status == "declined", Connection.responded_at > since),
    )
    return sa.and_(
        candidate != me_id,
        ~sa.exists().where(edge.c.user_id == me_id, edge.c.friend_id == candidate),
        ~sa.exists().where(Block.blocker_id == me_id, Block.blocked_id == candidate),
        ~sa.exists().where(Block.blocker_id == candidate, Block.blocked_id == me_id),
        ~sa.exists().where(SuggestionDismissal.user_id == me_id, SuggestionDismissal.dismissed_id == candidate),
        ~sa.exists().where(pair, open_pair),
    )


def allowed(candidate, me: User) -> sa.ColumnElement[bool]:
    """``eligible`` in the cheaper form for my degree.

    With a few hundred connections, materialising everyone excluded once per query is cheapest; a hub's
    thousands would be materialised again by every pool, so hubs probe the keys of each candidate instead.
    """
    if (me.connection_count or 0) <= MATERIALISED_EXCLUSIONS:
        return candidate.not_in(excluded_ids(me.id))
    return eligible(candidate, me.id)


def _friends_of_friends(me: User) -> dict[uuid.UUID, int]:
    me_id = me.id
    friends = db.session.execute(
        sa.select(ConnectionEdge.friend_id, User.connection_count)
        .join(User, User.id == ConnectionEdge.friend_id)
        .where(ConnectionEdge.user_id == me_id)
        .order_by(ConnectionEdge.created_at.desc())
        .limit(FRIENDS_EXPANDED)
    ).all()
    if not friends:
        return {}
    edge = ConnectionEdge.__table__
    normal = [friend_id for friend_id, count in friends if count <= HUB_THRESHOLD]
    hubs = [friend_id for friend_id, count in friends if count > HUB_THRESHOLD]
    # Exclusions apply before a hub's LIMIT, so a sample is never wasted on people who cannot be suggested.
    # The many rows of normal friends are checked against the excluded set, materialised once (measured
    # faster than probing each row, or each group after GROUP BY); a hub's sample stops at HUB_SAMPLE
    # eligible rows, so probing those rows is cheaper than materialising my network for each hub.
    parts = []
    if normal:
        parts.append(
            sa.select(edge.c.friend_id.label("candidate_id")).where(
                among(edge.c.user_id, normal), edge.c.friend_id.not_in(excluded_ids(me_id))
            )
        )
    for hub in hubs:
        newest = (
            sa.select(edge.c.friend_id.label("candidate_id"))
            .where(edge.c.user_id == hub, allowed(edge.c.friend_id, me))
            .order_by(edge.c.created_at.desc())
            .limit(HUB_SAMPLE)
            .subquery()
        )
        parts.append(sa.select(newest.c.candidate_id))
    reach = sa.union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    mutual = sa.func.count().label("mutual")
    rows = db.session.execute(
        sa.select(reach.c.candidate_id, mutual)
        .group_by(reach.c.candidate_id)
        .order_by(mutual.desc(), reach.c.candidate_id)
        .limit(FOF_POOL)
    ).all()
    return dict(rows)


def _side_pools(me: User, my_companies: list[str], my_schools: list[str]) -> set[uuid.UUID]:
    ids: set[uuid.UUID] = set()
    for column, value in ((User.industry, me.industry), (User.location, me.location)):
        if value:
            ids.update(
                db.session.scalars(
                    sa.select(User.id)
                    .where(column == value, allowed(User.id, me))
                    .order_by(User.connection_count.desc())
                    .limit(SIDE_POOL)
                )
            )
    for model, column, values in (
        (Experience, Experience.company, my_companies),
        (Education, Education.institution, my_schools),
    ):
        if values:
            ids.update(
                db.session.scalars(
                    sa.select(model.user_id)
                    .where(column.in_(values), allowed(model.user_id, me))
                    .distinct()
                    .limit(SIDE_POOL)
                )
            )
    return ids


def _event_pool(me: User) -> dict[uuid.UUID, int]:
    """People at the same events as me (shared-event counts), minus everyone excluded."""
    from networkapp.events.services import also_attending

    shared = also_attending(me.id, limit=EVENT_POOL)
    if not shared:
        return {}
    kept = set(db.session.scalars(sa.select(User.id).where(User.id.in_(list(shared)), allowed(User.id, me))))
    return {user_id: count for user_id, count in shared.items() if user_id in kept}


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    if a_start is None or b_start is None:
        return False
    today = utcnow().date()
    return a_start <= (b_end or today) and b_start <= (a_end or today)


def _join_names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]}, {names[1]} and {len(names) - 2} more"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _mutual_signal(mutual: int) -> tuple[float, str]:
    return MUTUAL_POINTS * min(mutual, MUTUAL_CAP), _plural(mutual, "mutual connection")


def reasons_with(mutual: int, others: list) -> list[str]:
    """Reasons strongest first: ``others`` (already ordered) with the mutual signal placed as ``score`` places it."""
    signals = list(others)
    if mutual:
        points, text = _mutual_signal(mutual)
        # The mutual signal is added first, so it leads every signal with as many points.
        at = next((i for i, (p, _) in enumerate(signals) if p <= points), len(signals))
        signals.insert(at, (points, text))
    return [text for _, text in signals]


def score(me: User, c: Candidate) -> None:
    """Fill ``c.score``, ``c.others`` and ``c.reasons`` (strongest first) from the documented formula."""
    user = c.user
    signals: list[tuple[float, str]] = []
    if c.companies:
        points = COMPANY_POINTS * min(len(c.companies), COMPANY_CAP) + (OVERLAP_BONUS if c.overlapped else 0)
        text = f"Also worked at {_join_names(c.companies)}"
        signals.append((points, text + (" at the same time" if c.overlapped and len(c.companies) == 1 else "")))
    if c.schools:
        signals.append((SCHOOL_POINTS * min(len(c.schools), SCHOOL_CAP), f"Also studied at {_join_names(c.schools)}"))
    if me.industry and user.industry == me.industry:
        signals.append((INDUSTRY_POINTS, f"Also works in {user.industry}"))
    if me.location and user.location == me.location:
        signals.append((LOCATION_POINTS, f"Also based in {user.location}"))
    if c.skills:
        signals.append((SKILL_POINTS * min(len(c.skills), SKILL_CAP), f"Both know {_join_names(c.skills)}"))
    if c.positions:
        signals.append((POSITION_POINTS, f"Also worked as {c.positions[0]}"))
    if c.events:
        signals.append((EVENT_POINTS * min(c.events, EVENT_CAP), f"Attending {_plural(c.events, 'event')} you attend"))
    signals.sort(key=lambda s: -s[0])
    c.others = signals
    c.score = float(sum(points for points, _ in signals) + (_mutual_signal(c.mutual)[0] if c.mutual else 0))
    c.reasons = reasons_with(c.mutual, signals)


def _profile_features(me: User, candidates: dict[uuid.UUID, Candidate]) -> None:
    """Load what scoring needs for every candidate: four queries, whatever their number."""
    ids = list(candidates)
    # Plain rows, not ORM objects: hydrating hundreds of users would cost more than the queries.
    for user in db.session.execute(
        sa.select(
            User.id,
            User.username,
            User.first_name,
            User.last_name,
            User.headline,
            User.profile_image_url,
            User.industry,
            User.location,
        ).where(among(User.id, ids))
    ):
        candidates[user.id].user = user

    my_skills = dict(
        db.session.execute(
            sa.select(UserSkill.skill_id, Skill.name)
            .join(Skill, Skill.id == UserSkill.skill_id)
            .where(UserSkill.user_id == me.id)
        ).all()
    )
    if my_skills:
        rows = db.session.execute(
            sa.select(UserSkill.user_id, UserSkill.skill_id).where(
                among(UserSkill.user_id, ids), UserSkill.skill_id.in_(list(my_skills))
            )
        ).all()
        for user_id, skill_id in rows:
            candidates[user_id].skills.append(my_skills[skill_id])
        for c in candidates.values():
            c.skills.sort()

    my_jobs = db.session.execute(
        sa.select(Experience.company, Experience.position, Experience.start_date, Experience.end_date).where(
            Experience.user_id == me.id
        )
    ).all()
    companies = {job.company for job in my_jobs}
    positions = {job.position.lower() for job in my_jobs if job.position}
    if my_jobs:
        rows = db.session.execute(
            sa.select(
                Experience.user_id, Experience.company, Experience.position, Experience.start_date, Experience.end_date
            ).where(
                among(Experience.user_id, ids),
                sa.or_(Experience.company.in_(companies), sa.func.lower(Experience.position).in_(positions)),
            )
        )
        for job in rows:
            c = candidates[job.user_id]
            if job.company in companies:
                if job.company not in c.companies:
                    c.companies.append(job.company)
                c.overlapped = c.overlapped or any(
                    _overlaps(job.start_date, job.end_date, mine.start_date, mine.end_date)
                    for mine in my_jobs
                    if mine.company == job.company
                )
            if job.position and job.position.lower() in positions and job.position not in c.positions:
                c.positions.append(job.position)

    my_schools = set(db.session.scalars(sa.select(Education.institution).where(Education.user_id == me.id)))
    if my_schools:
        rows = db.session.execute(
            sa.select(Education.user_id, Education.institution)
            .where(among(Education.user_id, ids), Education.institution.in_(my_schools))
            .distinct()
        ).all()
        for user_id, institution in rows:
            candidates[user_id].schools.append(institution)


def ranked(me: User) -> list[Candidate]:
    """Every suggestion for ``me``, best first (a bounded list)."""
    fof = _friends_of_friends(me)
    my_companies = list(db.session.scalars(sa.select(Experience.company).where(Experience.user_id == me.id).distinct()))
    my_schools = list(db.session.scalars(sa.select(Education.institution).where(Education.user_id == me.id).distinct()))
    events = _event_pool(me)
    ids = set(fof) | _side_pools(me, my_companies, my_schools) | set(events)
    if not ids:
        return []
    candidates = {
        user_id: Candidate(user_id=user_id, mutual=fof.get(user_id, 0), events=events.get(user_id, 0))
        for user_id in ids
    }
    _profile_features(me, candidates)
    result = []
    for c in candidates.values():
        if c.user is None:
            continue
        score(me, c)
        if c.score > 0:
            result.append(c)
    result.sort(key=lambda c: (-c.score, c.user_id.hex))
    return result


@dataclass
class Entry:
    """One ranked person as the cache keeps it: no profile data, only what ordering and reasons need."""

    user_id: uuid.UUID
    score: float
    mutual: int
    others: list
    # Degree when we share no connection (3, or 0 for further), learnt when first shown; None until then.
    far_degree: int | None = None

    def dump(self) -> list:
        return [self.user_id.hex, self.score, self.mutual, [list(s) for s in self.others], self.far_degree]

    @classmethod
    def load(cls, raw: list) -> Entry:
        user_hex, entry_score, mutual, others, far_degree = raw
        return cls(uuid.UUID(hex=user_hex), entry_score, mutual, [tuple(s) for s in others], far_degree)


SUMMARY_COLUMNS = (User.id, User.username, User.first_name, User.last_name, User.headline, User.profile_image_url)


def _ranking(me: User) -> tuple[list[Entry], dict[uuid.UUID, sa.Row] | None]:
    """My ranking, from the cache when there is one; with the people's rows when just computed."""
    cached = suggestion_cache.load(me.id)
    if cached is not None:
        return [Entry.load(raw) for raw in cached], None
    fresh = ranked(me)
    entries = [Entry(c.user_id, c.score, c.mutual, c.others) for c in fresh]
    suggestion_cache.save(me.id, [e.dump() for e in entries])
    return entries, {c.user_id: c.user for c in fresh}


def _still_eligible(me: User, entries: list[Entry]) -> dict[uuid.UUID, sa.Row]:
    """Rows of the cached people who may still be suggested, in one query.

    The cached ranking may predate a connection, request, block or dismissal:
    every exclusion is re-applied here, so none of those waits for the cache.
    """
    if not entries:
        return {}
    rows = db.session.execute(
        sa.select(*SUMMARY_COLUMNS).where(User.id.in_([e.user_id for e in entries]), allowed(User.id, me))
    )
    return {row.id: row for row in rows}


def _eligible_page(me: User, entries: list[Entry], limit: int):
    """The first ``limit`` cached people still eligible, whether more follow, and their rows.

    Only a window a little larger than the page is checked, so a request costs the same however long
    the ranking; the rest is checked (one more query) only when changes since caching emptied the window.
    """
    users: dict[uuid.UUID, sa.Row] = {}
    kept: list[Entry] = []
    start, window = 0, 2 * limit + 10
    while start < len(entries) and len(kept) <= limit:
        chunk = entries[start : start + window]
        users.update(_still_eligible(me, chunk))
        kept.extend(e for e in chunk if e.user_id in users)
        start, window = start + window, len(entries)
    return kept[:limit], len(kept) > limit, users


def suggest(me: User, *, limit: int, cursor: str | None):
    after = None
    if cursor:
        after_score, after_hex = decode_cursor(cursor, "suggestions", 2)
        if not isinstance(after_score, int | float) or not isinstance(after_hex, str):
            raise BadRequest("The cursor is invalid or has been tampered with.")
        after = (-after_score, after_hex)
    entries, users = _ranking(me)
    ranking = entries
    if after is not None:
        entries = [e for e in entries if (-e.score, e.user_id.hex) > after]
    if users is None:
        page, more, users = _eligible_page(me, entries, limit)
    else:
        page, more = entries[:limit], len(entries) > limit
    # Rankings count mutuals over a sample of hub friends (and may be minutes old): show the exact number.
    exact = graph.mutual_counts(me.id, [e.user_id for e in page])
    # Nobody suggested is a connection, so a shared connection makes the 2nd degree.  The others need a graph
    # search (their connections are often many), done once per ranking: the answer is kept with the entry.
    unknown = [e for e in page if not exact.get(e.user_id) and e.far_degree is None]
    if unknown:
        found = paths.degrees(me.id, [e.user_id for e in unknown])
        for e in unknown:
            e.far_degree = found.get(e.user_id) or 0
        suggestion_cache.update(me.id, [e.dump() for e in ranking])
    items = []
    for e in page:
        mutual = exact.get(e.user_id, 0)
        degree = 2 if mutual else (e.far_degree or None)
        reasons = reasons_with(mutual, e.others)
        if degree in DEGREE_REASONS:
            reasons.append(DEGREE_REASONS[degree])
        user = {column.key: getattr(users[e.user_id], column.key) for column in SUMMARY_COLUMNS}
        # Filled here so the response annotation does not search the graph again for these people.
        user["connection_degree"] = degree
        items.append({"user": user, "score": e.score, "mutual_connections": mutual, "reasons": reasons})
    next_cursor = encode_cursor((page[-1].score, page[-1].user_id.hex), "suggestions") if more and page else None
    return items, next_cursor


def dismiss(me: User, user_id: uuid.UUID) -> None:
    """Hide ``user_id`` from my suggestions; dismissing twice is harmless."""
    if user_id == me.id:
        raise Invalid("You cannot dismiss yourself.", field="user_id")
    _visible_user(me, user_id)
    if db.session.get(SuggestionDismissal, (me.id, user_id)) is None:
        db.session.add(SuggestionDismissal(user_id=me.id, dismissed_id=user_id, created_at=utcnow()))
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            pass  # dismissed concurrently: the outcome is the same
    commit()
