from tests.connections.conftest import carol, request_between  # noqa: F401  (shared fixtures)
