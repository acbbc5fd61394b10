"""Request and response rules that hold for every endpoint (SPEC §3)."""

from __future__ import annotations

from flask import Flask, Request, current_app, request

from networkapp.database import SAFE_METHODS
from networkapp.errors import BadRequest, Invalid, Unauthorized, UnsupportedMediaType
from networkapp.extensions import login_manager
from networkapp.schemas import text_problem

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


# Deeper than any request schema nests (a profile's experience list is 3 levels); the
# parser's own limit is the interpreter's recursion limit, which ends in a RecursionError.
MAX_JSON_DEPTH = 32
# Longer integer literals are not parsed at all: Python refuses more than 4300 digits with a
# ValueError, and no field of this API holds a number anywhere near this long.
MAX_INT_DIGITS = 40

OVERSIZED_INT_MESSAGE = "Integer out of range."


class _OversizedInt:
    """Stands in for an integer literal too long to convert, so the field holding it can be named."""

    __slots__ = ()


_OVERSIZED = _OversizedInt()


def _parse_int(literal: str):
    return _OVERSIZED if len(literal) > MAX_INT_DIGITS else int(literal)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _too_deep() -> BadRequest:
    return BadRequest(f"The request body is nested more than {MAX_JSON_DEPTH} levels deep.")


def parse_json(data: bytes | str):
    """The one parser of request bodies: malformed input is a ValueError (→ 400), never a 500."""
    try:
        return current_app.json.loads(data, parse_int=_parse_int, parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep() from None


class _RequestJSON:
    """Every ``request.get_json()`` (views, hooks, rate-limit keys) parses with ``parse_json``."""

    loads = staticmethod(parse_json)

    @staticmethod
    def dumps(obj, **kwargs):
        return current_app.json.dumps(obj, **kwargs)


class ApiRequest(Request):
    @property
    def json_module(self):
        return _RequestJSON

    @json_module.setter
    def json_module(self, value):
        # Flask hands every request the app's provider; request bodies keep the bounded parser.
        pass


def body_problems(node, path: str = "", depth: int = 0) -> dict[str, list[str]]:
    """Top-level fields whose value (at any depth) no field type could accept; too deep → 400."""
    if depth > MAX_JSON_DEPTH:
        raise _too_deep()
    if isinstance(node, str):
        problem = text_problem(node)
        return {path or "_schema": [problem]} if problem else {}
    if node is _OVERSIZED:
        return {path or "_schema": [OVERSIZED_INT_MESSAGE]}
    found: dict[str, list[str]] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            name = path or str(key)
            for part in (key, value):
                for field, messages in body_problems(part, name, depth + 1).items():
                    found.setdefault(field, messages)
    elif isinstance(node, list):
        for value in node:
            for field, messages in body_problems(value, path, depth + 1).items():
                found.setdefault(field, messages)
    return found


def screen_input():
    """Values no field could store (NUL, lone surrogates, huge integers) are a 422 naming the field, everywhere.

    Views with schemas would refuse them too; this also covers the hooks and
    views that read a body or query before (or without) a schema.
    """
    found: dict[str, list[str]] = {}
    pairs = list(request.args.items(multi=True))
    if request.mimetype == "multipart/form-data":
        pairs += list(request.form.items(multi=True))
    for key, value in pairs:
        problem = text_problem(key) or text_problem(value)
        if problem:
            found.setdefault(key, [problem])
    if request.is_json and _has_body():
        found.update(body_problems(request.get_json(silent=True)))
    if found:
        raise Invalid("The request holds values that no field accepts.", errors=found)


def default_headers(response):
    if request.path.startswith("/api/"):
        # Responses carry personal data: no shared or browser caches unless a view says otherwise.
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def register(app: Flask) -> None:
    app.request_class = ApiRequest
    app.before_request(require_json_body)
    app.before_request(screen_input)
    app.after_request(default_headers)

    @login_manager.unauthorized_handler
    def unauthorized():
        raise Unauthorized("Sign in to use this endpoint.")


def calendar_response(body: bytes, filename: str):
    """An iCalendar download (events, interview invitations)."""
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
