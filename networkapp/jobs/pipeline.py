"""The application pipeline: which status may follow which, and who may move it.

Posters move an application forward one stage at a time
(applied → reviewed → interviewed → hired) or reject it from any open stage;
nothing moves backwards and nothing leaves a final state.  The applicant's
only move is to withdraw while the application is still open.
"""

from __future__ import annotations

FINAL = frozenset({"hired", "rejected", "withdrawn"})

POSTER_TRANSITIONS: dict[str, frozenset[str]] = {
    "applied": frozenset({"reviewed", "rejected"}),
    "reviewed": frozenset({"interviewed", "rejected"}),
    "interviewed": frozenset({"hired", "rejected"}),
    "hired": frozenset(),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
}

POSTER_STATUSES = ("reviewed", "interviewed", "hired", "rejected")
WITHDRAWABLE = frozenset({"applied", "reviewed", "interviewed"})
STAGES = ("applied", "reviewed", "interviewed", "hired")


def poster_may_move(current: str, new: str) -> bool:
    return new in POSTER_TRANSITIONS.get(current, frozenset())
