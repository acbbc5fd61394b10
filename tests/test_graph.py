import uuid

from networkapp.connections import graph
from tests.conftest import connect


def test_graph(app, make_user):
    a, b, c, d = (make_user() for _ in range(4))
    connect(app, a, b)
    connect(app, a, c)
    connect(app, d, b)
    connect(app, d, c)
    with app.app_context():
        ids = [uuid.UUID(x.id) for x in (a, b, c, d)]
        assert graph.mutual_count(ids[0], ids[3]) == 2
        assert graph.mutual_counts(ids[0], [ids[3], ids[1]]) == {ids[3]: 2}
        assert graph.connection_status(ids[0], ids[1]) == "connected"
        assert graph.connection_status(ids[0], ids[3]) == "none"
        assert graph.are_connected(ids[0], ids[1]) and not graph.are_connected(ids[0], ids[3])
