import sqlalchemy as sa
from cryptography.fernet import Fernet

from networkapp.extensions import db
from tests.conftest import PASSWORD, Actor, connect
from tests.messaging.conftest import send

SECRET = "The merger closes on Thursday"


def raw(app, sql):
    with app.app_context():
        rows = db.session.execute(sa.text(sql)).all()
        db.session.rollback()
        return rows


def test_message_bodies_are_not_stored_in_plaintext(app, pair):
    alice, bob = pair
    send(alice, recipient_id=bob.id, message_content=SECRET)
    bob.put("/api/messages/settings", json={"auto_response": "On leave in Lisbon"})
    (content,) = raw(app, "SELECT content FROM messages")[0]
    assert SECRET not in content and "merger" not in content.lower()
    assert content.startswith("gAAAA")  # a Fernet token
    (auto,) = raw(app, "SELECT auto_response FROM messaging_settings")[0]
    assert "Lisbon" not in auto
    tokens = [t for (t,) in raw(app, "SELECT token FROM message_search_tokens")]
    assert len(tokens) == len(set(SECRET.lower().split())) and not {"merger", "thursday"} & set(tokens)
    assert bob.get("/api/messages").get_json()["items"][0]["last_message"]["content"] == SECRET


def on(app, actor):
    """The same person signed in on another app instance (same database, other settings)."""
    fresh = Actor(app, actor.user)
    assert (
        fresh.post("/api/auth/login", json={"username": actor.user["username"], "password": PASSWORD}).status_code
        == 200
    )
    return fresh


def test_rotation_keeps_old_messages_readable_and_searchable(make_app, make_user):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app = make_app(MESSAGE_ENCRYPTION_KEYS=old_key)
    users = make_user(), make_user()
    alice, bob = (on(app, u) for u in users)
    connect(app, alice, bob)
    conversation = send(alice, recipient_id=bob.id, message_content=SECRET).get_json()["conversation_id"]
    (before,) = raw(app, "SELECT content FROM messages")[0]

    rotated = make_app(MESSAGE_ENCRYPTION_KEYS=f"{new_key},{old_key}")
    bob = on(rotated, users[1])
    # Deployed with the new key first: old rows still decrypt and are still found by search.
    assert bob.get(f"/api/messages/{conversation}").get_json()["items"][0]["content"] == SECRET
    assert len(bob.get("/api/messages?q=merger").get_json()["items"]) == 1
    result = rotated.test_cli_runner().invoke(args=["messages", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "messages.content: 1 re-encrypted" in result.output
    (after,) = raw(rotated, "SELECT content FROM messages")[0]
    assert after != before and Fernet(new_key.encode()).decrypt(after.encode()).decode() == SECRET

    # Now the old key can go.
    only_new = make_app(MESSAGE_ENCRYPTION_KEYS=new_key)
    bob = on(only_new, users[1])
    assert bob.get(f"/api/messages/{conversation}").get_json()["items"][0]["content"] == SECRET
    assert len(bob.get("/api/messages?q=thursday").get_json()["items"]) == 1
