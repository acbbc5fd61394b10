"""The benchmark entry point (``make bench``): the production server under load, as ratios to a no-I/O baseline.

    python bench/run.py --db sqlite|postgres --users 20000 --seconds 5 --repeat 3

1. Seeds the scale network with ``flask seed scale`` (or reuses the database it seeded
   before for the same size and seed: ``bench/.data/`` for SQLite, ``na_bench_u<N>_s<S>``
   on PostgreSQL).
2. Starts ``gunicorn -c gunicorn.conf.py wsgi:app`` with ``APP_ENV=production`` on
   127.0.0.1 and a free port.
3. Drives load with ``wrk`` (a separate process, loopback only, bounded by ``--seconds``)
   against ``GET /api/ping`` (the ceiling of this stack: no database) and each hot
   endpoint in turn, the baseline measured again before every endpoint, so each ratio
   compares two runs a few seconds apart on this shared machine.
4. Measures, in process, the naive queries the goals are stated against (LIKE scans,
   the friends-of-friends self-join, a primary-key read), the raw Argon2id verify rate,
   and the SQL statements each endpoint runs.
5. Writes ``bench/results/<date>-<db>.json`` and a PNG chart of p95 per endpoint.

With ``--repeat N`` every figure is the median of N rounds.  Rate limiting is off in the
benchmarked server (one client address would otherwise hit the per-minute limit at once).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results"
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-secret-not-for-production"  # noqa: S105 - the benchmark server only
MESSAGE_KEY = "YmVuY2gtb25seS1tZXNzYWdlLWtleS0zMi1ieXRlcz0="
PASSWORD = "scale-password-2024"  # noqa: S105 - the seeded people's published demo password
BIN = Path(sys.executable).parent

sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------- dataset


def database_url(db: str, users: int, seed: int) -> str:
    key = f"u{users}_s{seed}"
    if db == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{DATA / f'scale-{key}.db'}"
    import psycopg

    name = f"na_bench_{key}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}"


def base_env(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        FLASK_APP="wsgi",
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        MESSAGE_ENCRYPTION_KEYS=MESSAGE_KEY,
        RATELIMIT_ENABLED="false",
    )
    env.pop("REDIS_URL", None)
    return env


def seed(args, url: str) -> None:
    marker = DATA / f"{args.db}-u{args.users}-s{args.seed}.seeded"
    if marker.exists():
        print(f"reusing {url}")
        return
    env = base_env(url)
    flask = str(BIN / "flask")
    subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    command = [flask, "seed", "scale", "--users", str(args.users), "--seed", str(args.seed)]
    if args.connections:
        command += ["--connections", str(args.connections)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    else:
        import sqlite3

        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
            conn.execute("ANALYZE")
    print(f"seeded in {time.monotonic() - started:.0f} s")
    DATA.mkdir(parents=True, exist_ok=True)
    marker.write_text(url)


# ---------------------------------------------------------------- targets and in-process figures


def timed(fn, *, n: int, budget: float) -> dict:
    """Run ``fn`` up to ``n`` times within ``budget`` seconds; p50/p95 in milliseconds."""
    samples = []
    deadline = time.monotonic() + budget
    while len(samples) < n and (not samples or time.monotonic() < deadline):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "n": len(samples),
        "p50_ms": round(samples[len(samples) // 2], 3),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 3),
    }


def prepare(url: str, depth: int) -> tuple[dict, dict]:
    """Pick the people and terms to request, and time the naive baselines in process."""
    os.environ.update(base_env(url))
    import sqlalchemy as sa

    from networkapp import create_app
    from networkapp.extensions import db
    from networkapp.jobs.search import like_baseline
    from networkapp.models import ConnectionEdge, Job, User
    from networkapp.pagination import encode_cursor

    app = create_app("production")
    with app.app_context():
        s = db.session
        total = s.scalar(sa.select(sa.func.count()).select_from(User))
        hub = s.execute(sa.select(User.id, User.username).order_by(User.connection_count.desc()).limit(1)).one()
        median_degree = s.scalar(
            sa.select(User.connection_count).order_by(User.connection_count).offset(total // 2).limit(1)
        )
        typical = s.execute(
            sa.select(User.id, User.username)
            .where(User.connection_count >= max(median_degree, 3), User.profile_visibility == "public")
            .order_by(User.connection_count, User.id)
            .limit(1)
        ).one()
        profile = s.execute(
            sa.select(User.id).where(User.profile_visibility == "public", User.id != typical.id).limit(1).offset(7)
        ).scalar_one()
        # A selective term: the last name fewest people share.  A broad one: the headline word closest to 20 %.
        rare = s.execute(
            sa.select(User.last_name, sa.func.count().label("n"))
            .group_by(User.last_name)
            .order_by(sa.func.count(), User.last_name)
            .limit(1)
        ).one()
        words = [
            w
            for w in {w.lower() for h in s.scalars(sa.select(User.headline).limit(500)) if h for w in h.split()}
            if len(w) > 3 and w.isalpha()
        ]
        sample = 5000
        heads = [h.lower() for h in s.scalars(sa.select(User.headline).limit(sample)) if h]
        broad = min(words, key=lambda w: abs(sum(w in h for h in heads) / sample - 0.2))
        job_titles = s.scalars(sa.select(Job.title).limit(2000)).all()
        job_terms = {}
        if job_titles:
            counts = {}
            for title in job_titles:
                for w in title.lower().split():
                    if w.isalpha() and len(w) > 3:
                        counts[w] = counts.get(w, 0) + 1
            ordered = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]))
            job_terms = {"selective": ordered[0][0], "broad": ordered[-1][0]}
        deep = s.execute(
            sa.select(User.connection_count, User.id)
            .order_by(User.connection_count.desc(), User.id.desc())
            .offset(min(depth, total - 50))
            .limit(1)
        ).one()
        with app.test_request_context():
            deep_cursor = encode_cursor((deep.connection_count, deep.id), "profile-search:connections:False")

        pattern = f"%{rare.last_name.lower()}%"
        baselines = {
            "pk_read": timed(lambda: s.get(User, profile) and s.expunge_all(), n=300, budget=3),
            "people_like_selective": timed(
                lambda: s.execute(
                    sa.select(User.id)
                    .where(
                        sa.or_(
                            sa.func.lower(User.first_name).like(pattern),
                            sa.func.lower(User.last_name).like(pattern),
                            sa.func.lower(User.headline).like(pattern),
                            sa.func.lower(User.bio).like(pattern),
                        )
                    )
                    .limit(20)
                ).all(),
                n=30,
                budget=20,
            ),
            "fof_self_join_hub": timed(
                lambda: s.execute(
                    sa.select(ConnectionEdge.friend_id, sa.func.count().label("mutual"))
                    .select_from(ConnectionEdge)
                    .join(
                        (first := sa.orm.aliased(ConnectionEdge)),
                        first.friend_id == ConnectionEdge.user_id,
                    )
                    .where(first.user_id == hub.id, ConnectionEdge.friend_id != hub.id)
                    .group_by(ConnectionEdge.friend_id)
                    .order_by(sa.func.count().desc())
                    .limit(20)
                ).all(),
                n=10,
                budget=30,
            ),
        }
        if job_terms:
            baselines["jobs_like_selective"] = timed(
                lambda: s.execute(sa.select(Job.id).where(like_baseline(job_terms["selective"])).limit(20)).all(),
                n=30,
                budget=20,
            )
        # The index-backed searches as the services run them (query and the page's rows, no HTTP):
        # the same work the LIKE scans above stand for, so the "x faster than LIKE" ratios compare
        # technique with technique.
        from networkapp.jobs.services import listing
        from networkapp.profiles.search import search as people_search

        viewer = s.get(User, typical.id)
        with app.test_request_context():
            baselines["people_search_selective_service"] = timed(
                lambda: people_search(
                    viewer,
                    q=rare.last_name,
                    skills=None,
                    industry=None,
                    location=None,
                    open_to_work=None,
                    sort="relevance",
                    limit=20,
                    cursor=None,
                ),
                n=200,
                budget=5,
            )
            if job_terms:
                baselines["jobs_search_selective_service"] = timed(
                    lambda: listing(viewer, {"q": job_terms["selective"], "limit": 20}), n=200, budget=5
                )
        s.rollback()
    targets = {
        "users": total,
        "hub": {"id": str(hub.id), "username": hub.username},
        "typical": {"id": str(typical.id), "username": typical.username},
        "profile_id": str(profile),
        "people_selective": rare.last_name,
        "people_broad": broad,
        "jobs": job_terms,
        "depth": min(depth, total - 50),
        "deep_cursor": deep_cursor,
    }
    return targets, baselines


def argon2_rate(seconds: float = 3.0, threads: int = 2) -> float:
    """Raw ``PasswordHasher.verify`` calls per second at the production parameters, on every core."""
    from argon2 import PasswordHasher

    from config import Config

    hasher = PasswordHasher(
        time_cost=Config.ARGON2_TIME_COST, memory_cost=Config.ARGON2_MEMORY_COST, parallelism=Config.ARGON2_PARALLELISM
    )
    digest = hasher.hash(PASSWORD)
    done = [0] * threads
    stop = time.monotonic() + seconds

    def work(i):
        while time.monotonic() < stop:
            hasher.verify(digest, PASSWORD)
            done[i] += 1

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(done) / (time.monotonic() - started)


# ---------------------------------------------------------------- the server and its clients


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(url: str, threads: int, *, port: int | None = None, env: dict | None = None, pids: dict | None = None):
    """One production instance on 127.0.0.1 (``env`` on top of the benchmark's); stopped on the way out.

    ``pids``, when given, maps the port to the gunicorn master's pid while it runs.
    """
    port = port or free_port()
    child = base_env(url)
    child.update(
        APP_ENV="production", HOST="127.0.0.1", PORT=str(port), GUNICORN_ACCESSLOG="", GUNICORN_THREADS=str(threads)
    )
    child.update({k: str(v) for k, v in (env or {}).items()})
    log = tempfile.TemporaryFile()  # noqa: SIM115 - outlives this block in the generator
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=child, stdout=log, stderr=log
    )
    if pids is not None:
        pids[port] = proc.pid
    try:
        wait_answering(port, proc, log, "gunicorn", timeout=60)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
        if pids is not None:
            pids.pop(port, None)


def wait_answering(port: int, proc: subprocess.Popen, log, what: str, timeout: float) -> None:
    """Until ``GET /api/ping`` answers on ``port``; the server's own output if it exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError):
            if request(port, "GET", "/api/ping")[0] == 200:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError(f"{what} did not start:\n{log.read().decode()[-3000:]}")
        time.sleep(0.2)


def request(port: int, method: str, path: str, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        hdrs = {"Content-Type": "application/json"} if payload else {}
        hdrs.update(headers or {})
        conn.request(method, path, body=payload, headers=hdrs)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


class Session:
    """A signed-in browser: the session cookie (Secure cookies are sent anyway, this is loopback) and CSRF token."""

    def __init__(self, port: int, username: str | None = None):
        self.port, self.cookies, self.csrf = port, {}, None
        status, headers, body = request(port, "GET", "/api/auth/csrf")
        self._absorb(headers)
        self.csrf = json.loads(body)["csrf_token"]
        if username:
            status, headers, body = self.call("POST", "/api/auth/login", {"username": username, "password": PASSWORD})
            if status != 200:
                raise RuntimeError(f"login as {username} failed: {status} {body[:200]!r}")

    def _absorb(self, headers) -> None:
        for name, value in headers:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    self.cookies[key] = morsel.value
            elif name.lower() == "x-csrf-token":
                self.csrf = value

    @property
    def headers(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "X-CSRF-Token": self.csrf or ""}

    def call(self, method, path, body=None):
        status, headers, data = request(self.port, method, path, body, self.headers)
        self._absorb(headers)
        return status, headers, data


LUA = """
wrk.method = {method}
wrk.body = {body}
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {{"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,'
    .. '"p50":%d,"p95":%d,"p99":%d}}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def wrk(port: int, case: dict, seconds: float, connections: int, workdir: Path) -> dict:
    headers = dict(case.get("headers") or {})
    if case.get("body") is not None:
        headers["Content-Type"] = "application/json"
    script = workdir / f"{case['name']}.lua"
    script.write_text(
        LUA.format(
            method=lua_string(case.get("method", "GET")),
            body=lua_string(json.dumps(case["body"])) if case.get("body") is not None else "nil",
            headers="\n".join(f"wrk.headers[ {lua_string(k)} ] = {lua_string(v)}" for k, v in headers.items()),
        )
    )
    return run_wrk(script, port, case["path"], seconds, connections)


def run_wrk(script: Path, port: int, path: str, seconds: float, connections: int) -> dict:
    """wrk with a Lua script whose ``done`` hook prints the ``BENCH {...}`` summary line."""
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    line = next((line for line in out.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary for {path}:\n{out[-2000:]}")
    raw = json.loads(line[6:])
    return {
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "requests": raw["requests"],
        "errors": raw["errors"] + raw["non2xx"],
        "p50_ms": raw["p50"] / 1000,
        "p95_ms": raw["p95"] / 1000,
        "p99_ms": raw["p99"] / 1000,
    }


def cases(port: int, targets: dict) -> list[dict]:
    typical = Session(port, targets["typical"]["username"])
    hub = Session(port, targets["hub"]["username"])
    friend = None
    status, _, body = typical.call("GET", "/api/connections?limit=1")
    if status == 200 and json.loads(body)["items"]:
        friend = json.loads(body)["items"][0]["user"]["id"]
    conversation = None
    status, _, body = typical.call("GET", "/api/messages?limit=1")
    if status == 200 and json.loads(body)["items"]:
        conversation = json.loads(body)["items"][0]["id"]
    anon = Session(port)
    out = [
        {"name": "profile_read", "path": f"/api/profiles/{targets['profile_id']}", "as": typical},
        {"name": "search_people_selective", "path": f"/api/profiles/search?q={targets['people_selective']}"},
        {"name": "search_people_broad", "path": f"/api/profiles/search?q={targets['people_broad']}"},
        {"name": "feed_first_page", "path": "/api/feed?limit=20"},
        {"name": "suggestions_typical", "path": "/api/connections/suggestions"},
        {"name": "suggestions_hub", "path": "/api/connections/suggestions", "as": hub},
        {"name": "keyset_first_page", "path": "/api/profiles/search?sort=connections&limit=20"},
        {
            "name": "keyset_deep_page",
            "path": f"/api/profiles/search?sort=connections&limit=20&cursor={targets['deep_cursor']}",
        },
        {"name": "applications_list", "path": "/api/applications"},
        {"name": "conversation_list", "path": "/api/messages"},
        {"name": "connections_list", "path": "/api/connections?limit=20", "as": hub},
        {
            "name": "echo_post",
            "method": "POST",
            "path": "/api/ping",
            "body": {"message": "hello"},
            "as": anon,
        },
        {
            "name": "login",
            "method": "POST",
            "path": "/api/auth/login",
            "body": {"username": targets["typical"]["username"], "password": PASSWORD},
            "as": anon,
        },
    ]
    if targets["jobs"]:
        out[3:3] = [
            {"name": "search_jobs_selective", "path": f"/api/jobs?q={targets['jobs']['selective']}"},
            {"name": "search_jobs_broad", "path": f"/api/jobs?q={targets['jobs']['broad']}"},
        ]
    if conversation:
        out.append({"name": "history_page", "path": f"/api/messages/{conversation}?limit=50"})
    if friend:
        out.append(
            {
                "name": "send_message",
                "method": "POST",
                "path": "/api/messages",
                "body": {"recipient_id": friend, "message_content": "Benchmark hello"},
            }
        )
    for case in out:
        session = case.pop("as", typical)
        case["headers"] = session.headers
        status, _, body = session.call(case.get("method", "GET"), case["path"], case.get("body"))
        if status >= 400:
            raise RuntimeError(f"{case['name']}: {status} {body[:300]!r}")
    return out


def statement_counts(url: str, targets: dict, endpoint_cases: list[dict]) -> dict:
    """SQL statements per request, in process (the same views, a test client, a cursor listener)."""
    import sqlalchemy as sa

    from networkapp import create_app
    from networkapp.extensions import db

    os.environ.update(base_env(url))
    app = create_app("production")
    app.config["SESSION_COOKIE_SECURE"] = False
    counts = {}
    statements = []

    def before(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    clients = {}
    for who in ("typical", "hub"):
        client = app.test_client()
        token = client.get("/api/auth/csrf").get_json()["csrf_token"]
        r = client.post(
            "/api/auth/login",
            json={"username": targets[who]["username"], "password": PASSWORD},
            headers={"X-CSRF-Token": token},
        )
        clients[who] = (client, r.headers.get("X-CSRF-Token"))
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        for case in endpoint_cases:
            if case["name"] in ("echo_post", "login"):
                continue
            who = "hub" if case["name"] in ("suggestions_hub", "connections_list") else "typical"
            client, token = clients[who]
            statements.clear()
            client.open(
                case["path"], method=case.get("method", "GET"), json=case.get("body"), headers={"X-CSRF-Token": token}
            )
            counts[case["name"]] = len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    # One request at a time through the whole app (no HTTP server, no queueing behind other
    # requests): the service time the wrk figures add concurrency to.
    service = {}
    for case in endpoint_cases:
        if case["name"] in ("echo_post", "login", "send_message"):
            continue
        who = "hub" if case["name"] in ("suggestions_hub", "connections_list") else "typical"
        client, token = clients[who]
        service[case["name"]] = timed(
            lambda c=case, client=client, token=token: client.open(
                c["path"], method=c.get("method", "GET"), json=c.get("body"), headers={"X-CSRF-Token": token}
            ),
            n=50,
            budget=4,
        )
    return counts, service


# ---------------------------------------------------------------- one round, many rounds, the report


def round_once(port: int, endpoint_cases: list[dict], args, workdir: Path) -> dict:
    ping = {"name": "ping", "path": "/api/ping"}
    out = {}
    for case in endpoint_cases:
        base = wrk(port, ping, args.seconds, args.connections, workdir)
        got = wrk(port, case, args.seconds, args.connections, workdir)
        got["baseline"] = base
        out[case["name"]] = got
        print(
            f"  {case['name']:<26} {got['rps']:>8.1f} req/s  p95 {got['p95_ms']:>8.2f} ms"
            f"   (ping {base['rps']:.0f} req/s, p95 {base['p95_ms']:.2f} ms)"
            + (f"  errors {got['errors']}" if got["errors"] else ""),
            flush=True,
        )
    # A login flood beside a cheap endpoint: does hashing starve the other threads?
    idle = wrk(port, endpoint_cases[0], args.seconds, 2, workdir)
    login = next(c for c in endpoint_cases if c["name"] == "login")
    flood = threading.Thread(target=wrk, args=(port, login, args.seconds + 2, args.connections, workdir))
    flood.start()
    time.sleep(1)
    during = wrk(port, endpoint_cases[0], args.seconds, 2, workdir)
    flood.join()
    out["_login_flood"] = {"profile_idle": idle, "profile_during_flood": during}
    return out


def median_of(rounds: list[dict]) -> dict:
    result = {}
    for name in rounds[0]:
        if name.startswith("_"):
            continue

        def pick(key, sub=None, name=name):
            return statistics.median((r[name][sub] if sub else r[name])[key] for r in rounds)

        fields = ("rps", "p50_ms", "p95_ms", "p99_ms")
        entry = {k: round(pick(k), 3) for k in fields}
        entry["errors"] = sum(r[name]["errors"] for r in rounds)
        entry["baseline"] = {k: round(pick(k, "baseline"), 3) for k in fields}
        entry["rps_ratio"] = round(statistics.median(r[name]["rps"] / r[name]["baseline"]["rps"] for r in rounds), 3)
        entry["p95_ratio"] = round(
            statistics.median(r[name]["p95_ms"] / max(r[name]["baseline"]["p95_ms"], 0.001) for r in rounds), 3
        )
        result[name] = entry
    flood = [r["_login_flood"] for r in rounds]
    result["_login_flood"] = {
        "profile_idle_p95_ms": statistics.median(f["profile_idle"]["p95_ms"] for f in flood),
        "profile_during_flood_p95_ms": statistics.median(f["profile_during_flood"]["p95_ms"] for f in flood),
    }
    return result


def goals(endpoints: dict, baselines: dict, counts: dict, verify_rate: float, service: dict) -> list[dict]:
    def ratio(a, b):
        return round(a / b, 3) if b else None

    e = endpoints
    out = [
        ("profile read req/s ≥ 0.6x baseline", e["profile_read"]["rps_ratio"], ">=", 0.6),
        ("profile read p95 ≤ 2x baseline", e["profile_read"]["p95_ratio"], "<=", 2),
        ("feed first page p95 ≤ 3x baseline", e["feed_first_page"]["p95_ratio"], "<=", 3),
        ("feed first page ≤ 3 SQL statements", counts.get("feed_first_page"), "<=", 3),
        ("suggestions (typical) p95 ≤ 5x baseline", e["suggestions_typical"]["p95_ratio"], "<=", 5),
        (
            "suggestions (hub, whole request in process) ≥ 5x faster than the FoF self-join",
            ratio(baselines["fof_self_join_hub"]["p50_ms"], service["suggestions_hub"]["p50_ms"]),
            ">=",
            5,
        ),
        (
            "people search (selective, service query) ≥ 50x faster than LIKE",
            ratio(baselines["people_like_selective"]["p50_ms"], baselines["people_search_selective_service"]["p50_ms"]),
            ">=",
            50,
        ),
        (
            "people search (selective) p95 ≤ 2x a primary-key read (profile read)",
            ratio(e["search_people_selective"]["p95_ms"], e["profile_read"]["p95_ms"]),
            "<=",
            2,
        ),
        (
            "people search (broad) p95 ≤ 10x a primary-key read (profile read)",
            ratio(e["search_people_broad"]["p95_ms"], e["profile_read"]["p95_ms"]),
            "<=",
            10,
        ),
        (
            "keyset page at depth ≤ 1.5x the first page (p95)",
            ratio(e["keyset_deep_page"]["p95_ms"], e["keyset_first_page"]["p95_ms"]),
            "<=",
            1.5,
        ),
        ("login req/s ≥ 0.9x raw Argon2id verify rate", ratio(e["login"]["rps"], verify_rate), ">=", 0.9),
        (
            "profile p95 during a login flood ≤ 2x idle",
            ratio(e["_login_flood"]["profile_during_flood_p95_ms"], e["_login_flood"]["profile_idle_p95_ms"]),
            "<=",
            2,
        ),
    ]
    if "search_jobs_selective" in e:
        out += [
            (
                "jobs search (selective, service query) ≥ 50x faster than LIKE",
                ratio(baselines["jobs_like_selective"]["p50_ms"], baselines["jobs_search_selective_service"]["p50_ms"]),
                ">=",
                50,
            ),
            (
                "jobs search (selective) p95 ≤ 2x a primary-key read (profile read)",
                ratio(e["search_jobs_selective"]["p95_ms"], e["profile_read"]["p95_ms"]),
                "<=",
                2,
            ),
        ]
    if "send_message" in e:
        out.append(
            (
                "POST /api/messages ≥ 0.5x echo POST req/s",
                ratio(e["send_message"]["rps"], e["echo_post"]["rps"]),
                ">=",
                0.5,
            )
        )
    return [
        {
            "goal": name,
            "measured": value,
            "met": value is not None and (value >= bound if op == ">=" else value <= bound),
        }
        for name, value, op, bound in out
    ]


def chart(endpoints: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in endpoints if not n.startswith("_")]
    p95 = [endpoints[n]["p95_ms"] for n in names]
    base = [endpoints[n]["baseline"]["p95_ms"] for n in names]
    fig, ax = plt.subplots(figsize=(9, 0.38 * len(names) + 1.5))
    ys = range(len(names))
    ax.barh([y + 0.2 for y in ys], p95, height=0.4, label="endpoint p95")
    ax.barh([y - 0.2 for y in ys], base, height=0.4, label="GET /api/ping p95 (same moment)")
    ax.set_yticks(list(ys), names)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("p95 latency, ms (log scale)")
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def table(endpoints: dict, counts: dict, service: dict) -> str:
    lines = [
        "| endpoint | req/s | p50 ms | p95 ms | p99 ms | req/s ÷ ping | p95 ÷ ping | SQL | alone p50 / p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, e in endpoints.items():
        if name.startswith("_"):
            continue
        lines.append(
            f"| {name} | {e['rps']:.0f} | {e['p50_ms']:.1f} | {e['p95_ms']:.1f} | {e['p99_ms']:.1f} "
            f"| {e['rps_ratio']:.2f} | {e['p95_ratio']:.1f} | {counts.get(name, '-')} "
            + (f"| {service[name]['p50_ms']:.1f} / {service[name]['p95_ms']:.1f} |" if name in service else "| - |")
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=None, help="default: 10 per person")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk duration per figure")
    parser.add_argument("--connections-per-run", dest="connections_wrk", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--depth", type=int, default=100_000, help="keyset page depth")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--no-realtime", action="store_true", help="skip bench/realtime.py (chat) and bench/scaleout.py (nginx)"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated endpoint names: a quick look, printed only (no results file)"
    )
    args = parser.parse_args()
    args.connections = args.connections
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install -y wrk)")

    url = database_url(args.db, args.users, args.seed)
    seed(args, url)
    print("preparing targets and timing the naive baselines in process …", flush=True)
    targets, baselines = prepare(url, args.depth)
    print(json.dumps(baselines, indent=1))
    verify_rate = argon2_rate()
    print(f"raw argon2id verify: {verify_rate:.1f}/s on 2 threads")

    wrk_connections = args.connections_wrk
    rounds = []
    with tempfile.TemporaryDirectory() as tmp, server(url, args.threads) as port:
        endpoint_cases = cases(port, targets)
        if args.only:
            wanted = set(args.only.split(","))
            endpoint_cases = [c for c in endpoint_cases if c["name"] in wanted | {"login"}]
        counts, service = statement_counts(url, targets, endpoint_cases)
        for n in range(args.repeat):
            print(f"round {n + 1}/{args.repeat}", flush=True)
            args.connections = wrk_connections
            rounds.append(round_once(port, endpoint_cases, args, Path(tmp)))
    endpoints = median_of(rounds)
    if args.only:
        print()
        print(table(endpoints, counts, service))
        flood = endpoints["_login_flood"]
        idle, during = flood["profile_idle_p95_ms"], flood["profile_during_flood_p95_ms"]
        print(f"\nprofile p95 idle {idle} ms, during a login flood {during} ms")
        return
    realtime_report, scaleout_report = {"skipped": "--no-realtime"}, {"skipped": "--no-realtime"}
    if not args.no_realtime:
        import realtime
        import scaleout

        print("chat against a Socket.IO echo, one process and two through Redis (bench/realtime.py) …", flush=True)
        realtime_report = realtime.run(url, args.seconds)
        print("two instances behind nginx against one (bench/scaleout.py) …", flush=True)
        scaleout_report = scaleout.run(url, args.seconds)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "db": args.db,
        "users": targets["users"],
        "seconds_per_figure": args.seconds,
        "repeat": args.repeat,
        "wrk_connections": wrk_connections,
        "gunicorn_threads": args.threads,
        "targets": {k: v for k, v in targets.items() if k != "deep_cursor"},
        "in_process_baselines": baselines,
        "argon2_verify_per_second": round(verify_rate, 1),
        "statements": counts,
        "service_ms": service,
        "endpoints": endpoints,
        "goals": goals(endpoints, baselines, counts, verify_rate, service) + realtime_report.get("goals", []),
        "realtime": realtime_report,
        "scaleout": scaleout_report,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    json_path = args.out / f"{stamp}-{args.db}.json"
    png_path = args.out / f"{stamp}-{args.db}.png"
    json_path.write_text(json.dumps(report, indent=1, default=str))
    chart(endpoints, png_path, f"p95 per endpoint, {args.db}, {targets['users']} users (median of {args.repeat})")
    print()
    print(table(endpoints, counts, service))
    print()
    for g in report["goals"]:
        print(f"{'met    ' if g['met'] else 'NOT met'}  {g['goal']}: {g['measured']}")
    if "ratios" in scaleout_report:
        print(f"scale-out, two instances ÷ one behind nginx: {json.dumps(scaleout_report['ratios'])}")
    print(f"\nwrote {json_path} and {png_path}")


if __name__ == "__main__":
    main()
