"""GET /api/connections/path/<user_id>: shortest chains, ties, blocks and private networks."""

import uuid

import pytest


def _names(body):
    return [node.get("first_name", "?") if not node["hidden"] else "hidden" for node in body["path"]]


def _path(graph, viewer, target):
    response = graph[viewer].get(f"/api/connections/path/{graph[target].id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_direct_connection_is_one_hop(graph):
    graph.link("V", "T")
    body = _path(graph, "V", "T")
    assert body == {
        "degree": 1,
        "path": [
            {k: graph["V"].user[k] for k in ("id", "username", "first_name", "last_name", "headline")}
            | {"hidden": False, "profile_image_url": None},
            {k: graph["T"].user[k] for k in ("id", "username", "first_name", "last_name", "headline")}
            | {"hidden": False, "profile_image_url": None, "connection_degree": 1},
        ],
        "alternative_paths": 0,
        "hidden_links": 0,
    }


def test_shortest_chain_of_three_hops_names_everyone(graph):
    graph.link("V", "A", "B", "T")
    body = _path(graph, "V", "T")
    assert body["degree"] == 3
    assert _names(body) == ["V", "A", "B", "T"]
    assert [n["id"] for n in body["path"]] == [graph[x].id for x in "VABT"]
    assert body["alternative_paths"] == 0 and body["hidden_links"] == 0
    assert all("email" not in node for node in body["path"])


def test_ties_are_counted_as_alternative_paths(graph):
    graph.link("V", "A", "B", "T")
    graph.link("A", "C", "T")
    graph.link("V", "E", "C")
    body = _path(graph, "V", "T")
    assert body["degree"] == 3
    assert body["alternative_paths"] == 2  # V-A-B-T, V-A-C-T, V-E-C-T
    assert _names(body)[0] == "V" and _names(body)[-1] == "T"


def test_two_hop_ties(graph):
    graph.link("V", "A", "T")
    graph.link("V", "B", "T")
    graph.link("V", "C", "D", "T")
    body = _path(graph, "V", "T")
    assert body["degree"] == 2 and body["alternative_paths"] == 1
    assert _names(body)[1] in ("A", "B")


def test_a_block_in_the_middle_reroutes_the_chain(graph):
    graph.link("V", "M", "T")
    graph.link("V", "P", "Q", "T")
    graph.block("M", "T")
    body = _path(graph, "V", "T")
    assert body["degree"] == 3
    assert _names(body) == ["V", "P", "Q", "T"]
    assert body["alternative_paths"] == 0


def test_an_intermediary_who_blocked_the_viewer_is_never_named(graph):
    graph.link("V", "A", "B", "T")
    graph.block("B", "V")
    body = _path(graph, "V", "T")
    assert body == {"degree": None, "path": [], "alternative_paths": 0, "hidden_links": 0}
    assert graph["B"].id not in str(body)


def test_an_intermediary_who_hides_connections_is_a_placeholder(graph):
    graph.link("V", "H", "T")
    graph.hide_connections("H")
    body = _path(graph, "V", "T")
    assert body["degree"] == 2
    assert body["path"][1] == {"hidden": True}
    assert body["hidden_links"] == 1 and body["alternative_paths"] == 0
    assert graph["H"].id not in str(body) and graph["H"].user["username"] not in str(body)


def test_a_visible_chain_is_preferred_over_a_hidden_one(graph):
    graph.link("V", "H", "T")
    graph.link("V", "N", "T")
    graph.hide_connections("H")
    body = _path(graph, "V", "T")
    assert _names(body) == ["V", "N", "T"]
    assert body["alternative_paths"] == 1 and body["hidden_links"] == 1
    assert graph["H"].id not in str(body)


def test_neighbours_of_a_private_network_are_not_named_on_three_hops(graph):
    # H hides its connections: naming B would reveal the H-B link.
    graph.link("V", "H", "B", "T")
    graph.hide_connections("H")
    body = _path(graph, "V", "T")
    assert body["degree"] == 3
    assert [node["hidden"] for node in body["path"]] == [False, True, True, False]
    assert graph["B"].id not in str(body)


def test_a_target_who_hides_connections_keeps_them_unnamed(graph):
    graph.link("V", "A", "T")
    graph.hide_connections("T")
    body = _path(graph, "V", "T")
    assert body["degree"] == 2 and body["path"][1] == {"hidden": True} and body["path"][2]["id"] == graph["T"].id


def test_more_than_three_hops_is_no_path(graph):
    graph.link("V", "A", "B", "C", "T")
    assert _path(graph, "V", "T") == {"degree": None, "path": [], "alternative_paths": 0, "hidden_links": 0}


def test_unconnected_person_is_no_path(graph):
    graph["V"], graph["T"]
    assert _path(graph, "V", "T")["degree"] is None


@pytest.mark.parametrize("blocker", ["V", "T"])
def test_blocked_target_is_not_found(graph, blocker):
    graph.link("V", "T")
    graph.block(blocker, "T" if blocker == "V" else "V")
    response = graph["V"].get(f"/api/connections/path/{graph['T'].id}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_unknown_target_is_not_found(alice):
    response = alice.get(f"/api/connections/path/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_not_a_uuid_is_not_found(alice):
    assert alice.get("/api/connections/path/not-a-uuid").status_code == 404


def test_path_to_myself_is_invalid(alice):
    response = alice.get(f"/api/connections/path/{alice.id}")
    assert response.status_code == 422
    assert "user_id" in response.get_json()["errors"]


def test_path_requires_sign_in(anon, alice):
    response = anon.get(f"/api/connections/path/{alice.id}")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_path_query_count_does_not_grow_with_ties(graph, query_counter):
    graph.link("V", "A", "T")
    with query_counter() as statements:
        _path(graph, "V", "T")
    small = len(statements)
    for name in ("B", "C", "D", "E"):
        graph.link("V", name, "T")
    with query_counter() as statements:
        body = _path(graph, "V", "T")
    assert body["alternative_paths"] == 4
    assert len(statements) == small
