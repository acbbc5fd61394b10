"""Capacity: people online at once, bursts of writes, and every core used.  Figures as ratios in one run.

    python bench/capacity.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/na_bench_capacity
    python bench/capacity.py --database-url sqlite:///bench/.data/capacity.db --sockets 1000 --skip-topology

On a seeded network (``flask seed scale --users``, done once per database), with the production
server as shipped (``gunicorn -c gunicorn.conf.py wsgi:app``, ``SERVER_ROLE=all``, REDIS_URL set):

1. ``GET /api/ping`` and a signed-in profile read under wrk, idle, then again with ``--sockets``
   real Socket.IO clients open (bench/socket_holders.py).  Goal: each p95 ≤ 1.5x its idle p95.
2. The server's memory per open socket (worker RSS after opening ÷ sockets).
3. Message delivery at ``--rate`` messages/s (send_message over Socket.IO, an open loop) with
   the sockets still open.  Goal: p99 ≤ 50 ms.
4. A burst of 100 concurrent notifying writes (likes, comments, messages) with the sockets open.
   Goal: no 5xx, none over 2 s.
5. ``make serve``'s topology (deploy/serve.py: nginx, the API on every core, the real-time server)
   against one API process, profile reads and the feed under wrk.  Goal: ≥ 1.7x (2 cores).

Writes ``bench/results/<date>-capacity-<engine>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as harness  # bench/run.py: environment, servers, signed-in sessions, wrk

ROOT = harness.ROOT


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def prepare_database(url: str, users: int) -> None:
    env = harness.base_env(url)
    if url.startswith("postgresql"):
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(harness.PG_ADMIN, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([str(harness.BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        have = conn.execute(sa.text("SELECT COUNT(*) FROM users")).scalar_one()
    engine.dispose()
    if have < users:
        print(f"seeding {users} people …", flush=True)
        command = [str(harness.BIN / "flask"), "seed", "scale", "--users", str(users), "--hubs", "1"]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    # Plans follow statistics: without them a freshly seeded database reads by the wrong indexes.
    analyse = "VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(analyse))
    engine.dispose()


def people(url: str, n: int) -> tuple[list[str], list[tuple[str, str, str]]]:
    """``n`` public people to sign in as, and connected pairs among them (username, username, recipient id)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT u.username, f.username, f.id FROM users u"
                " JOIN connection_edges e ON e.user_id = u.id JOIN users f ON f.id = e.friend_id"
                " WHERE u.profile_visibility = 'public' ORDER BY u.username LIMIT 400"
            )
        ).all()
        names = conn.execute(
            sa.text("SELECT username FROM users WHERE profile_visibility = 'public' ORDER BY id LIMIT :n"), {"n": n}
        ).scalars()
        names = list(names)
    engine.dispose()
    seen, pairs = set(), []
    for sender, recipient, recipient_id in rows:
        if sender not in seen and recipient not in seen:
            seen.update((sender, recipient))
            pairs.append((sender, recipient, str(recipient_id)))
    return names, pairs


def worker_rss_kib(master_pid: int) -> int:
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    total = 0
    for pid in children:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as status:
            total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return total


def cookie(session: harness.Session) -> str:
    return session.headers["Cookie"]


