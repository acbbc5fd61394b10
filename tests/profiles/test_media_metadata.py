"""Uploaded images are stored and served without the metadata a camera leaves in them."""

import io

import pytest
from PIL import Image


def exif_jpeg() -> bytes:
    image = Image.new("RGB", (12, 6), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Spycam Maker"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize("path", ["photo", "media"])
def test_uploaded_images_lose_their_exif_and_gps(alice, media_root, path):
    data = exif_jpeg()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)
    response = alice.post(f"/api/profiles/{alice.id}/{path}", data={"file": (io.BytesIO(data), "me.jpg")})
    assert response.status_code in (200, 201), response.get_json()
    media = response.get_json().get("media") or response.get_json()
    served = alice.get(media["url"])
    body = served.get_data()
    served.close()
    stored = [p.read_bytes() for p in media_root.iterdir()]
    assert len(stored) == 1 and stored[0] == body
    assert media["size"] == len(body)
    with Image.open(io.BytesIO(body)) as clean:
        assert clean.format == "JPEG" and clean.size == (12, 6)
        assert dict(clean.getexif()) == {} and not clean.getexif().get_ifd(0x8825)
        assert "exif" not in clean.info
    assert b"Spycam" not in body


def with_metadata(kind: str) -> bytes:
    from PIL import PngImagePlugin

    image = Image.new("RGB", (12, 6), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Spycam Maker"
    out = io.BytesIO()
    if kind == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "Spycam home address")
        image.save(out, format="PNG", exif=exif.tobytes(), pnginfo=text)
    elif kind == "GIF":
        image.save(out, format="GIF", comment=b"Spycam home address")
    else:
        image.save(out, format=kind, exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize("kind", ["PNG", "WEBP", "GIF"])
def test_other_formats_lose_their_metadata_too(alice, media_root, kind):
    data = with_metadata(kind)
    assert b"Spycam" in data
    response = alice.post(f"/api/profiles/{alice.id}/media", data={"file": (io.BytesIO(data), "x")})
    assert response.status_code == 201, response.get_json()
    stored = [p.read_bytes() for p in media_root.iterdir()]
    assert len(stored) == 1 and b"Spycam" not in stored[0]
    with Image.open(io.BytesIO(stored[0])) as clean:
        assert clean.format == kind and clean.size == (12, 6) and dict(clean.getexif()) == {}


def test_an_exif_orientation_is_applied_before_it_is_dropped(alice, media_root):
    image = Image.new("RGB", (12, 6), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise when shown
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    response = alice.post(f"/api/profiles/{alice.id}/media", data={"file": (io.BytesIO(out.getvalue()), "x")})
    assert response.status_code == 201
    with Image.open(next(media_root.iterdir())) as clean:
        assert clean.size == (6, 12) and dict(clean.getexif()) == {}
