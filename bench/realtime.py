"""Real-time benchmark: chat delivery over Socket.IO, as ratios to an echo round-trip and to one process.

    python bench/realtime.py --seconds 5 --repeat 3 --clients 8 --rate 200
    python bench/realtime.py --database-url sqlite:///bench/.data/scale-u20000_s2024.db

Three production servers (``gunicorn -c gunicorn.conf.py wsgi:app``, ``APP_ENV=production``,
127.0.0.1, free ports) run on the same seeded network (``flask seed scale``): one alone, and two
sharing rooms through the Redis message queue (``REDIS_URL``).  ``--clients`` connected pairs of
seeded people sign in through the real login and open ``/chat`` over WebSocket with
python-socketio.  Each round, for ``--seconds`` each, with every sender in a closed loop (the
next emit when the previous one is answered):

- ``echo`` on the lone server: emit ``echo`` and wait for its ack, the floor of an event's
  round trip through this stack (no session read, no SQL);
- ``chat`` on the lone server: emit ``send_message`` and wait for the *recipient's* ``message``
  event (authentication, the insert and commit, the push after commit);
- ``echo`` on instance A, then ``chat`` with every sender on A and every recipient on B, so
  each message crosses Redis.

With ``--rate R`` each round also sends R messages/s in all, spread over the senders, as an open
loop (the next emit is due on a schedule, answered or not), on the lone server and from A to B
through Redis: the issue's delivery goals (p99 ≤ 20 ms with one process, ≤ 30 ms with two, at
200 msg/s) are stated at a rate, which a closed loop cannot impose.

Goals: chat p95 ≤ 2x the echo p95 of the same round, same server, same clients; chat msg/s
through Redis ≥ 0.7x the lone server's; with ``--rate``, the delivery p99s above.  With
``--repeat N`` every figure is the median of N rounds.  ``run(url, seconds)`` does the same for
``bench/run.py`` (``url`` is the database).  Writes ``bench/results/<date>-realtime<suffix>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as harness  # bench/run.py: environment, ports, signed-in sessions

ROOT = harness.ROOT
RESULTS = harness.RESULTS
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/na_bench_rt"
DEFAULT_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
NAMESPACE = "/chat"
WAIT = 10.0  # seconds one answer may take before it counts as lost
MASTERS: dict[int, int] = {}  # port → gunicorn master pid, for CPU accounting


# ---------------------------------------------------------------- servers


@contextlib.contextmanager
def gunicorn(url: str, *, port: int | None = None, threads: int = 32, **env):
    """One production instance on 127.0.0.1; killed on the way out whatever happened."""
    with harness.server(url, threads, port=port, env=env, pids=MASTERS) as bound:
        yield bound


def cpu_seconds(port: int) -> float:
    """CPU time used so far by the instance on ``port`` (master and worker), from /proc."""
    master = MASTERS.get(port)
    if master is None:
        return 0.0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    total = 0
    for pid in [str(master), *children]:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all cores spent not idle, whoever used it (this machine is shared)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def origins(*ports: int) -> str:
    # websocket-client sends the server's own URL as Origin; production refuses origins it does not list.
    return ",".join(f"http://127.0.0.1:{p}" for p in ports)


def ensure_seeded(url: str, users: int) -> None:
    """Seed ``url`` with ``flask seed scale`` unless it already holds people."""
    import sqlalchemy as sa

    if url.startswith("postgresql"):
        import psycopg

        name = sa.engine.make_url(url).database
        with psycopg.connect(harness.PG_ADMIN, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            present = sa.inspect(conn).has_table("users") and conn.scalar(sa.text("SELECT count(*) FROM users"))
    finally:
        engine.dispose()
    if present:
        return
    env = harness.base_env(url)
    flask = str(harness.BIN / "flask")
    subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, check=True)
    subprocess.run([flask, "seed", "scale", "--users", str(users)], cwd=ROOT, env=env, check=True)


# ---------------------------------------------------------------- people and sockets


def candidate_pairs(url: str, want: int) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Disjoint connected pairs of seeded people, hubs left out (their inboxes are not typical)."""
    import sqlalchemy as sa

    from networkapp.models import ConnectionEdge, User

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            total = conn.scalar(sa.select(sa.func.count()).select_from(User))
            median = conn.scalar(
                sa.select(User.connection_count).order_by(User.connection_count).offset(total // 2).limit(1)
            )
            cap = max(median or 0, 20) * 3
            a, b = sa.orm.aliased(User), sa.orm.aliased(User)
            rows = conn.execute(
                sa.select(a.username, a.id, b.username, b.id)
                .select_from(ConnectionEdge)
                .join(a, a.id == ConnectionEdge.user_id)
                .join(b, b.id == ConnectionEdge.friend_id)
                .where(a.connection_count <= cap, b.connection_count <= cap)
                .order_by(ConnectionEdge.user_id, ConnectionEdge.friend_id)
                .limit(want * 40)
            ).all()
    finally:
        engine.dispose()
    used, out = set(), []
    for x, x_id, y, y_id in rows:
        if x not in used and y not in used:
            used.update((x, y))
            out.append(((x, str(x_id)), (y, str(y_id))))
    if len(out) < want:
        raise RuntimeError(f"only {len(out)} disjoint connected pairs; seed a bigger network")
    return out


class Person:
    """A seeded person signed in through the real login, holding one ``/chat`` socket."""

    def __init__(self, port: int, username: str, user_id: str):
        self.id, self.cookie = user_id, harness.Session(port, username).headers["Cookie"]
        self.sockets: list = []

    def socket(self, port: int):
        import socketio

        client = socketio.Client(reconnection=False)
        client.connect(
            f"http://127.0.0.1:{port}",
            namespaces=[NAMESPACE],
            headers={"Cookie": self.cookie},
            transports=["websocket"],
            wait_timeout=10,
        )
        self.sockets.append(client)
        return client

    def close(self) -> None:
        for client in self.sockets:
            with contextlib.suppress(Exception):
                client.disconnect()
        self.sockets.clear()


class Inbox:
    """Arrival times of ``message`` events, keyed by the sender's ``client_id``."""

    def __init__(self):
        self.lock = threading.Lock()
        self.waiting: dict[str, threading.Event] = {}
        self.arrived: dict[str, float] = {}

    def expect(self, client_id: str) -> threading.Event:
        event = threading.Event()
        with self.lock:
            self.waiting[client_id] = event
        return event

    def on_message(self, message) -> None:
        now = time.perf_counter()
        key = message.get("client_id") if isinstance(message, dict) else None
        with self.lock:
            event = self.waiting.pop(key, None)
            if event is not None:
                self.arrived[key] = now
        if event is not None:
            event.set()

    def take(self, client_id: str) -> float | None:
        with self.lock:
            self.waiting.pop(client_id, None)
            return self.arrived.pop(client_id, None)


class Stamps:
    """Open loop: send times by ``client_id``; each recipient's ``message`` event records the latency."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent: dict[str, float] = {}
        self.latencies: list[float] = []

    def on_message(self, message) -> None:
        now = time.perf_counter()
        key = message.get("client_id") if isinstance(message, dict) else None
        with self.lock:
            start = self.sent.pop(key, None)
            if start is not None:
                self.latencies.append((now - start) * 1000)


def _both(first, second):
    def handler(message):
        first(message)
        second(message)

    return handler


def open_pairs(port_send: int, port_receive: int, pairs: list[tuple[Person, Person]], inbox: Inbox, stamps=None):
    links = []
    for sender, recipient in pairs:
        receiving = recipient.socket(port_receive)
        handler = inbox.on_message if stamps is None else _both(inbox.on_message, stamps.on_message)
        receiving.on("message", handler, namespace=NAMESPACE)
        links.append((sender.socket(port_send), recipient.id))
    return links


def sign_in(port: int, candidates: list, want: int) -> list[tuple[Person, Person]]:
    """The first ``want`` candidate pairs that may message each other (checked with one real send)."""
    out = []
    for a, b in candidates:
        sender, recipient = Person(port, *a), Person(port, *b)
        probe = sender.socket(port)
        try:
            ack = probe.call(
                "send_message",
                {"recipient_id": recipient.id, "content": "benchmark warm-up"},
                namespace=NAMESPACE,
                timeout=WAIT,
            )
        finally:
            sender.close()
        if isinstance(ack, dict) and ack.get("ok"):
            out.append((sender, recipient))
        if len(out) == want:
            return out
    raise RuntimeError(f"only {len(out)} of {want} pairs could message each other")


# ---------------------------------------------------------------- closed loops


def closed_loop(links: list, seconds: float, step) -> dict:
    """Every link runs ``step`` back to back for ``seconds``; latencies of the answered ones, in ms."""
    samples: list[float] = []
    lost = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(link):
        mine, missed = [], 0
        while time.perf_counter() < stop:
            took = step(link)
            if took is None:
                missed += 1
            else:
                mine.append(took)
        with lock:
            samples.extend(mine)
            lost[0] += missed

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(link,)) for link in links]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return summarise(samples, elapsed, lost[0])


def busy(ports: dict[str, int], fn, *args) -> dict:
    """``fn``'s figures, with the cores each instance and the whole machine kept busy meanwhile."""
    before = {name: cpu_seconds(port) for name, port in ports.items()}, machine_busy_seconds(), time.monotonic()
    figures = fn(*args)
    wall = time.monotonic() - before[2]
    figures["cores_busy"] = {
        name: round((cpu_seconds(port) - before[0][name]) / wall, 2) for name, port in ports.items()
    }
    figures["cores_busy"]["machine"] = round((machine_busy_seconds() - before[1]) / wall, 2)
    return figures


def summarise(samples: list[float], elapsed: float, lost: int) -> dict:
    ordered = sorted(samples)

    def pick(p):
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))], 3) if ordered else None

    return {
        "n": len(ordered),
        "lost": lost,
        "per_second": round(len(ordered) / elapsed, 1),
        "p50_ms": pick(50),
        "p95_ms": pick(95),
        "p99_ms": pick(99),
    }


