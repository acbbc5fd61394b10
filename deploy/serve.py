"""The production topology on one machine: ``make serve`` (docs/deployment.md).

- the HTTP API: ``gunicorn -c gunicorn.conf.py wsgi:app`` with ``SERVER_ROLE=api``, one gthread
  worker per core (``WEB_CONCURRENCY``), a few threads each, on 127.0.0.1;
- the real-time server: the same command with ``SERVER_ROLE=realtime``, one gevent worker that
  holds every socket, on 127.0.0.1;
- nginx in front on ``$HOST:$PORT``: ``/socket.io/`` to the real-time server, the rest to the API.

The API processes push live events through Redis, which the real-time server listens to, so
``REDIS_URL`` is required; so is ``DATABASE_URL`` (every process shares one database).  The
schema is upgraded once before anything starts.  SIGTERM or SIGINT stops everything (the
real-time server closes its sockets and clears their presence at once); if one part exits, the
others are stopped and this exits non-zero, so a supervisor restarts the whole.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if found is None:
        sys.exit("make serve needs nginx (Debian: apt-get install nginx-light)")
    return found


def wait_for(port: int, proc: subprocess.Popen, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited with {proc.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{name} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def main() -> int:
    env = dict(os.environ)
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not env.get(name)]
    if missing:
        sys.exit(f"make serve needs {' and '.join(missing)}: the processes share one database and push through Redis")
    env.setdefault("APP_ENV", "production")
    # nginx is the one proxy in front: trust its X-Forwarded-* (rate limits and sessions see the client).
    env.setdefault("PROXY_FIX_X_FOR", "1")
    listen = f"{env.get('HOST', '0.0.0.0')}:{env.get('PORT', '5005')}"  # noqa: S104 - the public listener
    api_port, realtime_port = free_port(), free_port()

    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True)

    workdir = Path(tempfile.mkdtemp(prefix="networkapp-serve-"))
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    for key, value in {
        "@DIR@": str(workdir),
        "@LISTEN@": listen,
        "@API_PORT@": str(api_port),
        "@REALTIME_PORT@": str(realtime_port),
    }.items():
        template = template.replace(key, value)
    (workdir / "nginx.conf").write_text(template)

    def gunicorn(role: str, port: int) -> subprocess.Popen:
        child = {**env, "SERVER_ROLE": role, "HOST": "127.0.0.1", "PORT": str(port)}
        return subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=child)

    parts: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    try:
        parts["realtime"] = gunicorn("realtime", realtime_port)
        parts["api"] = gunicorn("api", api_port)
        wait_for(realtime_port, parts["realtime"], "the real-time server")
        wait_for(api_port, parts["api"], "the API")
        parts["nginx"] = subprocess.Popen([nginx_binary(), "-p", str(workdir), "-c", str(workdir / "nginx.conf")])
        print(
            f"networkapp on http://{listen}: API 127.0.0.1:{api_port}, real time 127.0.0.1:{realtime_port}", flush=True
        )
        while not stopping:
            for name, proc in parts.items():
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping the rest", file=sys.stderr, flush=True)
                    status = 1
                    stopping = True
            time.sleep(0.5)
    finally:
        for proc in parts.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 25
        for proc in parts.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
