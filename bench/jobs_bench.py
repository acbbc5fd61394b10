"""Job marketplace benchmark: full-text job search and "my applications" at scale.

    python bench/jobs_bench.py --db sqlite --users 20000 --jobs 20000 --applications 100000
    python bench/jobs_bench.py --db postgres --users 100000 --jobs 200000 --applications 1000000

Seeds a fresh database (SQLite file under /tmp, or the PostgreSQL URL given)
with SQLAlchemy Core batch inserts, then times requests through the app
(Flask test client, server side: no network) and, in the same run, the naive
``LIKE '%q%'`` scan over the same postings.  Prints p50/p95/p99 in ms.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 5000
PASSWORD = "bench password 1234"  # noqa: S105 - synthetic accounts on a throwaway database
TITLES = [
    "Engineer",
    "Developer",
    "Analyst",
    "Designer",
    "Manager",
    "Scientist",
    "Consultant",
    "Architect",
    "Specialist",
    "Administrator",
    "Coordinator",
    "Recruiter",
    "Accountant",
    "Writer",
    "Technician",
]
LEVELS = ["Junior", "Senior", "Lead", "Principal", "Staff", ""]
FIELDS = [
    "Backend",
    "Frontend",
    "Data",
    "Cloud",
    "Security",
    "Mobile",
    "Product",
    "Marketing",
    "Sales",
    "Finance",
    "Support",
    "Platform",
    "Machine Learning",
    "DevOps",
    "QA",
]
COMPANIES = [
    f"{a} {b}"
    for a in ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Cyberdyne", "Tyrell")
    for b in ("Labs", "Systems", "Group", "Works", "Digital")
]
CITIES = ["Berlin", "London", "Paris", "New York", "San Francisco", "Toronto", "Amsterdam", "Madrid", "Tokyo", "Sydney"]
WORDS = [
    "python",
    "java",
    "go",
    "rust",
    "kubernetes",
    "docker",
    "sql",
    "postgres",
    "react",
    "typescript",
    "aws",
    "azure",
    "gcp",
    "terraform",
    "kafka",
    "spark",
    "airflow",
    "django",
    "flask",
    "linux",
    "networking",
    "agile",
    "scrum",
    "excel",
    "tableau",
    "figma",
    "seo",
    "crm",
    "salesforce",
    "budgeting",
    "audit",
    "compliance",
    "ledger",
    "payroll",
    "support",
    "onboarding",
    "mentoring",
    "leadership",
    "communication",
    "testing",
    "automation",
]
RARE = [f"zeta{n}" for n in range(500)]
SALARIES = ["$90k-120k", "€60,000 - €75,000 per year", "£45/hour", "competitive", "$150k", "€4,000/month", None]
EMPLOYMENT = ["full-time", "part-time", "contract", "internship"]
WORKPLACES = ["remote", "on-site", "hybrid", None]
# fmt: on


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=200_000)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/na_test_jobs")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def database_url(args) -> str:
    if args.db == "postgres":
        import sqlalchemy as sa

        engine = sa.create_engine(args.postgres_url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        return args.postgres_url
    path = Path(tempfile.gettempdir()) / "networkapp_jobs_bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def batched(rows, conn, table):
    for start in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[start : start + BATCH])


def seed(app, args, rng: random.Random) -> tuple[list[uuid.UUID], dict]:
    import sqlalchemy as sa

    from networkapp.extensions import db
    from networkapp.jobs.salary import parse_salary
    from networkapp.models import ApplicationStatusChange, Job, JobApplication, JobSkill, Skill, User
    from networkapp.security import hash_password

    now = datetime.now(UTC)
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        skill_ids = list(db.session.scalars(sa.select(Skill.id)))
        engine = db.engine
    t0 = time.perf_counter()
    user_ids = [uuid.uuid4() for _ in range(args.users)]
    with engine.begin() as conn:
        batched(
            [
                {
                    "id": uid,
                    "username": f"u{n}",
                    "email": f"u{n}@bench.example",
                    "password_hash": password_hash,
                    "first_name": f"First{n}",
                    "last_name": f"Last{n}",
                    "industry": rng.choice(FIELDS),
                    "location": rng.choice(CITIES),
                    "created_at": now,
                    "open_to_work": n % 5 == 0,
                    "profile_visibility": "public",
                    "connection_count": 0,
                    "profile_views": 0,
                    "is_verified": False,
                    "show_email": False,
                    "show_connections": True,
                }
                for n, uid in enumerate(user_ids)
            ],
            conn,
            User.__table__,
        )
    print(f"  users: {args.users} in {time.perf_counter() - t0:.1f}s", flush=True)

    t0 = time.perf_counter()
    job_ids = [uuid.uuid4() for _ in range(args.jobs)]
    parsed = {text: parse_salary(text) for text in SALARIES}
    for start in range(0, args.jobs, BATCH):
        jobs, links = [], []
        for n in range(start, min(start + BATCH, args.jobs)):
            words = rng.sample(WORDS, 6)
            if rng.random() < 0.02:
                words.append(rng.choice(RARE))
            salary = rng.choice(SALARIES)
            s = parsed[salary]
            year_min, year_max = s.yearly()
            posted = now - timedelta(minutes=n * 3 % (90 * 24 * 60))
            jobs.append(
                {
                    "id": job_ids[n],
                    "poster_id": rng.choice(user_ids),
                    "title": f"{rng.choice(LEVELS)} {rng.choice(FIELDS)} {rng.choice(TITLES)}".strip(),
                    "company": rng.choice(COMPANIES),
                    "description": "We use " + " ".join(words) + " every day.",
                    "requirements": "Experience with " + ", ".join(words[:3]),
                    "location": rng.choice(CITIES),
                    "workplace": rng.choice(WORKPLACES),
                    "employment_type": rng.choice(EMPLOYMENT),
                    "salary_range": salary,
                    "salary_min": s.minimum,
                    "salary_max": s.maximum,
                    "salary_currency": s.currency,
                    "salary_period": s.period,
                    "salary_year_min": year_min,
                    "salary_year_max": year_max,
                    "posted_at": posted,
                    "updated_at": posted,
                    "expires_at": posted + timedelta(days=60),
                    "is_active": rng.random() > 0.1,
                    "closed_reason": None,
                    "company_id": None,
                }
            )
            links += [{"job_id": job_ids[n], "skill_id": sid} for sid in rng.sample(skill_ids, 3)]
        with engine.begin() as conn:
            conn.execute(Job.__table__.insert(), jobs)
            conn.execute(JobSkill.__table__.insert(), links)
    print(f"  jobs: {args.jobs} (+ search index by trigger) in {time.perf_counter() - t0:.1f}s", flush=True)

    t0 = time.perf_counter()
    per_user = max(1, args.applications // args.users)
    made = 0
    rows, history = [], []
    for uid in user_ids:
        if made >= args.applications:
            break
        for job_id in rng.sample(job_ids, min(per_user, len(job_ids))):
            app_id = uuid.uuid4()
            applied = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
            rows.append(
                {
                    "id": app_id,
                    "job_id": job_id,
                    "applicant_id": uid,
                    "status": "applied",
                    "applied_at": applied,
                    "updated_at": applied,
                    "cover_letter": None,
                    "resume_url": None,
                    "application_notes": None,
                    "first_response_at": None,
                }
            )
            history.append(
                {
                    "id": uuid.uuid4(),
                    "application_id": app_id,
                    "from_status": None,
                    "to_status": "applied",
                    "changed_by_id": uid,
                    "note": None,
                    "changed_at": applied,
                }
            )
            made += 1
        if len(rows) >= 4 * BATCH:
            with engine.begin() as conn:
                batched(rows, conn, JobApplication.__table__)
                batched(history, conn, ApplicationStatusChange.__table__)
            rows, history = [], []
    with engine.begin() as conn:
        batched(rows, conn, JobApplication.__table__)
        batched(history, conn, ApplicationStatusChange.__table__)
    print(f"  applications: {made} (+ history) in {time.perf_counter() - t0:.1f}s", flush=True)
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))
    return user_ids, {"applications": made}


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def time_requests(client, urls: list[str]) -> list[float]:
    out = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:200])
    return out


def time_like(app, terms: list[str]) -> list[float]:
    import sqlalchemy as sa

    from networkapp.extensions import db
    from networkapp.jobs.search import like_baseline
    from networkapp.jobs.services import open_now
    from networkapp.models import Job

    out = []
    with app.app_context():
        for term in terms:
            start = time.perf_counter()
            db.session.execute(
                sa.select(Job).where(open_now(), like_baseline(term)).order_by(Job.posted_at.desc()).limit(21)
            ).all()
            out.append((time.perf_counter() - start) * 1000)
        db.session.remove()
    return out


def main() -> None:
    args = parse_args()
    rng = random.Random(args.seed)
    url = database_url(args)
    os.environ["TEST_DATABASE_URL"] = url
    os.environ["RATELIMIT_ENABLED"] = "false"

    from flask_migrate import upgrade

    from networkapp import create_app
    from networkapp.extensions import db

    app = create_app("testing")
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.remove()
    print(f"seeding {args.db}: {args.users} users, {args.jobs} jobs, {args.applications} applications", flush=True)
    user_ids, _ = seed(app, args, rng)

    n = args.requests
    # A realistic mix: common words (many matches), multi-word queries, rare words (few matches).
    terms = [
        rng.choice([rng.choice(WORDS), f"{rng.choice(FIELDS)} {rng.choice(TITLES)}", rng.choice(RARE)])
        for _ in range(n)
    ]
    anon = app.test_client()
    time_requests(anon, ["/api/jobs?q=python"] * 5)  # warm caches and connections
    results = {}
    results["GET /api/jobs?q= (full-text, ranked)"] = time_requests(anon, [f"/api/jobs?q={t}" for t in terms])
    results["GET /api/jobs?q=&location=&employment_type="] = time_requests(
        anon, [f"/api/jobs?q={t}&location={rng.choice(CITIES)}&employment_type=full-time" for t in terms]
    )
    results["GET /api/jobs (no filter, newest first)"] = time_requests(anon, ["/api/jobs"] * n)
    results["LIKE '%q%' baseline (SQL only, first page)"] = time_like(app, terms)

    applicants = []
    for uid_index in rng.sample(range(min(len(user_ids), args.applications)), 20):
        client = app.test_client()
        token = client.get("/api/auth/csrf").get_json()["csrf_token"]
        response = client.post(
            "/api/auth/login",
            json={"username": f"u{uid_index}", "password": PASSWORD},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 200, response.get_json()
        applicants.append(client)
    app_times = []
    for i in range(n):
        app_times += time_requests(applicants[i % len(applicants)], ["/api/applications"])
    results["GET /api/applications (signed in)"] = app_times

    print(f"\n{args.db}: {args.jobs} jobs, {args.applications} applications, {n} requests per row (ms)")
    print(f"{'what':52} {'p50':>8} {'p95':>8} {'p99':>8}")
    table = {}
    for name, samples in results.items():
        table[name] = percentiles(samples)
        p50, p95, p99 = table[name]
        print(f"{name:52} {p50:8.2f} {p95:8.2f} {p99:8.2f}")
    fts = table["GET /api/jobs?q= (full-text, ranked)"]
    like = table["LIKE '%q%' baseline (SQL only, first page)"]
    print(f"\nLIKE baseline p95 / full-text endpoint p95 = {like[1] / fts[1]:.1f}x (p50 {like[0] / fts[0]:.1f}x)")
    print("goals: job search p95 <= 40 ms, GET /api/applications p95 <= 15 ms")


if __name__ == "__main__":
    main()
