"""A large synthetic network for benchmarks: ``flask seed scale``.

Deterministic for a seed.  People get industries, locations, skills, career
history and education from weighted distributions; the connection graph has
power-law degrees (a Chung-Lu model: each person draws a weight from a
Pareto distribution, a few hubs get weights for 5 000-10 000 connections, and
edge endpoints are drawn in proportion to weight).  Rows go in with bulk
inserts — COPY on PostgreSQL — so 100 000 people and 1 000 000 connections
load in minutes.
"""

from __future__ import annotations

import bisect
import itertools
import random
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import click
import sqlalchemy as sa

from networkapp.extensions import db
from networkapp.models import (
    Connection,
    ConnectionEdge,
    Education,
    Experience,
    Job,
    JobApplication,
    JobSkill,
    Skill,
    SkillEndorsement,
    User,
    UserSkill,
)
from networkapp.security import hash_password

SCALE_PASSWORD = "scale-password-2024"
EMAIL_DOMAIN = "scale.example"

INDUSTRIES = [
    ("Software", 18),
    ("Finance", 10),
    ("Healthcare", 9),
    ("Education", 7),
    ("Marketing", 7),
    ("Consulting", 6),
    ("Manufacturing", 6),
    ("Retail", 5),
    ("Telecommunications", 4),
    ("Energy", 4),
    ("Government", 4),
    ("Media", 3),
    ("Legal", 3),
    ("Logistics", 3),
    ("Real Estate", 3),
    ("Biotechnology", 2),
    ("Aerospace", 2),
    ("Hospitality", 2),
    ("Nonprofit", 2),
]
LOCATIONS = [
    ("London", 9),
    ("New York", 9),
    ("San Francisco", 7),
    ("Berlin", 6),
    ("Paris", 5),
    ("Toronto", 5),
    ("Bangalore", 6),
    ("Singapore", 4),
    ("Sydney", 4),
    ("Amsterdam", 3),
    ("Austin", 3),
    ("Chicago", 4),
    ("Seattle", 4),
    ("Dublin", 2),
    ("Madrid", 3),
    ("Sao Paulo", 4),
    ("Tokyo", 4),
    ("Boston", 3),
    ("Stockholm", 2),
    ("Zurich", 2),
    ("Lagos", 3),
    ("Nairobi", 2),
    ("Warsaw", 2),
    ("Manchester", 2),
]
CATEGORY_FOR_INDUSTRY = {
    "Software": ["Programming Languages", "Software Engineering", "Cloud & DevOps", "Data & Analytics"],
    "Finance": ["Finance & Accounting", "Data & Analytics", "Leadership & Management"],
    "Healthcare": ["Healthcare", "Communication", "Operations & Supply Chain"],
    "Marketing": ["Marketing", "Design", "Communication"],
    "Legal": ["Legal", "Communication"],
    "Logistics": ["Operations & Supply Chain", "Data & Analytics"],
}
DEFAULT_CATEGORIES = ["Communication", "Leadership & Management", "Product & Project Management", "Data & Analytics"]
POSITIONS = [
    "Software Engineer",
    "Senior Software Engineer",
    "Staff Engineer",
    "Engineering Manager",
    "Data Scientist",
    "Data Analyst",
    "Product Manager",
    "Designer",
    "Marketing Manager",
    "Sales Representative",
    "Account Executive",
    "Financial Analyst",
    "Accountant",
    "Nurse",
    "Physician",
    "Teacher",
    "Consultant",
    "Operations Manager",
    "HR Business Partner",
    "Recruiter",
    "Lawyer",
    "Paralegal",
    "Project Manager",
    "Director",
    "Vice President",
]
COMPANIES = [
    f"{a}{b}"
    for a, b in itertools.product(
        [
            "Acme",
            "Globex",
            "Initech",
            "Umbrella",
            "Stark",
            "Wayne",
            "Hooli",
            "Vandelay",
            "Soylent",
            "Tyrell",
            "Cyberdyne",
            "Wonka",
            "Aperture",
            "Massive",
            "Pied Piper",
            "Oscorp",
            "Nakatomi",
            "Gringotts",
        ],
        ["", " Labs", " Group", " Systems", " Health", " Capital"],
    )
]
SCHOOLS = [
    "University of Oxford",
    "MIT",
    "Stanford University",
    "ETH Zurich",
    "University of Toronto",
    "National University of Singapore",
    "University of Cape Town",
    "Sorbonne University",
    "TU Munich",
    "IIT Bombay",
    "University of Sao Paulo",
    "University of Melbourne",
    "Imperial College London",
    "University of Michigan",
    "Tsinghua University",
    "Trinity College Dublin",
]
DEGREES = [
    ("BSc", "Computer Science"),
    ("BA", "Economics"),
    ("MBA", "Business"),
    ("MSc", "Data Science"),
    ("BSc", "Nursing"),
    ("JD", "Law"),
    ("BA", "Design"),
    ("MSc", "Finance"),
    ("BEng", "Engineering"),
]


