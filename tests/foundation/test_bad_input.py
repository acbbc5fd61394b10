"""Bad input is a 4xx problem+json naming the field, and changes nothing.

First the shared field types themselves (networkapp.schemas), then one
representative endpoint per type through the real app.  The table over every
documented field is in test_bad_input_openapi.py.
"""

from __future__ import annotations

import marshmallow as ma
import pytest
import sqlalchemy as sa

from networkapp.api import PROBLEM_MIME
from networkapp.extensions import db
from networkapp.http import MAX_JSON_DEPTH
from networkapp.models import Job, JobApplication, User
from networkapp.schemas import BLANK_MESSAGE, NUL_MESSAGE, SURROGATE_MESSAGE, CsvList, Int, StrictSchema, Text, Url
from tests.conftest import PASSWORD

LONE_SURROGATE = "\ud800"


def _load(field: ma.fields.Field, value):
    schema = StrictSchema.from_dict({"value": field})()
    return schema.load({"value": value})["value"]


def _refused(field: ma.fields.Field, value) -> list[str]:
    with pytest.raises(ma.ValidationError) as caught:
        _load(field, value)
    assert list(caught.value.messages) == ["value"]
    return caught.value.messages["value"]


@pytest.mark.parametrize(
    ("make", "value", "message"),
    [
        (lambda: Text(max_length=5), "", BLANK_MESSAGE),
        (lambda: Text(max_length=5), " \t\n ", BLANK_MESSAGE),
        (lambda: Text(max_length=5), "a\x00b", NUL_MESSAGE),
        (lambda: Text(max_length=5), LONE_SURROGATE, SURROGATE_MESSAGE),
        (lambda: Text(max_length=5), "x" * 6, "Longer than maximum length 5."),
        (lambda: Text(max_length=5), 12, "Not a valid string."),
        (lambda: Text(max_length=5), ["a"], "Not a valid string."),
        (lambda: Text(allow_none=True, max_length=5), "a\x00", NUL_MESSAGE),
        (lambda: Text(allow_none=True, max_length=5), "x" * 6, "Longer than maximum length 5."),
        (lambda: Text(trim=False, max_length=5), "   ", BLANK_MESSAGE),
        (lambda: Text(blank="keep"), "x\ud83d", SURROGATE_MESSAGE),
        (lambda: Url(allow_none=True), "ftp://example.com/", "Not a valid URL."),
        (lambda: Url(allow_none=True), "https://example.com/" + "x" * 500, "Longer than maximum length 500."),
        (lambda: Int(minimum=1, maximum=5), 0, "Must be greater than or equal to 1 and less than or equal to 5."),
        (lambda: Int(minimum=1, maximum=5), 6, "Must be greater than or equal to 1 and less than or equal to 5."),
        (
            lambda: Int(minimum=1, maximum=5),
            -(10**30),
            "Must be greater than or equal to 1 and less than or equal to 5.",
        ),
        (lambda: Int(), 2**31, "Must be greater than or equal to -2147483648 and less than or equal to 2147483647."),
        (lambda: Int(), True, "Not a valid integer."),
        (lambda: Int(), 1.5, "Not a valid integer."),
        (lambda: Int(), "twelve", "Not a valid integer."),
        (lambda: Int(), "9" * 5000, "Not a valid integer."),
        (lambda: Int(), float("inf"), "Not a valid integer."),
        (lambda: CsvList(max_items=2), "a,b,c", "At most 2 items."),
        (lambda: CsvList(), "ok," + "x" * 101, "Each item must be at most 100 characters."),
        (lambda: CsvList(), "a\x00", NUL_MESSAGE),
    ],
)
def test_shared_field_types_refuse_bad_values(make, value, message):
    assert message in _refused(make(), value)


