"""The short soak: real journeys at a steady rate against gunicorn, judged by bench/budgets.json."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.fault

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _soak_module():
    spec = importlib.util.spec_from_file_location("networkapp_soak", BENCH / "soak.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_thirty_seconds_of_mixed_journeys_stay_within_budget(postgres, database, servers, report):
    soak = _soak_module()
    server = servers(database, threads=16)
    name = database.rsplit("/", 1)[1]

    def connections() -> int:
        return postgres.execute(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'")[0][0]

    figures = soak.run(server, minutes=0.5, users=8, pace=1.0, sample_every=5, pg_connections=connections)
    budgets = json.loads((BENCH / "budgets.json").read_text())
    report("soak_30s", {k: v for k, v in figures.items() if k != "samples"})
    assert figures["requests"] > 100
    assert soak.verdict(figures, budgets) == [], figures["error_examples"]
    # The pool does not leak: connections stay within gunicorn's thread count.
    assert max(s["db_connections"] for s in figures["samples"]) <= 16