@dataclass
class Network:
    """The generated people and graph, held in memory between stages."""

    rng: random.Random
    users: list[dict] = field(default_factory=list)
    skills_of: dict[int, list[uuid.UUID]] = field(default_factory=dict)
    edges: list[tuple[int, int]] = field(default_factory=list)
    epoch: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def uid(self, index: int) -> uuid.UUID:
        return self.users[index]["id"]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _weighted(pairs: list[tuple[str, int]]) -> Callable[[random.Random], str]:
    names = [name for name, _ in pairs]
    cumulative = list(itertools.accumulate(weight for _, weight in pairs))
    return lambda rng: rng.choices(names, cum_weights=cumulative)[0]


def bulk_insert(table: sa.Table, rows: Iterable[dict], *, batch: int = 10_000, progress=None) -> int:
    """Insert many rows fast: COPY on PostgreSQL, executemany elsewhere; one transaction per batch."""
    total = 0
    columns = [c.name for c in table.columns]
    postgres = db.engine.dialect.name == "postgresql"
    for chunk in _chunks(rows, batch):
        if postgres:
            raw = db.session.connection().connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in chunk:
                    copy.write_row([row.get(name) for name in columns])
        else:
            db.session.execute(table.insert(), chunk)
        db.session.commit()
        total += len(chunk)
        if progress is not None:
            progress.update(len(chunk))
    return total


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def generate_people(net: Network, count: int, password_hash: str) -> None:
    from faker import Faker

    fake = Faker()
    fake.seed_instance(net.rng.randrange(2**32))
    industry = _weighted(INDUSTRIES)
    location = _weighted(LOCATIONS)
    for index in range(count):
        first, last = fake.first_name(), fake.last_name()
        username = f"{first}.{last}.{index}".lower().replace(" ", "").replace("'", "")[:30]
        job = net.rng.choice(POSITIONS)
        net.users.append(
            {
                "id": _uuid(net.rng),
                "username": username,
                "email": f"{username}@{EMAIL_DOMAIN}",
                "password_hash": password_hash,
                "first_name": first,
                "last_name": last,
                "headline": f"{job} at {net.rng.choice(COMPANIES)}",
                "bio": fake.sentence(nb_words=14),
                "industry": industry(net.rng),
                "location": location(net.rng),
                "created_at": net.epoch - timedelta(days=net.rng.randrange(1, 1500)),
                "last_active": net.epoch - timedelta(hours=net.rng.randrange(1, 2000)),
                "connection_count": 0,
                "profile_views": net.rng.randrange(0, 500),
                "is_verified": net.rng.random() < 0.05,
                "profile_visibility": net.rng.choices(["public", "connections", "private"], [85, 12, 3])[0],
                "show_email": False,
                "show_connections": net.rng.random() < 0.9,
                "open_to_work": net.rng.random() < 0.15,
            }
        )


def generate_graph(net: Network, edge_count: int, hubs: int) -> None:
    """Chung-Lu: endpoints drawn in proportion to Pareto weights; hubs get 5 000-10 000 expected edges."""
    n = len(net.users)
    weights = [net.rng.paretovariate(2.1) for _ in range(n)]
    scale = 2 * edge_count / sum(weights)
    for hub in range(min(hubs, n)):
        # A hub cannot know more than half of a small network.
        weights[hub] = min(net.rng.uniform(5_000, 10_000), (n - 1) / 2) / scale
    cumulative = list(itertools.accumulate(weights))
    total = cumulative[-1]
    seen: set[tuple[int, int]] = set()
    attempts = 0
    while len(seen) < edge_count and attempts < edge_count * 4:
        attempts += 1
        a = bisect.bisect_left(cumulative, net.rng.random() * total)
        b = bisect.bisect_left(cumulative, net.rng.random() * total)
        if a == b:
            continue
        seen.add((a, b) if a < b else (b, a))
    net.edges = sorted(seen)
    for a, b in net.edges:
        net.users[a]["connection_count"] += 1
        net.users[b]["connection_count"] += 1