def echo_step(link) -> float | None:
    client, _ = link
    t = time.perf_counter()
    try:
        ack = client.call("echo", {"t": t}, namespace=NAMESPACE, timeout=WAIT)
    except Exception:
        return None
    return (time.perf_counter() - t) * 1000 if ack and ack.get("ok") else None


def chat_step(inbox: Inbox):
    def step(link) -> float | None:
        client, recipient_id = link
        client_id = uuid.uuid4().hex
        arrived = inbox.expect(client_id)
        t = time.perf_counter()
        client.emit(
            "send_message",
            {"recipient_id": recipient_id, "content": "benchmark hello", "client_id": client_id},
            namespace=NAMESPACE,
        )
        arrived.wait(WAIT)
        at = inbox.take(client_id)
        return (at - t) * 1000 if at is not None else None

    return step


def open_loop(links: list, seconds: float, rate: float, stamps: Stamps) -> dict:
    """``rate`` messages per second in all, spread evenly over the senders, whatever the answers do.

    The goal is stated at a rate ("200 messages/s"), which a closed loop cannot impose: here a slow
    server shows as latency, never as fewer messages sent.  Latency runs from each emit to the
    recipient's ``message``; what has not arrived 10 s after the last emit is lost.
    """
    per_link = rate / len(links)
    stop = time.perf_counter() + seconds
    sent = [0]
    lock = threading.Lock()

    def worker(index, link):
        client, recipient_id = link
        # Staggered starts, so the senders do not fire in bursts of len(links).
        next_at = time.perf_counter() + index / rate
        mine = 0
        while next_at < stop:
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            client_id = uuid.uuid4().hex
            with stamps.lock:
                stamps.sent[client_id] = time.perf_counter()
            client.emit(
                "send_message",
                {"recipient_id": recipient_id, "content": "benchmark hello", "client_id": client_id},
                namespace=NAMESPACE,
            )
            mine += 1
            next_at += 1 / per_link
        with lock:
            sent[0] += mine

    with stamps.lock:
        stamps.sent.clear()
        stamps.latencies.clear()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i, link)) for i, link in enumerate(links)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    deadline = time.perf_counter() + WAIT
    while time.perf_counter() < deadline:
        with stamps.lock:
            if not stamps.sent:
                break
        time.sleep(0.05)
    with stamps.lock:
        samples, lost = list(stamps.latencies), len(stamps.sent)
        stamps.sent.clear()
    figures = summarise(samples, elapsed, lost)
    figures["offered_per_second"] = round(sent[0] / elapsed, 1)
    return figures


