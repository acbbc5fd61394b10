"""Request and response rules that hold for every endpoint (SPEC §3)."""

from __future__ import annotations

from flask import Flask, current_app, request

from networkapp.database import SAFE_METHODS
from networkapp.errors import Invalid, Unauthorized, UnsupportedMediaType
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


def nul_fields(node, path: str = "") -> list[str]:
    """Top-level fields whose value (at any depth) holds a NUL character."""
    if isinstance(node, str):
        return [path or "_schema"] if "\x00" in node else []
    if isinstance(node, dict):
        return [
            f
            for key, value in node.items()
            for f in nul_fields(key, path or str(key)) + nul_fields(value, path or str(key))
        ]
    if isinstance(node, list):
        return [f for value in node for f in nul_fields(value, path)]
    return []


def reject_nul_characters():
    """NUL characters are never meaningful in this API and PostgreSQL cannot store them: 422 everywhere."""
    fields = [key for key, value in request.args.items(multi=True) if "\x00" in key or "\x00" in value]
    if request.is_json:
        fields += nul_fields(request.get_json(silent=True))
    elif request.mimetype == "multipart/form-data":
        fields += [key for key, value in request.form.items(multi=True) if "\x00" in key or "\x00" in value]
    if fields:
        raise Invalid(
            "Text must not contain NUL characters.",
            errors={name: ["NUL characters are not allowed."] for name in fields},
        )


def default_headers(response):
    if request.path.startswith("/api/"):
        # Responses carry personal data: no shared or browser caches unless a view says otherwise.
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def register(app: Flask) -> None:
    app.before_request(require_json_body)
    app.before_request(reject_nul_characters)
    app.after_request(default_headers)

    @login_manager.unauthorized_handler
    def unauthorized():
        raise Unauthorized("Sign in to use this endpoint.")


def calendar_response(body: bytes, filename: str):
    """An iCalendar download (events, interview invitations)."""
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
