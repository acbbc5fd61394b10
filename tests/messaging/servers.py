"""Real server processes (``python wsgi.py``) and real Socket.IO clients, for end-to-end tests and the benchmark."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "http://localhost:3000"
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, database_url: str, redis_url: str | None = None, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # websocket-client always sends an Origin, the URL it connects to: the server's own origin,
        # which is accepted without being listed (only the SPA's origin is).
        env.setdefault("CORS_ORIGINS", ORIGIN)
        child_env = {
            **os.environ,
            "APP_ENV": "development",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "end-to-end-test-secret",
            "RATELIMIT_ENABLED": "false",
            "REDIS_URL": redis_url or "",
            **{k: str(v) for k, v in env.items()},
        }
        child_env.pop("TEST_DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "wsgi.py"],
            cwd=ROOT,
            env=child_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server on port {self.port} exited with {self.process.returncode}")
            try:
                if requests.get(f"{self.url}/api/health", timeout=1).status_code in (200, 503):
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server on port {self.port} did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


class User:
    """A person signed in over HTTP with ``requests`` (the session cookie is what sockets present)."""

    def __init__(self, server: Server, username: str):
        self.http = requests.Session()
        token = self.http.get(f"{server.url}/api/auth/csrf", timeout=5).json()["csrf_token"]
        body = {
            "username": username,
            "email": f"{username}@example.com",
            "password": PASSWORD,
            "first_name": username.title(),
            "last_name": "Test",
            "industry": "Software",
        }
        response = self.http.post(
            f"{server.url}/api/auth/register", json=body, headers={"X-CSRF-Token": token}, timeout=10
        )
        response.raise_for_status()
        self.user = response.json()
        self.csrf = response.headers["X-CSRF-Token"]

    @property
    def id(self) -> str:
        return self.user["id"]

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def socket(self, server: Server, namespace: str = "/chat", websocket: bool = False, **kwargs) -> socketio.Client:
        """Long-polling with the SPA's Origin by default; ``websocket=True`` connects over WebSocket only
        (websocket-client then sends its own Origin, the server's URL: same-origin, accepted unlisted)."""
        client = socketio.Client(reconnection=False)
        headers = {"Cookie": self.cookie_header()}
        if websocket:
            kwargs["transports"] = ["websocket"]
        else:
            headers["Origin"] = ORIGIN
        client.connect(
            server.url,
            namespaces=[namespace],
            headers=headers,
            wait_timeout=10,
            **kwargs,
        )
        return client
