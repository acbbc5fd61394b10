"""A bad-input table generated from the OpenAPI document.

Every string and integer a request may carry (JSON body properties, nested
objects and list items included, and query parameters) gets each kind of bad
value in turn.  The answer must be a 4xx problem+json naming the field, and the
database must be unchanged.  A field added to any schema is covered as soon as
it is documented.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from networkapp.api import PROBLEM_MIME
from networkapp.extensions import db
from networkapp.http import MAX_JSON_DEPTH
from tests.conftest import connect

# These end the session or the account; their own tests cover their input.
DESTRUCTIVE = {("POST", "/api/auth/logout"), ("DELETE", "/api/profiles/{user_id}")}
HUGE_INT_LITERAL = "9" * 5000
# How many checks each kind makes today, rounded down: a generator that stopped finding fields fails.
BODY_FLOOR = {"nul": 150, "surrogate": 150, "too_long": 100, "wrong_type": 150, "huge_int": 5, "out_of_range": 10}
QUERY_FLOOR = {"nul": 50, "too_long": 30, "wrong_type": 20, "huge_int": 20, "out_of_range": 40}


@pytest.fixture
def signed_in(app, make_user):
    me = make_user("badinput", headline="Engineer", location="Berlin")
    connect(app, me, make_user("badinputfriend"))
    me.refresh_csrf()
    return me


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _kind(schema: dict) -> str | None:
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    for name in ("string", "integer"):
        if name in types:
            return name
    return None


def _leaves(spec: dict, schema: dict, depth: int = 0):
    """(path of keys, wrap, leaf schema) for every string/integer a body may hold; wrap puts a value in place."""
    schema = _resolve(spec, schema)
    for name, prop in (schema.get("properties") or {}).items():
        prop = _resolve(spec, prop)
        if prop.get("readOnly"):
            continue
        if _kind(prop):
            yield name, (lambda v: v), prop
        elif prop.get("type") == "array" or "array" in (prop.get("type") or []):
            items = _resolve(spec, prop.get("items") or {})
            if _kind(items):
                yield name, (lambda v: [v]), items
            elif depth < 2 and items.get("properties"):
                for _, wrap, leaf in _leaves(spec, items, depth + 1):
                    yield name, (lambda v, inner=wrap, key=_: [{key: inner(v)}]), leaf
        elif depth < 2 and prop.get("properties"):
            for key, wrap, leaf in _leaves(spec, prop, depth + 1):
                yield name, (lambda v, inner=wrap, key=key: {key: inner(v)}), leaf


def _inputs(app, me) -> tuple[list, list]:
    """(body fields, query parameters) of every operation, with the path filled in."""
    spec = app.test_client().get("/api/openapi.json").get_json()
    body, query = [], []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete") or (method.upper(), path) in DESTRUCTIVE:
                continue
            url = path
            for param in [*item.get("parameters", []), *op.get("parameters", [])]:
                if param["in"] == "path":
                    value = me.id if param["name"] == "user_id" else str(uuid.uuid4())
                    url = url.replace("{" + param["name"] + "}", value)
                elif param["in"] == "query" and _kind(param.get("schema", {})):
                    query.append((method, url if "{" not in url else None, param["name"], param["schema"]))
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for name, wrap, leaf in _leaves(spec, content["application/json"]["schema"]):
                    body.append((method, url, name, wrap, leaf))
    query = [(m, u or path, n, s) for (m, u, n, s) in query]
    return body, query


def _row_counts(app) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables
        }


def _bad_body_values(kind: str, leaf: dict) -> list:
    """Values of one kind for a field described by ``leaf`` (raw JSON text where Python cannot say it)."""
    string = _kind(leaf) == "string"
    if kind == "nul":
        return ["a\x00b"] if string else []
    if kind == "surrogate":
        return ['"\\ud800"'] if string else []
    if kind == "too_long":
        return ["x" * (leaf["maxLength"] + 1)] if string and "maxLength" in leaf else []
    if kind == "wrong_type":
        return [12345] if string else ["twelve"]
    if kind == "huge_int":
        return [HUGE_INT_LITERAL] if not string else []
    if kind == "out_of_range":
        return [] if string else _outside(leaf)
    raise AssertionError(kind)


def _outside(schema: dict) -> list[int]:
    return [
        *([schema["maximum"] + 1] if "maximum" in schema else []),
        *([schema["minimum"] - 1] if "minimum" in schema else []),
    ]


def _encode(wrap, name: str, value) -> str:
    """The JSON body text; raw literals (a lone surrogate escape, a huge integer) are spliced in as text."""
    import json

    marker = "__RAW__"
    raw = isinstance(value, str) and (value.startswith('"\\u') or value == HUGE_INT_LITERAL)
    text = json.dumps({name: wrap(marker if raw else value)})
    return text.replace(f'"{marker}"', value) if raw else text


def _problem(response) -> dict:
    assert response.mimetype == PROBLEM_MIME, response.mimetype
    return response.get_json()


@pytest.mark.parametrize("kind", ["nul", "surrogate", "too_long", "wrong_type", "huge_int", "out_of_range"])
def test_every_documented_body_field_refuses_bad_values(app, signed_in, kind):
    body_fields, _ = _inputs(app, signed_in)
    assert len(body_fields) >= 150  # the generator really walks the schemas
    before = _row_counts(app)
    checked, failures = 0, []
    for method, url, name, wrap, leaf in body_fields:
        for value in _bad_body_values(kind, leaf):
            checked += 1
            response = signed_in.open(
                method, url, data=_encode(wrap, name, value), headers={"Content-Type": "application/json"}
            )
            body = response.get_json(silent=True) or {}
            ok = (
                response.status_code == 422 and response.mimetype == PROBLEM_MIME and name in (body.get("errors") or {})
            )
            if not ok:
                failures.append(f"{method.upper()} {url} {name}: {response.status_code} {body}")
    assert checked >= BODY_FLOOR[kind]  # the generator found the fields it should
    assert not failures, "\n".join(failures[:40])
    assert _row_counts(app) == before


@pytest.mark.parametrize("kind", ["nul", "too_long", "wrong_type", "huge_int", "out_of_range"])
def test_every_documented_query_parameter_refuses_bad_values(app, signed_in, kind):
    _, params = _inputs(app, signed_in)
    assert len(params) >= 40
    before = _row_counts(app)
    checked, failures = 0, []
    for method, url, name, schema in params:
        string = _kind(schema) == "string"
        values = {
            "nul": ["a\x00b"] if string else [],
            "too_long": ["x" * (schema["maxLength"] + 1)] if string and "maxLength" in schema else [],
            "wrong_type": [] if string else ["twelve"],
            "huge_int": [] if string else [HUGE_INT_LITERAL],
            "out_of_range": [] if string else _outside(schema),
        }[kind]
        for value in values:
            checked += 1
            response = signed_in.open(method, url, query_string={name: value})
            body = response.get_json(silent=True) or {}
            if not (
                response.status_code == 422 and response.mimetype == PROBLEM_MIME and name in body.get("errors", {})
            ):
                failures.append(f"{method.upper()} {url}?{name}: {response.status_code} {body}")
    assert checked >= QUERY_FLOOR[kind]
    assert not failures, "\n".join(failures[:40])
    assert _row_counts(app) == before


def test_blank_and_whitespace_values_never_break_an_endpoint(app, signed_in):
    """A blank may be valid (an optional field cleared), so only: never a 5xx, and errors are problem+json."""
    body_fields, _ = _inputs(app, signed_in)
    failures = []
    for method, url, name, wrap, leaf in body_fields:
        if _kind(leaf) != "string":
            continue
        for value in ("", "   \t\n"):
            response = signed_in.open(method, url, json={name: wrap(value)})
            if response.status_code >= 500 or (response.status_code >= 400 and response.mimetype != PROBLEM_MIME):
                failures.append(f"{method.upper()} {url} {name}={value!r}: {response.status_code}")
    assert not failures, "\n".join(failures[:40])


def test_every_json_body_nested_too_deep_is_a_400(app, signed_in):
    body_fields, _ = _inputs(app, signed_in)
    before = _row_counts(app)
    operations = sorted({(method, url, name) for method, url, name, _, _ in body_fields})
    operations = list({(m, u): (m, u, n) for m, u, n in operations}.values())
    failures = []
    for depth in (MAX_JSON_DEPTH + 1, 10_000):
        for method, url, name in operations:
            text = '{"' + name + '": ' + "[" * depth + "]" * depth + "}"
            response = signed_in.open(method, url, data=text, headers={"Content-Type": "application/json"})
            if response.status_code != 400 or response.mimetype != PROBLEM_MIME:
                failures.append(f"{method.upper()} {url} depth {depth}: {response.status_code}")
    assert not failures, "\n".join(failures[:40])
    assert _row_counts(app) == before
