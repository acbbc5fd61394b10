"""A person's profile media may total MEDIA_QUOTA_BYTES; racing uploads cannot pass it together."""

from __future__ import annotations

import sqlalchemy as sa

from networkapp.models import Media
from tests.conftest import run_together, signed_in_copy
from tests.profiles.test_media import PDF, _upload, image_bytes


def _stored(scalar) -> tuple[int, int]:
    return scalar(sa.select(sa.func.count()).select_from(Media)), scalar(sa.select(sa.func.sum(Media.size))) or 0


def _files(media_root) -> int:
    return len(list(media_root.iterdir())) if media_root.exists() else 0


def test_an_upload_past_the_quota_is_413_and_stores_nothing(app, alice, bob, scalar, media_root):
    app.config["MEDIA_QUOTA_BYTES"] = 2 * len(PDF) + 10
    assert _upload(alice, PDF, "a.pdf").status_code == 201
    assert _upload(alice, PDF, "b.pdf").status_code == 201
    refused = _upload(alice, PDF, "c.pdf")
    assert refused.status_code == 413 and refused.mimetype == "application/problem+json"
    assert "file" in refused.get_json()["errors"]
    assert _stored(scalar) == (2, 2 * len(PDF)) and _files(media_root) == 2
    assert _upload(bob, PDF, "mine.pdf").status_code == 201  # a quota is per person


def test_deleting_a_file_frees_its_bytes(app, alice, scalar, media_root):
    app.config["MEDIA_QUOTA_BYTES"] = len(PDF) + 10
    first = _upload(alice, PDF, "a.pdf").get_json()
    assert _upload(alice, PDF, "b.pdf").status_code == 413
    assert alice.delete(first["url"]).status_code == 204
    assert _upload(alice, PDF, "b.pdf").status_code == 201
    assert _stored(scalar) == (1, len(PDF)) and _files(media_root) == 1


def test_a_new_photo_replaces_the_old_one_within_the_quota(app, alice, scalar, media_root):
    photo = image_bytes("PNG", size=(40, 40))
    # Room for one photo and a half: the second fits only because it replaces the first.
    app.config["MEDIA_QUOTA_BYTES"] = len(photo) * 3 // 2
    assert _upload(alice, photo, "me.png", path="photo").status_code == 200
    second = _upload(alice, photo, "me-again.png", path="photo")
    assert second.status_code == 200
    size = second.get_json()["media"]["size"]
    assert _stored(scalar) == (1, size)
    app.config["MEDIA_QUOTA_BYTES"] = size + len(PDF) - 1
    assert _upload(alice, PDF, "cv.pdf").status_code == 413


def test_racing_uploads_cannot_pass_the_quota_together(app, alice, scalar, media_root):
    app.config["MEDIA_QUOTA_BYTES"] = 2 * len(PDF) + 10
    sessions = [signed_in_copy(app, alice) for _ in range(6)]
    for session in sessions:
        session.refresh_csrf()
    responses = run_together([lambda s=s, n=n: _upload(s, PDF, f"{n}.pdf") for n, s in enumerate(sessions)])
    assert sorted(r.status_code for r in responses) == [201, 201, 413, 413, 413, 413]
    assert _stored(scalar) == (2, 2 * len(PDF)) and _files(media_root) == 2
