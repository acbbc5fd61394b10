from datetime import timedelta
from urllib.parse import quote

import pytest

from networkapp.database import utcnow
from tests.conftest import set_user_fields
from tests.jobs.conftest import past, shift_job


def ids(response):
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


@pytest.fixture
def catalogue(app, alice, post_job):
    jobs = {
        "py_title": post_job(alice, title="Senior Python Developer", company="Snakes Ltd", location="Berlin, Germany",
                             employment_type="full-time", workplace="hybrid", salary_range="€70k-90k",
                             skills=["Python", "SQL"]),
        "py_desc": post_job(alice, title="Data Analyst", company="Numbers Inc", description="Some python scripting",
                            location="London", employment_type="contract", workplace="remote",
                            salary_range="£400 per day", skills=["SQL"]),
        "go": post_job(alice, title="Go Engineer", company="Gopher Co", requirements="Kubernetes and Go",
                       location="Berlin", employment_type="part-time", workplace="on-site", salary_range="competitive",
                       skills=["Go", "Kubernetes"]),
        "intern": post_job(alice, title="Marketing Intern", company="Python Marketing", location="Paris",
                           employment_type="internship", salary_range="€15/hour"),
    }  # fmt: skip
    for n, key in enumerate(["intern", "go", "py_desc", "py_title"]):
        shift_job(app, jobs[key]["id"], posted_at=past(10 - n))
    return {key: job["id"] for key, job in jobs.items()}


def test_default_listing_is_newest_first(bob, catalogue):
    assert ids(bob.get("/api/jobs")) == [catalogue[k] for k in ("py_title", "py_desc", "go", "intern")]


def test_full_text_ranks_title_above_description(bob, catalogue):
    found = ids(bob.get("/api/jobs?q=python"))
    assert found[0] == catalogue["py_title"]
    assert set(found) == {catalogue["py_title"], catalogue["py_desc"], catalogue["intern"]}


def test_full_text_matches_word_prefixes_and_stems(bob, catalogue):
    assert ids(bob.get("/api/jobs?q=kubernet")) == [catalogue["go"]]
    assert catalogue["go"] in ids(bob.get("/api/jobs?q=engineering"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title=python", ["py_title"]),
        ("company=gopher", ["go"]),
        ("location=berlin", ["py_title", "go"]),
        ("workplace=remote", ["py_desc"]),
        ("employment_type=internship", ["intern"]),
        ("skills=sql", ["py_title", "py_desc"]),
        ("skills=GO,python", ["py_title", "go"]),
        ("skills=unknown-skill", []),
        ("salary_min=95000", ["py_desc"]),
        ("salary_min=80000", ["py_title", "py_desc"]),
        ("q=python&location=london", ["py_desc"]),
    ],
)
def test_filters(bob, catalogue, query, expected):
    assert ids(bob.get(f"/api/jobs?{query}")) == [catalogue[k] for k in expected]


def test_posted_since(bob, catalogue):
    since = quote((utcnow() - timedelta(days=8.5)).isoformat())
    assert ids(bob.get(f"/api/jobs?posted_since={since}")) == [catalogue["py_title"], catalogue["py_desc"]]


@pytest.mark.parametrize(
    "q",
    ['"', "'", "python\"'", "%", "_", "a*", "NEAR(a b)", "python OR", "title:python", "-python", "(", "\\",
     "a & b | !c", "😀 python", "SELECT * FROM jobs; --", "x" * 200],
)  # fmt: skip
def test_hostile_search_input_never_fails(bob, catalogue, q):
    response = bob.get("/api/jobs", query_string={"q": q})
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert "q" in response.get_json()["errors"]


