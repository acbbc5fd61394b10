"""Benchmark: this checkout's suggestion service against an earlier revision's, in one process.

    python bench/suggestions_ab.py --base 456102b --url sqlite:///bench/.data/conn-100k.db
    python bench/suggestions_ab.py --base 456102b --url postgresql+psycopg://postgres@127.0.0.1:5432/na_bench_connections

Runs against a database seeded by ``bench/connections_bench.py``.  The base
revision's ``networkapp/connections/suggestions.py`` is loaded beside the
current one (it must still import against this checkout's other modules), and
both compute the first page for the same people, alternating which goes first,
with the ranking cache off: the service call only, no HTTP.  Machine noise then
falls on both alike, which is what makes a before/after ratio trustworthy on a
shared machine whose absolute speed varies from run to run.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def load_base(revision: str):
    source = subprocess.run(
        ["git", "show", f"{revision}:networkapp/connections/suggestions.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "suggestions_base.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("networkapp.connections.suggestions_base", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare with")
    parser.add_argument("--url", required=True, help="database seeded by connections_bench.py")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    if args.url.startswith("postgresql") and sa.engine.make_url(args.url).host not in ("127.0.0.1", "localhost"):
        raise SystemExit("benchmarks run against 127.0.0.1 only")

    import connections_bench

    app = connections_bench.make_app(args.url)
    from networkapp import settle_heap
    from networkapp.connections import suggestions
    from networkapp.extensions import db
    from networkapp.models import User

    base = load_base(args.base)
    rng = random.Random(args.seed + 1)
    with app.app_context():
        population = list(db.session.scalars(sa.select(User.id).where(User.connection_count > 0)))
        sample = [rng.choice(population) for _ in range(args.people)]
        db.session.remove()
    settle_heap()
    timings: dict[str, list[float]] = {"base": [], "current": []}
    for i, user_id in enumerate(sample):
        order = [("base", base), ("current", suggestions)]
        for name, module in order if i % 2 else reversed(order):
            with app.test_request_context():
                me = db.session.get(User, user_id)
                started = time.perf_counter()
                module.suggest(me, limit=20, cursor=None)
                timings[name].append((time.perf_counter() - started) * 1000)
                db.session.rollback()
                db.session.remove()
    print(f"{args.people} people, first page, service call, ms")
    for name, samples in timings.items():
        cuts = statistics.quantiles(samples, n=100, method="inclusive")
        print(f"{name:8} p50 {statistics.median(samples):7.1f}  p95 {cuts[94]:7.1f}  p99 {cuts[98]:7.1f}")
    ratio = statistics.median(timings["base"]) / statistics.median(timings["current"])
    print(f"p50 base / current: {ratio:.2f}x")


if __name__ == "__main__":
    main()