def _skill_rows(net: Network, catalogue: dict[str, list[uuid.UUID]]) -> Iterator[dict]:
    for index, user in enumerate(net.users):
        categories = CATEGORY_FOR_INDUSTRY.get(user["industry"], DEFAULT_CATEGORIES)
        pool = [skill for category in categories for skill in catalogue.get(category, [])]
        chosen = net.rng.sample(pool, min(len(pool), net.rng.randint(3, 8)))
        net.skills_of[index] = chosen
        for skill_id in chosen:
            yield {
                "user_id": user["id"],
                "skill_id": skill_id,
                "proficiency_level": net.rng.randint(1, 5),
                "years_experience": net.rng.randint(0, 15),
                "added_at": user["created_at"],
            }


def _experience_rows(net: Network) -> Iterator[dict]:
    for user in net.users:
        start = date(2026, 1, 1) - timedelta(days=net.rng.randint(365, 365 * 20))
        jobs = net.rng.randint(1, 4)
        for number in range(jobs):
            length = timedelta(days=net.rng.randint(200, 365 * 5))
            current = number == jobs - 1 or start + length >= date(2025, 12, 31)
            end = None if current else start + length
            yield {
                "id": _uuid(net.rng),
                "user_id": user["id"],
                "company": net.rng.choice(COMPANIES),
                "position": net.rng.choice(POSITIONS),
                "description": None,
                "start_date": start,
                "end_date": end,
                "is_current": current,
                "location": user["location"],
                "created_at": user["created_at"],
            }
            if end is None:
                break
            start = end + timedelta(days=net.rng.randint(0, 90))


def _education_rows(net: Network) -> Iterator[dict]:
    for user in net.users:
        for _ in range(net.rng.randint(1, 2)):
            degree, field_of_study = net.rng.choice(DEGREES)
            start = date(net.rng.randint(1990, 2020), 9, 1)
            yield {
                "id": _uuid(net.rng),
                "user_id": user["id"],
                "institution": net.rng.choice(SCHOOLS),
                "degree": degree,
                "field_of_study": field_of_study,
                "start_date": start,
                "end_date": start + timedelta(days=365 * net.rng.randint(1, 4)),
                "grade": None,
                "activities": None,
                "created_at": user["created_at"],
            }


def _connection_rows(net: Network, ids: list[uuid.UUID]) -> Iterator[dict]:
    for (a, b), connection_id in zip(net.edges, ids, strict=True):
        requester, recipient = (a, b) if net.rng.random() < 0.5 else (b, a)
        low, high = Connection.pair(net.uid(a), net.uid(b))
        at = net.epoch - timedelta(minutes=net.rng.randrange(1, 60 * 24 * 900))
        yield {
            "id": connection_id,
            "requester_id": net.uid(requester),
            "recipient_id": net.uid(recipient),
            "user_low_id": low,
            "user_high_id": high,
            "status": "accepted",
            "message": None,
            "created_at": at - timedelta(days=1),
            "responded_at": at,
        }


def _edge_rows(net: Network, ids: list[uuid.UUID]) -> Iterator[dict]:
    for (a, b), connection_id in zip(net.edges, ids, strict=True):
        at = net.epoch - timedelta(minutes=(connection_id.int % (60 * 24 * 900)))
        yield {"user_id": net.uid(a), "friend_id": net.uid(b), "connection_id": connection_id, "created_at": at}
        yield {"user_id": net.uid(b), "friend_id": net.uid(a), "connection_id": connection_id, "created_at": at}


def _endorsement_rows(net: Network, share: float) -> Iterator[dict]:
    for a, b in net.edges:
        if net.rng.random() >= share:
            continue
        endorser, endorsee = (a, b) if net.rng.random() < 0.5 else (b, a)
        skills = net.skills_of.get(endorsee)
        if skills:
            yield {
                "id": _uuid(net.rng),
                "endorser_id": net.uid(endorser),
                "endorsee_id": net.uid(endorsee),
                "skill_id": net.rng.choice(skills),
                "endorsement_text": None,
                "created_at": net.epoch - timedelta(days=net.rng.randrange(1, 700)),
            }


