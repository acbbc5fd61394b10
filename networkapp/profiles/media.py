"""Uploaded files: checked by content, stored under MEDIA_ROOT with random names, served by privacy."""

from __future__ import annotations

import io
import logging
import os
import secrets
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, request
from PIL import Image, ImageOps, UnidentifiedImageError

from networkapp import quotas
from networkapp.database import after_commit, commit
from networkapp.errors import Forbidden, Invalid, NotFound, PayloadTooLarge, UnsupportedMediaType
from networkapp.extensions import db
from networkapp.models import Media, User
from networkapp.pagination import keyset_page
from networkapp.profiles.visibility import Level, level, relation

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Room for the multipart envelope around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
}
MAX_PIXELS = 40_000_000
# Metadata a camera or editor leaves in a file: where it was taken (EXIF GPS), on what, by whom.
METADATA_KEYS = frozenset({"exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc"})
# JPEG segments that only describe how to decode the picture (JFIF, ICC colour profile, Adobe colour transform).
JPEG_DECODING_SEGMENTS = frozenset({"APP0", "APP2", "APP14"})


def max_bytes() -> int:
    return int(current_app.config.get("MEDIA_MAX_BYTES", DEFAULT_MAX_BYTES))


def media_root() -> Path:
    root = current_app.config.get("MEDIA_ROOT") or os.path.join(current_app.instance_path, "media")
    return Path(root)


def allow_upload_body() -> None:
    """Uploads may exceed the app-wide JSON body limit, up to the media limit (checked before parsing)."""
    limit = max_bytes() + MULTIPART_OVERHEAD
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"Files may be at most {max_bytes() // 1024} KiB.")
    request.max_content_length = limit


def sniff(data: bytes, *, images_only: bool) -> str:
    """The content type of ``data`` judged by its bytes; the client's name and type are ignored."""
    if data.startswith(b"%PDF-") and not images_only:
        return "application/pdf"
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if image.width * image.height > MAX_PIXELS:
                raise Invalid("The image has too many pixels.", field="file")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    if kind not in IMAGE_TYPES:
        allowed = "JPEG, PNG, WebP or GIF images" + ("" if images_only else " or PDF documents")
        raise UnsupportedMediaType(f"Upload {allowed}.")
    return IMAGE_TYPES[kind]


def _carries_metadata(image: Image.Image) -> bool:
    if METADATA_KEYS & image.info.keys() or image.getexif():
        return True
    if image.format == "JPEG":
        return any(marker not in JPEG_DECODING_SEGMENTS for marker, _ in getattr(image, "applist", []))
    return bool(getattr(image, "text", None))


def strip_metadata(data: bytes, content_type: str) -> bytes:
    """``data`` without EXIF (GPS included), XMP, IPTC or text comments; files without any are kept as sent.

    The picture is re-encoded with only what decoding needs (the ICC colour profile, animation timing).  An
    EXIF orientation is applied to the pixels first, so the photo still shows the right way up.
    """
    if not content_type.startswith("image/"):
        return data
    with Image.open(io.BytesIO(data)) as image:
        if not _carries_metadata(image):
            return data
        kind = image.format
        params: dict = {"format": kind}
        if image.info.get("icc_profile"):
            params["icc_profile"] = image.info["icc_profile"]
        if getattr(image, "n_frames", 1) > 1:
            params["save_all"] = True
            params.update({k: image.info[k] for k in ("duration", "loop", "background") if k in image.info})
            clean = image
        else:
            clean = ImageOps.exif_transpose(image)
            if clean is image and kind == "JPEG":
                # The source's own quantisation tables: no loss beyond the original's.
                params.update(quality="keep", subsampling="keep")
            elif kind == "JPEG":
                params["quality"] = 95
        # Savers fall back to the source's own info (a GIF's comment): only what is passed here may travel.
        clean.info = {}
        out = io.BytesIO()
        clean.save(out, **params)
    return out.getvalue()


def _read(upload) -> bytes:
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise PayloadTooLarge(f"Files may be at most {max_bytes() // 1024} KiB.")
    if not data:
        raise Invalid("The file is empty.", field="file")
    return data


def _write(data: bytes, content_type: str) -> str:
    root = media_root()
    root.mkdir(parents=True, exist_ok=True)
    name = secrets.token_urlsafe(24) + EXTENSIONS[content_type]
    (root / name).write_bytes(data)
    return name