class Holders:
    """bench/socket_holders.py as a child process, one JSON command and answer per line."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "socket_holders.py")],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: dict) -> dict:
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("socket holders exited")
        return json.loads(line)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.stdin.write(json.dumps({"close": True}) + "\n")
            self.proc.stdin.flush()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def read_cases(reader: harness.Session, profile_id: str) -> list[dict]:
    return [
        {"name": "ping", "path": "/api/ping"},
        {"name": "profile", "path": f"/api/profiles/{profile_id}", "headers": {"Cookie": cookie(reader)}},
    ]


def measure(port: int, endpoint_cases: list[dict], seconds: float, workdir: Path) -> dict:
    return {case["name"]: harness.wrk(port, case, seconds, 4, workdir) for case in endpoint_cases}


def burst(port: int, author: harness.Session, fans: list[harness.Session], pairs: list) -> dict:
    """100 writes that notify, all at once: likes and comments on one post, and direct messages."""
    status, _, body = author.call("POST", "/api/posts", {"content": f"Capacity burst {uuid.uuid4().hex[:6]}"})
    assert status == 201, body
    post_id = json.loads(body)["id"]
    calls = []
    for i, fan in enumerate(fans):
        if i % 3 == 0:
            calls.append((fan, "POST", f"/api/posts/{post_id}/like", None))
        elif i % 3 == 1:
            calls.append((fan, "POST", f"/api/posts/{post_id}/comments", {"content": f"Well done {i}"}))
    for sender, recipient_id in pairs:
        calls.append((sender, "POST", "/api/messages", {"recipient_id": recipient_id, "message_content": "Burst hi"}))
    calls = calls[:100]
    barrier = threading.Barrier(len(calls))
    results: list[tuple[int, float]] = []

    def go(session, method, path, payload):
        barrier.wait()
        started = time.monotonic()
        status, _, _ = session.call(method, path, payload)
        results.append((status, time.monotonic() - started))

    threads = [threading.Thread(target=go, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    seconds = [s for _, s in results]
    return {
        "writes": len(results),
        "server_errors": sum(1 for status, _ in results if status >= 500),
        "statuses": sorted({status for status, _ in results}),
        "max_s": round(max(seconds), 3),
        "p95_s": round(pct(seconds, 0.95), 3),
    }


@contextlib.contextmanager
def topology(url: str, redis_url: str):
    """deploy/serve.py (what ``make serve`` runs) on a free port."""
    port = harness.free_port()
    env = harness.base_env(url)
    env.update(APP_ENV="production", HOST="127.0.0.1", PORT=str(port), REDIS_URL=redis_url, GUNICORN_ACCESSLOG="")
    log = tempfile.TemporaryFile()  # noqa: SIM115 - outlives this block in the generator
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "deploy" / "serve.py")], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        harness.wait_answering(port, proc, log, "make serve", timeout=90)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# Long-lived processes by the name the kernel knows them by, grouped by role in the run.
CPU_GROUPS = {"gunicorn": "app", "postgres": "database", "nginx": "proxy", "redis-server": "redis"}


def cpu_seconds() -> dict[str, float]:
    """CPU time (user + system) each group has used so far; wrk, gone when it ends, as our children's."""
    tick = os.sysconf("SC_CLK_TCK")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    used: dict[str, float] = dict.fromkeys(CPU_GROUPS.values(), 0.0)
    used["load"] = children.ru_utime + children.ru_stime
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # exited meanwhile
            continue
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        group = CPU_GROUPS.get(name)
        if group is not None:
            used[group] += (int(fields[11]) + int(fields[12])) / tick
    return used


