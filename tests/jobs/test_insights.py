import pytest

from tests.conftest import set_user_fields

URL = "/api/jobs/salary-insights"


@pytest.fixture
def poster(make_user, app):
    user = make_user(industry="Finance")
    return user


def test_small_groups_report_no_figures(bob, poster, post_job):
    for salary in ("$100k", "$110k", "$120k", "$130k"):
        post_job(poster, title="Data Engineer", salary_range=salary)
    body = bob.get(URL, query_string={"title": "data engineer"}).get_json()
    assert body["count"] == 4
    assert body["median"] is None and body["p25"] is None and body["p75"] is None
    assert body["reason"]


def test_figures_normalised_to_a_year(bob, poster, post_job):
    for salary in ("$100k", "$110k", "$120k", "$130k", "$60/hour", "competitive"):
        post_job(poster, title="Data Engineer", salary_range=salary, location="Boston")
    post_job(poster, title="Data Engineer", salary_range="€500k")  # another currency, not mixed in
    post_job(poster, title="Chef", salary_range="$20k")
    body = bob.get(URL, query_string={"title": "Data Engineer"}).get_json()
    # $60/hour = 124 800 a year.
    assert body == {
        "count": 5, "median": 120000.0, "p25": 110000.0, "p75": 124800.0,
        "currency": "USD", "period": "year", "reason": None,
    }  # fmt: skip
    assert bob.get(URL, query_string={"title": "Data Engineer", "location": "Boston"}).get_json()["count"] == 5
    assert bob.get(URL, query_string={"title": "Data Engineer", "currency": "EUR"}).get_json()["median"] is None


def test_industry_comes_from_the_company_or_the_poster(app, alice, bob, poster, post_job):
    company = alice.post("/api/companies", json={"name": "Bank", "industry": "Finance"}).get_json()
    for salary in ("$90k", "$95k"):
        post_job(alice, salary_range=salary, company_id=company["id"])
    for salary in ("$100k", "$105k", "$110k"):
        post_job(poster, salary_range=salary)
    post_job(alice, salary_range="$10k")  # alice's own industry is Software
    body = bob.get(URL, query_string={"industry": "finance"}).get_json()
    assert body["count"] == 5 and body["median"] == 100000.0
    set_user_fields(app, poster.id, industry="Retail")
    assert bob.get(URL, query_string={"industry": "finance"}).get_json()["median"] is None


@pytest.mark.parametrize("query", ["currency=DOLLARS", "title=" + "x" * 201, "location=" + "y" * 121])
def test_insight_validation(bob, query):
    assert bob.get(f"{URL}?{query}").status_code == 422
