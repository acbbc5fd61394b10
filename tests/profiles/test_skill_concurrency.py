"""Concurrent skill edits keep the catalogue's usage counts exact and never collide with each other."""

from __future__ import annotations

from tests.conftest import run_together
from tests.profiles.conftest import put_profile, usage_counts_off

FIRST = [{"name": name} for name in ("Python", "SQL", "Docker")]
SECOND = [{"name": name} for name in ("Go", "Rust", "Kubernetes")]


def test_people_swapping_skill_sets_at_once_all_succeed_with_exact_counts(app, make_user):
    # Half move from the first set to the second and half the other way: each edit takes one set's
    # rows for the removals and the other's for the additions, the opposite way round to its neighbour.
    people = [make_user() for _ in range(8)]
    for i, person in enumerate(people):
        assert put_profile(person, skills=FIRST if i % 2 else SECOND).status_code == 200
        person.refresh_csrf()
    for round_ in range(3):
        responses = run_together(
            [
                lambda p=p, i=i, r=round_: put_profile(p, skills=SECOND if (i + r) % 2 else FIRST)
                for i, p in enumerate(people)
            ]
        )
        assert [r.status_code for r in responses] == [200] * len(people), [
            r.get_json() for r in responses if r.status_code != 200
        ]
    assert usage_counts_off(app) == 0
