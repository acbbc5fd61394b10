"""Messaging benchmark: conversation list and history pages at scale, and live delivery latency.

    python bench/messaging_bench.py --db sqlite --users 20000 --messages 100000
    python bench/messaging_bench.py --db postgres --users 100000 --messages 1000000

Seeds a fresh database (SQLite file under /tmp, or the PostgreSQL database
given by --database-url, whose public schema is DROPPED) with SQLAlchemy Core
batch inserts, then times requests through the app in-process (server side,
Flask test client) against a naive baseline that aggregates the messages
table instead of reading the denormalised participant rows.  Finally it
starts real server processes on 127.0.0.1 and measures the time from
``send_message`` to the recipient's ``message`` event, with one process and
with two processes sharing rooms through Redis.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import secrets
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

BATCH = 5000


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pick(p):
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {"n": len(ordered), "p50": pick(50), "p95": pick(95), "p99": pick(99), "mean": statistics.fmean(ordered)}


def build_app(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ["RATELIMIT_ENABLED"] = "false"
    os.environ.pop("REDIS_URL", None)
    from flask_migrate import upgrade

    from networkapp import create_app

    app = create_app("development")
    # Measure what production serves: no debug mode (which, among other things, pretty-prints JSON).
    app.debug = False
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


def reset_database(kind: str, url: str) -> str:
    if kind == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return url
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def insert_batches(conn, table, rows, label: str) -> None:
    for start in range(0, len(rows), BATCH):
        conn.execute(sa.insert(table), rows[start : start + BATCH])
    print(f"  {label}: {len(rows)}", flush=True)


def seed(app, users: int, messages: int, per_user: int) -> dict:
    """Users, 1:1 conversations (each user with about ``per_user`` peers) and ``messages`` messages."""
    from networkapp.extensions import db
    from networkapp.models import Conversation, ConversationParticipant, Message, User

    rng = random.Random(42)
    now = datetime.now(UTC)
    user_ids = [uuid.uuid4() for _ in range(users)]
    started = time.perf_counter()
    with app.app_context():
        engine = db.engine
        with engine.begin() as conn:
            insert_batches(
                conn,
                User.__table__,
                [
                    {
                        "id": uid,
                        "username": f"u{i}",
                        "email": f"u{i}@bench.example",
                        "password_hash": "!",
                        "first_name": f"First{i}",
                        "last_name": f"Last{i}",
                        "created_at": now,
                        "last_active": now,
                        "connection_count": 0,
                        "profile_views": 0,
                        "is_verified": False,
                        "profile_visibility": "public",
                        "show_email": False,
                        "show_connections": True,
                        "open_to_work": False,
                    }
                    for i, uid in enumerate(user_ids)
                ],
                "users",
            )
        pairs: set[tuple[int, int]] = set()
        target = users * per_user // 2
        while len(pairs) < target:
            a, b = rng.randrange(users), rng.randrange(users)
            if a != b:
                pairs.add((min(a, b), max(a, b)))
        pairs_list = sorted(pairs)
        conversations = [uuid.uuid4() for _ in pairs_list]
        # Messages are planned first as plain numbers (which conversation, who sends, read or not) so the
        # conversations can be written with their last message before the messages stream in, batch by batch.
        base = now - timedelta(days=365)
        step = 365 * 86400 / max(messages, 1)
        plan_conversation = [rng.randrange(len(conversations)) for _ in range(messages)]
        plan_flags = [rng.random() for _ in range(messages)]
        message_ids = [uuid.uuid4() for _ in range(messages)]
        last: dict[int, tuple[uuid.UUID, datetime]] = {}
        unread: dict[tuple[int, int], int] = {}
        for n, c in enumerate(plan_conversation):
            a, b = pairs_list[c]
            recipient = b if plan_flags[n] < 0.5 else a
            last[c] = (message_ids[n], base + timedelta(seconds=n * step))
            if plan_flags[n] % 0.5 >= 0.4:  # about one message in five is unread
                unread[(c, recipient)] = unread.get((c, recipient), 0) + 1

        def message_batches():
            for start in range(0, messages, BATCH):
                rows = []
                for n in range(start, min(start + BATCH, messages)):
                    c = plan_conversation[n]
                    a, b = pairs_list[c]
                    sender, recipient = (a, b) if plan_flags[n] < 0.5 else (b, a)
                    sent_at = base + timedelta(seconds=n * step)
                    rows.append(
                        {
                            "id": message_ids[n],
                            "conversation_id": conversations[c],
                            "sender_id": user_ids[sender],
                            "recipient_id": user_ids[recipient],
                            "content": f"message {n} about project {n % 997}",
                            "message_type": "text",
                            "client_id": None,
                            "sent_at": sent_at,
                            "read_at": None if plan_flags[n] % 0.5 >= 0.4 else sent_at + timedelta(minutes=5),
                        }
                    )
                yield rows

        with engine.begin() as conn:
            insert_batches(
                conn,
                Conversation.__table__,
                [
                    {
                        "id": cid,
                        "is_group": False,
                        "title": None,
                        "pair_key": Conversation.pair_key_for(user_ids[a], user_ids[b]),
                        "creator_id": user_ids[a],
                        "created_at": base,
                        "last_activity": last.get(i, (None, base))[1],
                        "last_message_id": last.get(i, (None, base))[0],
                    }
                    for i, (cid, (a, b)) in enumerate(zip(conversations, pairs_list, strict=True))
                ],
                "conversations",
            )
            participants = []
            for i, (cid, (a, b)) in enumerate(zip(conversations, pairs_list, strict=True)):
                activity = last.get(i, (None, base))[1]
                for me, peer in ((a, b), (b, a)):
                    participants.append(
                        {
                            "conversation_id": cid,
                            "user_id": user_ids[me],
                            "peer_id": user_ids[peer],
                            "joined_at": base,
                            "last_activity": activity,
                            "last_read_at": None,
                            "unread_count": unread.get((i, me), 0),
                            "archived_at": None,
                        }
                    )
            insert_batches(conn, ConversationParticipant.__table__, participants, "participants")
        # Encryption happens in EncryptedText on the way in, as in production.
        done = 0
        for rows in message_batches():
            with engine.begin() as conn:
                conn.execute(sa.insert(Message.__table__), rows)
            done += len(rows)
            if done % (BATCH * 20) == 0 or done == messages:
                print(f"  messages (encrypted): {done}/{messages}", flush=True)
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
        else:
            with engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))
    print(f"seeded in {time.perf_counter() - started:.1f}s", flush=True)
    # The busiest users: their lists and histories are the interesting ones.
    degree: dict[int, int] = {}
    for a, b in pairs_list:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    busiest = sorted(degree, key=degree.get, reverse=True)[:50]
    sample = [(user_ids[i], [conversations[c] for c, p in enumerate(pairs_list) if i in p]) for i in busiest]
    return {"sample": sample, "user_ids": user_ids}


def signed_in_client(app, user_id: uuid.UUID):
    from networkapp.extensions import db
    from networkapp.models import UserSession

    token = secrets.token_urlsafe(32)
    with app.app_context():
        db.session.add(UserSession(id=hashlib.sha256(token.encode()).hexdigest(), user_id=user_id))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def time_requests(client_paths: list[tuple], requests_: int) -> list[float]:
    samples = []
    for n in range(requests_):
        client, path = client_paths[n % len(client_paths)]
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.get_json()
    return samples


def naive_list(app, user_id: uuid.UUID) -> None:
    """The obvious query: aggregate the messages table for the user's conversations on every request."""
    from networkapp.extensions import db
    from networkapp.models import ConversationParticipant, Message

    cp = ConversationParticipant
    with app.app_context():
        stmt = (
            sa.select(
                Message.conversation_id,
                sa.func.max(Message.sent_at).label("last"),
                sa.func.count().filter(sa.and_(Message.read_at.is_(None), Message.sender_id != user_id)),
            )
            .join(cp, cp.conversation_id == Message.conversation_id)
            .where(cp.user_id == user_id)
            .group_by(Message.conversation_id)
            .order_by(sa.desc("last"))
            .limit(20)
        )
        rows = db.session.execute(stmt).all()
        ids = [r[0] for r in rows]
        for cid in ids:  # and the last message of each, one query per conversation
            db.session.execute(
                sa.select(Message).where(Message.conversation_id == cid).order_by(Message.sent_at.desc()).limit(1)
            ).scalar()
        db.session.rollback()


