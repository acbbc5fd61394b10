"""Headless load and soak: the real user journeys at a steady rate against gunicorn on 127.0.0.1.

    python bench/soak.py --minutes 2                     # own PostgreSQL + gunicorn, 2 minutes
    python bench/soak.py --minutes 10 --sample 30        # the soak: RSS and DB connections over time
    python bench/soak.py --db sqlite --minutes 1

Virtual users register, complete their profile, connect (request and accept),
search people and jobs, apply, message their connections and read the feed.
The run fails (exit 1) when more than ``max_error_rate`` of the requests
error (5xx, transport failures, or an answer the journey did not expect) or
a p95 exceeds its budget in ``bench/budgets.json``.  Meanwhile the server's
RSS and (on PostgreSQL) its database connections are sampled.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tests.reliability.procs import Client, Gunicorn, Postgres, migrate  # noqa: E402

BUDGETS = ROOT / "bench" / "budgets.json"
WORDS = ["python", "engineer", "data", "design", "sales", "cloud", "product", "marketing"]
CITIES = ["Berlin", "Lisbon", "Austin", "Toronto", "Nairobi", "Osaka"]


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.total = 0

    def call(self, name: str, client: Client, method: str, path: str, expect: tuple[int, ...], **kwargs):
        started = time.perf_counter()
        try:
            response = client.request(method, path, **kwargs)
            status = response.status_code
        except requests.RequestException as error:
            response, status = None, f"{type(error).__name__}"
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.total += 1
            self.latencies[name].append(elapsed)
            if status not in expect:
                detail = response.text[:160] if response is not None else ""
                self.errors.append(f"{name} {method} {path}: {status} {detail}")
        return response if status in expect else None


class World:
    """Shared state between virtual users: who exists, which jobs are open."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.people: list[Client] = []
        self.jobs: list[tuple[str, str]] = []  # (job id, poster id)

    def someone_else(self, me: Client) -> Client | None:
        with self.lock:
            others = [p for p in self.people if p is not me]
        return random.choice(others) if others else None


def journey_register(base: str, world: World, rec: Recorder) -> Client | None:
    client = Client(base)
    name = f"soak{uuid.uuid4().hex[:10]}"
    token = rec.call("csrf", client, "GET", "/api/auth/csrf", (200,))
    if token is None:
        return None
    client.csrf = token.json()["csrf_token"]
    body = {
        "username": name,
        "email": f"{name}@example.com",
        "password": "soak test passphrase 123",
        "first_name": name.title(),
        "last_name": random.choice(["Ng", "Silva", "Okafor", "Schmidt"]),
        "industry": random.choice(["Software", "Finance", "Health"]),
    }
    created = rec.call("register", client, "POST", "/api/auth/register", (201,), json=body)
    if created is None:
        return None
    client.user = created.json()
    profile = {"headline": f"{random.choice(WORDS).title()} person", "location": random.choice(CITIES), "bio": "Soak"}
    rec.call("profile", client, "PUT", f"/api/profiles/{client.id}", (200,), json=profile)
    experience = {"company": "Soak Co", "position": "Engineer", "start_date": "2020-01-01"}
    rec.call("experience", client, "POST", f"/api/profiles/{client.id}/experience", (201,), json=experience)
    if random.random() < 0.3:
        job = {"title": f"{random.choice(WORDS).title()} Engineer", "company": "Soak Co", "location": "Remote"}
        posted = rec.call("post_job", client, "POST", "/api/jobs", (201,), json=job)
        if posted is not None:
            with world.lock:
                world.jobs.append((posted.json()["id"], client.id))
    with world.lock:
        world.people.append(client)
    return client


def journey_connect(me: Client, world: World, rec: Recorder) -> None:
    other = world.someone_else(me)
    if other is None:
        return
    # 409 (already pending or connected, either direction) is a normal outcome of random pairing.
    rec.call("request", me, "POST", "/api/connections/request", (201, 409), json={"target_user_id": other.id})
    incoming = rec.call("incoming", me, "GET", "/api/connections/requests?direction=incoming", (200,))
    if incoming is not None:
        for item in incoming.json()["items"][:2]:
            rec.call("accept", me, "PUT", f"/api/connections/{item['id']}/accept", (200, 409))


def journey_search(me: Client, world: World, rec: Recorder) -> None:
    word = random.choice(WORDS)
    rec.call("search_people", me, "GET", f"/api/profiles/search?q={word}", (200,))
    rec.call("search_jobs", me, "GET", f"/api/jobs?q={word}", (200,))


def journey_apply(me: Client, world: World, rec: Recorder) -> None:
    with world.lock:
        others = [job for job, poster in world.jobs if poster != me.id]
    job = random.choice(others) if others else None
    if job is not None:
        rec.call("job", me, "GET", f"/api/jobs/{job}", (200,))
        # 409: applied before.
        rec.call("apply", me, "POST", f"/api/jobs/{job}/apply", (201, 409), json={"cover_letter": "Soak"})


def journey_message(me: Client, world: World, rec: Recorder) -> None:
    friends = rec.call("connections", me, "GET", "/api/connections?limit=20", (200,))
    if friends is None or not friends.json()["items"]:
        return
    friend = random.choice(friends.json()["items"])["user"]["id"]
    body = {"recipient_id": friend, "message_content": "Hello from the soak"}
    rec.call("message", me, "POST", "/api/messages", (201,), json=body)
    rec.call("inbox", me, "GET", "/api/messages", (200,))


