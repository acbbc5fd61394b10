import itertools
import uuid

import pytest

from networkapp.extensions import db
from networkapp.models import Block
from tests.conftest import connect, set_user_fields


class Graph:
    """A hand-built network: people by letter, edges and blocks set straight in the database."""

    def __init__(self, app, make_user):
        self.app = app
        self.make_user = make_user
        self.people = {}

    def __getitem__(self, name):
        if name not in self.people:
            self.people[name] = self.make_user(f"p_{name.lower()}_{uuid.uuid4().hex[:4]}", first_name=name)
        return self.people[name]

    def id(self, name) -> uuid.UUID:
        return uuid.UUID(self[name].id)

    def link(self, *chain: str) -> "Graph":
        for a, b in itertools.pairwise(chain):
            connect(self.app, self[a], self[b])
        return self

    def block(self, blocker: str, blocked: str) -> "Graph":
        with self.app.app_context():
            db.session.add(Block(blocker_id=self.id(blocker), blocked_id=self.id(blocked)))
            db.session.commit()
        return self

    def hide_connections(self, name: str) -> "Graph":
        set_user_fields(self.app, self[name].id, show_connections=False)
        return self


@pytest.fixture
def graph(app, make_user):
    return Graph(app, make_user)
