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

Only people whose profile I may see in full and who may be listed to me
(``profiles.visibility.listable``: never a private profile, a connections-only
one only to its connections, who are never suggested) are candidates, so every
fact a reason names, and every point of a score, is one the profile shows me.
Mutual connections count only for people who show their network
(``visibility.shows_network``).

The ranking is cached per person (``suggestion_cache``); a page served from it
re-applies every exclusion and the visibility rule and counts mutual
connections afresh, so the cache may only be stale in its order, never in who
is shown or what their reasons tell.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from networkapp.connections import graph, paths, suggestion_cache
from networkapp.connections.services import DECLINE_COOLDOWN, _visible_user
from networkapp.database import among_param, built_once, commit, ids_value, serial_plans, utcnow
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
from networkapp.profiles import visibility

# Friends-of-friends are expanded from at most this many of my newest friends...
FRIENDS_EXPANDED = 150
# ...and a friend with more connections than this contributes only its newest HUB_SAMPLE.  At
# 100 000 people the rows aggregated for someone with ~160 friends of a few hundred connections
# each made the p95 (66 ms on SQLite); these bounds brought it to 42 ms.  The mutual counts shown
# are always exact (graph.mutual_counts); only the ranking's estimate uses the sample.
HUB_THRESHOLD = 250
HUB_SAMPLE = 100
# Re-checking a cached page: up to this many connections of mine, the people I must not be suggested
# are materialised; above it each of the page's people probes the keys instead (see ``allowed``).
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
    user: dict | None = None
    skills: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    overlapped: bool = False
    schools: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    events: int = 0
    network_shown: bool = True
    score: float = 0.0
    others: list[tuple[float, str]] = field(default_factory=list)


