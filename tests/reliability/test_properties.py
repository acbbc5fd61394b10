"""Property tests: keyset pagination under concurrent inserts, and the salary parser on any input."""

from __future__ import annotations

import uuid
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from networkapp.extensions import db
from networkapp.jobs.salary import CODES, PERIODS, SYMBOLS, parse_salary
from networkapp.notifications.services import notify

FIXTURE_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _notify(app, user_id: str, numbers) -> None:
    with app.app_context():
        for n in numbers:
            notify(uuid.UUID(user_id), "mention", data={"n": n})
        db.session.commit()


@FIXTURE_SETTINGS
@given(
    initial=st.integers(0, 12),
    limit=st.integers(1, 5),
    inserts=st.lists(st.integers(0, 3), max_size=8),
)
def test_pages_never_repeat_or_skip_whatever_is_inserted_between_them(app, make_user, initial, limit, inserts):
    reader = make_user()
    _notify(app, reader.id, range(initial))
    next_number = initial
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        query = f"/api/notifications?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = reader.get(query).get_json()
        page = [item["data"]["n"] for item in body["items"]]
        assert len(page) <= limit
        seen += page
        cursor = body["next_cursor"]
        if cursor is None:
            break
        burst = inserts[pages] if pages < len(inserts) else 0
        _notify(app, reader.id, range(next_number, next_number + burst))
        next_number += burst
        pages += 1
    assert len(seen) == len(set(seen)), "an item appeared twice"
    # Everything that existed when reading began is seen, newest first; later inserts sort before the cursor.
    assert seen == sorted(range(initial), reverse=True)


AMOUNT = st.integers(1, 999)


@settings(max_examples=300)
@given(st.text(max_size=120))
def test_the_salary_parser_never_raises_and_its_result_is_coherent(text):
    salary = parse_salary(text)
    if salary.minimum is not None and salary.maximum is not None:
        assert salary.minimum <= salary.maximum
    for amount in (salary.minimum, salary.maximum):
        assert amount is None or amount > 0
    assert salary.currency is None or salary.currency in set(SYMBOLS.values()) | set(CODES)
    assert salary.period is None or salary.period in PERIODS
    low, high = salary.yearly()
    if low is not None and high is not None:
        assert low <= high


@settings(max_examples=200)
@given(
    low=AMOUNT,
    spread=st.integers(0, 500),
    symbol=st.sampled_from(["$", "€", "£"]),
    dash=st.sampled_from(["-", "\u2013", "\u2014", " to "]),
    period=st.sampled_from([("per year", "year"), ("a month", "month"), ("/hour", "hour"), ("", "year")]),
)
def test_well_formed_ranges_parse_exactly(low, spread, symbol, dash, period):
    words, expected_period = period
    text = f"{symbol}{low}k{dash}{symbol}{low + spread}k {words}".strip()
    salary = parse_salary(text)
    assert salary.minimum == Decimal(low * 1000)
    assert salary.maximum == Decimal((low + spread) * 1000)
    assert salary.currency == SYMBOLS[symbol]
    assert salary.period == expected_period


@settings(max_examples=100)
@given(code=st.sampled_from(CODES), amount=st.integers(10_000, 900_000))
def test_currency_codes_are_recognised_in_any_case(code, amount):
    salary = parse_salary(f"{amount:,} {code.lower()} per annum")
    assert (salary.minimum, salary.maximum, salary.currency, salary.period) == (amount, amount, code, "year")
