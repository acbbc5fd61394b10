"""Feed benchmark: first-page latency of GET /api/feed against the naive approach.

Seeds a synthetic network straight into a freshly migrated database with
SQLAlchemy Core batch inserts, then times, server-side and in one run:

- ``GET /api/feed`` first page and second page through the app (Flask test client);
- the naive feed: load every post of every connection, filter visibility and
  rank in Python (same score formula).

    python bench/feed_bench.py --db sqlite --users 20000 --connections 200000 --posts 400000
    python bench/feed_bench.py --db postgres --users 100000 --connections 1000000 --posts 2000000

Each figure that times a first visit (first page over HTTP, the service call,
the naive feed) runs on its own ``--viewers`` people, one request each by
default, so no figure reads rows another one has just brought into the caches;
the second page is fetched right after the first by the same people, as
someone scrolling would.  ``--reuse`` times a database an earlier run seeded
with the same sizes (``--sqlite-path`` for SQLite), after upgrading it to the
newest migration, so a query or index change is measured without reseeding.

The PostgreSQL target's ``public`` schema is dropped and recreated: point
``--pg-url`` at a scratch database on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench password 2024"  # noqa: S105  (synthetic accounts on a scratch database)
BATCH = 10_000
WARMUP = 5
DAYS = 365


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=None, help="default: 10 per user")
    parser.add_argument("--posts", type=int, default=None, help="default: 20 per user")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per figure")
    parser.add_argument("--viewers", type=int, default=200, help="distinct viewers per figure")
    parser.add_argument("--sqlite-path", default=None)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/na_test_feed")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the database an earlier run seeded with the same sizes (upgraded to the newest migration)",
    )
    args = parser.parse_args()
    args.connections = args.connections or args.users * 10
    args.posts = args.posts or args.users * 20
    return args


def database_url(args) -> str:
    if args.db == "postgres":
        if "127.0.0.1" not in args.pg_url and "localhost" not in args.pg_url:
            raise SystemExit("refusing to load anything but a local database")
        if args.reuse:
            return args.pg_url
        engine = sa.create_engine(args.pg_url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        return args.pg_url
    path = args.sqlite_path or os.path.join(tempfile.mkdtemp(prefix="feed-bench-"), "bench.db")
    if args.reuse:
        if not os.path.exists(path):
            raise SystemExit("--reuse needs the --sqlite-path of an earlier run")
        return f"sqlite:///{path}"
    if os.path.exists(path):
        os.remove(path)
    return f"sqlite:///{path}"


def batches(rows, size=BATCH):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def insert(conn, table, rows, label: str, total: int) -> None:
    done = 0
    started = time.perf_counter()
    for chunk in batches(rows):
        conn.execute(table.insert(), chunk)
        done += len(chunk)
        print(f"\r  {label}: {done:>10,}/{total:,}", end="", flush=True)
    print(f"  ({time.perf_counter() - started:.0f} s)")


def seed(app, args, rng: random.Random) -> list[uuid.UUID]:
    from networkapp.extensions import db
    from networkapp.models import Connection, ConnectionEdge, Post, PostLike, User
    from networkapp.security import hash_password

    now = datetime.now(UTC)
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        engine = db.engine
    user_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(args.users)]

    def when() -> datetime:
        return now - timedelta(seconds=rng.uniform(60, DAYS * 86400))

    def users():
        for n, user_id in enumerate(user_ids):
            yield {
                "id": user_id,
                "username": f"bench{n}",
                "email": f"bench{n}@example.com",
                "password_hash": password_hash,
                "first_name": f"First{n}",
                "last_name": f"Last{n}",
                "industry": "Software",
                "created_at": now - timedelta(days=DAYS + 1),
                "last_active": now,
                "connection_count": 0,
                "profile_views": 0,
                "is_verified": False,
                "profile_visibility": rng.choice(("public",) * 8 + ("connections", "private")),
                "show_email": False,
                "show_connections": True,
                "open_to_work": False,
            }

    pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
    while len(pairs) < args.connections:
        a, b = rng.choice(user_ids), rng.choice(user_ids)
        if a != b:
            pairs.add(Connection.pair(a, b))
    connection_rows = []
    edge_rows = []
    for low, high in pairs:
        connection_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        created = when()
        connection_rows.append(
            {
                "id": connection_id,
                "requester_id": low,
                "recipient_id": high,
                "user_low_id": low,
                "user_high_id": high,
                "status": "accepted",
                "message": None,
                "created_at": created,
                "responded_at": created,
            }
        )
        edge_rows.append({"user_id": low, "friend_id": high, "connection_id": connection_id, "created_at": created})
        edge_rows.append({"user_id": high, "friend_id": low, "connection_id": connection_id, "created_at": created})

    post_ids: list[uuid.UUID] = []

    def posts():
        for _ in range(args.posts):
            post_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            post_ids.append(post_id)
            created = when()
            yield {
                "id": post_id,
                "author_id": rng.choice(user_ids),
                "content": "Benchmark post " + post_id.hex[:12],
                "post_type": "update",
                "visibility": rng.choice(("public",) * 7 + ("connections",) * 2 + ("private",)),
                "like_count": 0,
                "comment_count": 0,
                "created_at": created,
                "updated_at": created,
            }

    def likes():
        seen = set()
        for _ in range(args.posts // 10):
            key = (rng.choice(post_ids), rng.choice(user_ids))
            if key not in seen:
                seen.add(key)
                yield {
                    "post_id": key[0],
                    "user_id": key[1],
                    "created_at": now - timedelta(seconds=rng.uniform(1, 3600)),
                }

    print("seeding")
    with engine.begin() as conn:
        insert(conn, User.__table__, users(), "users", args.users)
        insert(conn, Connection.__table__, connection_rows, "connections", len(connection_rows))
        insert(conn, ConnectionEdge.__table__, edge_rows, "connection edges", len(edge_rows))
        insert(conn, Post.__table__, posts(), "posts", args.posts)
        insert(conn, PostLike.__table__, likes(), "likes", args.posts // 10)
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))
    degree: dict[uuid.UUID, int] = {}
    for low, high in pairs:
        degree[low] = degree.get(low, 0) + 1
        degree[high] = degree.get(high, 0) + 1
    return [u for u in user_ids if degree.get(u, 0) > 0]


def seeded(app, args) -> list[uuid.UUID]:
    """The people with connections in a database seeded earlier, in the order ``seed`` returns them."""
    from networkapp.extensions import db
    from networkapp.models import Connection, ConnectionEdge, Post, User

    with app.app_context():
        counts = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (User, Connection, Post)]
        if counts != [args.users, args.connections, args.posts]:
            raise SystemExit(f"the database holds {counts} users, connections, posts: seed it without --reuse")
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        rows = db.session.execute(
            sa.select(User.id, User.username).where(sa.exists().where(ConnectionEdge.user_id == User.id))
        ).all()
    return [user_id for user_id, _ in sorted(rows, key=lambda row: int(row.username.removeprefix("bench")))]


def naive_feed(viewer_id: uuid.UUID, limit: int = 20) -> tuple[list, int]:
    """All posts of all connections, filtered and ranked in Python; also how many posts it loaded."""
    from networkapp.connections import graph
    from networkapp.extensions import db
    from networkapp.feed.scoring import score
    from networkapp.models import Post

    friends = set(db.session.scalars(graph.friend_ids(viewer_id)))
    hidden = set(db.session.scalars(graph.hidden_ids(viewer_id)))
    rows = db.session.execute(
        sa.select(Post.id, Post.author_id, Post.visibility, Post.created_at, Post.like_count, Post.comment_count).where(
            Post.author_id.in_(friends | {viewer_id})
        )
    ).all()
    now = datetime.now(UTC)
    ranked = []
    for row in rows:
        if row.author_id != viewer_id and (row.author_id in hidden or row.visibility == "private"):
            continue
        engagement = row.like_count + 2 * row.comment_count
        ranked.append((score("post", (now - row.created_at).total_seconds(), 0.0, engagement), row.id))
    ranked.sort(reverse=True)
    return ranked[:limit], len(rows)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def main() -> None:
    args = parse_args()
    rng = random.Random(args.seed)
    url = database_url(args)
    os.environ.update({"TEST_DATABASE_URL": url, "RATELIMIT_ENABLED": "false"})
    from flask_migrate import upgrade

    from networkapp import create_app
    from networkapp.extensions import db

    app = create_app("testing")
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    print(f"{args.db}: {args.users:,} users, {args.connections:,} connections, {args.posts:,} posts")
    if args.reuse:
        connected = seeded(app, args)
    else:
        started = time.perf_counter()
        connected = seed(app, args, rng)
        print(f"seeded in {time.perf_counter() - started:.0f} s")

    # Disjoint viewers per first-visit figure: a figure timed on people another figure has just
    # read would measure that figure's leftovers in the caches, not its own reads.
    per_set = min(args.viewers, (len(connected) - WARMUP) // 3)
    picked = [connected[n] for n in random.Random(args.seed + 1).sample(range(len(connected)), 3 * per_set + WARMUP)]
    http_ids, service_ids, naive_ids = (picked[k * per_set : (k + 1) * per_set] for k in range(3))
    warmup_ids = picked[3 * per_set :]

    def sign_in(user_id: uuid.UUID):
        client = app.test_client()
        with app.app_context():
            from networkapp.models import User

            username = db.session.get(User, user_id).username
        response = client.post(
            "/api/auth/login",
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRF-Token": client.get("/api/auth/csrf").get_json()["csrf_token"]},
        )
        assert response.status_code == 200, response.get_json()
        return client

    http_viewers = [(user_id, sign_in(user_id)) for user_id in http_ids]
    warmup_viewers = [(user_id, sign_in(user_id)) for user_id in warmup_ids]

    def timed(viewers, fn) -> list[float]:
        samples = []
        for i in range(args.requests):
            viewer_id, client = viewers[i % len(viewers)]
            t0 = time.perf_counter()
            fn(viewer_id, client)
            samples.append((time.perf_counter() - t0) * 1000)
        return samples

    cursors: dict[uuid.UUID, str | None] = {}
    sizes: list[int] = []
    naive_rows: list[int] = []

    def first_page(viewer_id, client):
        response = client.get("/api/feed")
        assert response.status_code == 200
        cursors[viewer_id] = response.json["next_cursor"]
        sizes.append(len(response.json["items"]))

    def second_page(viewer_id, client):
        cursor = cursors[viewer_id]
        response = client.get("/api/feed", query_string={"cursor": cursor} if cursor else {})
        assert response.status_code == 200

    def naive(viewer_id, _client):
        with app.app_context():
            naive_rows.append(naive_feed(viewer_id)[1])

    def service(viewer_id, _client):
        # The same work as the HTTP figure minus the request pipeline, to compare like with like.
        from networkapp.feed.services import feed
        from networkapp.models import User

        with app.app_context():
            feed(db.session.get(User, viewer_id), limit=20, cursor=None)

    for _viewer_id, client in warmup_viewers:  # the connection pool and statement caches, not these viewers' rows
        client.get("/api/feed")
    figures = {
        "feed first page (HTTP)": timed(http_viewers, first_page),
        "feed second page (HTTP), right after the first": timed(http_viewers, second_page),
        "feed first page (service call, no HTTP)": timed([(v, None) for v in service_ids], service),
        "naive: all posts of all connections, sorted in Python": timed([(v, None) for v in naive_ids], naive),
    }
    print(
        f"\n{args.requests} requests per figure, {per_set} distinct viewers per figure "
        f"(each timed on its first visit when requests <= viewers); first-page sizes: median "
        f"{statistics.median(sizes):.0f}, min {min(sizes)}; posts the naive feed loads per viewer: median "
        f"{statistics.median(naive_rows):.0f}, max {max(naive_rows)}"
    )
    print(f"{'measure':<56}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    results = {}
    for name, samples in figures.items():
        p50, p95, p99 = percentiles(samples)
        results[name] = (p50, p95, p99)
        print(f"{name:<56}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}")
    feed_p95 = results["feed first page (HTTP)"][1]
    naive_p95 = results["naive: all posts of all connections, sorted in Python"][1]
    service_p95 = results["feed first page (service call, no HTTP)"][1]
    print(
        f"\nnaive / feed at p95: {naive_p95 / feed_p95:.1f}x over HTTP, "
        f"{naive_p95 / service_p95:.1f}x as service calls; "
        f"goal first page p95 <= 50 ms: {'met' if feed_p95 <= 50 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
