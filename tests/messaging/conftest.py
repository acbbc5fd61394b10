"""Helpers for the messaging tests: sending, Socket.IO test clients, waiting for pushed events."""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa

from networkapp.extensions import db, socketio

ALLOWED_ORIGIN = "http://localhost:3000"


def send(actor, expect: int | None = 201, **body):
    response = actor.post("/api/messages", json=body)
    if expect is not None:
        assert response.status_code == expect, response.get_json()
    return response


def sio(app, actor, namespace: str = "/chat", headers: dict | None = None):
    return socketio.test_client(app, namespace=namespace, flask_test_client=actor.client, headers=headers)


def _payload(args):
    # The test client hands back one argument either bare or wrapped in a list.
    return args[0] if isinstance(args, list) and len(args) == 1 else args


def events(client, name: str, namespace: str = "/chat") -> list:
    return [_payload(e["args"]) for e in client.get_received(namespace) if e["name"] == name]


def wait_for(client, name: str, count: int = 1, namespace: str = "/chat", timeout: float = 5.0) -> list:
    """Collect ``name`` events until ``count`` arrived (pushes may travel through Redis)."""
    seen: list = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.extend(events(client, name, namespace))
        if len(seen) >= count:
            return seen
        time.sleep(0.02)
    return seen


def db_rows(app, stmt):
    with app.app_context():
        rows = db.session.execute(stmt).all()
        db.session.rollback()
        return rows


def db_scalar(app, stmt):
    with app.app_context():
        value = db.session.scalar(stmt)
        db.session.rollback()
        return value


def uid(actor) -> uuid.UUID:
    return uuid.UUID(actor.id)


@pytest.fixture(autouse=True)
def attachment_dir(tmp_path, monkeypatch):
    """Uploaded files go to the test's own directory, never the instance folder."""
    path = tmp_path / "attachments"
    monkeypatch.setenv("MESSAGE_ATTACHMENT_DIR", str(path))
    return path


@pytest.fixture
def local_app(make_app):
    """An app without the Redis message queue: Flask-SocketIO's test client refuses to run over one.

    Delivery through Redis is proven against real server processes (test_scaleout.py).
    """
    return make_app(REDIS_URL="")


@pytest.fixture
def pair(app, alice, bob):
    from tests.conftest import connect

    connect(app, alice, bob)
    return alice, bob


@pytest.fixture
def conversation(pair):
    alice, bob = pair
    message = send(alice, recipient_id=bob.id, message_content="Hello Bob").get_json()
    return message["conversation_id"]


def count(app, model, *where) -> int:
    return db_scalar(app, sa.select(sa.func.count()).select_from(model).where(*where))
