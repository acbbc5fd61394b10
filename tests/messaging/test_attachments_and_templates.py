import io
import os
import uuid

import pytest
import sqlalchemy as sa

from networkapp.models import Experience, Message, MessageAttachment
from tests.conftest import connect, set_user_fields
from tests.messaging.conftest import count, db_rows

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def upload(actor, conversation, data: bytes, name: str = "file.bin", **kwargs):
    response = actor.post(
        f"/api/messages/{conversation}/attachments",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        **kwargs,
    )
    # The test client spools big bodies to a temporary file that nobody else closes.
    response.request.environ["wsgi.input"].close()
    return response


@pytest.mark.parametrize(
    ("data", "name", "detected"),
    [
        (PNG, "photo.png", "image/png"),
        (PDF, "cv.pdf", "application/pdf"),
        (b"plain notes\n", "notes.txt", "text/plain"),
    ],
)
def test_upload_creates_a_file_message_participants_can_download(app, pair, conversation, data, name, detected):
    alice, bob = pair
    response = upload(alice, conversation, data, name)
    assert response.status_code == 201, response.get_json()
    message = response.get_json()
    assert message["message_type"] == "file" and message["content"] == name
    attachment = message["attachment"]
    assert attachment["filename"] == name and attachment["content_type"] == detected and attachment["size"] == len(data)
    download = bob.get(attachment["url"])
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    (storage_name,) = db_rows(app, sa.select(MessageAttachment.storage_name))[0]
    assert name not in storage_name and len(storage_name) == 64
    (stored_name,) = db_rows(app, sa.select(sa.text("filename")).select_from(sa.table("message_attachments")))[0]
    assert name not in stored_name
    assert bob.get(f"/api/messages/{conversation}").get_json()["items"][0]["attachment"]["id"] == attachment["id"]


def test_attachments_are_for_participants_only(app, pair, conversation, make_user):
    alice, _ = pair
    outsider = make_user()
    connect(app, outsider, alice)
    url = upload(alice, conversation, PDF, "cv.pdf").get_json()["attachment"]["url"]
    assert outsider.get(url).status_code == 404
    assert upload(outsider, conversation, PDF, "x.pdf").status_code == 404
    assert outsider.get(f"/api/messages/attachments/{uuid.uuid4()}").status_code == 404
    assert count(app, MessageAttachment) == 1


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, 415),  # a Windows executable named .pdf
        (b"PK\x03\x04" + b"\x00" * 100, 415),  # a bare zip
        (b"", 422),
    ],
)
def test_uploads_are_typed_by_content(app, pair, conversation, data, status):
    alice, _ = pair
    response = upload(alice, conversation, data, "harmless.pdf")
    assert response.status_code == status, response.get_json()
    assert count(app, Message, Message.message_type == "file") == 0


def test_upload_size_limit_is_per_view(make_app, make_user, attachment_dir):
    app = make_app(MESSAGE_ATTACHMENT_MAX_BYTES=2 * 1024 * 1024)
    from tests.messaging.test_encryption import on

    alice, bob = (on(app, u) for u in (make_user(), make_user()))
    connect(app, alice, bob)
    conversation = alice.post("/api/messages", json={"recipient_id": bob.id, "message_content": "hi"}).get_json()
    conversation = conversation["conversation_id"]
    # Over the app-wide 1 MiB JSON limit but within the attachment limit.
    big = b"a" * (1024 * 1024 + 10)
    assert upload(alice, conversation, big, "big.txt").status_code == 201
    too_big = b"a" * (2 * 1024 * 1024 + 1)
    assert upload(alice, conversation, too_big, "huge.txt").status_code == 413
    way_too_big = b"a" * (3 * 1024 * 1024)
    assert upload(alice, conversation, way_too_big, "huger.txt").status_code == 413
    files = os.listdir(attachment_dir)
    stored = {name for (name,) in db_rows(app, sa.select(MessageAttachment.storage_name))}
    assert stored <= set(files) and len(stored) == 1


def test_upload_needs_multipart(app, pair, conversation):
    alice, _ = pair
    assert alice.post(f"/api/messages/{conversation}/attachments", json={"file": "x"}).status_code == 415
    missing = alice.post(f"/api/messages/{conversation}/attachments", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422


def test_templates_are_filled_from_both_profiles(app, alice, bob):
    set_user_fields(app, alice.id, headline="Data engineer", industry="Software")
    with app.app_context():
        from networkapp.extensions import db

        db.session.add(Experience(user_id=uuid.UUID(bob.id), company="Acme {corp}", position="CTO", is_current=True))
        db.session.commit()
    body = alice.get(f"/api/messages/templates?recipient_id={bob.id}").get_json()
    keys = [t["key"] for t in body["items"]]
    assert keys == ["introduction", "follow_up_application", "thank_you_interview", "referral_request"]
    intro = body["items"][0]["content"]
    assert intro.startswith("Hi Bob,") and "Alice Archer, Data engineer" in intro and "CTO at Acme {corp}" in intro
    assert "Acme {corp}" in body["items"][3]["content"]
    assert alice.get(f"/api/messages/templates?recipient_id={uuid.uuid4()}").status_code == 404
    assert alice.get("/api/messages/templates").status_code == 422
    assert alice.get(f"/api/messages/templates?recipient_id={alice.id}").status_code == 404
