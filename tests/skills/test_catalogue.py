import pytest

from tests.profiles.conftest import put_profile


def test_catalogue_lists_reference_skills_in_name_order(anon):
    body = anon.get("/api/skills?limit=100").get_json()
    names = [item["name"].lower() for item in body["items"]]
    assert len(names) == 100 and names == sorted(names)
    assert body["next_cursor"]
    assert set(body["items"][0]) == {"id", "name", "category", "description", "usage_count"}


def test_catalogue_pages_cover_everything_once(anon):
    seen, cursor = [], None
    while True:
        body = anon.get("/api/skills", query_string={"limit": 100, **({"cursor": cursor} if cursor else {})}).get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 200


def test_q_matches_part_of_the_name_and_category_filters(anon):
    names = [i["name"] for i in anon.get("/api/skills?q=SCRIPT").get_json()["items"]]
    assert "JavaScript" in names and "TypeScript" in names
    assert all("script" in n.lower() for n in names)
    items = anon.get("/api/skills?category=programming languages&limit=100").get_json()["items"]
    assert items and {i["category"] for i in items} == {"Programming Languages"}


@pytest.mark.parametrize("q", ["%", "_", "\\", "'", '"', "a" * 100])
def test_q_is_literal(anon, q):
    response = anon.get("/api/skills", query_string={"q": q})
    assert response.status_code == 200
    assert all(q.lower() in i["name"].lower() for i in response.get_json()["items"])


@pytest.mark.parametrize("params", [{"q": "a" * 101}, {"limit": 0}, {"limit": 500}])
def test_invalid_query_is_422(anon, params):
    assert anon.get("/api/skills", query_string=params).status_code == 422


def test_usage_count_follows_profiles(alice, anon):
    def python_usage():
        return next(i for i in anon.get("/api/skills?q=python").get_json()["items"] if i["name"] == "Python")[
            "usage_count"
        ]

    before = python_usage()
    put_profile(alice, skills=[{"name": "python"}])
    assert python_usage() == before + 1
    put_profile(alice, skills=[])
    assert python_usage() == before


def test_categories_with_counts(alice, anon):
    body = anon.get("/api/skills/categories").get_json()
    counts = {c["name"]: c["count"] for c in body["items"]}
    assert counts["Programming Languages"] >= 5 and "Other" not in counts
    assert body["next_cursor"] is None
    put_profile(alice, skills=[{"name": "Underwater Origami"}])
    counts = {c["name"]: c["count"] for c in anon.get("/api/skills/categories").get_json()["items"]}
    assert counts["Other"] == 1
