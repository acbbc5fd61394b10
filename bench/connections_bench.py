"""Benchmark: suggestions and mutual-connection counts on a large generated graph.

    python bench/connections_bench.py --db sqlite --users 20000 --edges 200000
    python bench/connections_bench.py --db postgres --users 100000 --edges 1000000
    python bench/connections_bench.py --reuse --sqlite-path bench/.data/scale-u20000_s2024.db --cache-figures

Seeds a fresh database (SQLite file, or the PostgreSQL database given by
--pg-url, whose schema is dropped and recreated) with a power-law graph: a few
hubs of 5 000-10 000 connections and a Pareto tail for everyone else, plus
skills and one job per person.  Then it times, server-side through the Flask
app, the suggestions endpoint, the mutual-count helper and the connections
list, ``GET /api/ping`` as the run's baseline, and the naive approach (Python
loops over every friend of every friend)
for the same people, and prints p50/p95/p99 with the ratios.  Before timing, the pages of
``--warmup`` people outside the sample are requested untimed, as a running server's would have been.

``--cache-figures`` measures instead, on an existing database (such as the one
``make bench`` seeds), the suggestion goals of issue 9 in process: the plain
friends-of-friends self-join for the biggest hub, suggestions computed afresh
(caching off) and served from the ranking cache, for the hub and a typical
(median-degree) person, each beside ``GET /api/ping`` timed in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INDUSTRIES = [f"Industry {i}" for i in range(25)]
LOCATIONS = [f"City {i}" for i in range(60)]
COMPANIES = [f"Company {i}" for i in range(400)]
BATCH = 5000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=None, help="accepted connections (default: 10 per user)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per figure")
    parser.add_argument(
        "--warmup",
        type=int,
        default=20,
        help="people outside the sample whose pages are requested, untimed, before timing starts",
    )
    parser.add_argument("--sqlite-path", default=str(Path(tempfile.gettempdir()) / "connections-bench.db"))
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/na_bench_connections")
    parser.add_argument("--reuse", action="store_true", help="skip seeding (the database is already seeded)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache-figures", action="store_true", help="suggestion cache figures (see above)")
    return parser.parse_args()


def database_url(args) -> str:
    if args.db == "sqlite":
        return f"sqlite:///{Path(args.sqlite_path).resolve()}"
    host = sa.engine.make_url(args.pg_url).host
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("benchmarks run against 127.0.0.1 only")
    return args.pg_url


def fresh_schema(args, url: str) -> None:
    if args.db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(args.sqlite_path + suffix).unlink(missing_ok=True)
    else:
        target = sa.engine.make_url(url)
        admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}):
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
        admin.dispose()
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()


def make_app(url: str):
    os.environ["TEST_DATABASE_URL"] = url
    from networkapp import create_app

    return create_app("testing")


def degrees(rng: random.Random, users: int, edges: int) -> list[float]:
    """Target degrees: hubs of 5k-10k, a Pareto tail for the rest, summing to 2 * edges."""
    hubs = max(3, users // 10_000)
    hub_degrees = [rng.randint(5_000, 10_000) for _ in range(hubs)]
    tail = [min(1_000.0, rng.paretovariate(1.8)) for _ in range(users - hubs)]
    scale = max(0.0, 2 * edges - sum(hub_degrees)) / sum(tail)
    return hub_degrees + [t * scale for t in tail]


def generate_pairs(rng: random.Random, users: int, edges: int) -> set[tuple[int, int]]:
    weights = degrees(rng, users, edges)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < edges:
        need = edges - len(pairs)
        ends = rng.choices(range(users), weights=weights, k=2 * need + 1000)
        for a, b in zip(ends[::2], ends[1::2], strict=False):
            if a != b:
                pairs.add((a, b) if a < b else (b, a))
                if len(pairs) >= edges:
                    break
    return pairs


def insert(conn, table, rows: list[dict], label: str) -> None:
    for start in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[start : start + BATCH])
        done = min(start + BATCH, len(rows))
        if done == len(rows) or (start // BATCH) % 20 == 0:
            print(f"  {label}: {done}/{len(rows)}", flush=True)


def seed(app, args) -> None:
    from networkapp.extensions import db
    from networkapp.models import Connection, ConnectionEdge, Experience, Skill, User, UserSkill

    rng = random.Random(args.seed)
    users, edges = args.users, args.edges
    now = datetime.now(UTC)
    started = time.perf_counter()
    ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(users)]
    with app.app_context():
        engine = db.engine
        skill_ids = list(db.session.scalars(sa.select(Skill.id)))
        db.session.remove()
    pairs = generate_pairs(rng, users, edges)
    degree = Counter()
    for a, b in pairs:
        degree[a] += 1
        degree[b] += 1
    print(f"generated {len(pairs)} pairs; max degree {max(degree.values())} in {time.perf_counter() - started:.1f}s")
    with engine.begin() as conn:
        insert(
            conn,
            User.__table__,
            [
                {
                    "id": ids[i],
                    "username": f"u{i}",
                    "email": f"u{i}@bench.example",
                    "password_hash": "x",
                    "first_name": f"First{i}",
                    "last_name": f"Last{i}",
                    "industry": INDUSTRIES[min(int(rng.expovariate(0.25)), len(INDUSTRIES) - 1)],
                    "location": LOCATIONS[min(int(rng.expovariate(0.1)), len(LOCATIONS) - 1)],
                    "created_at": now - timedelta(days=800),
                    "last_active": now,
                    "connection_count": degree[i],
                    "profile_views": 0,
                    "is_verified": False,
                    "profile_visibility": "public",
                    "show_email": False,
                    "show_connections": True,
                    "open_to_work": False,
                }
                for i in range(users)
            ],
            "users",
        )
        insert(
            conn,
            UserSkill.__table__,
            [
                {
                    "user_id": ids[i],
                    "skill_id": skill,
                    "proficiency_level": 3,
                    "years_experience": 2,
                    "added_at": now,
                }
                for i in range(users)
                for skill in rng.sample(skill_ids, 3)
            ],
            "user_skills",
        )
        insert(
            conn,
            Experience.__table__,
            [
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "user_id": ids[i],
                    "company": COMPANIES[min(int(rng.expovariate(0.02)), len(COMPANIES) - 1)],
                    "position": "Engineer",
                    "is_current": True,
                    "created_at": now,
                }
                for i in range(users)
            ],
            "experience",
        )
        connections, edge_rows = [], []
        for a, b in pairs:
            connection_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            low, high = Connection.pair(ids[a], ids[b])
            created = now - timedelta(seconds=rng.randint(0, 700 * 86_400))
            connections.append(
                {
                    "id": connection_id,
                    "requester_id": ids[a],
                    "recipient_id": ids[b],
                    "user_low_id": low,
                    "user_high_id": high,
                    "status": "accepted",
                    "created_at": created,
                    "responded_at": created,
                }
            )
            edge_rows.append(
                {"user_id": ids[a], "friend_id": ids[b], "connection_id": connection_id, "created_at": created}
            )
            edge_rows.append(
                {"user_id": ids[b], "friend_id": ids[a], "connection_id": connection_id, "created_at": created}
            )
        insert(conn, Connection.__table__, connections, "connections")
        insert(conn, ConnectionEdge.__table__, edge_rows, "connection_edges")
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    print(f"seeded in {time.perf_counter() - started:.1f}s")


def sign_in(app, client, user_id: uuid.UUID) -> None:
    """Give ``client`` a session for ``user_id`` without paying for password hashing."""
    from networkapp.extensions import db
    from networkapp.models import UserSession

    token = uuid.uuid4().hex
    with app.app_context():
        db.session.add(UserSession(id=hashlib.sha256(token.encode()).hexdigest(), user_id=user_id))
        db.session.commit()
        db.session.remove()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[94], cuts[98]


def naive_suggestions(me_id: uuid.UUID, limit: int = 20) -> list[uuid.UUID]:
    """The approach the service replaces: walk every friend's friends in Python."""
    from networkapp.connections import graph
    from networkapp.extensions import db

    friends = set(db.session.scalars(graph.friend_ids(me_id)))
    counts: Counter = Counter()
    for friend in friends:
        for other in db.session.scalars(graph.friend_ids(friend)):
            if other != me_id and other not in friends:
                counts[other] += 1
    return [user_id for user_id, _ in counts.most_common(limit)]


