"""Profile search and profile read latency on a large generated network.

    python bench/profiles_bench.py --db sqlite --users 100000
    python bench/profiles_bench.py --db postgres --users 20000 --url postgresql+psycopg://postgres@127.0.0.1:5432/na_bench

Seeds N users (with skills, headline and bio) straight through SQLAlchemy
Core in batches (the search triggers index them as they arrive), then times
requests server-side through the Flask test client: full-text search, profile
reads, and the naive baseline, a LIKE '%q%' scan over the same columns.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Barbara",
    "Ken",
    "Dennis",
    "Margaret",
    "Guido",
    "Bjarne",
    "James",
    "Anders",
    "Yukihiro",
    "Rasmus",
    "Larry",
    "Brian",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Liskov",
    "Thompson",
    "Ritchie",
    "Hamilton",
    "Rossum",
    "Stroustrup",
    "Gosling",
    "Hejlsberg",
]
WORDS = [
    "engineer",
    "developer",
    "manager",
    "designer",
    "analyst",
    "consultant",
    "architect",
    "lead",
    "senior",
    "principal",
    "staff",
    "data",
    "platform",
    "cloud",
    "security",
    "mobile",
    "frontend",
    "backend",
    "product",
    "research",
    "marketing",
    "sales",
    "finance",
    "operations",
    "growth",
]
QUERIES = ["guido", "pyth", "data engineer", "hopper", "cloud architect", "kubernetes", "rust", "senior product"]


_syllables = ["ka", "lo", "mi", "ra", "te", "zu", "no", "vi", "sa", "pe", "dor", "lin", "gar", "mel", "tis"]
VOCABULARY = sorted({a + b + c for a in _syllables for b in _syllables for c in _syllables})


def seed(engine, users: int, batch: int = 2000) -> None:
    from networkapp.models import Skill, User, UserSkill

    rng = random.Random(42)
    with engine.connect() as conn:
        skills = [row[0] for row in conn.execute(sa.select(Skill.id))]
    started = time.perf_counter()
    for offset in range(0, users, batch):
        rows, links = [], []
        for n in range(offset, min(offset + batch, users)):
            uid = uuid.uuid4()
            rows.append(
                {
                    "id": uid,
                    "username": f"bench{n}",
                    "email": f"bench{n}@example.com",
                    "password_hash": "x",
                    "first_name": rng.choice(FIRST),
                    "last_name": f"{rng.choice(LAST)}{n}",
                    "headline": " ".join(rng.sample(WORDS, 3)),
                    # Realistic vocabulary: a few role words among many rarer ones.
                    "bio": " ".join(rng.choices(VOCABULARY, k=20) + rng.sample(WORDS, 2)),
                    "industry": rng.choice(["Software", "Finance", "Health"]),
                    "location": rng.choice(["London", "Berlin", "Paris", "Lagos", "Austin"]),
                    "profile_visibility": rng.choices(["public", "connections", "private"], [8, 1, 1])[0],
                }
            )
            for skill_id in rng.sample(skills, 4):
                links.append({"user_id": uid, "skill_id": skill_id, "proficiency_level": 3, "years_experience": 2})
        with engine.begin() as conn:
            conn.execute(sa.insert(User), rows)
            conn.execute(sa.insert(UserSkill), links)
        done = min(offset + batch, users)
        print(f"\rseeded {done}/{users} users ({time.perf_counter() - started:.0f}s)", end="", flush=True)
    with engine.begin() as conn:
        conn.execute(
            sa.update(Skill).values(
                usage_count=sa.select(sa.func.count())
                .where(UserSkill.skill_id == Skill.id)
                .correlate(Skill)
                .scalar_subquery()
            )
        )
    print()


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return q[49], q[94], q[98]


def timed(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/na_bench")
    args = parser.parse_args()

    if args.db == "sqlite":
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    else:
        url = args.url
        admin = sa.create_engine(url)
        with admin.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        admin.dispose()
    os.environ["TEST_DATABASE_URL"] = url
    from flask_migrate import upgrade

    from networkapp import create_app
    from networkapp.extensions import db
    from networkapp.models import User

    app = create_app("testing")
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        seed(db.engine, args.users)
        if args.db == "postgres":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))
        ids = [
            str(i)
            for i in db.session.scalars(sa.select(User.id).where(User.profile_visibility == "public").limit(2000))
        ]
        db.session.remove()

    client = app.test_client()
    rng = random.Random(7)
    n = args.requests

    def search(i):
        response = client.get("/api/profiles/search", query_string={"q": QUERIES[i % len(QUERIES)], "limit": 20})
        assert response.status_code == 200, response.get_data()

    def read(i):
        response = client.get(f"/api/profiles/{rng.choice(ids)}")
        assert response.status_code == 200, response.get_data()

    def like(i):
        term = f"%{QUERIES[i % len(QUERIES)].split()[0]}%"
        with app.app_context():
            cols = [User.first_name, User.last_name, User.headline, User.bio]
            db.session.execute(
                sa.select(User.id)
                .where(User.profile_visibility == "public", sa.or_(*[sa.func.lower(c).like(term) for c in cols]))
                .order_by(User.connection_count.desc(), User.id.desc())
                .limit(20)
            ).all()
            db.session.remove()

    for fn in (search, read, like):  # warm caches and connections
        timed(fn, 10)
    results = {
        "search (FTS)": percentiles(timed(search, n)),
        "profile read": percentiles(timed(read, n)),
        "LIKE '%q%' scan": percentiles(timed(like, max(200, n // 3))),
    }
    print(f"\n{args.db}, {args.users} users, {n} requests per figure (ms, server-side)")
    print(f"{'':18}{'p50':>9}{'p95':>9}{'p99':>9}")
    for name, (p50, p95, p99) in results.items():
        print(f"{name:18}{p50:9.2f}{p95:9.2f}{p99:9.2f}")
    s, like_p = results["search (FTS)"], results["LIKE '%q%' scan"]
    print(f"LIKE/search ratio: p50 {like_p[0] / s[0]:.1f}x, p95 {like_p[1] / s[1]:.1f}x")
    print(
        f"goals: search p95 <= 30 ms: {s[1] <= 30}; read p95 <= 15 ms: {results['profile read'][1] <= 15}; "
        f"search >= 20x faster (p50): {like_p[0] / s[0] >= 20}"
    )


if __name__ == "__main__":
    main()