def journey_feed(me: Client, world: World, rec: Recorder) -> None:
    rec.call("feed", me, "GET", "/api/feed", (200,))
    rec.call("notifications", me, "GET", "/api/notifications", (200,))


JOURNEYS = [
    (journey_connect, 3),
    (journey_search, 3),
    (journey_apply, 2),
    (journey_message, 2),
    (journey_feed, 4),
]


def virtual_user(base: str, world: World, rec: Recorder, stop: threading.Event, pace: float) -> None:
    me = journey_register(base, world, rec)
    while me is not None and not stop.is_set():
        started = time.monotonic()
        if random.random() < 0.05:
            journey_register(base, world, rec)
        else:
            journey = random.choices([j for j, _ in JOURNEYS], weights=[w for _, w in JOURNEYS])[0]
            journey(me, world, rec)
        stop.wait(max(0.0, pace - (time.monotonic() - started)))


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run(
    server: Gunicorn,
    *,
    minutes: float,
    users: int,
    pace: float,
    sample_every: float,
    pg_connections=None,
) -> dict:
    """Drive the journeys for ``minutes``; return figures (latencies, errors, RSS and connection samples)."""
    world, rec, stop = World(), Recorder(), threading.Event()
    threads = [
        threading.Thread(target=virtual_user, args=(server.url, world, rec, stop, pace), daemon=True)
        for _ in range(users)
    ]
    for thread in threads:
        thread.start()
        time.sleep(pace / users)
    samples = []
    started = time.monotonic()
    deadline = started + minutes * 60
    while time.monotonic() < deadline:
        workers = server.worker_pids()
        samples.append(
            {
                "t": round(time.monotonic() - started),
                "rss_mb": round(sum(rss_mb(pid) or 0 for pid in workers), 1),
                "db_connections": pg_connections() if pg_connections else None,
                "requests": rec.total,
            }
        )
        time.sleep(min(sample_every, max(0.0, deadline - time.monotonic())) or 0.01)
    stop.set()
    for thread in threads:
        thread.join(30)
    every = [v for values in rec.latencies.values() for v in values]
    return {
        "minutes": minutes,
        "virtual_users": users,
        "requests": rec.total,
        "requests_per_second": round(rec.total / (minutes * 60), 1),
        "errors": len(rec.errors),
        "error_rate": round(len(rec.errors) / max(rec.total, 1), 5),
        "error_examples": rec.errors[:5],
        "p50_ms": round(percentile(every, 50), 1),
        "p95_ms": round(percentile(every, 95), 1),
        "p99_ms": round(percentile(every, 99), 1),
        "p95_ms_by_step": {name: round(percentile(v, 95), 1) for name, v in sorted(rec.latencies.items())},
        "mean_ms": round(statistics.fmean(every), 1) if every else 0,
        "samples": samples,
    }


def verdict(figures: dict, budgets: dict) -> list[str]:
    """Why the run fails its budgets (empty: it passes)."""
    soak = budgets["soak"]
    problems = []
    if figures["requests"] == 0:
        problems.append("no requests were made")
    if figures["error_rate"] > soak["max_error_rate"]:
        problems.append(f"error rate {figures['error_rate']:.4%} > {soak['max_error_rate']:.2%}")
    if figures["p95_ms"] > soak["p95_ms"]:
        problems.append(f"p95 {figures['p95_ms']} ms > {soak['p95_ms']} ms")
    for step, budget in soak.get("p95_ms_by_step", {}).items():
        measured = figures["p95_ms_by_step"].get(step)
        if measured is not None and measured > budget:
            problems.append(f"p95 of {step} {measured} ms > {budget} ms")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--users", type=int, default=12, help="concurrent virtual users")
    parser.add_argument("--pace", type=float, default=1.0, help="seconds between a user's journeys")
    parser.add_argument("--threads", type=int, default=16, help="gunicorn threads")
    parser.add_argument("--sample", type=float, default=10, help="seconds between RSS/connection samples")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    budgets = json.loads(BUDGETS.read_text())
    workdir = Path(tempfile.mkdtemp(prefix="networkapp-soak-"))
    postgres = None
    try:
        if args.db == "postgres":
            postgres = Postgres()
            postgres.start()
            name = postgres.create_database()
            url = postgres.url(name)

            def pg_connections() -> int:
                rows = postgres.execute(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'")
                return rows[0][0]
        else:
            url, pg_connections = f"sqlite:///{workdir / 'soak.db'}", None
        migrate(url)
        server = Gunicorn(url, workdir, threads=args.threads)
        server.start()
        try:
            figures = run(
                server,
                minutes=args.minutes,
                users=args.users,
                pace=args.pace,
                sample_every=args.sample,
                pg_connections=pg_connections,
            )
        finally:
            server.stop()
    finally:
        if postgres is not None:
            postgres.destroy()
    figures["db"] = args.db
    problems = verdict(figures, budgets)
    figures["verdict"] = problems or "pass"
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    rss = [s["rss_mb"] for s in figures["samples"]]
    conns = [s["db_connections"] for s in figures["samples"] if s["db_connections"] is not None]
    print(
        f"\n{figures['requests']} requests, {figures['requests_per_second']}/s, errors {figures['error_rate']:.3%}, "
        f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms"
    )
    if rss:
        print(f"server RSS MB: first {rss[0]}, max {max(rss)}, last {rss[-1]}")
    if conns:
        print(f"PostgreSQL connections: first {conns[0]}, max {max(conns)}, last {conns[-1]}")
    print("PASS" if not problems else "FAIL: " + "; ".join(problems))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
