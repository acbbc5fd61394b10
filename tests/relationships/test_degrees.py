"""degrees() and degree(): batched degrees of separation over a hand-built graph."""

from networkapp.connections import paths


def _degrees(graph, viewer, *names):
    with graph.app.app_context():
        result = paths.degrees(graph.id(viewer), [graph.id(n) for n in names])
    return {name: result[graph.id(name)] for name in names}


def test_degrees_along_a_chain_stop_after_three_hops(graph):
    graph.link("V", "A", "B", "C", "D")
    assert _degrees(graph, "V", "A", "B", "C", "D") == {"A": 1, "B": 2, "C": 3, "D": None}
    # Symmetric from the other end.
    assert _degrees(graph, "D", "C", "B", "A", "V") == {"C": 1, "B": 2, "A": 3, "V": None}


def test_single_degree_matches_the_batch(graph):
    graph.link("V", "A", "B", "C")
    with graph.app.app_context():
        assert paths.degree(graph.id("V"), graph.id("C")) == 3
        assert paths.degree(graph.id("V"), graph.id("A")) == 1


def test_unconnected_people_and_the_viewer_themself_have_no_degree(graph):
    graph.link("V", "A")
    graph["Z"]
    assert _degrees(graph, "V", "Z", "V") == {"Z": None, "V": None}


def test_shortest_route_wins_when_a_longer_one_exists(graph):
    graph.link("V", "A", "B", "T")
    graph.link("V", "M", "T")
    assert _degrees(graph, "V", "T") == {"T": 2}


def test_a_blocked_pair_has_no_degree_even_when_connected(graph):
    graph.link("V", "A", "T")
    graph.link("V", "F")
    graph.block("T", "V").block("V", "F")
    assert _degrees(graph, "V", "T", "F") == {"T": None, "F": None}


def test_an_intermediary_who_blocked_the_far_end_is_not_a_link(graph):
    # M is V's connection and T's, but M blocked T: the route through M does not count.
    graph.link("V", "M", "T")
    graph.link("V", "P", "Q", "T")
    graph.block("M", "T")
    assert _degrees(graph, "V", "T") == {"T": 3}
    graph.block("Q", "V")
    assert _degrees(graph, "V", "T") == {"T": None}


def test_three_hop_route_through_someone_who_blocked_the_viewer_does_not_count(graph):
    graph.link("V", "A", "B", "T")
    graph.block("V", "B")
    assert _degrees(graph, "V", "T") == {"T": None}


def test_people_who_hide_their_connections_still_carry_degrees(graph):
    graph.link("V", "H", "T")
    graph.hide_connections("H")
    assert _degrees(graph, "V", "T", "H") == {"T": 2, "H": 1}


def test_degrees_for_a_page_of_people_cost_a_fixed_number_of_queries(graph, query_counter):
    graph.link("V", "A", "B", "C")
    graph.link("V", "E", "F")
    one = [graph.id("C")]
    many = [graph.id(n) for n in ("A", "B", "C", "E", "F")] + [graph.id(n) for n in ("X", "Y", "Z")]
    with graph.app.app_context():
        with query_counter() as few:
            paths.degrees(graph.id("V"), one)
        with query_counter() as lots:
            result = paths.degrees(graph.id("V"), many)
    assert len(lots) == len(few) <= 5
    assert [result[i] for i in many] == [1, 2, 3, 1, 2, None, None, None]


def test_the_frontier_cap_bounds_the_search_from_a_hub(graph):
    graph.link("V", "A", "X", "T")
    graph.link("V", "B", "S")
    graph.app.config["PATH_FRONTIER_CAP"] = 1
    with graph.app.app_context():
        first = min(graph.id("A"), graph.id("B"), key=lambda u: u.hex)
        # The second hop is an index probe and stays exact whatever the cap...
        assert paths.degree(graph.id("V"), graph.id("X")) == 2
        assert paths.degree(graph.id("V"), graph.id("S")) == 2
        # ...the third expands only the first of V's connections (by id).
        expected = 3 if first == graph.id("A") else None
        assert paths.degree(graph.id("V"), graph.id("T")) == expected


def test_a_page_of_hubs_samples_their_lists_tighter(graph):
    graph.link("V", "A", "X", "T")
    graph.link("T", "Y")
    graph.link("U", "Z")
    graph.app.config["PATH_BATCH_FRONTIER_CAP"] = 1
    with graph.app.app_context():
        alone = paths.degrees(graph.id("V"), [graph.id("T")])
        # In a page, T's list is cut to its first connection by id: X or Y.
        first = min(graph.id("X"), graph.id("Y"), key=lambda u: u.hex)
        paged = paths._compute_degrees(graph.id("V"), [graph.id("T"), graph.id("U")])
    assert alone[graph.id("T")] == 3
    assert paged[graph.id("T")] == (3 if first == graph.id("X") else None)
    assert paged[graph.id("U")] is None


def test_no_people_no_queries(app, query_counter, alice):
    import uuid

    with app.app_context(), query_counter() as statements:
        assert paths.degrees(uuid.UUID(alice.id), []) == {}
    assert statements == []


def _far_degrees(graph, viewer, *names):
    with graph.app.app_context():
        result = paths.degrees(graph.id(viewer), [graph.id(n) for n in names], beyond_second=True)
    return {name: result[graph.id(name)] for name in names}


def test_the_third_hop_alone_agrees_with_the_full_search(graph, query_counter):
    # Suggestions know nobody they show is a connection or shares one, and search only the third hop.
    graph.link("V", "A", "B", "T")
    graph.link("V", "M", "N", "U")
    graph.link("V", "P", "Q", "W")
    graph["Z"]
    graph.block("N", "V")  # N cannot link V to U
    graph.block("P", "W")  # nor can Q reach W through P... P blocked the far end
    names = ("T", "U", "W", "Z")
    assert _far_degrees(graph, "V", *names) == _degrees(graph, "V", *names) == {"T": 3, "U": None, "W": None, "Z": None}
    with query_counter() as statements, graph.app.app_context():
        paths.degrees(graph.id("V"), [graph.id(n) for n in names], beyond_second=True)
    assert len(statements) == 2


def test_the_third_hop_alone_skips_a_blocked_person_and_the_viewer(graph):
    graph.link("V", "A", "B", "T")
    graph.block("T", "V")
    assert _far_degrees(graph, "V", "T", "V") == {"T": None, "V": None}
