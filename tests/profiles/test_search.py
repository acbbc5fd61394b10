import pytest
import sqlalchemy as sa

from tests.conftest import connect
from tests.profiles.conftest import block, put_profile


def _search(actor, query: str = "", **params):
    response = actor.get("/api/profiles/search" + (f"?{query}" if query else ""), query_string=params or None)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _names(body):
    return [f"{item['first_name']} {item['last_name']}" for item in body["items"]]


@pytest.fixture
def people(make_user):
    guido = make_user(first_name="Guido", last_name="Rossum")
    put_profile(guido, headline="Language designer", skills=[{"name": "Python"}], location="Amsterdam")
    fan = make_user(first_name="Ann", last_name="Bee")
    put_profile(fan, bio="I once met Guido at a conference and talked for hours about many things", industry="Finance")
    rustacean = make_user(first_name="Ferris", last_name="Crab", industry="Hardware")
    put_profile(rustacean, headline="Systems programmer", skills=[{"name": "Rust"}, {"name": "C++"}], location="Berlin")
    put_profile(rustacean, privacy={"open_to_work": True})
    return {"guido": guido, "fan": fan, "rust": rustacean}


def test_exact_name_ranks_above_bio_mention(alice, people):
    body = _search(alice, q="guido")
    assert _names(body) == ["Guido Rossum", "Ann Bee"]
    assert body["items"][0]["score"] > body["items"][1]["score"] > 0
    assert body["items"][0]["headline"] == "Language designer"
    assert set(body["items"][0]) >= {"id", "username", "first_name", "last_name", "industry", "location", "score"}


def test_prefix_matches_for_type_ahead(alice, people):
    assert _names(_search(alice, q="pyth")) == ["Guido Rossum"]
    assert _names(_search(alice, q="GUI ROS")) == ["Guido Rossum"]
    assert _names(_search(alice, q="systems")) == ["Ferris Crab"]


def test_skills_index_follows_skill_changes(alice, people):
    put_profile(people["fan"], skills=[{"name": "Kubernetes"}])
    assert _names(_search(alice, q="kubernetes")) == ["Ann Bee"]
    put_profile(people["fan"], skills=[])
    assert _search(alice, q="kubernetes")["items"] == []
    put_profile(people["fan"], first_name="Annabel")
    assert _names(_search(alice, q="annabel")) == ["Annabel Bee"]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"skills": "rust"}, ["Ferris Crab"]),
        ({"skills": "Rust,c++"}, ["Ferris Crab"]),
        ({"skills": "rust,python"}, []),
        ({"industry": "finance"}, ["Ann Bee"]),
        ({"location": "berl"}, ["Ferris Crab"]),
        ({"open_to_work": "true"}, ["Ferris Crab"]),
        ({"q": "programmer", "location": "Amsterdam"}, []),
        ({"q": "guido", "industry": "Finance"}, ["Ann Bee"]),
    ],
)
def test_filters(alice, people, params, expected):
    assert sorted(_names(_search(alice, **params))) == sorted(expected)


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "guido\"'",
        "*",
        "gui*",
        "guido:*",
        "-guido",
        "guido NEAR rossum",
        "NEAR(guido rossum)",
        "(guido",
        "%",
        "%guido%",
        "guido OR ann",
        "name:guido",
        "' OR 1=1 --",
        "guido & | ! <-> ",
        "\\",
        "ünïcødé 漢字",
        "a" * 200,
    ],
)
def test_hostile_input_is_safe(alice, people, q):
    response = alice.get("/api/profiles/search", query_string={"q": q})
    assert response.status_code == 200, response.get_json()
    for item in response.get_json()["items"]:
        assert item["first_name"] in ("Guido", "Ann", "Ferris")


def test_overlong_query_is_422(alice):
    response = alice.get("/api/profiles/search", query_string={"q": "x" * 201})
    assert response.status_code == 422
    assert "q" in response.get_json()["errors"]


@pytest.mark.parametrize("params", [{"sort": "popular"}, {"limit": "0"}, {"limit": "101"}, {"open_to_work": "maybe"}])
def test_bad_parameters_are_422(alice, params):
    assert alice.get("/api/profiles/search", query_string=params).status_code == 422