JOBS_PER_USER = 1 / 25
APPLICATIONS_PER_JOB = 5
EMPLOYMENT_TYPES = [("full-time", 70), ("contract", 14), ("part-time", 10), ("internship", 6)]


def _job_rows(net: Network, count: int, jobs: list[tuple[uuid.UUID, int]]) -> Iterator[dict]:
    """Postings by random people (recruiters are people too), open until well after the seeded epoch."""
    employment = _weighted(EMPLOYMENT_TYPES)
    location = _weighted(LOCATIONS)
    for _ in range(count):
        poster = net.rng.randrange(len(net.users))
        posted = net.epoch - timedelta(days=net.rng.randrange(0, 60), minutes=net.rng.randrange(0, 1440))
        job_id = _uuid(net.rng)
        jobs.append((job_id, poster))
        yield {
            "id": job_id,
            "poster_id": net.uid(poster),
            "company_id": None,
            "title": net.rng.choice(POSITIONS),
            "company": net.rng.choice(COMPANIES),
            "description": None,
            "requirements": None,
            "location": location(net.rng),
            "employment_type": employment(net.rng),
            "posted_at": posted,
            "updated_at": posted,
            "expires_at": posted + timedelta(days=3650),
            "is_active": True,
        }


def _job_skill_rows(net: Network, jobs: list[tuple[uuid.UUID, int]]) -> Iterator[dict]:
    for job_id, poster in jobs:
        skills = net.skills_of.get(poster) or []
        for skill_id in net.rng.sample(skills, min(len(skills), 3)):
            yield {"job_id": job_id, "skill_id": skill_id}


def _application_rows(net: Network, jobs: list[tuple[uuid.UUID, int]]) -> Iterator[dict]:
    for job_id, poster in jobs:
        applicants = {net.rng.randrange(len(net.users)) for _ in range(APPLICATIONS_PER_JOB)} - {poster}
        for applicant in sorted(applicants):
            applied = net.epoch - timedelta(minutes=net.rng.randrange(0, 60 * 24 * 30))
            yield {
                "id": _uuid(net.rng),
                "job_id": job_id,
                "applicant_id": net.uid(applicant),
                "status": "applied",
                "applied_at": applied,
                "updated_at": applied,
            }


def seed_scale(users: int, connections: int, seed: int, hubs: int, echo=click.echo) -> Network:
    net = Network(rng=random.Random(seed))
    password_hash = hash_password(SCALE_PASSWORD)

    def stage(label: str, rows: Iterable[dict], table: sa.Table, length: int) -> int:
        with click.progressbar(length=length, label=f"{label:<12}", show_pos=True) as bar:
            return bulk_insert(table, rows, progress=bar)

    echo(f"generating {users} people and ~{connections} connections (seed {seed})")
    generate_people(net, users, password_hash)
    generate_graph(net, connections, hubs)
    stage("people", iter(net.users), User.__table__, len(net.users))

    catalogue: dict[str, list[uuid.UUID]] = {}
    for skill_id, category in db.session.execute(sa.select(Skill.id, Skill.category)):
        catalogue.setdefault(category, []).append(skill_id)
    stage("skills", _skill_rows(net, catalogue), UserSkill.__table__, users * 5)
    stage("experience", _experience_rows(net), Experience.__table__, users * 2)
    stage("education", _education_rows(net), Education.__table__, users * 3 // 2)

    connection_ids = [_uuid(net.rng) for _ in net.edges]
    stage("connections", _connection_rows(net, connection_ids), Connection.__table__, len(net.edges))
    stage("edges", _edge_rows(net, connection_ids), ConnectionEdge.__table__, 2 * len(net.edges))
    stage("endorsements", _endorsement_rows(net, 0.2), SkillEndorsement.__table__, len(net.edges) // 5)
    jobs: list[tuple[uuid.UUID, int]] = []
    job_count = max(1, round(users * JOBS_PER_USER))
    stage("jobs", _job_rows(net, job_count, jobs), Job.__table__, job_count)
    stage("job skills", _job_skill_rows(net, jobs), JobSkill.__table__, job_count * 3)
    stage("applications", _application_rows(net, jobs), JobApplication.__table__, job_count * APPLICATIONS_PER_JOB)

    db.session.execute(
        sa.update(Skill).values(
            usage_count=sa.select(sa.func.count()).where(UserSkill.skill_id == Skill.id).scalar_subquery()
        )
    )
    db.session.commit()
    return net