def test_over_long_and_wordless_queries_are_422(bob, catalogue):
    assert bob.get("/api/jobs", query_string={"q": "x" * 201}).status_code == 422
    assert bob.get("/api/jobs", query_string={"q": '"%*'}).status_code == 422
    assert bob.get("/api/jobs", query_string={"location": "%"}).get_json()["items"] == []


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "employment_type=gig", "workplace=x", "salary_min=-1", "posted_since=yesterday"]
)
def test_invalid_filters_are_422(bob, query):
    response = bob.get(f"/api/jobs?{query}")
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_keyset_pagination_walks_everything_once(bob, catalogue):
    for query in ("", "q=python"):
        seen, cursor = [], None
        while True:
            url = f"/api/jobs?limit=1&{query}" + (f"&cursor={cursor}" if cursor else "")
            body = bob.get(url).get_json()
            seen += [item["id"] for item in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert seen == ids(bob.get(f"/api/jobs?{query}"))
    assert bob.get("/api/jobs?cursor=garbage").status_code == 400


def test_application_status_is_batched(app, alice, bob, post_job, apply_to, query_counter):
    jobs = [post_job(alice, title=f"Role {n}") for n in range(5)]
    apply_to(bob, jobs[1]["id"])
    with query_counter() as few:
        few_items = bob.get("/api/jobs").get_json()["items"]
    for n in range(5, 15):
        post_job(alice, title=f"Role {n}", skills=["Python"])
    with query_counter() as many:
        items = bob.get("/api/jobs").get_json()["items"]
    assert len(items) == 15 and len(few_items) == 5
    assert len(many) == len(few)
    statuses = {item["id"]: item["application_status"] for item in items}
    assert statuses[jobs[1]["id"]] == "applied"
    assert sum(1 for s in statuses.values() if s) == 1


def test_blocked_posters_jobs_are_hidden(app, alice, bob, post_job):
    from networkapp.extensions import db
    from networkapp.models import Block

    job = post_job(alice)
    with app.app_context():
        import uuid

        db.session.add(Block(blocker_id=uuid.UUID(alice.id), blocked_id=uuid.UUID(bob.id)))
        db.session.commit()
    assert bob.get("/api/jobs").get_json()["items"] == []
    assert bob.get(f"/api/jobs/{job['id']}").status_code == 404
    assert bob.post(f"/api/jobs/{job['id']}/apply", json={}).status_code == 404
    set_user_fields(app, bob.id)  # no-op: the block alone hides both ways


@pytest.mark.parametrize("field", ["q", "location", "title", "company", "skills"])
def test_nul_characters_are_422_not_500(bob, field):
    response = bob.get("/api/jobs", query_string={field: "py\x00thon"})
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_nul_characters_in_bodies_are_422(alice):
    response = alice.post("/api/jobs", json={"title": "a\x00b", "company": "Acme"})
    assert response.status_code == 422 and "title" in response.get_json()["errors"]


# --- the ranked candidates: only the newest matches are scored ---------------------------------


@pytest.fixture
def small_cap(monkeypatch):
    from networkapp.jobs import search

    def cap(n: int) -> None:
        monkeypatch.setattr(search, "RANKED_CANDIDATES", n)

    return cap


def test_common_words_rank_only_the_newest_matches(app, alice, bob, post_job, small_cap):
    best = post_job(alice, title="Python Developer", company="Snakes")["id"]
    newer = post_job(alice, title="Analyst", company="Numbers", description="some python")["id"]
    # Posted last but dated oldest: recency is the posting time, not the order of insertion.
    oldest = post_job(alice, title="Tester", company="Checks", description="python checks")["id"]
    post_job(alice, title="Gardener", company="Green")
    for job_id, days in ((best, 1), (newer, 2), (oldest, 3)):
        shift_job(app, job_id, posted_at=past(days))
    assert ids(bob.get("/api/jobs?q=python")) == [best, newer, oldest]

    small_cap(2)
    assert ids(bob.get("/api/jobs?q=python")) == [best, newer]
    # Re-dating a posting moves it in the index too: the best match falls out of the newest two.
    shift_job(app, best, posted_at=past(5))
    found = ids(bob.get("/api/jobs?q=python"))
    assert sorted(found) == sorted([newer, oldest]) and best not in found


def test_fewer_matches_than_the_cap_rank_exactly_as_before(bob, catalogue, small_cap):
    from networkapp.jobs import search

    default = search.RANKED_CANDIDATES
    for query in ("q=python", "q=engineer", "title=python", "q=python&company=marketing"):
        full = bob.get(f"/api/jobs?{query}").get_json()["items"]
        small_cap(len(full))
        capped = bob.get(f"/api/jobs?{query}").get_json()["items"]
        small_cap(default)
        assert [(i["id"], i["score"]) for i in capped] == [(i["id"], i["score"]) for i in full]
    assert ids(bob.get("/api/jobs?q=python"))[0] == catalogue["py_title"]


def test_pagination_walks_the_capped_results_once(app, alice, bob, post_job, small_cap):
    jobs = [post_job(alice, title=f"Engineer {n}", description="rust " * (n + 1))["id"] for n in range(6)]
    for n, job_id in enumerate(jobs):
        shift_job(app, job_id, posted_at=past(n + 1))
    small_cap(4)
    one_page = ids(bob.get("/api/jobs?q=rust&limit=100"))
    assert sorted(one_page) == sorted(jobs[:4])
    seen, cursor = [], None
    while True:
        body = bob.get("/api/jobs?q=rust&limit=1" + (f"&cursor={cursor}" if cursor else "")).get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == one_page


def test_filters_and_open_state_apply_within_the_newest_matches(app, alice, bob, post_job, small_cap):
    new_berlin = post_job(alice, title="Python Dev", location="Berlin")["id"]
    london = post_job(alice, title="Python Dev", location="London")["id"]
    old_berlin = post_job(alice, title="Python Dev", location="Berlin")["id"]
    closed = post_job(alice, title="Python Dev", location="Berlin")["id"]
    for job_id, days in ((closed, 1), (new_berlin, 2), (london, 3), (old_berlin, 4)):
        shift_job(app, job_id, posted_at=past(days))
    assert alice.delete(f"/api/jobs/{closed}").status_code == 204
    assert ids(bob.get("/api/jobs?q=python&location=berlin")) == [new_berlin, old_berlin]

    small_cap(3)
    # The closed posting is among the three newest matches: it takes a place and is not served.
    assert ids(bob.get("/api/jobs?q=python")) == [new_berlin, london]
    assert ids(bob.get("/api/jobs?q=python&location=berlin")) == [new_berlin]
    assert ids(bob.get("/api/jobs?location=berlin")) == [new_berlin, old_berlin]


def test_index_rebuilt_by_the_migration_keeps_existing_postings(app, runner, alice, bob, post_job, small_cap):
    from tests.conftest import ON_POSTGRES

    if ON_POSTGRES:
        # The shared PostgreSQL test schema is reused by later tests; the SQLite pass covers the rebuild.
        return
    jobs = [post_job(alice, title="Rust Engineer", description=f"rust role {n}")["id"] for n in range(3)]
    for n, job_id in enumerate(jobs):
        shift_job(app, job_id, posted_at=past(n + 1))
    result = runner.invoke(args=["db", "downgrade", "a97684547f1e"])
    assert result.exit_code == 0, result.output
    assert sorted(ids(bob.get("/api/jobs?q=rust"))) == sorted(jobs)
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    small_cap(2)
    assert sorted(ids(bob.get("/api/jobs?q=rust"))) == sorted(jobs[:2])
    newest = post_job(alice, title="Rust Lead")["id"]
    assert newest in ids(bob.get("/api/jobs?q=rust"))
