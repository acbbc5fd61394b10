import io
import os

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from networkapp.models import Media, User
from tests.profiles.conftest import put_profile, uid


def image_bytes(kind: str = "PNG", size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def PNG() -> io.BytesIO:
    return io.BytesIO(image_bytes("PNG"))


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _upload(actor, data: bytes, name: str, path: str = "media", **form):
    return actor.post(f"/api/profiles/{actor.id}/{path}", data={"file": (io.BytesIO(data), name), **form})


def _fetch(actor, url):
    response = actor.get(url)
    response.get_data()
    response.close()  # send_file streams the file: close it like a browser would
    return response


def _media_rows(scalar):
    return scalar(sa.select(sa.func.count()).select_from(Media))


@pytest.mark.parametrize(
    "kind, content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")]
)
def test_images_upload_and_are_served_back(alice, media_root, kind, content_type):
    data = image_bytes(kind)
    # The client's file name says nothing: the bytes decide.
    response = _upload(alice, data, "holiday.txt")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["content_type"] == content_type and body["size"] == len(data) and body["caption"] is None
    stored = list(media_root.iterdir())
    assert len(stored) == 1 and "holiday" not in stored[0].name
    served = _fetch(alice, body["url"])
    assert served.status_code == 200 and served.data == data and served.mimetype == content_type
    assert "no-store" in served.headers["Cache-Control"] or "private" in served.headers["Cache-Control"]


def test_pdf_upload(alice):
    response = _upload(alice, PDF, "cv.pdf")
    assert response.status_code == 201 and response.get_json()["content_type"] == "application/pdf"


@pytest.mark.parametrize(
    "data, name",
    [
        (b"MZ\x90\x00 this is an executable", "photo.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.svg"),
        (b"<html><script>alert(1)</script></html>", "x.jpg"),
        (b"\x89PNG\r\n\x1a\n broken png", "broken.png"),
        (b"GIF89a", "tiny.gif"),
    ],
)
def test_bad_types_are_415_and_nothing_is_stored(alice, scalar, media_root, data, name):
    response = _upload(alice, data, name)
    assert response.status_code == 415, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert _media_rows(scalar) == 0
    assert not media_root.exists() or list(media_root.iterdir()) == []


def test_photo_must_be_an_image(alice, scalar):
    assert _upload(alice, PDF, "me.pdf", path="photo").status_code == 415
    assert _media_rows(scalar) == 0


def test_too_large_is_413_and_nothing_is_stored(app, alice, scalar, media_root):
    app.config["MEDIA_MAX_BYTES"] = 2000
    big = image_bytes("PNG", size=(300, 300)) + b"\0" * 3000
    response = _upload(alice, big, "big.png")
    assert response.status_code == 413
    assert _media_rows(scalar) == 0
    assert not media_root.exists() or list(media_root.iterdir()) == []


def test_uploads_above_the_json_limit_are_accepted_up_to_the_media_limit(app, alice):
    app.config["MEDIA_MAX_BYTES"] = 3 * 1024 * 1024
    big = io.BytesIO()
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(big, format="PNG")
    assert len(big.getvalue()) > 1024 * 1024
    # Encoded in memory: the test client would otherwise spool a body this size to a temporary file.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(big.getvalue()), "big.png")})
    response = alice.post(
        f"/api/profiles/{alice.id}/media", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize(
    "kwargs, status",
    [
        ({"json": {"file": "x"}}, 415),
        ({"data": {"other": "no file"}}, 415),
        ({"data": {"other": "no file"}, "content_type": "multipart/form-data"}, 422),
        ({"data": {"file": (io.BytesIO(b""), "empty.png")}}, 422),
    ],
)
def test_malformed_uploads(alice, scalar, kwargs, status):
    assert alice.post(f"/api/profiles/{alice.id}/media", **kwargs).status_code == status
    assert _media_rows(scalar) == 0


def test_only_the_owner_uploads(alice, bob, anon, scalar):
    assert bob.post(f"/api/profiles/{alice.id}/media", data={"file": (PNG(), "a.png")}).status_code == 403
    assert anon.post(f"/api/profiles/{alice.id}/media", data={"file": (PNG(), "a.png")}).status_code == 401
    assert bob.post(f"/api/profiles/{alice.id}/photo", data={"file": (PNG(), "a.png")}).status_code == 403
    assert _media_rows(scalar) == 0


def test_profile_photo_sets_image_url_and_replaces_the_old_one(alice, bob, scalar, media_root):
    first = _upload(alice, image_bytes("PNG"), "a.png", path="photo")
    assert first.status_code == 200, first.get_json()
    url = first.get_json()["profile_image_url"]
    assert url == first.get_json()["media"]["url"]
    assert scalar(sa.select(User.profile_image_url).where(User.id == uid(alice))) == url
    second = _upload(alice, image_bytes("JPEG"), "b.jpg", path="photo").get_json()
    assert _media_rows(scalar) == 1 and len(list(media_root.iterdir())) == 1
    assert _fetch(bob, url).status_code == 404
    assert _fetch(bob, second["profile_image_url"]).status_code == 200
    assert alice.delete(second["profile_image_url"]).status_code == 204
    assert scalar(sa.select(User.profile_image_url).where(User.id == uid(alice))) is None
    assert list(media_root.iterdir()) == []


def test_media_follow_profile_privacy(alice, bob, anon):
    url = _upload(alice, PDF, "cv.pdf").get_json()["url"]
    assert _fetch(anon, url).status_code == 200
    assert [m["url"] for m in bob.get(f"/api/profiles/{alice.id}/media").get_json()["items"]] == [url]
    put_profile(alice, privacy={"profile_visibility": "connections"})
    assert _fetch(anon, url).status_code == 404 and _fetch(bob, url).status_code == 404
    assert bob.get(f"/api/profiles/{alice.id}/media").status_code == 404
    assert _fetch(alice, url).status_code == 200


def test_only_the_owner_deletes_media(alice, bob, scalar):
    url = _upload(alice, PDF, "cv.pdf").get_json()["url"]
    assert bob.delete(url).status_code == 404
    assert _media_rows(scalar) == 1
    assert alice.delete(url).status_code == 204
    assert _media_rows(scalar) == 0
