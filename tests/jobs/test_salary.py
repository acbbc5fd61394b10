from decimal import Decimal

import pytest

from networkapp.jobs.salary import YEARLY_FACTORS, Salary, parse_salary

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$90k\u2013120k", Salary(D(90000), D(120000), "USD", "year")),
        ("$90k-$120k", Salary(D(90000), D(120000), "USD", "year")),
        ("90-120k", Salary(D(90000), D(120000), None, "year")),
        ("90000-120000 USD/year", Salary(D(90000), D(120000), "USD", "year")),
        ("€45/hour", Salary(D(45), D(45), "EUR", "hour")),
        ("€45.50 per hour", Salary(D("45.50"), D("45.50"), "EUR", "hour")),
        ("£30,000 - £35,000 per annum", Salary(D(30000), D(35000), "GBP", "year")),
        ("£30,000 - £35,000 per annum + 10% bonus", Salary(D(30000), D(35000), "GBP", "year")),
        ("$4,500/month", Salary(D(4500), D(4500), "USD", "month")),
        ("$1,500 a week", Salary(D(1500), D(1500), "USD", "week")),
        ("$200 per day", Salary(D(200), D(200), "USD", "day")),
        ("CHF 100 000 - 120 000", Salary(D(100000), D(120000), "CHF", "year")),
        ("45.000 € pro Jahr", Salary(D(45000), D(45000), "EUR", "year")),
        ("Up to $120,000", Salary(None, D(120000), "USD", "year")),
        ("From €50k", Salary(D(50000), None, "EUR", "year")),
        ("$120k+ plus equity", Salary(D(120000), None, "USD", "year")),
        ("C$70,000 to C$85,000 annually", Salary(D(70000), D(85000), "CAD", "year")),
        ("30 EUR", Salary(D(30), D(30), "EUR", None)),
        ("competitive", Salary()),
        ("DOE", Salary()),
        ("Negotiable", Salary()),
        ("", Salary()),
        (None, Salary()),
        ("$120k - $90k", Salary()),
        ("$0", Salary()),
        ("9" * 300, Salary()),
    ],
)
def test_parses_real_world_formats(text, expected):
    assert parse_salary(text) == expected


def test_yearly_normalisation_uses_documented_factors():
    assert YEARLY_FACTORS == {"year": 1, "month": 12, "week": 52, "day": 260, "hour": 2080}
    assert parse_salary("€45/hour").yearly() == (D(93600), D(93600))
    assert parse_salary("$4,000 - $5,000 a month").yearly() == (D(48000), D(60000))
    assert parse_salary("30 EUR").yearly() == (None, None)
