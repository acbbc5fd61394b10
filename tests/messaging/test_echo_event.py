"""``/chat`` ``echo``: the round-trip floor the real-time benchmark measures chat delivery against."""

import pytest

from networkapp.models import Message, SocketPresence
from tests.messaging.conftest import count, events, sio


@pytest.fixture
def app(local_app):
    return local_app


@pytest.mark.parametrize("payload", [{"n": 7, "sent": 1.5, "text": "héllo"}, "plain", [1, 2, 3], None])
def test_echo_acks_its_payload_unchanged(app, alice, payload):
    tab = sio(app, alice)
    ack = tab.emit("echo", payload, namespace="/chat", callback=True)
    assert ack == {"ok": True, "echo": payload}
    # An ack only: nothing is pushed to this socket or any other.
    assert events(tab, "echo") == [] and events(tab, "message") == []


def test_echo_runs_no_sql_and_stores_nothing(app, alice, query_counter):
    tab = sio(app, alice)
    with query_counter() as statements:
        for n in range(5):
            assert tab.emit("echo", {"n": n}, namespace="/chat", callback=True)["echo"] == {"n": n}
    assert statements == []
    assert count(app, Message) == 0
    assert count(app, SocketPresence) == 1


def test_echo_needs_a_connection_like_every_chat_event(app, anon):
    tab = sio(app, anon)
    assert not tab.is_connected("/chat")
    with pytest.raises(RuntimeError):
        tab.emit("echo", {"n": 1}, namespace="/chat", callback=True)