@pytest.mark.parametrize(
    ("field", "value", "loaded"),
    [
        (Text(max_length=5), "  ab  ", "ab"),
        (Text(allow_none=True, max_length=5), "", None),  # blank before the length check: never None into it
        (Text(allow_none=True, max_length=5), "   ", None),
        (Text(allow_none=True, max_length=5), None, None),
        (Text(trim=False, max_length=9), "  ab  ", "  ab  "),
        (Text(blank="keep"), "", ""),
        (Text(), "naïve ☃ 😀", "naïve ☃ 😀"),
        (Url(allow_none=True), "", None),
        (Int(minimum=0, maximum=10), "7", 7),
        (Int(minimum=0, maximum=10), 7.0, 7),
        (CsvList(), " python, sql ,,", ["python", "sql"]),
    ],
)
def test_shared_field_types_accept_and_normalise(field, value, loaded):
    assert _load(field, value) == loaded


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == PROBLEM_MIME
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def job(bob):
    response = bob.post("/api/jobs", json={"title": "Backend engineer", "company": "Acme"})
    assert response.status_code == 201
    return response.get_json()


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_a_blank_optional_text_is_null_not_a_server_error(app, alice, job, blank):
    response = alice.post(f"/api/jobs/{job['id']}/apply", json={"cover_letter": blank, "application_notes": blank})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        application = db.session.scalars(sa.select(JobApplication)).one()
        assert application.cover_letter is None and application.application_notes is None


@pytest.mark.parametrize(
    ("value", "raw"),
    [("a\x00b", None), (None, '"\\ud800"'), ("x" * 10_001, None), (12, None), (["letter"], None)],
)
def test_a_bad_cover_letter_is_422_and_applies_nothing(app, alice, job, value, raw):
    kwargs = {"data": f'{{"cover_letter": {raw}}}', "content_type": "application/json"} if raw else {}
    response = alice.post(f"/api/jobs/{job['id']}/apply", **(kwargs or {"json": {"cover_letter": value}}))
    body = _problem(response, 422)
    assert "cover_letter" in body["errors"]
    assert _count(app, JobApplication) == 0


@pytest.mark.parametrize("title", ["", "   ", "x" * 201, None, 5])
def test_a_required_text_refuses_blank_long_null_and_numbers(app, bob, title):
    response = bob.post("/api/jobs", json={"title": title, "company": "Acme"})
    assert "title" in _problem(response, 422)["errors"]
    assert _count(app, Job) == 0


def test_untrimmed_text_is_stored_as_sent_but_must_not_be_blank(app, alice):
    assert "content" in _problem(alice.post("/api/posts", json={"content": " \n "}), 422)["errors"]
    created = alice.post("/api/posts", json={"content": "  indented\n"})
    assert created.status_code == 201 and created.get_json()["content"] == "  indented\n"


@pytest.mark.parametrize(
    ("capacity", "status"),
    [(0, 422), (100_001, 422), (-1, 422), (True, 422), (1.5, 422), ("many", 422), (2**63, 422), (25, 201)],
)
def test_a_bounded_integer_field(app, alice, capacity, status):
    body = {
        "title": "Meetup",
        "starts_at": "2030-01-01T18:00:00",
        "ends_at": "2030-01-01T20:00:00",
        "timezone": "Europe/Berlin",
        "location": "Berlin",
        "capacity": capacity,
    }
    response = alice.post("/api/events", json=body)
    assert response.status_code == status, response.get_json()
    if status == 422:
        assert "capacity" in response.get_json()["errors"]


@pytest.mark.parametrize("website", ["not a url", "javascript:alert(1)", "https://" + "a" * 500 + ".com"])
def test_a_url_field_refuses_what_is_not_an_http_url(app, alice, website):
    response = alice.post("/api/companies", json={"name": "Acme", "website": website})
    assert "website" in _problem(response, 422)["errors"]


def test_a_csv_query_list_is_bounded(alice):
    response = alice.get("/api/jobs", query_string={"skills": ",".join(f"s{i}" for i in range(21))})
    assert "skills" in _problem(response, 422)["errors"]


# --- the body parser: depth, huge numbers, lone surrogates, at sign-in too ---------------------------


def _raw(actor, path: str, text: str):
    return actor.post(path, data=text, content_type="application/json")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 10_000, 100_000])
def test_json_nested_too_deep_is_a_400_at_login(anon, depth):
    body = _problem(_raw(anon, "/api/auth/login", '{"username": ' + "[" * depth + "]" * depth + "}"), 400)
    assert f"{MAX_JSON_DEPTH} levels" in body["detail"]