# ---------------------------------------------------------------- rounds and the report


def measure(
    url: str,
    seconds: float,
    *,
    repeat: int = 1,
    clients: int = 8,
    redis_url: str = DEFAULT_REDIS,
    rate: float | None = None,
) -> dict:
    ports = [harness.free_port() for _ in range(3)]
    allow = origins(*ports)
    rounds = []
    people: list[Person] = []
    with (
        gunicorn(url, port=ports[0], CORS_ORIGINS=allow) as alone,
        gunicorn(url, port=ports[1], CORS_ORIGINS=allow, REDIS_URL=redis_url) as a,
        gunicorn(url, port=ports[2], CORS_ORIGINS=allow, REDIS_URL=redis_url) as b,
    ):
        try:
            pairs = sign_in(alone, candidate_pairs(url, clients), clients)
            people = [p for pair in pairs for p in pair]
            inbox_alone, inbox_queue = Inbox(), Inbox()
            stamps_alone, stamps_queue = Stamps(), Stamps()
            local = open_pairs(alone, alone, pairs, inbox_alone, stamps_alone)
            across = open_pairs(a, b, pairs, inbox_queue, stamps_queue)
            warm = min(1.0, seconds / 4)
            for links, inbox in ((local, inbox_alone), (across, inbox_queue)):
                closed_loop(links, warm, echo_step)
                closed_loop(links, warm, chat_step(inbox))
            ports = {"alone": alone, "instance_a": a, "instance_b": b}
            for n in range(repeat):
                one = {
                    "echo_one_process": busy(ports, closed_loop, local, seconds, echo_step),
                    "chat_one_process": busy(ports, closed_loop, local, seconds, chat_step(inbox_alone)),
                    "echo_redis_instance": busy(ports, closed_loop, across, seconds, echo_step),
                    "chat_redis_two_instances": busy(ports, closed_loop, across, seconds, chat_step(inbox_queue)),
                }
                if rate:
                    one["chat_at_rate_one_process"] = busy(ports, open_loop, local, seconds, rate, stamps_alone)
                    one["chat_at_rate_redis_two_instances"] = busy(
                        ports, open_loop, across, seconds, rate, stamps_queue
                    )
                rounds.append(one)
                print(f"round {n + 1}/{repeat}", flush=True)
                for name, r in one.items():
                    print(
                        f"  {name:<26} {r['per_second']:>8.1f}/s  p50 {r['p50_ms']} p95 {r['p95_ms']} "
                        f"p99 {r['p99_ms']} ms  (n {r['n']}, lost {r['lost']})  cores {r['cores_busy']}",
                        flush=True,
                    )
        finally:
            for person in people:
                person.close()
    return report(rounds, clients, rate)


