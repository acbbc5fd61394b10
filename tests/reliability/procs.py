"""Throwaway PostgreSQL and Redis instances and gunicorn servers, all on free ports of 127.0.0.1.

Fault tests stop and restart these; they never touch the machine's shared services.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.05) -> float:
    """Poll ``predicate`` until true; return the seconds it took (raise on timeout)."""
    start = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(interval)


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        raise RuntimeError("PostgreSQL server binaries (pg_ctl, initdb) are not installed")
    return Path(pg_ctl).parent


class Postgres:
    """A private PostgreSQL cluster (initdb refuses root, so it runs as the postgres user when we are root)."""

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="networkapp-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def execute(self, sql: str, database: str = "postgres"):
        with psycopg.connect(self.url(database, "postgresql"), autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else None

    def create_database(self, template: str | None = None) -> str:
        name = f"app_{uuid.uuid4().hex[:10]}"
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        wait_until(lambda: _redis_up(redis, self.url), timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


def _redis_up(redis, url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "development"}
    env.pop("TEST_DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` bound to 127.0.0.1, in its own process group."""

    def __init__(self, database_url: str, log_dir: Path, *, redis_url: str = "", threads: int = 8, **env) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        self.env = {
            **os.environ,
            "APP_ENV": "development",
            "PORT": str(self.port),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "fault-test-secret-not-for-production",
            "RATELIMIT_ENABLED": "false",
            "REDIS_URL": redis_url,
            "GUNICORN_THREADS": str(threads),
            "CORS_ORIGINS": "http://localhost:3000",
            "MEDIA_ROOT": str(log_dir / "media"),
            "MESSAGE_ATTACHMENT_DIR": str(log_dir / "attachments"),
            **{k: str(v) for k, v in env.items()},
        }
        self.env.pop("TEST_DATABASE_URL", None)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it for its lifetime
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(self._answers, timeout=timeout, interval=0.1)

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
        try:
            return requests.get(f"{self.url}/api/health", timeout=2).status_code in (200, 503)
        except requests.RequestException:
            return False

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers): nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


class Client:
    """A signed-in person speaking HTTP to a real server, with the cookie and the CSRF header."""

    def __init__(self, base_url: str, username: str | None = None, *, timeout: float = 15) -> None:
        self.base = base_url
        self.timeout = timeout
        self.http = requests.Session()
        self.csrf = ""
        self.user: dict = {}
        if username:
            self.register(username)

    @property
    def id(self) -> str:
        return self.user["id"]

    def register(self, username: str) -> None:
        self.csrf = self.http.get(f"{self.base}/api/auth/csrf", timeout=self.timeout).json()["csrf_token"]
        body = {
            "username": username,
            "email": f"{username}@example.com",
            "password": PASSWORD,
            "first_name": username.title(),
            "last_name": "Test",
            "industry": "Software",
        }
        response = self.request("POST", "/api/auth/register", json=body)
        response.raise_for_status()
        self.user = response.json()

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if method not in ("GET", "HEAD", "OPTIONS"):
            headers.setdefault("X-CSRF-Token", self.csrf)
        response = self.http.request(method, f"{self.base}{path}", headers=headers, timeout=self.timeout, **kwargs)
        if response.headers.get("X-CSRF-Token"):
            self.csrf = response.headers["X-CSRF-Token"]
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)


class RawSocket:
    """One Socket.IO connection over a bare WebSocket (Engine.IO v4), without a thread of its own.

    Hundreds of these fit in one test process: the stock client runs threads per connection.
    The server pings every 25 s and drops a client that has not answered for 20 s more, so
    these are for tests that hold sockets well under 45 s.
    """

    def __init__(self, base_url: str, cookie: str, namespace: str = "/chat", origin: str | None = None) -> None:
        import websocket

        url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        headers = [f"Cookie: {cookie}"]
        self.ws = websocket.create_connection(
            url, header=headers, origin=origin, suppress_origin=origin is None, timeout=10
        )
        opened = self.ws.recv()
        if not opened.startswith("0"):
            raise RuntimeError(f"no Engine.IO handshake: {opened!r}")
        self.ws.send(f"40{namespace},")
        answer = self.ws.recv()
        if not answer.startswith(f"40{namespace},"):
            raise RuntimeError(f"namespace refused: {answer!r}")

    def closed_by_server(self, timeout: float) -> bool:
        """Wait for the server to close this socket (a Socket.IO disconnect or the WebSocket closing)."""
        import websocket

        self.ws.settimeout(timeout)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                frame = self.ws.recv()
                if frame == "2":
                    self.ws.send("3")
                elif frame == "" or frame.startswith("41") or frame.startswith("1"):
                    return True
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            return True
        except websocket.WebSocketTimeoutException:
            return False
        return False

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the server may have dropped it already
            self.ws.close()
