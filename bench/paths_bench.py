"""Relationship mapping benchmark: path and degree latency on a large synthetic network.

    python bench/paths_bench.py --db sqlite --users 20000
    python bench/paths_bench.py --db postgres --users 100000          # 1 000 000 connections

Seeds a power-law network (preferential attachment plus a few explicit hubs,
some blocks and some people who hide their connections) straight into a
freshly migrated database, then measures through the app, server-side:

* ``GET /api/connections/path/<id>`` for typical viewers and for viewers
  connected to a hub, separately;
* ``paths.degrees()`` for a page of 20 people (the intended use in lists);
* the naive baseline: a one-directional breadth-first search from the
  viewer, level by level, out to three hops.

The PostgreSQL run uses (and wipes) the database given by ``--pg-url``.
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
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench password 2024!"  # noqa: S105 - shared by the synthetic accounts only
PAGE = 20
BATCH = 10_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=None, help="default: 10 per user")
    parser.add_argument("--hubs", type=int, default=5, help="explicit hubs, each linked to 2%% of everyone")
    parser.add_argument("--requests", type=int, default=200, help="requests per figure (at least 200)")
    parser.add_argument("--baseline-requests", type=int, default=200)
    parser.add_argument("--sqlite-path", default=os.path.join(tempfile.gettempdir(), "paths_bench.db"))
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/na_test_assessments")
    parser.add_argument("--reuse", action="store_true", help="measure an already seeded database")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


# --- the network ------------------------------------------------------------


def generate_edges(n: int, target_edges: int, hubs: int, rng: random.Random) -> set[tuple[int, int]]:
    """Preferential attachment with varied out-degree, plus hubs: a heavy-tailed degree distribution."""
    edges: set[tuple[int, int]] = set()
    hub_edges = 0
    hub_ids = list(range(hubs))
    for hub in hub_ids:
        for other in rng.sample(range(hubs, n), max(1, n // 50)):
            edges.add((hub, other))
            hub_edges += 1
    per_node = max(1.0, (target_edges - hub_edges) / max(1, n - hubs))
    ends: list[int] = []  # every edge endpoint once: sampling from it is sampling by degree
    for node in range(hubs, n):
        m = max(1, min(int(rng.expovariate(1 / per_node)) + 1, 200))
        if node > hubs + m:
            for _ in range(m):
                other = rng.choice(ends) if ends and rng.random() < 0.8 else rng.randrange(hubs, node)
                if other != node:
                    pair = (min(node, other), max(node, other))
                    if pair not in edges:
                        edges.add(pair)
                        ends.extend(pair)
        if len(edges) >= target_edges:
            break
    while len(edges) < target_edges:
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b:
            edges.add((min(a, b), max(a, b)))
    return edges


def seed(engine: sa.Engine, args: argparse.Namespace, password_hash: str) -> None:
    from networkapp.models import Block, Connection, ConnectionEdge, User

    rng = random.Random(args.seed)
    n = args.users
    target = args.connections or n * 10
    t0 = time.perf_counter()
    edges = generate_edges(n, target, args.hubs, rng)
    print(f"generated {len(edges):,} connections among {n:,} people in {time.perf_counter() - t0:.1f}s", flush=True)

    ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(n)]
    degree = [0] * n
    for a, b in edges:
        degree[a] += 1
        degree[b] += 1
    now = datetime.now(UTC)
    hidden = set(rng.sample(range(n), n // 20))

    def insert(table, rows_iter, total, label):
        started = time.perf_counter()
        batch, done = [], 0
        with engine.begin() as conn:
            for row in rows_iter:
                batch.append(row)
                if len(batch) >= BATCH:
                    conn.execute(table.insert(), batch)
                    done += len(batch)
                    batch = []
                    print(f"\r  {label}: {done:,}/{total:,}", end="", flush=True)
            if batch:
                conn.execute(table.insert(), batch)
                done += len(batch)
        print(f"\r  {label}: {done:,} rows in {time.perf_counter() - started:.1f}s", flush=True)

    insert(
        User.__table__,
        (
            {
                "id": ids[i],
                "username": f"u{i}",
                "email": f"u{i}@bench.example",
                "password_hash": password_hash,
                "first_name": f"First{i}",
                "last_name": f"Last{i}",
                "headline": None,
                "created_at": now,
                "last_active": now,
                "connection_count": degree[i],
                "profile_views": 0,
                "is_verified": False,
                "profile_visibility": "public",
                "show_email": False,
                "show_connections": i not in hidden,
                "open_to_work": False,
            }
            for i in range(n)
        ),
        n,
        "users",
    )
    pairs = [(ids[a], ids[b]) for a, b in edges]
    connection_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in pairs]

    def connection_rows():
        for cid, (a, b) in zip(connection_ids, pairs, strict=True):
            low, high = Connection.pair(a, b)
            yield {
                "id": cid,
                "requester_id": a,
                "recipient_id": b,
                "user_low_id": low,
                "user_high_id": high,
                "status": "accepted",
                "message": None,
                "created_at": now,
                "responded_at": now,
            }

    insert(Connection.__table__, connection_rows(), len(pairs), "connections")

    def edge_rows():
        for cid, (a, b) in zip(connection_ids, pairs, strict=True):
            yield {"user_id": a, "friend_id": b, "connection_id": cid, "created_at": now}
            yield {"user_id": b, "friend_id": a, "connection_id": cid, "created_at": now}

    insert(ConnectionEdge.__table__, edge_rows(), 2 * len(pairs), "connection_edges")

    blocks = set()
    while len(blocks) < n // 1000:
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b and (min(a, b), max(a, b)) not in edges:
            blocks.add((a, b))
    insert(
        Block.__table__,
        ({"blocker_id": ids[a], "blocked_id": ids[b], "created_at": now} for a, b in blocks),
        len(blocks),
        "blocks",
    )
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def fresh_schema(url: str, args: argparse.Namespace) -> None:
    if args.db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(args.sqlite_path + suffix).unlink(missing_ok=True)
    else:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()


# --- measuring ---------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def figure(label: str, samples: list[float]) -> dict:
    return {
        "label": label,
        "n": len(samples),
        "p50": pct(samples, 50) * 1000,
        "p95": pct(samples, 95) * 1000,
        "p99": pct(samples, 99) * 1000,
        "mean": statistics.fmean(samples) * 1000,
    }


def naive_path_degree(db, viewer: uuid.UUID, target: uuid.UUID) -> int | None:
    """One-directional BFS from the viewer, a level at a time, to three hops."""
    from networkapp.models import ConnectionEdge

    seen = {viewer}
    frontier = {viewer}
    for depth in (1, 2, 3):
        found: set[uuid.UUID] = set()
        ids = list(frontier)
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            found.update(
                db.session.scalars(sa.select(ConnectionEdge.friend_id).where(ConnectionEdge.user_id.in_(chunk)))
            )
        if target in found:
            return depth
        frontier = found - seen
        seen |= frontier
    return None


def main() -> None:
    args = parse_args()
    if args.requests < 200:
        sys.exit("--requests must be at least 200")
    url = f"sqlite:///{args.sqlite_path}" if args.db == "sqlite" else args.pg_url
    os.environ["TEST_DATABASE_URL"] = url
    os.environ["RATELIMIT_ENABLED"] = "false"

    from flask_migrate import upgrade

    from networkapp import create_app
    from networkapp.connections import paths
    from networkapp.extensions import db
    from networkapp.models import ConnectionEdge, User
    from networkapp.security import hash_password

    if not args.reuse:
        fresh_schema(url, args)
    app = create_app("testing")
    with app.app_context():
        if not args.reuse:
            upgrade(directory=str(ROOT / "migrations"))
            seed(db.engine, args, hash_password(PASSWORD))
        rng = random.Random(args.seed + 1)
        people = list(db.session.execute(sa.select(User.id, User.username, User.connection_count)))
        by_degree = sorted(people, key=lambda p: p.connection_count, reverse=True)
        hub_ids = {p.id for p in by_degree[: max(args.hubs, len(people) // 5000)]}
        hub_floor = min(p.connection_count for p in by_degree[: len(hub_ids)])
        adjacent = set(
            db.session.scalars(sa.select(ConnectionEdge.user_id).where(ConnectionEdge.friend_id.in_(hub_ids)))
        )
        typical = [p for p in people if 1 <= p.connection_count <= 60 and p.id not in adjacent and p.id not in hub_ids]
        hub_adjacent = [p for p in people if p.id in adjacent and p.id not in hub_ids]
        degrees_seen = sorted(p.connection_count for p in people)
        print(
            f"network: {len(people):,} people; connections per person median {degrees_seen[len(people) // 2]}, "
            f"max {degrees_seen[-1]}; {len(hub_ids)} hubs (>= {hub_floor} connections); "
            f"{len(hub_adjacent):,} hub-adjacent, {len(typical):,} typical viewers",
            flush=True,
        )
        db.session.remove()

    client_cache: dict[uuid.UUID, object] = {}

    def client_for(person):
        if person.id not in client_cache:
            client = app.test_client()
            response = client.post(
                "/api/auth/login",
                json={"username": person.username, "password": PASSWORD},
                headers={"X-CSRF-Token": client.get("/api/auth/csrf").get_json()["csrf_token"]},
            )
            assert response.status_code == 200, response.get_json()
            client_cache[person.id] = client
        return client_cache[person.id]

    results = []
    for label, pool in (("typical", typical), ("hub-adjacent", hub_adjacent)):
        if not pool:
            continue
        path_times, page_times, naive_times, found = [], [], [], {}
        pairs = [(rng.choice(pool), rng.choice(people)) for _ in range(args.requests)]
        for viewer, target in pairs:
            if viewer.id == target.id:
                continue
            client = client_for(viewer)
            started = time.perf_counter()
            response = client.get(f"/api/connections/path/{target.id}")
            path_times.append(time.perf_counter() - started)
            if response.status_code == 200:
                degree = response.get_json()["degree"]
                found[degree] = found.get(degree, 0) + 1
        with app.app_context():
            for viewer, _ in pairs:
                page = [p.id for p in rng.sample(people, PAGE)]
                started = time.perf_counter()
                paths.degrees(viewer.id, page)
                page_times.append(time.perf_counter() - started)
                db.session.remove()
            for viewer, target in pairs[: args.baseline_requests]:
                started = time.perf_counter()
                naive_path_degree(db, viewer.id, target.id)
                naive_times.append(time.perf_counter() - started)
                db.session.remove()
        print(f"{label}: path degrees found {dict(sorted(found.items(), key=str))}", flush=True)
        results.append((label, figure("GET path", path_times), figure(f"degrees() x{PAGE}", page_times)))
        results.append((label, figure("naive BFS (1 target)", naive_times), None))

    print(f"\n{args.db}, {args.users:,} users — server-side latency in ms (goal: p95 <= 50)")
    print(f"{'viewers':<14}{'measure':<24}{'n':>6}{'p50':>9}{'p95':>9}{'p99':>9}{'mean':>9}")
    for label, first, second in results:
        for fig in (first, second):
            if fig:
                print(
                    f"{label:<14}{fig['label']:<24}{fig['n']:>6}"
                    f"{fig['p50']:>9.1f}{fig['p95']:>9.1f}{fig['p99']:>9.1f}{fig['mean']:>9.1f}"
                )
    by_label: dict[str, dict] = {}
    for label, first, _second in results:
        by_label.setdefault(label, {})[first["label"]] = first
    for label, figs in by_label.items():
        if "GET path" in figs and "naive BFS (1 target)" in figs:
            ratio = figs["naive BFS (1 target)"]["p95"] / figs["GET path"]["p95"]
            print(f"{label}: naive BFS p95 / bidirectional path p95 = {ratio:.1f}x")


if __name__ == "__main__":
    main()
