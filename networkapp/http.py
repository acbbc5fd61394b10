"""Request and response rules that hold for every endpoint (SPEC §3)."""

from __future__ import annotations

from flask import Flask, current_app, request

from networkapp.database import SAFE_METHODS
from networkapp.errors import Unauthorized, UnsupportedMediaType
from networkapp.extensions import login_manager

# Views that take multipart uploads set this attribute (see ``accepts_uploads``).
UPLOAD_ATTRIBUTE = "_accepts_uploads"


def accepts_uploads(view):
    setattr(view, UPLOAD_ATTRIBUTE, True)
    return view


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def require_json_body():
    if request.method in SAFE_METHODS or not request.path.startswith("/api/") or not _has_body():
        return None
    func = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if func is not None and getattr(func, UPLOAD_ATTRIBUTE, False):
        if request.mimetype == "multipart/form-data":
            return None
        raise UnsupportedMediaType("Send this request as multipart/form-data.")
    if not request.is_json:
        raise UnsupportedMediaType("Send the request body as application/json.")
    return None


def default_headers(response):
    if request.path.startswith("/api/"):
        # Responses carry personal data: no shared or browser caches unless a view says otherwise.
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def register(app: Flask) -> None:
    app.before_request(require_json_body)
    app.after_request(default_headers)

    @login_manager.unauthorized_handler
    def unauthorized():
        raise Unauthorized("Sign in to use this endpoint.")
