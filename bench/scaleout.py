"""Scale-out benchmark: two single-worker gunicorn instances behind nginx, as a ratio to one.

    python bench/scaleout.py --seconds 5 --repeat 3

Starts two production instances (``gunicorn -c gunicorn.conf.py wsgi:app``, one worker each,
``APP_ENV=production``) on the same PostgreSQL database and the same Redis (``REDIS_URL``: the
Socket.IO message queue), and one unprivileged nginx in the foreground with a config generated
from ``bench/nginx.conf.template`` in a temporary directory, listening on two loopback ports:
one proxies to instance A alone, the other to A and B, sticky on the session cookie, with the
WebSocket upgrade headers for ``/socket.io/``.  Each round runs ``wrk`` (one thread,
``--connections``, ``--seconds``) against ``GET /api/ping`` and ``GET /api/profiles/<id>`` (signed
in as ``--sessions`` different people, rotated per request so the sticky hash spreads them):
straight at A, through nginx to A alone, and through nginx to both.  The scale-out ratio is
two-instance req/s over one-instance req/s, both through the same nginx.

Before the load, one Socket.IO message is sent between two people connected through the
two-instance port (WebSocket for one, long-polling for the other), which shows the upgrade
headers, the stickiness and the Redis queue working together.

Everything runs on the benchmarking machine, so the ratio is bounded by its cores: see
docs/performance.md.  ``run(url, seconds)`` does one round for ``bench/run.py`` (``url`` is the
PostgreSQL database).  Writes ``bench/results/<date>-scaleout.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realtime  # bench/realtime.py: production instances, seeded people, sockets
import run as harness  # bench/run.py: environment, ports, signed-in sessions

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
DONE = harness.LUA.split("done = function", 1)[1]

# Rotate the signed-in people per request, so the proxy sees as many sessions as there are people.
ROTATE = """
local sessions = {{{cookies}}}
local n = 0
request = function()
  n = n % #sessions + 1
  local headers = {{}}
  if sessions[n] ~= "" then headers["Cookie"] = sessions[n] end
  return wrk.format("GET", nil, headers)
end
done = function"""


@contextlib.contextmanager
def nginx(port_a: int, port_b: int, listen_one: int, listen_two: int):
    """nginx in the foreground, unprivileged, with a generated config; stopped on the way out."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is not installed (apt-get install -y nginx-light)")
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as workdir:
        conf = Path(workdir) / "nginx.conf"
        text = TEMPLATE.read_text()
        for key, value in {
            "DIR": workdir,
            "PORT_A": port_a,
            "PORT_B": port_b,
            "LISTEN_ONE": listen_one,
            "LISTEN_TWO": listen_two,
        }.items():
            text = text.replace(f"@{key}@", str(value))
        conf.write_text(text)
        command = [binary, "-p", workdir, "-c", str(conf), "-e", f"{workdir}/error.log"]
        if os.geteuid() == 0:
            # Never a root master: the whole proxy runs as nobody, in a directory it owns.
            os.chown(workdir, 65534, 65534)
            conf.chmod(0o644)
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 15
            while True:
                with contextlib.suppress(OSError):
                    if all(harness.request(p, "GET", "/api/ping")[0] == 200 for p in (listen_one, listen_two)):
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
            yield listen_one, listen_two
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def wrk(port: int, path: str, cookies: list[str], seconds: float, connections: int, workdir: Path) -> dict:
    script = workdir / f"rotate-{uuid.uuid4().hex[:8]}.lua"
    script.write_text(
        ROTATE.format(cookies=", ".join(harness.lua_string(c) for c in cookies or [""]))
        + DONE.replace("{{", "{").replace("}}", "}")
    )
    return harness.run_wrk(script, port, path, seconds, connections)


def loaded(port: int, path: str, cookies: list[str], seconds: float, connections: int, workdir: Path, instances):
    """One wrk figure, with the cores each instance and the whole machine kept busy meanwhile."""
    before = [realtime.cpu_seconds(p) for p in instances], realtime.machine_busy_seconds(), time.monotonic()
    figure = wrk(port, path, cookies, seconds, connections, workdir)
    wall = time.monotonic() - before[2]
    figure["cores_busy"] = {
        **{
            f"instance_{name}": round((realtime.cpu_seconds(p) - used) / wall, 2)
            for name, p, used in zip("ab", instances, before[0], strict=True)
        },
        "machine": round((realtime.machine_busy_seconds() - before[1]) / wall, 2),
    }
    return figure


