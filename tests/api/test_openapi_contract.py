"""Every documented operation, exercised with generated input by a signed-in user.

No request may produce a 5xx, and every response must match the schema and
content type its operation documents.  New endpoints are covered as soon as
they appear in the OpenAPI document.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from tests.conftest import connect

# Operations that end the session or the account would turn the rest of the
# run into 401s; their own tests cover them.
DESTRUCTIVE = {("POST", "/api/auth/logout"), ("DELETE", "/api/profiles/{user_id}")}
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def signed_in(app, make_user):
    me = make_user("contract", headline="Engineer", location="Berlin")
    friend = make_user("contractfriend")
    connect(app, me, friend)
    me.refresh_csrf()
    return me


def test_every_operation_survives_generated_input(app, signed_in):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5

    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        if (operation.method.upper(), operation.path) in DESTRUCTIVE:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            # The same inputs on every run: a failure here is a regression to fix, never noise.
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case):
            case.call_and_validate(session=signed_in.client, headers={"X-CSRF-Token": signed_in.csrf}, checks=CHECKS)

        try:
            exercise()
        except Exception as exc:  # collect every failing operation, not just the first
            failures[label] = f"{type(exc).__name__}: {str(exc)[:2000]}"

    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