def test_tampered_cursor_is_400(alice, people):
    assert alice.get("/api/profiles/search?cursor=abc").status_code == 400


@pytest.mark.parametrize("sort", ["relevance", "name", "connections"])
def test_pagination_is_complete_and_stable(app, make_user, alice, sort):
    everyone = []
    for n in range(13):
        person = make_user(first_name=f"Pat{n:02d}", last_name="Walker" if n % 2 else "walker")
        put_profile(person, headline="Paging specialist " * (n % 3 + 1))
        everyone.append(person.id)
    connect(app, alice, make_user(first_name="Other", last_name="Person"))
    items, cursor, pages = [], None, 0
    while True:
        params = {"q": "paging", "sort": sort, "limit": 4}
        if cursor:
            params["cursor"] = cursor
        body = _search(alice, **params)
        items += body["items"]
        pages += 1
        # A newcomer arriving mid-way must not make a page repeat or skip anyone.  (bm25 scores on
        # SQLite move with corpus statistics, so relevance pages are only stable over an unchanged index.)
        if pages == 2 and sort != "relevance":
            put_profile(make_user(first_name="Late", last_name="Comer"), headline="paging")
        cursor = body["next_cursor"]
        if not cursor:
            break
    seen = [item["id"] for item in items]
    assert len(seen) == len(set(seen))
    assert set(everyone) <= set(seen)
    if sort == "name":
        keys = [(i["first_name"].lower(), i["last_name"].lower()) for i in items]
        assert keys == sorted(keys)
    if sort == "relevance":
        scores = [i["score"] for i in items]
        assert scores == sorted(scores, reverse=True)


def test_sort_by_name_and_connections(app, make_user, alice, people):
    connect(app, people["rust"], people["fan"])
    connect(app, people["rust"], alice)
    by_name = _names(_search(alice, sort="name", q="a"))
    assert by_name == sorted(by_name, key=str.lower)
    top = _search(alice, sort="connections")["items"][0]
    assert top["first_name"] == "Ferris"


def test_punctuation_only_query_finds_nothing(alice, people):
    assert _search(alice, q="!!! ***")["items"] == []


def test_search_query_count_does_not_grow_with_results(app, alice, make_user, query_counter):
    for n in range(3):
        put_profile(make_user(first_name=f"Quinn{n}"), skills=[{"name": "Python"}])
    with query_counter() as few:
        _search(alice, q="quinn", limit=1)
    for n in range(3, 10):
        put_profile(make_user(first_name=f"Quinn{n}"), skills=[{"name": "Python"}])
    with query_counter() as many:
        assert len(_search(alice, q="quinn", limit=20)["items"]) == 10
    assert len(many) == len(few)


def test_blocked_and_private_never_appear(app, alice, people, scalar):
    block(app, people["guido"], alice)
    put_profile(people["rust"], privacy={"profile_visibility": "private"})
    assert _names(_search(alice)) == ["Ann Bee", "Alice Archer"] or set(_names(_search(alice))) == {
        "Ann Bee",
        "Alice Archer",
    }
    assert scalar(sa.select(sa.func.count()).select_from(sa.text("profile_search_docs"))) == 4


def test_common_word_ranks_a_bounded_candidate_set(monkeypatch, make_user, alice):
    from networkapp.profiles import search

    monkeypatch.setattr(search, "RANKED_CANDIDATES", 3)
    for n in range(6):
        put_profile(make_user(first_name=f"Cand{n}", last_name="Idate", industry="Finance"), headline="Common word")
    capped = _search(alice, q="common", limit=50)
    assert len(capped["items"]) == 3
    assert capped["next_cursor"] is None
    scores = [i["score"] for i in capped["items"]]
    assert scores == sorted(scores, reverse=True)
    # A filter or another order asks for every match, so nothing is cut.
    assert len(_search(alice, q="common", industry="Finance", limit=50)["items"]) == 6
    assert len(_search(alice, q="common", sort="name", limit=50)["items"]) == 6
    # Below the cap the ranking is exact.
    assert [i["first_name"] for i in _search(alice, q="cand2")["items"]] == ["Cand2"]