def report(rounds: list[dict], clients: int, rate: float | None = None) -> dict:
    def median(name, key):
        values = [r[name][key] for r in rounds if r[name][key] is not None]
        return round(statistics.median(values), 3) if values else None

    def ratio(fn):
        values = [v for v in (fn(r) for r in rounds) if v is not None]
        return round(statistics.median(values), 3) if values else None

    figures = {
        name: {key: median(name, key) for key in ("per_second", "p50_ms", "p95_ms", "p99_ms") if key in rounds[0][name]}
        | (
            {"offered_per_second": median(name, "offered_per_second")}
            if "offered_per_second" in rounds[0][name]
            else {}
        )
        | {"n": sum(r[name]["n"] for r in rounds), "lost": sum(r[name]["lost"] for r in rounds)}
        | {
            "cores_busy": {
                k: round(statistics.median(r[name]["cores_busy"][k] for r in rounds), 2)
                for k in rounds[0][name]["cores_busy"]
            }
        }
        for name in rounds[0]
    }

    def safe(a, b):
        return a / b if a is not None and b else None

    p95_ratio = ratio(lambda r: safe(r["chat_one_process"]["p95_ms"], r["echo_one_process"]["p95_ms"]))
    p95_ratio_redis = ratio(lambda r: safe(r["chat_redis_two_instances"]["p95_ms"], r["echo_redis_instance"]["p95_ms"]))
    throughput_ratio = ratio(
        lambda r: safe(r["chat_redis_two_instances"]["per_second"], r["chat_one_process"]["per_second"])
    )
    return {
        "clients": clients,
        "repeat": len(rounds),
        "figures": figures,
        "ratios": {
            "chat_p95_over_echo_p95": p95_ratio,
            "chat_p95_over_echo_p95_redis": p95_ratio_redis,
            "redis_over_one_process_msgs_per_s": throughput_ratio,
        },
        "goals": [
            *(_rate_goals(figures, rate) if rate else []),
            {
                "goal": "chat send_message → recipient message p95 ≤ 2x echo round-trip p95",
                "measured": p95_ratio,
                "met": p95_ratio is not None and p95_ratio <= 2,
            },
            {
                "goal": "chat msg/s through Redis (2 instances) ≥ 0.7x one process",
                "measured": throughput_ratio,
                "met": throughput_ratio is not None and throughput_ratio >= 0.7,
            },
        ],
        "rounds": rounds,
    }