def naive_mutual(a: uuid.UUID, b: uuid.UUID) -> int:
    from networkapp.connections import graph
    from networkapp.extensions import db

    return len(set(db.session.scalars(graph.friend_ids(a))) & set(db.session.scalars(graph.friend_ids(b))))


def measure(app, args) -> None:
    from networkapp.connections import graph
    from networkapp.extensions import db
    from networkapp.models import ConnectionEdge, User

    rng = random.Random(args.seed + 1)
    with app.app_context():
        population = list(db.session.scalars(sa.select(User.id).where(User.connection_count > 0)))
        sample = [rng.choice(population) for _ in range(args.requests)]
        outside = sorted(set(population) - set(sample))
        warmup = [rng.choice(outside) for _ in range(args.warmup)]
        # Mutual counts are asked about people two steps apart (profiles, suggestions, lists).
        pairs = []
        for a in sample:
            friend = rng.choice(list(db.session.scalars(graph.friend_ids(a).limit(50))))
            others = list(db.session.scalars(graph.friend_ids(friend).limit(50)))
            pairs.append((a, rng.choice(others)))
        hubs = list(db.session.scalars(sa.select(User.id).order_by(User.connection_count.desc()).limit(3)))
        db.session.remove()

    figures: dict[str, list[float]] = {}

    def timed(name: str, call) -> None:
        started = time.perf_counter()
        call()
        figures.setdefault(name, []).append((time.perf_counter() - started) * 1000)

    from networkapp import settle_heap

    settle_heap()  # as the gunicorn worker does once the app is loaded (gunicorn.conf.py)
    client = app.test_client()
    # A server answers from a warm process and warm caches; without this the first few timed
    # people pay for statement compilation and, on a machine whose file cache another database
    # has just filled, for reading the indexes from disk (p95 47 ms against 24-27 ms warm).
    for user_id in warmup:
        sign_in(app, client, user_id)
        for path in ("/api/auth/csrf", "/api/connections/suggestions", "/api/connections", "/api/ping"):
            _ok(client.get(path))
    for user_id in sample:
        sign_in(app, client, user_id)
        # Warm this person's pages the way a session would (the first request also loads the session).
        client.get("/api/auth/csrf")
        timed("GET /api/connections/suggestions", lambda: _ok(client.get("/api/connections/suggestions")))
        timed("GET /api/connections (20, mutual counts)", lambda: _ok(client.get("/api/connections")))
        # The baseline: the same client through the same app, touching no dependency.
        timed("GET /api/ping (baseline)", lambda: _ok(client.get("/api/ping")))
    with app.app_context():
        for a, b in pairs:
            timed("graph.mutual_count(a, b)", lambda a=a, b=b: graph.mutual_count(a, b))
            db.session.remove()
        for a, b in pairs:
            timed("naive mutual (two friend sets)", lambda a=a, b=b: naive_mutual(a, b))
            db.session.remove()
        for user_id in sample:
            timed("naive suggestions (FoF loops)", lambda u=user_id: naive_suggestions(u))
            db.session.remove()
        for hub in hubs:
            degree = db.session.scalar(sa.select(sa.func.count()).where(ConnectionEdge.user_id == hub))
            print(f"hub with {degree} connections:", end=" ")
            started = time.perf_counter()
            naive_suggestions(hub)
            naive = (time.perf_counter() - started) * 1000
            db.session.remove()
            hub_client = app.test_client()
            sign_in(app, hub_client, hub)
            hub_client.get("/api/auth/csrf")
            started = time.perf_counter()
            _ok(hub_client.get("/api/connections/suggestions"))
            print(f"suggestions {(time.perf_counter() - started) * 1000:.1f} ms, naive {naive:.1f} ms")

    print(
        f"\n{args.db}, {args.users} users, {args.edges} connections, {args.requests} requests per figure"
        f" (after {args.warmup} people outside the sample, untimed)"
    )
    print(f"{'figure':45} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    results = {}
    for name, samples in figures.items():
        results[name] = percentiles(samples)
        p50, p95, p99 = results[name]
        print(f"{name:45} {p50:8.2f} {p95:8.2f} {p99:8.2f}")
    ratio_s = results["naive suggestions (FoF loops)"][1] / results["GET /api/connections/suggestions"][1]
    ratio_m = results["naive mutual (two friend sets)"][1] / results["graph.mutual_count(a, b)"][1]
    print(f"\np95 ratio naive/suggestions endpoint: {ratio_s:.1f}x (the endpoint also scores 5 signals)")
    print(f"p95 ratio naive/mutual_count: {ratio_m:.1f}x")
    ping_p95 = results["GET /api/ping (baseline)"][1]
    print(f"suggestions p95 / ping p95: {results['GET /api/connections/suggestions'][1] / ping_p95:.1f}x")


def cache_figures(app, args) -> None:
    from networkapp.extensions import db
    from networkapp.models import ConnectionEdge, User

    with app.app_context():
        s = db.session
        total = s.scalar(sa.select(sa.func.count()).select_from(User))
        hub = s.execute(sa.select(User.id, User.connection_count).order_by(User.connection_count.desc()).limit(1)).one()
        median = s.scalar(sa.select(User.connection_count).order_by(User.connection_count).offset(total // 2).limit(1))
        typical = s.execute(
            sa.select(User.id, User.connection_count)
            .where(User.connection_count >= max(median, 3))
            .order_by(User.connection_count, User.id)
            .limit(1)
        ).one()
        first = sa.orm.aliased(ConnectionEdge)
        fof = (
            sa.select(ConnectionEdge.friend_id, sa.func.count())
            .select_from(ConnectionEdge)
            .join(first, first.friend_id == ConnectionEdge.user_id)
            .where(first.user_id == hub.id, ConnectionEdge.friend_id != hub.id)
            .group_by(ConnectionEdge.friend_id)
            .order_by(sa.func.count().desc())
            .limit(20)
        )
        fof_ms = []
        for _ in range(max(5, args.requests // 20)):
            started = time.perf_counter()
            s.execute(fof).all()
            fof_ms.append((time.perf_counter() - started) * 1000)
        db.session.remove()

    def caching(seconds: int) -> None:
        app.config["SUGGESTIONS_CACHE_SECONDS"] = seconds
        app.extensions.pop("suggestion_cache", None)

    clients = {}
    for name, who in (("typical", typical), ("hub", hub)):
        clients[name] = app.test_client()
        sign_in(app, clients[name], who.id)
        clients[name].get("/api/auth/csrf")

    def timed_requests(client, path: str, n: int) -> list[float]:
        samples = []
        for _ in range(n):
            started = time.perf_counter()
            _ok(client.get(path))
            samples.append((time.perf_counter() - started) * 1000)
        return samples

    figures: dict[str, list[float]] = {"plain FoF self-join (hub)": fof_ms}
    n = args.requests
    # Interleaved rounds, so a burst of load from elsewhere on the machine lands on every figure alike.
    for _ in range(4):
        figures.setdefault("GET /api/ping", []).extend(timed_requests(clients["typical"], "/api/ping", n // 4))
        caching(0)
        for name in ("typical", "hub"):
            figures.setdefault(f"suggestions uncached ({name})", []).extend(
                timed_requests(clients[name], "/api/connections/suggestions", max(3, n // 40))
            )
        caching(300)
        for name in ("typical", "hub"):
            _ok(clients[name].get("/api/connections/suggestions"))  # fills the cache
            figures.setdefault(f"suggestions cached ({name})", []).extend(
                timed_requests(clients[name], "/api/connections/suggestions", n // 4)
            )
    results = {name: percentiles(samples) for name, samples in figures.items()}
    print(f"\nhub: {hub.connection_count} connections; typical: {typical.connection_count} (median {median})")
    print(f"{'figure':40} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, (p50, p95, p99) in results.items():
        print(f"{name:40} {len(figures[name]):5} {p50:8.2f} {p95:8.2f} {p99:8.2f}")
    fof_p50 = results["plain FoF self-join (hub)"][0]
    ping_p95 = results["GET /api/ping"][1]
    print()
    for kind in ("uncached", "cached"):
        ratio = fof_p50 / results[f"suggestions {kind} (hub)"][0]
        print(f"FoF self-join p50 / suggestions p50 (hub), {kind}: {ratio:.1f}x")
    for name in ("typical", "hub"):
        for kind in ("uncached", "cached"):
            ratio = results[f"suggestions {kind} ({name})"][1] / ping_p95
            print(f"suggestions {kind} ({name}) p95 / ping p95: {ratio:.1f}x")


def _ok(response):
    if response.status_code != 200:
        raise SystemExit(f"unexpected {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return response


def main() -> None:
    args = parse_args()
    args.edges = args.edges or args.users * 10
    url = database_url(args)
    if not args.reuse:
        fresh_schema(args, url)
    app = make_app(url)
    if not args.reuse:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
        seed(app, args)
    if args.cache_figures:
        cache_figures(app, args)
    else:
        measure(app, args)


if __name__ == "__main__":
    main()