def test_json_nested_within_the_limit_reaches_the_schema(anon):
    depth = MAX_JSON_DEPTH - 2
    response = _raw(anon, "/api/auth/login", '{"username": ' + "[" * depth + "]" * depth + ', "password": "x"}')
    assert "username" in _problem(response, 422)["errors"]


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/register"])
def test_an_integer_of_thousands_of_digits_is_a_422_naming_the_field(anon, path):
    body = _problem(_raw(anon, path, '{"username": ' + "9" * 5000 + ', "password": "x"}'), 422)
    assert "username" in body["errors"]


@pytest.mark.parametrize("field", ["username", "password", "email"])
def test_a_lone_surrogate_at_login_is_a_422_not_a_500(anon, alice, field):
    body = {"username": "alice", "password": PASSWORD}
    others = "".join(f', "{k}": "{v}"' for k, v in body.items() if k != field)
    text = f'{{"{field}": "x\\udc00"{others}}}'
    assert field in _problem(_raw(anon, "/api/auth/login", text), 422)["errors"]


def test_non_standard_json_constants_are_malformed(anon):
    _problem(_raw(anon, "/api/auth/login", '{"username": NaN, "password": Infinity}'), 400)


def test_a_lone_surrogate_in_a_key_is_refused(app, alice):
    response = _raw(alice, "/api/posts", '{"content": "hi", "\\ud800": 1}')
    _problem(response, 422)
    assert _count(app, User) == 1


# --- every invalid field at once -------------------------------------------------------------------


def test_registration_reports_a_bad_email_and_a_weak_password_together(app, anon):
    body = {
        "username": "carol",
        "email": "not-an-address",
        "password": "short",
        "first_name": "",
        "last_name": "Cole",
        "industry": "Software",
    }
    errors = _problem(anon.post("/api/auth/register", json=body), 422)["errors"]
    assert set(errors) == {"email", "password", "first_name"}
    assert errors["password"] == ["Use at least 8 characters."]
    assert _count(app, User) == 0


def test_registration_refuses_a_password_equal_to_the_username_beside_other_errors(anon):
    body = {"username": "carol99", "email": "c@", "password": "Carol99", "first_name": "C", "last_name": "C"}
    errors = _problem(anon.post("/api/auth/register", json=body), 422)["errors"]
    assert set(errors) == {"email", "password", "industry"}


def test_an_event_reports_its_field_errors_and_its_inconsistencies_together(app, alice):
    body = {
        "title": " ",
        "starts_at": "2030-01-01T20:00:00",
        "ends_at": "2030-01-01T18:00:00",
        "timezone": "Europe/Berlin",
        "capacity": 0,
    }
    errors = _problem(alice.post("/api/events", json=body), 422)["errors"]
    assert set(errors) == {"title", "capacity", "location", "ends_at"}


def test_an_event_with_an_invalid_place_is_not_told_to_give_one(app, alice):
    body = {
        "title": "Meetup",
        "starts_at": "2030-01-01T18:00:00",
        "ends_at": "2030-01-01T20:00:00",
        "timezone": "Mars/Olympus",
        "online_url": "not a url",
    }
    errors = _problem(alice.post("/api/events", json=body), 422)["errors"]
    assert set(errors) == {"timezone", "online_url"}


# --- LIKE patterns: wildcards in a search are literal text --------------------------------------------


@pytest.mark.parametrize("needle", ["%", "_", "\\"])
def test_wildcards_in_searches_match_only_themselves(app, alice, bob, needle):
    from tests.conftest import set_user_fields

    set_user_fields(app, bob.id, location="Berlin")
    assert alice.get("/api/skills", query_string={"q": needle}).get_json()["items"] == []
    assert alice.get("/api/groups", query_string={"q": needle}).get_json()["items"] == []
    found = alice.get("/api/profiles/search", query_string={"location": needle}).get_json()["items"]
    assert found == []
    assert alice.get("/api/profiles/search", query_string={"location": "erl"}).get_json()["items"]