def _rate_goals(figures: dict, rate: float) -> list[dict]:
    """The issue's delivery goals, at the offered rate (met only if nothing was lost)."""
    out = []
    for name, label, limit in (
        ("chat_at_rate_one_process", "one process", 20),
        ("chat_at_rate_redis_two_instances", "two processes through Redis", 30),
    ):
        f = figures[name]
        out.append(
            {
                "goal": f"chat delivery p99 ≤ {limit} ms at {rate:.0f} msg/s, {label}",
                "measured": f["p99_ms"],
                "met": f["p99_ms"] is not None and f["p99_ms"] <= limit and not f["lost"],
            }
        )
    return out


def run(url: str, seconds: float) -> dict:
    """For ``bench/run.py``: one round on the seeded database ``url``."""
    return measure(url, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DB, help="a network seeded with flask seed scale")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each closed loop")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8, help="sender/recipient pairs (the concurrency)")
    parser.add_argument("--users", type=int, default=5000, help="people to seed when the database is empty")
    parser.add_argument(
        "--rate", type=float, default=None, help="also send at this many messages/s in all (open loop), e.g. 200"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--suffix", default="", help="appended to the result file's name, e.g. --suffix=-sqlite")
    args = parser.parse_args()

    ensure_seeded(args.database_url, args.users)
    result = measure(
        args.database_url,
        args.seconds,
        repeat=args.repeat,
        clients=args.clients,
        redis_url=args.redis_url,
        rate=args.rate,
    )
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "database": args.database_url.split("://", 1)[0],
        "seconds_per_figure": args.seconds,
        **result,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{datetime.now(UTC):%Y-%m-%d}-realtime{args.suffix}.json"
    path.write_text(json.dumps(result, indent=1))
    print()
    for name, f in result["figures"].items():
        print(
            f"{name:<26} {f['per_second']:>8.1f}/s  p50 {f['p50_ms']}  p95 {f['p95_ms']}  p99 {f['p99_ms']} ms"
            f"  cores {f['cores_busy']}"
        )
    print(json.dumps(result["ratios"]))
    for g in result["goals"]:
        print(f"{'met    ' if g['met'] else 'NOT met'}  {g['goal']}: {g['measured']}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