def throughput(port: int, reader: harness.Session, profile_id: str, seconds: float, workdir: Path) -> dict:
    """Requests/s under wrk, and the CPU each request cost each part of the machine.

    The split shows where a topology's gain comes from and what bounds it: the API's share drops
    with fewer threads per process (less contention for the GIL); the database's and wrk's stay.
    """
    cases = [
        {"name": "profile", "path": f"/api/profiles/{profile_id}", "headers": {"Cookie": cookie(reader)}},
        {"name": "feed", "path": "/api/feed", "headers": {"Cookie": cookie(reader)}},
    ]
    out = {}
    for case in cases:
        before = cpu_seconds()
        result = harness.wrk(port, case, seconds, 8, workdir)
        after = cpu_seconds()
        per_request = {g: round((after[g] - before[g]) * 1000 / max(1, result["requests"]), 2) for g in before}
        out[case["name"]] = {"rps": result["rps"], "cpu_ms_per_request": per_request}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--skip-topology", action="store_true", help="leave out the make serve comparison")
    args = parser.parse_args()
    url = args.database_url
    engine_name = "postgres" if url.startswith("postgresql") else "sqlite"
    prepare_database(url, args.users)
    names, pairs = people(url, 150)
    pairs = pairs[:20]
    workdir = Path(tempfile.mkdtemp(prefix="na-capacity-"))
    report: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": engine_name,
        "sockets": args.sockets,
        "users": args.users,
        "cpus": os.cpu_count(),
    }
    pids: dict = {}
    env = {"SERVER_ROLE": "all", "REDIS_URL": args.redis_url}
    with harness.server(url, 1, env=env, pids=pids) as port:
        reader = harness.Session(port, names[0])
        other = json.loads(harness.Session(port, names[1]).call("GET", "/api/auth/user")[2])["id"]
        endpoint_cases = read_cases(reader, other)
        idle = measure(port, endpoint_cases, args.seconds, workdir)
        holders = Holders()
        try:
            sessions = [harness.Session(port, name) for name in names[2:32]]
            rss_before = worker_rss_kib(pids[port])
            opened = holders.ask({"open": args.sockets, "cookies": [cookie(s) for s in sessions], "port": port})
            time.sleep(1)
            rss_after = worker_rss_kib(pids[port])
            loaded = measure(port, endpoint_cases, args.seconds, workdir)
            signed = {n: harness.Session(port, n) for pair in pairs for n in pair[:2]}
            delivery = holders.ask(
                {
                    "rate": args.rate,
                    "seconds": args.seconds,
                    "port": port,
                    "pairs": [[cookie(signed[s]), cookie(signed[r]), rid] for s, r, rid in pairs],
                }
            )
            fans = [harness.Session(port, name) for name in names[32:150]]
            senders = [(signed[s], rid) for s, _r, rid in pairs]
            writes = burst(port, reader, fans, senders)
        finally:
            holders.close()
    latencies = delivery.pop("latencies_ms")
    report.update(
        {
            "idle": idle,
            "with_sockets": loaded,
            "opened": opened,
            "socket_memory_kib": round((rss_after - rss_before) / max(1, opened["opened"]), 1),
            "worker_rss_mib": {"before": round(rss_before / 1024, 1), "after": round(rss_after / 1024, 1)},
            "delivery": {
                **delivery,
                "rate": args.rate,
                "p50_ms": pct(latencies, 0.5),
                "p95_ms": pct(latencies, 0.95),
                "p99_ms": pct(latencies, 0.99),
            },
            "burst": writes,
        }
    )
    if not args.skip_topology:
        with harness.server(url, 4, env={"SERVER_ROLE": "api", "WEB_CONCURRENCY": "1"}) as port:
            single = throughput(port, harness.Session(port, names[0]), other, args.seconds, workdir)
        with topology(url, args.redis_url) as port:
            served = throughput(port, harness.Session(port, names[0]), other, args.seconds, workdir)
        report["topology"] = {
            "one_api_process": single,
            "make_serve": served,
            "ratio": {name: round(served[name]["rps"] / single[name]["rps"], 2) for name in single},
        }
    goals = [
        ("ping p95 with sockets ≤ 1.5x idle", ratio(loaded["ping"]["p95_ms"], idle["ping"]["p95_ms"]), 1.5, "≤"),
        (
            "profile p95 with sockets ≤ 1.5x idle",
            ratio(loaded["profile"]["p95_ms"], idle["profile"]["p95_ms"]),
            1.5,
            "≤",
        ),
        ("delivery p99 ms ≤ 50", report["delivery"]["p99_ms"], 50, "≤"),
        ("burst: 5xx", writes["server_errors"], 0, "≤"),
        ("burst: slowest write s ≤ 2", writes["max_s"], 2, "≤"),
    ]
    if "topology" in report:
        for name, value in report["topology"]["ratio"].items():
            goals.append((f"make serve ÷ one API process, {name} ≥ 1.7", value, 1.7, "≥"))
    report["goals"] = [
        {"goal": g, "value": v, "met": (v <= limit) if op == "≤" else (v >= limit)} for g, v, limit, op in goals
    ]
    harness.RESULTS.mkdir(parents=True, exist_ok=True)
    out = harness.RESULTS / f"{datetime.now(UTC):%Y-%m-%d}-capacity-{engine_name}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "goals"}, indent=2))
    for goal in report["goals"]:
        print(f"{'met ' if goal['met'] else 'MISS'}  {goal['goal']}: {goal['value']}")
    print(f"wrote {out}")


def ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else float("inf")


def reader_id(session: harness.Session) -> str:
    return json.loads(session.call("GET", "/api/auth/user")[2])["id"]


if __name__ == "__main__":
    main()
