"""Attachment quotas per sender, and a sender deleting an attachment."""

from __future__ import annotations

import sqlalchemy as sa

from networkapp.models import Message, MessageAttachment
from tests.conftest import run_together, signed_in_copy
from tests.messaging.conftest import count, db_rows
from tests.messaging.test_attachments_and_templates import PDF, upload

NOTES = b"meeting notes, " * 20  # 300 bytes of plain text


def _files(attachment_dir) -> list:
    return sorted(attachment_dir.iterdir()) if attachment_dir.exists() else []


def test_an_upload_past_the_quota_is_413_and_stores_nothing(app, pair, conversation, attachment_dir):
    alice, bob = pair
    app.config["ATTACHMENT_QUOTA_BYTES"] = 2 * len(NOTES) + 10
    assert upload(alice, conversation, NOTES, "a.txt").status_code == 201
    assert upload(alice, conversation, NOTES, "b.txt").status_code == 201
    refused = upload(alice, conversation, NOTES, "c.txt")
    assert refused.status_code == 413
    assert refused.mimetype == "application/problem+json"
    assert "file" in refused.get_json()["errors"]
    assert count(app, MessageAttachment) == 2 and len(_files(attachment_dir)) == 2
    assert count(app, Message, Message.message_type == "file") == 2
    # The quota is the sender's: bob still has all of his.
    assert upload(bob, conversation, NOTES, "d.txt").status_code == 201


def test_no_quota_when_set_to_zero(app, pair, conversation):
    alice, _ = pair
    app.config["ATTACHMENT_QUOTA_BYTES"] = 0
    for n in range(3):
        assert upload(alice, conversation, NOTES, f"{n}.txt").status_code == 201


def test_deleting_an_attachment_removes_the_file_and_frees_the_quota(app, pair, conversation, attachment_dir):
    alice, bob = pair
    app.config["ATTACHMENT_QUOTA_BYTES"] = len(NOTES) + 10
    sent = upload(alice, conversation, NOTES, "notes.txt").get_json()
    attachment_id = sent["attachment"]["id"]
    assert upload(alice, conversation, NOTES, "again.txt").status_code == 413
    assert len(_files(attachment_dir)) == 1

    assert alice.delete(f"/api/messages/attachments/{attachment_id}").status_code == 204
    assert count(app, MessageAttachment) == 0 and _files(attachment_dir) == []
    assert bob.get(f"/api/messages/attachments/{attachment_id}").status_code == 404
    # The message stays, without its file.
    messages = bob.get(f"/api/messages/{conversation}").get_json()["items"]
    file_message = next(m for m in messages if m["id"] == sent["id"])
    assert file_message["attachment"] is None and file_message["content"] == "notes.txt"

    # Deleting again changes nothing; the freed bytes are usable at once.
    assert alice.delete(f"/api/messages/attachments/{attachment_id}").status_code == 404
    assert upload(alice, conversation, NOTES, "again.txt").status_code == 201


def test_only_the_sender_deletes_an_attachment(app, pair, conversation, make_user, attachment_dir):
    alice, bob = pair
    attachment_id = upload(alice, conversation, PDF, "cv.pdf").get_json()["attachment"]["id"]
    outsider = make_user()
    assert bob.delete(f"/api/messages/attachments/{attachment_id}").status_code == 403
    assert outsider.delete(f"/api/messages/attachments/{attachment_id}").status_code == 404
    assert count(app, MessageAttachment) == 1 and len(_files(attachment_dir)) == 1
    download = bob.get(f"/api/messages/attachments/{attachment_id}")
    assert download.status_code == 200 and download.get_data() == PDF
    download.close()


def test_concurrent_deletes_of_one_attachment_delete_it_once(app, pair, conversation, attachment_dir):
    alice, _ = pair
    attachment_id = upload(alice, conversation, NOTES, "notes.txt").get_json()["attachment"]["id"]
    sessions = [signed_in_copy(app, alice) for _ in range(6)]
    for session in sessions:
        session.refresh_csrf()
    responses = run_together([lambda s=s: s.delete(f"/api/messages/attachments/{attachment_id}") for s in sessions])
    assert sorted(r.status_code for r in responses) == [204] + [404] * 5
    assert count(app, MessageAttachment) == 0 and _files(attachment_dir) == []


def test_racing_uploads_cannot_pass_the_quota_together(app, pair, conversation, attachment_dir):
    alice, _ = pair
    app.config["ATTACHMENT_QUOTA_BYTES"] = 2 * len(NOTES) + 10
    sessions = [signed_in_copy(app, alice) for _ in range(6)]
    for session in sessions:
        session.refresh_csrf()
    responses = run_together(
        [lambda s=s, n=n: upload(s, conversation, NOTES, f"{n}.txt") for n, s in enumerate(sessions)]
    )
    assert sorted(r.status_code for r in responses) == [201, 201, 413, 413, 413, 413]
    stored = db_rows(app, sa.select(sa.func.sum(MessageAttachment.size)))[0][0]
    assert stored == 2 * len(NOTES)
    assert len(_files(attachment_dir)) == 2