def spread(port: int, path: str, cookies: list[str], requests_: int = 40) -> dict:
    """Which instance answered (nginx's X-Upstream header), per request, rotating the sessions."""
    seen: dict[str, int] = {}
    for n in range(requests_):
        headers = {"Cookie": cookies[n % len(cookies)]} if cookies else {}
        _, response_headers, _ = harness.request(port, "GET", path, headers=headers)
        upstream = dict((k.lower(), v) for k, v in response_headers).get("x-upstream", "?")
        seen[upstream] = seen.get(upstream, 0) + 1
    return seen


def socket_through_proxy(port: int, people: list[realtime.Person]) -> dict:
    """One message from a WebSocket client to a long-polling client, both connected through the proxy."""
    import requests
    import socketio

    sender, recipient = people
    inbox = realtime.Inbox()
    # Like a browser, the cookie goes with every long-polling request, not only the handshake
    # (python-engineio sends connect() headers on the handshake alone); the proxy routes on it.
    browser = requests.Session()
    browser.headers.update({"Cookie": recipient.cookie, "Origin": f"http://127.0.0.1:{port}"})
    receiving = socketio.Client(reconnection=False, http_session=browser)
    receiving.on("message", inbox.on_message, namespace=realtime.NAMESPACE)
    try:
        receiving.connect(
            f"http://127.0.0.1:{port}",
            namespaces=[realtime.NAMESPACE],
            transports=["polling"],
            wait_timeout=10,
        )
        sending = sender.socket(port)
        client_id = uuid.uuid4().hex
        arrived = inbox.expect(client_id)
        t = time.perf_counter()
        ack = sending.call(
            "send_message",
            {"recipient_id": recipient.id, "content": "through the proxy", "client_id": client_id},
            namespace=realtime.NAMESPACE,
            timeout=realtime.WAIT,
        )
        arrived.wait(realtime.WAIT)
        at = inbox.take(client_id)
        return {
            "ack_ok": bool(ack and ack.get("ok")),
            "delivered": at is not None,
            "latency_ms": round((at - t) * 1000, 3) if at is not None else None,
            "sender_transport": sending.transport(),
            "recipient_transport": receiving.transport(),
        }
    finally:
        with contextlib.suppress(Exception):
            receiving.disconnect()
        sender.close()


def profile_target(url: str) -> str:
    import sqlalchemy as sa

    from networkapp.models import User

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return str(
                conn.scalar(
                    sa.select(User.id).where(User.profile_visibility == "public").order_by(User.id).offset(7).limit(1)
                )
            )
    finally:
        engine.dispose()


