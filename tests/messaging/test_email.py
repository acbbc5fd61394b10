import socket
import uuid
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from networkapp.extensions import db
from networkapp.models import EmailOutbox
from tests.conftest import connect
from tests.messaging.conftest import count, send, sio


class Inbox:
    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    return make_app(REDIS_URL="", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_USE_TLS="false")


def actors(app, make_user, n):
    from tests.messaging.test_encryption import on

    return [on(app, make_user(first_name=f"Person{i}")) for i in range(n)]


def notify_now(app, user_id, type_, actor_id):
    from networkapp.notifications.services import notify

    with app.test_request_context():
        notify(uuid.UUID(user_id), type_, actor=uuid.UUID(actor_id))
        db.session.commit()


def test_offline_users_get_one_digest_with_what_they_missed(mail_app, make_user, smtp):
    app = mail_app
    alice, bob, carol = actors(app, make_user, 3)
    connect(app, alice, bob)
    connect(app, carol, bob)
    bob.put("/api/messages/settings", json={"email_opt_out": ["endorsement"]})
    send(alice, recipient_id=bob.id, message_content="first")
    send(alice, recipient_id=bob.id, message_content="second")
    read_later = send(carol, recipient_id=bob.id, message_content="from carol").get_json()
    notify_now(app, bob.id, "connection_request", carol.id)
    notify_now(app, bob.id, "endorsement", carol.id)  # opted out
    bob.get(f"/api/messages/{read_later['conversation_id']}")  # read in the app before the digest
    assert count(app, EmailOutbox, EmailOutbox.user_id == uuid.UUID(bob.id)) == 4

    result = app.test_cli_runner().invoke(args=["notifications", "send-digests"])
    assert result.exit_code == 0 and "sent 1 digests" in result.output, result.output
    assert len(smtp.mails) == 1
    recipients, mail = smtp.mails[0]
    assert recipients == [bob.user["email"]] and "waiting for you" in mail["Subject"]
    body = mail.get_content()
    assert "Person0 " in body and "sent you 2 new messages" in body
    assert "Person2" in body and "wants to connect" in body
    assert "from carol" not in body and "endorsed" not in body and "first" not in body
    # Nothing is sent twice.
    again = app.test_cli_runner().invoke(args=["notifications", "send-digests"])
    assert "sent 0 digests" in again.output and len(smtp.mails) == 1
    assert count(app, EmailOutbox, EmailOutbox.sent_at.is_(None)) == 0


def test_online_users_are_not_emailed(mail_app, make_user, smtp):
    app = mail_app
    alice, bob = actors(app, make_user, 2)
    connect(app, alice, bob)
    tab = sio(app, bob)
    send(alice, recipient_id=bob.id, message_content="you are online")
    assert count(app, EmailOutbox) == 0
    tab.disconnect(namespace="/chat")
    send(alice, recipient_id=bob.id, message_content="now you are not")
    assert count(app, EmailOutbox) == 1


def test_nothing_is_queued_without_mail_server(app, pair):
    alice, bob = pair
    send(alice, recipient_id=bob.id, message_content="hi")
    assert count(app, EmailOutbox) == 0
    result = app.test_cli_runner().invoke(args=["notifications", "send-digests"])
    assert "e-mail is disabled" in result.output
