"""Benchmark the community recommendation endpoints on a large synthetic network.

    python bench/communities_bench.py --db sqlite --users 20000
    python bench/communities_bench.py --db postgres --users 100000 --pg-url postgresql+psycopg://...

Seeds users, skills, connections, groups, events, RSVPs, mentors and
experience with SQLAlchemy Core bulk inserts into a fresh database (a new
SQLite file, or the PostgreSQL database of ``--pg-url`` after dropping its
public schema: point it at a scratch database), then
times, server-side through the Flask test client, ``GET /api/groups/recommended``,
``GET /api/events/recommended`` and ``GET /api/mentorship/matches`` for
random signed-in users, next to a naive baseline that loads every candidate
row into Python and scores there (what the endpoints would cost without
SQL-side candidate selection).  Prints p50/p95/p99 and the ratios.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

INDUSTRIES = [f"Industry {n}" for n in range(20)]
LOCATIONS = [f"City {n}" for n in range(40)]
BATCH = 5000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per figure")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/na_test_communities")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def insert(conn, table, rows):
    for start in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[start : start + BATCH])


def seed(engine, n_users: int, rng: random.Random) -> dict:
    from networkapp.models import (
        Connection,
        ConnectionEdge,
        Event,
        EventRsvp,
        Experience,
        Group,
        GroupMember,
        MentorshipProfile,
        MentorshipSkill,
        User,
        UserSkill,
    )

    now = datetime.now(UTC)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        skill_ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM skills"))]
        skill_ids = [uuid.UUID(str(s)) if not isinstance(s, uuid.UUID) else s for s in skill_ids]
        users = [uuid.uuid4() for _ in range(n_users)]
        insert(
            conn,
            User.__table__,
            [
                {
                    "id": u,
                    "username": f"u{i}",
                    "email": f"u{i}@bench.example",
                    "password_hash": "x",
                    "first_name": f"F{i}",
                    "last_name": f"L{i}",
                    "industry": rng.choice(INDUSTRIES),
                    "location": rng.choice(LOCATIONS),
                    "created_at": now,
                    "profile_visibility": "public",
                }
                for i, u in enumerate(users)
            ],
        )
        # A few popular skills and a long tail, like real profiles.
        popular = skill_ids[:30]
        rows = []
        for u in users:
            for s in set(rng.sample(popular, 3) + rng.sample(skill_ids, 2)):
                rows.append(
                    {"user_id": u, "skill_id": s, "proficiency_level": rng.randint(1, 5), "years_experience": 1}
                )
        insert(conn, UserSkill.__table__, rows)

        pairs = set()
        for i, u in enumerate(users):
            for _ in range(5):
                j = rng.randrange(n_users)
                if j != i:
                    pairs.add(Connection.pair(u, users[j]))
        connections, edges = [], []
        for low, high in pairs:
            cid = uuid.uuid4()
            connections.append(
                {
                    "id": cid,
                    "requester_id": low,
                    "recipient_id": high,
                    "user_low_id": low,
                    "user_high_id": high,
                    "status": "accepted",
                    "created_at": now,
                }
            )
            edges += [
                {"user_id": low, "friend_id": high, "connection_id": cid, "created_at": now},
                {"user_id": high, "friend_id": low, "connection_id": cid, "created_at": now},
            ]
        insert(conn, Connection.__table__, connections)
        insert(conn, ConnectionEdge.__table__, edges)

        groups = [uuid.uuid4() for _ in range(max(n_users // 20, 10))]
        insert(
            conn,
            Group.__table__,
            [
                {
                    "id": g,
                    "name": f"Group {i}",
                    "industry": rng.choice(INDUSTRIES),
                    "visibility": "private" if i % 5 == 0 else "public",
                    "member_count": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, g in enumerate(groups)
            ],
        )
        members, counts = [], defaultdict(int)
        for u in users:
            for g in set(rng.choices(groups, k=3)):
                members.append({"group_id": g, "user_id": u, "role": "member", "joined_at": now})
                counts[g] += 1
        insert(conn, GroupMember.__table__, members)
        conn.execute(
            sa.update(Group.__table__).where(Group.__table__.c.id == sa.bindparam("gid")),
            [{"gid": g, "member_count": c} for g, c in counts.items()],
        )

        events = []
        for i in range(max(n_users // 20, 10)):
            start = now + timedelta(days=rng.randint(-30, 60), hours=rng.randint(0, 23))
            events.append(
                {
                    "id": uuid.uuid4(),
                    "organizer_id": rng.choice(users),
                    "group_id": rng.choice(groups) if i % 3 == 0 else None,
                    "title": f"Event {i}",
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "timezone": "UTC",
                    "location": rng.choice(LOCATIONS),
                    "going_count": 0,
                    "interested_count": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        insert(conn, Event.__table__, events)
        event_ids = [e["id"] for e in events]
        rsvps, going = [], defaultdict(int)
        for u in users:
            for e in set(rng.choices(event_ids, k=3)):
                rsvps.append({"event_id": e, "user_id": u, "status": "going", "created_at": now, "updated_at": now})
                going[e] += 1
        insert(conn, EventRsvp.__table__, rsvps)
        conn.execute(
            sa.update(Event.__table__).where(Event.__table__.c.id == sa.bindparam("eid")),
            [{"eid": e, "going_count": c} for e, c in going.items()],
        )

        mentors = rng.sample(users, max(n_users // 10, 5))
        insert(
            conn,
            MentorshipProfile.__table__,
            [
                {"user_id": m, "is_mentor": True, "mentor_capacity": 3, "is_mentee": False, "updated_at": now}
                for m in mentors
            ]
            + [
                {"user_id": u, "is_mentor": False, "mentor_capacity": 0, "is_mentee": True, "updated_at": now}
                for u in users[:1000]
                if u not in set(mentors)
            ],
        )
        topic_rows = [
            {"user_id": m, "kind": "topic", "skill_id": s} for m in mentors for s in set(rng.sample(popular, 3))
        ]
        goal_rows = [
            {"user_id": u, "kind": "goal", "skill_id": s}
            for u in users[:1000]
            if u not in set(mentors)
            for s in set(rng.sample(popular, 2))
        ]
        insert(conn, MentorshipSkill.__table__, topic_rows + goal_rows)

        experience = []
        for u in users:
            start = date(2000, 1, 1) + timedelta(days=rng.randint(0, 8000))
            middle = start + timedelta(days=rng.randint(300, 2000))
            experience += [
                {
                    "id": uuid.uuid4(),
                    "user_id": u,
                    "company": "A",
                    "position": rng.choice(["Engineer", "Analyst", "Designer"]),
                    "start_date": start,
                    "end_date": middle,
                    "is_current": False,
                    "created_at": now,
                },
                {
                    "id": uuid.uuid4(),
                    "user_id": u,
                    "company": "B",
                    "position": rng.choice(["Senior Engineer", "Manager", "Lead Designer"]),
                    "start_date": middle + timedelta(days=1),
                    "end_date": None,
                    "is_current": True,
                    "created_at": now,
                },
            ]
        insert(conn, Experience.__table__, experience)
    print(f"seeded {n_users} users in {time.perf_counter() - t0:.1f}s", flush=True)
    return {"users": users, "mentees": [u for u in users[:1000] if u not in set(mentors)]}


# -- naive baselines: load every candidate row, score in Python ------------------------------------


def naive_groups(session, user_id):
    from networkapp.models import ConnectionEdge, Group, GroupMember, User, UserSkill

    me = session.get(User, user_id)
    friends = set(session.scalars(sa.select(ConnectionEdge.friend_id).where(ConnectionEdge.user_id == user_id)))
    my_skills = set(session.scalars(sa.select(UserSkill.skill_id).where(UserSkill.user_id == user_id)))
    groups = session.scalars(sa.select(Group).where(Group.visibility == "public")).all()
    members = defaultdict(set)
    for gid, uid in session.execute(sa.select(GroupMember.group_id, GroupMember.user_id)):
        members[gid].add(uid)
    skills = defaultdict(set)
    for uid, sid in session.execute(sa.select(UserSkill.user_id, UserSkill.skill_id)):
        skills[uid].add(sid)
    scored = []
    for g in groups:
        if user_id in members[g.id]:
            continue
        shared = set().union(*(skills[m] for m in members[g.id])) & my_skills if members[g.id] else set()
        score = 3 * (g.industry == me.industry) + 2 * min(len(members[g.id] & friends), 5) + min(len(shared), 5)
        if score:
            scored.append((score, g.id))
    return sorted(scored, reverse=True)[:10]


def naive_events(session, user_id):
    from networkapp.models import ConnectionEdge, Event, EventRsvp, User

    me = session.get(User, user_id)
    friends = set(session.scalars(sa.select(ConnectionEdge.friend_id).where(ConnectionEdge.user_id == user_id)))
    events = session.scalars(sa.select(Event).where(Event.ends_at > datetime.now(UTC))).unique().all()
    attending = defaultdict(set)
    for eid, uid in session.execute(sa.select(EventRsvp.event_id, EventRsvp.user_id)):
        attending[eid].add(uid)
    scored = []
    for e in events:
        if user_id in attending[e.id]:
            continue
        score = 2 * min(len(attending[e.id] & friends), 5) + 1.5 * (e.location == me.location)
        if score:
            scored.append((score, e.id))
    return sorted(scored, reverse=True)[:10]


def naive_matches(session, user_id):
    from networkapp.models import Experience, MentorshipProfile, MentorshipSkill, User, UserSkill

    goals = set(
        session.scalars(
            sa.select(MentorshipSkill.skill_id).where(
                MentorshipSkill.user_id == user_id, MentorshipSkill.kind == "goal"
            )
        )
    )
    mentors = session.scalars(sa.select(MentorshipProfile).where(MentorshipProfile.is_mentor)).all()
    topics = defaultdict(set)
    for uid, sid in session.execute(
        sa.select(MentorshipSkill.user_id, MentorshipSkill.skill_id).where(MentorshipSkill.kind == "topic")
    ):
        topics[uid].add(sid)
    levels = defaultdict(dict)
    for uid, sid, level in session.execute(
        sa.select(UserSkill.user_id, UserSkill.skill_id, UserSkill.proficiency_level)
    ):
        levels[uid][sid] = level
    starts = {}
    for uid, start in session.execute(sa.select(Experience.user_id, Experience.start_date)):
        starts[uid] = min(start, starts.get(uid, start))
    users = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_([m.user_id for m in mentors])))}
    scored = []
    for m in mentors:
        if m.user_id == user_id:
            continue
        score = 3 * len(topics[m.user_id] & goals) + 0.4 * sum(v for k, v in levels[m.user_id].items() if k in goals)
        scored.append((score, users[m.user_id].id))
    return sorted(scored, reverse=True)[:20]


def percentiles(samples):
    samples = sorted(samples)
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), q[94], q[98]


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    if args.db == "sqlite":
        path = Path(tempfile.gettempdir()) / "communities-bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = args.pg_url
        admin = sa.create_engine(url)
        with admin.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        admin.dispose()
    os.environ["DATABASE_URL"] = url
    os.environ["RATELIMIT_ENABLED"] = "false"

    from flask_migrate import upgrade

    from networkapp import create_app
    from networkapp.auth.sessions import _digest
    from networkapp.extensions import db
    from networkapp.models import UserSession

    app = create_app("development")
    app.config.update(WTF_CSRF_ENABLED=False)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        data = seed(db.engine, args.users, rng)
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))

        sample = [rng.choice(data["users"]) for _ in range(args.requests)]
        mentee_sample = [rng.choice(data["mentees"]) for _ in range(args.requests)]
        tokens = {}
        with db.engine.begin() as conn:
            for u in set(sample) | set(mentee_sample):
                tokens[u] = secrets.token_urlsafe(16)
            insert(
                conn,
                UserSession.__table__,
                [{"id": _digest(t), "user_id": u, "created_at": datetime.now(UTC)} for u, t in tokens.items()],
            )

    client = app.test_client()

    def timed_endpoint(path, people):
        samples = []
        for u in people:
            with client.session_transaction() as session:
                session["_user_id"] = tokens[u]
                session["_fresh"] = True
            start = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.get_json()
        return percentiles(samples)

    def timed_naive(func, people):
        samples = []
        with app.app_context():
            for u in people[: max(len(people) // 10, 20)]:
                start = time.perf_counter()
                func(db.session, u)
                samples.append((time.perf_counter() - start) * 1000)
                db.session.rollback()
        return percentiles(samples)

    rows = [
        (
            "GET /api/groups/recommended",
            timed_endpoint("/api/groups/recommended", sample),
            timed_naive(naive_groups, sample),
        ),
        (
            "GET /api/events/recommended",
            timed_endpoint("/api/events/recommended", sample),
            timed_naive(naive_events, sample),
        ),
        (
            "GET /api/mentorship/matches",
            timed_endpoint("/api/mentorship/matches", mentee_sample),
            timed_naive(naive_matches, mentee_sample),
        ),
    ]
    print(f"\n{args.db}, {args.users} users, {args.requests} requests per endpoint (naive: a tenth, at least 20)")
    header = f"{'endpoint':32} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} | {'naive p50':>9} {'naive p95':>9}"
    print(f"{header} | {'p50 ratio':>9}")
    for name, (p50, p95, p99), (n50, n95, _) in rows:
        print(f"{name:32} {p50:8.1f} {p95:8.1f} {p99:8.1f} | {n50:9.1f} {n95:9.1f} | {n50 / p50:8.1f}x")


if __name__ == "__main__":
    main()
