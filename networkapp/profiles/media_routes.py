from flask import send_file
from flask_login import current_user, login_required

from networkapp.profiles import media, media_bp

SERVED_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf")


@media_bp.route("/<uuid:media_id>")
@media_bp.response(
    200,
    description="The file's bytes",
    content_type="application/octet-stream",
)
@media_bp.doc(
    responses={"200": {"content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in SERVED_TYPES}}}
)
@media_bp.problems(404)
def get_media(media_id):
    """An uploaded file, if the owner's profile privacy lets the caller see it"""
    item, path = media.open_for(current_user, media_id)
    response = send_file(path, mimetype=item.content_type, conditional=True, etag=True, max_age=0)
    # Privacy can change at any moment: browsers revalidate, shared caches never keep it.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@media_bp.route("/<uuid:media_id>", methods=["DELETE"])
@login_required
@media_bp.response(204)
@media_bp.problems(401, 404)
def delete_media(media_id):
    """Delete one of my files (removing my profile photo clears profile_image_url)"""
    media.delete(current_user, media_id)
    return ""