def excluded_ids(me, since=None) -> sa.CompoundSelect:
    """Everyone who must not be suggested to ``me`` (the set ``eligible`` probes for one person).

    ``me`` is an id, or a bound parameter in a statement built once (``since`` is then one too).
    """
    if since is None:
        since = utcnow() - DECLINE_COOLDOWN
    open_pair = sa.or_(
        Connection.status == "pending",
        sa.and_(Connection.status == "declined", Connection.responded_at > since),
    )
    me_column = me if isinstance(me, sa.ColumnElement) else sa.literal(me, sa.Uuid)
    # Flat: SQLite rejects a parenthesised compound (graph.hidden_ids is one) inside another.
    return sa.union_all(
        sa.select(me_column),
        graph.friend_ids(me),
        sa.select(Block.blocked_id).where(Block.blocker_id == me),
        sa.select(Block.blocker_id).where(Block.blocked_id == me),
        sa.select(SuggestionDismissal.dismissed_id).where(SuggestionDismissal.user_id == me),
        sa.select(Connection.recipient_id).where(Connection.requester_id == me, open_pair),
        sa.select(Connection.requester_id).where(Connection.recipient_id == me, open_pair),
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
    open_pair = sa.or_(
        Connection.status == "pending",
        sa.and_(Connection.status == "declined", Connection.responded_at > since),
    )
    # One probe per orientation of the pair: with an OR of both, PostgreSQL could not use the pair's
    # unique index and scanned every connection.
    return sa.and_(
        candidate != me_id,
        ~sa.exists().where(edge.c.user_id == me_id, edge.c.friend_id == candidate),
        ~sa.exists().where(Block.blocker_id == me_id, Block.blocked_id == candidate),
        ~sa.exists().where(Block.blocker_id == candidate, Block.blocked_id == me_id),
        ~sa.exists().where(SuggestionDismissal.user_id == me_id, SuggestionDismissal.dismissed_id == candidate),
        ~sa.exists().where(Connection.user_low_id == me_id, Connection.user_high_id == candidate, open_pair),
        ~sa.exists().where(Connection.user_low_id == candidate, Connection.user_high_id == me_id, open_pair),
    )


def allowed(candidate, me: User) -> sa.ColumnElement[bool]:
    """``eligible`` in the cheaper form for my degree, for re-checking a cached page's few people.

    With a few hundred connections, materialising everyone excluded is cheapest; for a hub's thousands,
    probing the keys of each of the page's people costs less.  (The candidate statement instead builds
    the excluded set once as a CTE for all its pools: ``_pool_statement``.)
    """
    if (me.connection_count or 0) <= MATERIALISED_EXCLUSIONS:
        return candidate.not_in(excluded_ids(me.id))
    return eligible(candidate, me.id)


def _typed_null(type_):
    return sa.cast(sa.null(), type_)


def _about_me_statement() -> sa.CompoundSelect:
    me = sa.bindparam("me", type_=sa.Uuid)
    friends = (
        sa.select(ConnectionEdge.friend_id, User.connection_count)
        .join(User, User.id == ConnectionEdge.friend_id)
        .where(ConnectionEdge.user_id == me)
        .order_by(ConnectionEdge.created_at.desc())
        .limit(FRIENDS_EXPANDED)
        .subquery()
    )
    text, day, number = _typed_null(sa.String), _typed_null(sa.Date), _typed_null(sa.Integer)
    return sa.union_all(
        sa.select(
            sa.literal("friend").label("kind"),
            friends.c.friend_id.label("ref"),
            friends.c.connection_count.label("degree"),
            text.label("name"),
            text.label("position"),
            day.label("start_date"),
            day.label("end_date"),
        ),
        sa.select(
            sa.literal("job"),
            _typed_null(sa.Uuid),
            number,
            Experience.company,
            Experience.position,
            Experience.start_date,
            Experience.end_date,
        ).where(Experience.user_id == me),
        sa.select(sa.literal("school"), _typed_null(sa.Uuid), number, Education.institution, text, day, day).where(
            Education.user_id == me
        ),
        sa.select(sa.literal("skill"), UserSkill.skill_id, number, text, text, day, day).where(UserSkill.user_id == me),
    )


def _about_me(me: User) -> tuple[list[tuple[uuid.UUID, int]], list[sa.Row], list[str], list[uuid.UUID]]:
    """My newest friends (with their degree), my jobs, my schools and my skills, in one statement."""
    statement = built_once(("about_me", FRIENDS_EXPANDED), _about_me_statement)
    rows = db.session.execute(statement, {"me": me.id}).all()
    friends = [(row.ref, row.degree) for row in rows if row.kind == "friend"]
    jobs = [row for row in rows if row.kind == "job"]
    schools = sorted({row.name for row in rows if row.kind == "school"})
    skills = [row.ref for row in rows if row.kind == "skill"]
    return friends, jobs, schools, skills


def _pool_statement(normal: bool, hubs: bool, industry: bool, location: bool, companies: bool, schools: bool):
    """Every candidate ``(candidate_id, mutual, events)``; one found by several pools appears once per pool.

    Bound at execution: ``me``, ``since`` (the decline cool-down's start), the ``normal`` and ``hubs``
    friends to expand, ``industry``, ``location``, ``companies`` and ``schools``.  SQLite takes no
    ORDER BY or LIMIT on the branch of a compound, so each bounded pool is wrapped in a subquery.
    """
    me = sa.bindparam("me", type_=sa.Uuid)
    # Built once for the statement and hashed by each pool, however large my network: probing the keys of
    # every edge a pool reads (``eligible``) cost a viewer with 600 connections 360 ms.
    excluded = excluded_ids(me, sa.bindparam("since")).cte("excluded")

    def allowed_(column):
        return column.not_in(sa.select(excluded.c[0]))

    def bounded(select: sa.Select) -> sa.Select:
        sub = select.subquery()
        return sa.select(sub.c[0].label("candidate_id"), sa.literal(0).label("mutual"), sa.literal(0).label("events"))

    edge = ConnectionEdge.__table__
    reach = []
    if normal:
        reach.append(
            sa.select(edge.c.friend_id.label("candidate_id")).where(
                among_param(edge.c.user_id, "normal"), allowed_(edge.c.friend_id)
            )
        )
    if hubs:
        # A hub's sample is its edges since its HUB_SAMPLE-th newest eligible one (or all, if it has fewer): one
        # join whatever the number of hubs.  (A LIMITed subquery per hub gave the statement a new shape for
        # every count of hubs.)  The (user_id, created_at, friend_id) index answers both lookups.
        newest = edge.alias("newest")
        nth = (
            sa.select(newest.c.created_at)
            .where(newest.c.user_id == User.id, allowed_(newest.c.friend_id))
            .order_by(newest.c.created_at.desc())
            .offset(HUB_SAMPLE - 1)
            .limit(1)
            .scalar_subquery()
        )
        oldest = sa.select(sa.func.min(newest.c.created_at)).where(newest.c.user_id == User.id).scalar_subquery()
        sample = (
            sa.select(User.id.label("hub_id"), sa.func.coalesce(nth, oldest).label("since"))
            .where(among_param(User.id, "hubs"))
            .subquery("hub_sample")
        )
        reach.append(
            sa.select(edge.c.friend_id.label("candidate_id"))
            .join(sample, sa.and_(edge.c.user_id == sample.c.hub_id, edge.c.created_at >= sample.c.since))
            .where(allowed_(edge.c.friend_id))
        )
    parts = []
    if reach:
        found = sa.union_all(*reach).subquery() if len(reach) > 1 else reach[0].subquery()
        mutual = sa.func.count()
        top = (
            sa.select(found.c.candidate_id, mutual.label("mutual"))
            .group_by(found.c.candidate_id)
            .order_by(mutual.desc(), found.c.candidate_id)
            .limit(FOF_POOL)
            .subquery()
        )
        parts.append(sa.select(top.c.candidate_id, top.c.mutual, sa.literal(0).label("events")))
    for wanted, column, name in ((industry, User.industry, "industry"), (location, User.location, "location")):
        if wanted:
            parts.append(
                bounded(
                    sa.select(User.id)
                    .where(column == sa.bindparam(name), allowed_(User.id), visibility.listable(me))
                    .order_by(User.connection_count.desc())
                    .limit(SIDE_POOL)
                )
            )
    for wanted, model, column, name in (
        (companies, Experience, Experience.company, "companies"),
        (schools, Education, Education.institution, "schools"),
    ):
        if wanted:
            parts.append(
                bounded(
                    sa.select(model.user_id)
                    .where(column.in_(sa.bindparam(name, expanding=True)), allowed_(model.user_id))
                    .distinct()
                    .limit(SIDE_POOL)
                )
            )
    from networkapp.events.services import also_attending_query

    events = also_attending_query(me, limit=EVENT_POOL).subquery()
    parts.append(
        sa.select(events.c.user_id.label("candidate_id"), sa.literal(0).label("mutual"), events.c.shared).where(
            allowed_(events.c.user_id)
        )
    )
    return sa.union_all(*parts)


def _pool(me: User, friends, companies: list[str], schools: list[str]) -> list[sa.Row]:
    normal = [friend_id for friend_id, count in friends if count <= HUB_THRESHOLD]
    hubs = [friend_id for friend_id, count in friends if count > HUB_THRESHOLD]
    shape = (bool(normal), bool(hubs), bool(me.industry), bool(me.location), bool(companies), bool(schools))
    statement = built_once(
        ("pool", *shape, FOF_POOL, SIDE_POOL, EVENT_POOL, HUB_SAMPLE), lambda: _pool_statement(*shape)
    )
    params = {"me": me.id, "since": utcnow() - DECLINE_COOLDOWN}
    for wanted, name, value in (
        (normal, "normal", ids_value(normal)),
        (hubs, "hubs", ids_value(hubs)),
        (me.industry, "industry", me.industry),
        (me.location, "location", me.location),
        (companies, "companies", companies),
        (schools, "schools", schools),
    ):
        if wanted:
            params[name] = value
    return db.session.execute(statement, params).all()


_FEATURE_LABELS = ("kind", "user_id", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "d1", "d2")


def _features_statement(skills: bool, jobs: bool, schools: bool) -> sa.CompoundSelect:
    """Tagged rows for the candidates bound as ``ids``: profile columns, and the skills, jobs and schools they
    share with me (bound as ``my_skills``, ``companies`` with ``positions``, and ``schools``)."""
    text, day = _typed_null(sa.String), _typed_null(sa.Date)

    def row(kind, user_id, *texts, dates=(day, day)):
        padded = list(texts) + [text] * (7 - len(texts))
        values = (sa.literal(kind) if isinstance(kind, str) else kind, user_id, *padded, *dates)
        return [value.label(label) for value, label in zip(values, _FEATURE_LABELS, strict=True)]

    # Candidates the visibility rule would not list to me get no profile row, so ``ranked`` drops them.
    parts = [
        sa.select(
            *row(
                sa.case(
                    (visibility.network_visible(sa.bindparam("me", type_=sa.Uuid), User), "user"),
                    else_="user_network_hidden",
                ),
                User.id,
                User.username,
                User.first_name,
                User.last_name,
                User.headline,
                User.profile_image_url,
                User.industry,
                User.location,
            )
        ).where(among_param(User.id, "ids"), visibility.listable(sa.bindparam("me", type_=sa.Uuid)))
    ]
    if skills:
        # My skills as values, not a subquery: the planner then probes each candidate's keys, where it
        # otherwise read everyone holding one of my skills.
        parts.append(
            sa.select(*row("skill", UserSkill.user_id, Skill.name))
            .join(Skill, Skill.id == UserSkill.skill_id)
            .where(
                among_param(UserSkill.user_id, "ids"), UserSkill.skill_id.in_(sa.bindparam("my_skills", expanding=True))
            )
        )
    if jobs:
        parts.append(
            sa.select(
                *row(
                    "job",
                    Experience.user_id,
                    Experience.company,
                    Experience.position,
                    dates=(Experience.start_date, Experience.end_date),
                )
            ).where(
                among_param(Experience.user_id, "ids"),
                sa.or_(
                    Experience.company.in_(sa.bindparam("companies", expanding=True)),
                    sa.func.lower(Experience.position).in_(sa.bindparam("positions", expanding=True)),
                ),
            )
        )
    if schools:
        parts.append(
            sa.select(*row("school", Education.user_id, Education.institution)).where(
                among_param(Education.user_id, "ids"),
                Education.institution.in_(sa.bindparam("schools", expanding=True)),
            )
        )
    return sa.union_all(*parts)


def _candidates(me: User) -> dict[uuid.UUID, Candidate]:
    """Every candidate with what scoring needs, in three statements whatever their number.

    What I bring (friends, jobs, schools, skills); who the candidates are; then, tagged
    by kind, their profile columns and the skills, jobs and schools they share with me.
    Round trips and planning, not reading, were most of a suggestion's cost on
    PostgreSQL.  The candidates travel back as one array rather than as a subquery:
    told their number, the planner probes each candidate's keys.
    """
    serial_plans()
    friends, my_jobs, my_schools, my_skills = _about_me(me)
    companies = sorted({job.name for job in my_jobs})
    positions = sorted({job.position.lower() for job in my_jobs if job.position})
    candidates: dict[uuid.UUID, Candidate] = {}
    for user_id, mutual, events in _pool(me, friends, companies, my_schools):
        c = candidates.get(user_id)
        if c is None:
            c = candidates[user_id] = Candidate(user_id=user_id)
        c.mutual = max(c.mutual, mutual)
        c.events = max(c.events, events)
    if not candidates:
        return candidates

    shape = (bool(my_skills), bool(my_jobs), bool(my_schools))
    statement = built_once(("features", *shape), lambda: _features_statement(*shape))
    params = {"ids": ids_value(candidates), "me": me.id}
    if my_skills:
        params["my_skills"] = my_skills
    if my_jobs:
        params["companies"], params["positions"] = companies, positions
    if my_schools:
        params["schools"] = my_schools
    jobs = []
    for kind, user_id, t1, t2, t3, t4, t5, t6, t7, d1, d2 in db.session.execute(statement, params).all():
        c = candidates[user_id]
        if kind in ("user", "user_network_hidden"):
            c.network_shown = kind == "user"
            c.user = {
                "id": user_id,
                "username": t1,
                "first_name": t2,
                "last_name": t3,
                "headline": t4,
                "profile_image_url": t5,
                "industry": t6,
                "location": t7,
                "network_shown": c.network_shown,
            }
        elif kind == "skill":
            c.skills.append(t1)
        elif kind == "job":
            jobs.append((c, t1, t2, d1, d2))
        elif t1 not in c.schools:
            c.schools.append(t1)
    for c in candidates.values():
        if len(c.skills) > 1:
            c.skills.sort()
        if not c.network_shown:
            # Whom they know is not mine to learn, so it neither scores nor explains them.
            c.mutual = 0
    today = utcnow().date()
    my_periods: dict[str, list] = {}
    for job in my_jobs:
        my_periods.setdefault(job.name, []).append((job.start_date, job.end_date))
    for c, company, position, start, end in jobs:
        if company in my_periods:
            if company not in c.companies:
                c.companies.append(company)
            c.overlapped = c.overlapped or any(
                _overlaps(start, end, mine_start, mine_end, today) for mine_start, mine_end in my_periods[company]
            )
        if position and position.lower() in positions and position not in c.positions:
            c.positions.append(position)
    return candidates


def _overlaps(a_start, a_end, b_start, b_end, today) -> bool:
    if a_start is None or b_start is None:
        return False
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
    """Fill ``c.score`` and ``c.others`` (the signals besides mutual connections, strongest first).

    The reasons shown are built from ``others`` for the page only (``reasons_with``).
    """
    user = c.user
    signals: list[tuple[float, str]] = []
    if c.companies:
        points = COMPANY_POINTS * min(len(c.companies), COMPANY_CAP) + (OVERLAP_BONUS if c.overlapped else 0)
        text = f"Also worked at {_join_names(c.companies)}"
        signals.append((points, text + (" at the same time" if c.overlapped and len(c.companies) == 1 else "")))
    if c.schools:
        signals.append((SCHOOL_POINTS * min(len(c.schools), SCHOOL_CAP), f"Also studied at {_join_names(c.schools)}"))
    if me.industry and user["industry"] == me.industry:
        signals.append((INDUSTRY_POINTS, f"Also works in {user['industry']}"))
    if me.location and user["location"] == me.location:
        signals.append((LOCATION_POINTS, f"Also based in {user['location']}"))
    if c.skills:
        signals.append((SKILL_POINTS * min(len(c.skills), SKILL_CAP), f"Both know {_join_names(c.skills)}"))
    if c.positions:
        signals.append((POSITION_POINTS, f"Also worked as {c.positions[0]}"))
    if c.events:
        signals.append((EVENT_POINTS * min(c.events, EVENT_CAP), f"Attending {_plural(c.events, 'event')} you attend"))
    signals.sort(key=lambda s: -s[0])
    c.others = signals
    c.score = float(sum(points for points, _ in signals) + (_mutual_signal(c.mutual)[0] if c.mutual else 0))


def ranked(me: User) -> list[Candidate]:
    """Every suggestion for ``me``, best first (a bounded list)."""
    result = []
    for c in _candidates(me).values():
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


def _ranking(me: User) -> tuple[list[Entry], dict[uuid.UUID, dict] | None]:
    """My ranking, from the cache when there is one; with the people's rows when just computed."""
    cached = suggestion_cache.load(me.id)
    if cached is not None:
        return [Entry.load(raw) for raw in cached], None
    fresh = ranked(me)
    entries = [Entry(c.user_id, c.score, c.mutual, c.others) for c in fresh]
    if suggestion_cache.store() is not None:
        suggestion_cache.save(me.id, [e.dump() for e in entries])
    return entries, {c.user_id: c.user for c in fresh}


def _still_eligible(me: User, entries: list[Entry]) -> dict[uuid.UUID, dict]:
    """Rows of the cached people who may still be suggested, in one query.

    The cached ranking may predate a connection, request, block or dismissal:
    every exclusion, and the visibility rule, is re-applied here, so none of those
    (a privacy change included) waits for the cache.
    """
    if not entries:
        return {}
    rows = db.session.execute(
        sa.select(*SUMMARY_COLUMNS, visibility.network_visible(me, User).label("network_shown")).where(
            User.id.in_([e.user_id for e in entries]), allowed(User.id, me), visibility.listable(me)
        )
    )
    return {row.id: row._asdict() for row in rows}


def _eligible_page(me: User, entries: list[Entry], limit: int):
    """The first ``limit`` cached people still eligible, whether more follow, and their rows.

    Only a window a little larger than the page is checked, so a request costs the same however long
    the ranking; the rest is checked (one more query) only when changes since caching emptied the window.
    """
    users: dict[uuid.UUID, dict] = {}
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
    # Nobody suggested is a connection, so a shared connection makes the 2nd degree and the others are 3rd or
    # further: only the third hop is searched, once per ranking (the answer is kept with the entry).
    unknown = [e for e in page if not exact.get(e.user_id) and e.far_degree is None]
    if unknown:
        found = paths.degrees(me.id, [e.user_id for e in unknown], beyond_second=True)
        for e in unknown:
            e.far_degree = found.get(e.user_id) or 0
        if suggestion_cache.store() is not None:
            suggestion_cache.update(me.id, [e.dump() for e in ranking])
    items = []
    for e in page:
        mutual, shown_score = exact.get(e.user_id, 0), e.score
        degree = 2 if mutual else (e.far_degree or None)
        if not users[e.user_id]["network_shown"]:
            # Their network is not mine to learn: no mutual reason or degree, and no mutual points even when
            # the ranking was cached before they hid it.
            shown_score -= _mutual_signal(e.mutual)[0] if e.mutual else 0
            mutual, degree = 0, None
        reasons = reasons_with(mutual, e.others)
        if degree in DEGREE_REASONS:
            reasons.append(DEGREE_REASONS[degree])
        user = {column.key: users[e.user_id][column.key] for column in SUMMARY_COLUMNS}
        # Filled here so the response annotation does not search the graph again for these people.
        user["connection_degree"] = degree
        items.append({"user": user, "score": shown_score, "mutual_connections": mutual, "reasons": reasons})
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