@contextmanager
def _stored(data: bytes, content_type: str):
    """Write the file, and take it away again if the transaction that records it does not commit."""
    name = _write(data, content_type)
    try:
        yield name
    except BaseException:
        delete_files([name])
        raise


def _owner(actor: User, user_id: uuid.UUID) -> None:
    if actor.id != user_id:
        if db.session.get(User, user_id) is None:
            raise NotFound("No such profile.")
        raise Forbidden("You can only add media to your own profile.")


def _claim(user_id: uuid.UUID, size: int, *stored) -> None:
    used = sa.select(sa.func.sum(Media.size)).where(*stored)
    quotas.claim(user_id, size, used=used, setting="MEDIA_QUOTA_BYTES", what="profile media")


def upload(actor: User, user_id: uuid.UUID, upload_file, caption: str | None) -> Media:
    _owner(actor, user_id)
    data = _read(upload_file)
    content_type = sniff(data, images_only=False)
    data = strip_metadata(data, content_type)
    _claim(user_id, len(data), Media.user_id == user_id)
    with _stored(data, content_type) as name:
        media = Media(
            user_id=user_id,
            purpose="gallery",
            content_type=content_type,
            size=len(data),
            storage_name=name,
            caption=caption,
        )
        db.session.add(media)
        commit()
    return media


def set_photo(actor: User, user_id: uuid.UUID, upload_file) -> Media:
    """Replace the profile photo; ``profile_image_url`` becomes the serving URL of the new one."""
    _owner(actor, user_id)
    data = _read(upload_file)
    content_type = sniff(data, images_only=True)
    data = strip_metadata(data, content_type)
    old = list(db.session.execute(sa.select(Media).where(Media.user_id == user_id, Media.purpose == "photo")).scalars())
    stale = [item.storage_name for item in old]
    # The new photo replaces every old one: they do not count against the quota.
    _claim(user_id, len(data), Media.user_id == user_id, Media.purpose != "photo")
    with _stored(data, content_type) as name:
        for item in old:
            db.session.delete(item)
        media = Media(user_id=user_id, purpose="photo", content_type=content_type, size=len(data), storage_name=name)
        db.session.add(media)
        db.session.flush()
        actor.profile_image_url = url_for_media(media)
        after_commit(lambda: delete_files(stale))
        commit()
    return media


def delete(actor: User, media_id: uuid.UUID) -> None:
    media = db.session.get(Media, media_id)
    if media is None or media.user_id != actor.id:
        raise NotFound("No such file of yours.")
    if media.purpose == "photo" and actor.profile_image_url == url_for_media(media):
        actor.profile_image_url = None
    name = media.storage_name
    db.session.delete(media)
    after_commit(lambda: delete_files([name]))
    commit()


def delete_files(names: list[str]) -> None:
    root = media_root()
    for name in names:
        try:
            (root / name).unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove media file %s", name)


def url_for_media(media: Media) -> str:
    return f"/api/media/{media.id}"


def dump(media: Media) -> dict:
    return {
        "id": media.id,
        "url": url_for_media(media),
        "purpose": media.purpose,
        "content_type": media.content_type,
        "size": media.size,
        "caption": media.caption,
        "created_at": media.created_at,
    }


def _visible_owner(viewer, user_id: uuid.UUID) -> User:
    person = db.session.get(User, user_id)
    if person is None or level(person, relation(viewer, person)) is not Level.FULL:
        # A file someone may not see does not exist for them.
        raise NotFound("No such file.")
    return person


def gallery(viewer, user_id: uuid.UUID, *, limit: int, cursor: str | None):
    _visible_owner(viewer, user_id)
    rows, next_cursor = keyset_page(
        db.session,
        sa.select(Media).where(Media.user_id == user_id, Media.purpose == "gallery"),
        columns=[Media.created_at, Media.id],
        limit=limit,
        cursor=cursor,
        salt="media",
    )
    return [dump(row[0]) for row in rows], next_cursor


def open_for(viewer, media_id: uuid.UUID) -> tuple[Media, Path]:
    media = db.session.get(Media, media_id)
    if media is None:
        raise NotFound("No such file.")
    _visible_owner(viewer, media.user_id)
    path = media_root() / media.storage_name
    if not path.is_file():
        log.error("media file missing for %s", media.id)
        raise NotFound("No such file.")
    return media, path
