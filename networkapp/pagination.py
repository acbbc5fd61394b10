"""Keyset pagination with opaque, tamper-evident cursors.

A cursor is the sort key of the last item on the page, signed with the app's
secret (itsdangerous).  Pages are stable under inserts: a new row either sorts
before the cursor (seen on a refresh) or after it (seen later), never twice.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from networkapp.errors import BadRequest
from networkapp.schemas import Int, Text

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PageArgsSchema(ma.Schema):
    limit = Int(minimum=1, maximum=MAX_LIMIT, load_default=DEFAULT_LIMIT)
    cursor = Text(load_default=None, allow_none=True, max_length=1000)


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"cursor:{salt}")


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": value.hex}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "u" in value:
            return uuid.UUID(hex=value["u"])
    return value


def encode_cursor(values: tuple, salt: str) -> str:
    return _serializer(salt).dumps([_encode_value(v) for v in values])


def decode_cursor(cursor: str, salt: str, arity: int) -> tuple:
    try:
        raw = _serializer(salt).loads(cursor)
        if not isinstance(raw, list) or len(raw) != arity:
            raise ValueError("wrong shape")
        return tuple(_decode_value(v) for v in raw)
    except (BadSignature, ValueError, TypeError, KeyError):
        raise BadRequest("The cursor is invalid or has been tampered with.") from None


def keyset_page(
    session,
    stmt: sa.Select,
    *,
    columns: list,
    limit: int,
    cursor: str | None,
    salt: str,
    descending: bool = True,
    key=None,
) -> tuple[list, str | None]:
    """Run ``stmt`` one page at a time, ordered by ``columns`` (the last must be unique).

    ``key(row)`` returns the row's values for ``columns`` (default: attributes
    of the same names on the first entity).  Returns ``(rows, next_cursor)``.
    """
    if cursor:
        after = decode_cursor(cursor, salt, len(columns))
        bound = sa.tuple_(*[sa.literal(v, type_=c.type) for v, c in zip(after, columns, strict=True)])
        stmt = stmt.where(sa.tuple_(*columns) < bound if descending else sa.tuple_(*columns) > bound)
    order = [c.desc() for c in columns] if descending else [c.asc() for c in columns]
    rows = list(session.execute(stmt.order_by(*order).limit(limit + 1)).unique().all())
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        if key is None:
            entity = last[0]
            values = tuple(getattr(entity, c.key) for c in columns)
        else:
            values = tuple(key(last))
        next_cursor = encode_cursor(values, salt)
    return rows, next_cursor


def page_schema(item_schema: type[ma.Schema], name: str | None = None, **extra_fields) -> type[ma.Schema]:
    """The collection envelope ``{"items": [...], "next_cursor": ...}`` for ``item_schema``."""
    base = name or item_schema.__name__.removesuffix("Schema")
    attrs = {
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "next_cursor": ma.fields.String(allow_none=True, required=True),
        **extra_fields,
    }
    return type(f"{base}PageSchema", (ma.Schema,), attrs)