def measure(
    url: str,
    seconds: float,
    *,
    repeat: int = 1,
    connections: int = 8,
    sessions: int = 16,
    redis_url: str = realtime.DEFAULT_REDIS,
) -> dict:
    if not url.startswith("postgresql"):
        raise RuntimeError("the instances share one database: give a PostgreSQL --database-url")
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    port_a, port_b, one, two = (harness.free_port() for _ in range(4))
    allow = realtime.origins(port_a, port_b, one, two)
    profile = profile_target(url)
    rounds = []
    with (
        realtime.gunicorn(url, port=port_a, REDIS_URL=redis_url, CORS_ORIGINS=allow) as a,
        realtime.gunicorn(url, port=port_b, REDIS_URL=redis_url, CORS_ORIGINS=allow) as b,
        nginx(port_a, port_b, one, two),
        tempfile.TemporaryDirectory() as tmp,
    ):
        pairs = realtime.sign_in(a, realtime.candidate_pairs(url, sessions // 2 + 1), sessions // 2 + 1)
        people = [p for pair in pairs for p in pair]
        socket_check = socket_through_proxy(two, [people[0], people[1]])
        print(f"socket.io through nginx: {socket_check}", flush=True)
        cookies = [p.cookie for p in people[2 : 2 + sessions]]
        distribution = {
            "profile_read": spread(two, f"/api/profiles/{profile}", cookies),
            "ping": spread(two, "/api/ping", []),
        }
        print(f"requests per instance through the two-instance port: {distribution}", flush=True)
        cases = [("ping", "/api/ping", []), ("profile_read", f"/api/profiles/{profile}", cookies)]
        for n in range(repeat):
            one_round = {}
            for name, path, jar in cases:
                one_round[name] = {
                    target: loaded(port, path, jar, seconds, connections, Path(tmp), (a, b))
                    for target, port in (("direct_one", a), ("nginx_one", one), ("nginx_two", two))
                }
            rounds.append(one_round)
            print(f"round {n + 1}/{repeat}", flush=True)
            for name, targets in one_round.items():
                for target, r in targets.items():
                    print(
                        f"  {name:<13} {target:<11} {r['rps']:>8.1f} req/s  p50 {r['p50_ms']:.2f}  "
                        f"p95 {r['p95_ms']:.2f}  p99 {r['p99_ms']:.2f} ms  cores {r['cores_busy']}"
                        + (f"  errors {r['errors']}" if r["errors"] else ""),
                        flush=True,
                    )
    return report(rounds, socket_check, distribution, connections, sessions)


def report(rounds: list[dict], socket_check: dict, distribution: dict, connections: int, sessions: int) -> dict:
    figures, ratios = {}, {}
    for name in rounds[0]:
        figures[name] = {
            target: {
                key: round(statistics.median(r[name][target][key] for r in rounds), 3)
                for key in ("rps", "p50_ms", "p95_ms", "p99_ms")
            }
            | {"errors": sum(r[name][target]["errors"] for r in rounds)}
            | {
                "cores_busy": {
                    k: round(statistics.median(r[name][target]["cores_busy"][k] for r in rounds), 2)
                    for k in rounds[0][name][target]["cores_busy"]
                }
            }
            for target in rounds[0][name]
        }
        ratios[name] = {
            "two_over_one_rps": round(
                statistics.median(r[name]["nginx_two"]["rps"] / r[name]["nginx_one"]["rps"] for r in rounds), 3
            ),
            "two_over_direct_rps": round(
                statistics.median(r[name]["nginx_two"]["rps"] / r[name]["direct_one"]["rps"] for r in rounds), 3
            ),
            "proxy_over_direct_rps": round(
                statistics.median(r[name]["nginx_one"]["rps"] / r[name]["direct_one"]["rps"] for r in rounds), 3
            ),
        }
    return {
        "cpus": os.cpu_count(),
        "wrk_connections": connections,
        "sessions": sessions,
        "repeat": len(rounds),
        "socketio_through_proxy": socket_check,
        "requests_per_instance": distribution,
        "figures": figures,
        "ratios": ratios,
        "rounds": rounds,
    }


def run(url: str, seconds: float) -> dict:
    """For ``bench/run.py``: one round on the seeded PostgreSQL database ``url`` (skipped on SQLite)."""
    if not url.startswith("postgresql"):
        return {"skipped": "scale-out needs PostgreSQL shared by both instances"}
    return measure(url, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=realtime.DEFAULT_DB, help="PostgreSQL, seeded with flask seed scale")
    parser.add_argument("--redis-url", default=realtime.DEFAULT_REDIS)
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk duration per figure")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--sessions", type=int, default=16, help="signed-in people rotated by wrk")
    parser.add_argument("--users", type=int, default=5000, help="people to seed when the database is empty")
    parser.add_argument("--out", type=Path, default=harness.RESULTS)
    args = parser.parse_args()

    realtime.ensure_seeded(args.database_url, args.users)
    result = measure(
        args.database_url,
        args.seconds,
        repeat=args.repeat,
        connections=args.connections,
        sessions=args.sessions,
        redis_url=args.redis_url,
    )
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "seconds_per_figure": args.seconds,
        **result,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{datetime.now(UTC):%Y-%m-%d}-scaleout.json"
    path.write_text(json.dumps(result, indent=1))
    print()
    for name, targets in result["figures"].items():
        for target, f in targets.items():
            print(f"{name:<13} {target:<11} {f['rps']:>8.1f} req/s  p95 {f['p95_ms']:.2f} ms  cores {f['cores_busy']}")
    print(json.dumps(result["ratios"]))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