def naive_history(app, conversation_id: uuid.UUID) -> None:
    """OFFSET paging of a history (page 3), the usual first implementation."""
    from networkapp.extensions import db
    from networkapp.models import Message

    with app.app_context():
        list(
            db.session.scalars(
                sa.select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.sent_at.desc())
                .offset(40)
                .limit(20)
            )
        )
        db.session.rollback()


def service_list(app, user_id: uuid.UUID) -> None:
    """Our conversation-list service alone (its queries and object loading), comparable with naive_list."""
    from networkapp.extensions import db
    from networkapp.messaging import services
    from networkapp.models import User

    with app.app_context():
        services.inbox(db.session.get(User, user_id), limit=20, cursor=None)
        db.session.rollback()


def service_history(app, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
    from networkapp.extensions import db
    from networkapp.messaging import services
    from networkapp.models import User

    with app.test_request_context():
        services.history(db.session.get(User, user_id), conversation_id, limit=20, cursor=None)
        db.session.rollback()


def time_calls(func, args_list: list, requests_: int) -> list[float]:
    samples = []
    for n in range(requests_):
        start = time.perf_counter()
        func(*args_list[n % len(args_list)])
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def delivery(database_url: str, redis_url: str | None, processes: int, rate: float, seconds: float, pairs: int) -> list:
    """Latency (ms) from emitting send_message to the recipient's message event, over real servers."""
    from tests.messaging.servers import Server, User

    servers = [Server(database_url, redis_url) for _ in range(processes)]
    sockets = []
    try:
        for server in servers:
            server.wait_ready()
        sent: dict[str, float] = {}
        latencies: list[float] = []
        lock = threading.Lock()
        couples = []
        engine = sa.create_engine(database_url)
        for n in range(pairs):
            tag = uuid.uuid4().hex[:6]
            sender, receiver = User(servers[0], f"s{n}{tag}"), User(servers[0], f"r{n}{tag}")
            _connect(engine, sender.id, receiver.id)
            couples.append((sender, receiver))
        engine.dispose()
        for sender, receiver in couples:
            receiving = receiver.socket(servers[-1], websocket=True)

            def on_message(message, _lock=lock):
                arrived = time.perf_counter()
                with _lock:
                    start = sent.pop(message.get("client_id"), None)
                    if start is not None:
                        latencies.append((arrived - start) * 1000)

            receiving.on("message", on_message, namespace="/chat")
            sockets.append(receiving)
            sockets.append(sender.socket(servers[0], websocket=True))
        senders = sockets[1::2]
        interval = 1.0 / rate
        total = int(rate * seconds)
        next_at = time.perf_counter()
        for n in range(total):
            index = n % len(couples)
            client_id = uuid.uuid4().hex
            with lock:
                sent[client_id] = time.perf_counter()
            senders[index].emit(
                "send_message",
                {"recipient_id": couples[index][1].id, "content": f"ping {n}", "client_id": client_id},
                namespace="/chat",
            )
            next_at += interval
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        deadline = time.perf_counter() + 30
        while sent and time.perf_counter() < deadline:
            time.sleep(0.05)
        if sent:
            print(f"  {len(sent)} of {total} messages did not arrive within 30 s", flush=True)
        with lock:
            return list(latencies)
    finally:
        for client in sockets:
            client.disconnect()
        for server in servers:
            server.stop()


def _connect(engine, a: str, b: str) -> None:
    from networkapp.models import Connection, ConnectionEdge

    ua, ub = uuid.UUID(a), uuid.UUID(b)
    low, high = Connection.pair(ua, ub)
    cid = uuid.uuid4()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Connection.__table__),
            [
                {
                    "id": cid,
                    "requester_id": ua,
                    "recipient_id": ub,
                    "user_low_id": low,
                    "user_high_id": high,
                    "status": "accepted",
                    "created_at": now,
                    "responded_at": now,
                }
            ],
        )
        conn.execute(
            sa.insert(ConnectionEdge.__table__),
            [
                {"user_id": ua, "friend_id": ub, "connection_id": cid, "created_at": now},
                {"user_id": ub, "friend_id": ua, "connection_id": cid, "created_at": now},
            ],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--messages", type=int, default=100000)
    parser.add_argument("--peers", type=int, default=10, help="conversations per user (average)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--rate",
        type=float,
        nargs="+",
        default=[200.0],
        help="messages per second for the delivery test (several: one run each)",
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/4")
    parser.add_argument("--skip-delivery", action="store_true")
    parser.add_argument(
        "--out",
        type=lambda v: Path(v) if v else None,
        default=ROOT / "bench" / "results",
        help="where to write the JSON (empty: nowhere)",
    )
    args = parser.parse_args()

    url = args.database_url or (
        "sqlite:////tmp/messaging-bench.db"
        if args.db == "sqlite"
        else "postgresql+psycopg://postgres@127.0.0.1:5432/na_test_messaging"
    )
    reset_database(args.db, url)
    app = build_app(url)
    print(f"seeding {args.users} users, {args.messages} messages on {args.db}", flush=True)
    data = seed(app, args.users, args.messages, args.peers)

    list_paths, history_paths = [], []
    for user_id, conversations in data["sample"]:
        client = signed_in_client(app, user_id)
        list_paths.append((client, "/api/messages?limit=20"))
        history_paths.extend((client, f"/api/messages/{cid}?limit=20") for cid in conversations[:5])
    time_requests(list_paths + history_paths, 50)  # warm caches and connections
    results = {
        "conversation list (GET /api/messages)": percentiles(time_requests(list_paths, args.requests)),
        "list service only (same work, no HTTP)": percentiles(
            time_calls(service_list, [(app, u) for u, _ in data["sample"]], args.requests)
        ),
        "naive list (aggregate messages)": percentiles(
            time_calls(naive_list, [(app, u) for u, _ in data["sample"]], args.requests)
        ),
        "history page (GET /api/messages/<id>)": percentiles(time_requests(history_paths, args.requests)),
        "history service only (no HTTP)": percentiles(
            time_calls(service_history, [(app, u, c) for u, cs in data["sample"] for c in cs[:5]], args.requests)
        ),
        "naive history (OFFSET page 3)": percentiles(
            time_calls(naive_history, [(app, c) for _, cs in data["sample"] for c in cs[:5]], args.requests)
        ),
    }
    if not args.skip_delivery:
        for rate in args.rate:
            print(f"delivery: {rate:.0f} msg/s for {args.seconds:.0f}s", flush=True)
            results[f"delivery @{rate:.0f}/s, 1 process"] = percentiles(delivery(url, None, 1, rate, args.seconds, 10))
            results[f"delivery @{rate:.0f}/s, 2 processes via Redis"] = percentiles(
                delivery(url, args.redis_url, 2, rate, args.seconds, 10)
            )

    print(f"\n{'measure':44} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, r in results.items():
        print(f"{name:44} {r['n']:>6} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['p99']:>8.2f}")
    lst, nl = results["list service only (same work, no HTTP)"], results["naive list (aggregate messages)"]
    hist, nh = results["history service only (no HTTP)"], results["naive history (OFFSET page 3)"]
    print(
        f"\nnaive/ours p95 (service level): list {nl['p95'] / lst['p95']:.1f}x, history {nh['p95'] / hist['p95']:.1f}x"
    )
    print("targets: list p95 <= 20 ms, history p95 <= 15 ms, delivery p99 <= 20 ms (1 process) / 30 ms (2 processes)")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"{datetime.now(UTC):%Y-%m-%d}-messaging-{args.db}-u{args.users}-m{args.messages}.json"
        path.write_text(
            json.dumps(
                {
                    "date": datetime.now(UTC).isoformat(timespec="seconds"),
                    "command": " ".join(["python", *sys.argv]),
                    "database": args.db,
                    "users": args.users,
                    "messages": args.messages,
                    "results_ms": {name: {k: round(v, 3) for k, v in r.items()} for name, r in results.items()},
                },
                indent=1,
            )
        )
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
