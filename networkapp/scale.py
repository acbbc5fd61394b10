"""A large synthetic network for benchmarks: ``flask seed scale``.

Deterministic for a seed.  People get industries, locations, skills, career
history and education from weighted distributions; the connection graph has
power-law degrees (a Chung-Lu model: each person draws a weight from a
Pareto distribution, a few hubs get weights for 5 000-10 000 connections, and
edge endpoints are drawn in proportion to weight).  Rows go in with bulk
inserts — COPY on PostgreSQL — so 100 000 people and 1 000 000 connections
load in minutes.

What people do (posts with likes and comments, direct messages, achievements,
job changes) is dated back from ``as_of`` (default: now), newest in the last
days, because the feed only reads the 30 days before the moment it is asked.
Each of those stages draws from its own random stream derived from the seed,
so adding one never changes the rows of another.
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
from networkapp.messaging import crypto
from networkapp.models import (
    Achievement,
    Connection,
    ConnectionEdge,
    Conversation,
    ConversationParticipant,
    Education,
    Experience,
    Job,
    JobApplication,
    JobSkill,
    Message,
    MessageSearchToken,
    Post,
    PostComment,
    PostLike,
    Skill,
    SkillEndorsement,
    User,
    UserSkill,
)
from networkapp.models.messaging import EncryptedText
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


SQLITE_CACHE_KIB = 256 * 1024


def bulk_insert(table: sa.Table, rows: Iterable[dict], *, batch: int = 10_000, progress=None) -> int:
    """Insert many rows fast: COPY on PostgreSQL, executemany elsewhere; one transaction per batch."""
    total = 0
    columns = [c.name for c in table.columns]
    postgres = db.engine.dialect.name == "postgresql"
    dialect = db.engine.dialect
    # COPY bypasses the column types, so encrypted columns are encrypted here exactly as
    # executemany does through EncryptedText; rows always carry plaintext.
    encrypted = {c.name: c.type for c in table.columns if isinstance(c.type, EncryptedText)}
    for chunk in _chunks(rows, batch):
        if postgres:
            raw = db.session.connection().connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in chunk:
                    values = [row.get(name) for name in columns]
                    if encrypted:
                        values = [
                            encrypted[name].process_bind_param(value, dialect) if name in encrypted else value
                            for name, value in zip(columns, values, strict=True)
                        ]
                    copy.write_row(values)
        else:
            # The default 2 MiB page cache makes every insert into a big index (edges, search
            # tokens) a read from disk; set per chunk because each commit may return the connection.
            db.session.execute(sa.text(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
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


# ------------------------------------------------------------------ activity

FEED_WINDOW = timedelta(days=30)
POSTS_PER_USER = 0.5
PEOPLE_PER_CONVERSATION = 4
MESSAGES_PER_CONVERSATION = 10
ACHIEVERS_SHARE = 0.3
JOB_CHANGERS_SHARE = 0.04

TOPICS = [
    "observability",
    "hiring",
    "remote work",
    "pricing",
    "data quality",
    "mentoring",
    "onboarding",
    "supply chains",
    "patient care",
    "accessibility",
    "incident reviews",
    "career changes",
    "negotiation",
    "public speaking",
    "cloud costs",
    "team rituals",
]
THINGS = ["a new release", "our first product", "a redesigned dashboard", "the mobile app", "a public API", "a study"]
EVENTS = ["a conference", "a meetup", "a workshop", "a hackathon", "a panel", "a training week"]
POST_TEMPLATES = [
    "Excited to share that our team at {company} just shipped {thing}. Proud of everyone involved!",
    "What is the one habit that made you better at {topic}? Curious to hear from people in {industry}.",
    "We are hiring a {position} in {location}. Message me if you know someone great.",
    "Just back from {event} in {location}: great conversations about {topic}.",
    "A year at {company} today. Grateful for the people I get to work with.",
    "Three things I learned about {topic} this quarter, and one I had to unlearn.",
    "Looking for recommendations: books or courses on {topic} for a {position}?",
    "Honoured to speak about {topic} at {event} next month in {location}.",
]
POST_TYPES_WEIGHTED = [("update", 85), ("article", 10), ("achievement", 5)]
POST_VISIBILITY_WEIGHTED = [("public", 80), ("connections", 18), ("private", 2)]
COMMENTS = [
    "Congratulations!",
    "Great news, well deserved.",
    "Thanks for sharing this.",
    "Interesting take, I mostly agree.",
    "Count me in!",
    "Could not agree more.",
    "Very useful, saving it for later.",
    "Happy to help, sending you a message.",
    "Well said!",
    "How did the team handle {topic}?",
    "We saw the same thing with {topic} at {company}.",
]
OPENERS = [
    "Hi {first}, thanks for connecting!",
    "Hi {first}, do you have a few minutes this week to talk about {topic}?",
    "Hello {first}, I saw you work on {topic} at {company}. Could I ask you a question?",
    "{first}, are you going to {event} in {location}?",
]
REPLIES = [
    "Sure, {day} at {hour} works for me.",
    "Are you free for a quick call on {day}?",
    "Did you see the {position} opening at {company}?",
    "Sending over the notes from our meeting now.",
    "Thanks, that helps a lot.",
    "How is everything going at {company}?",
    "Let me check my calendar and get back to you.",
    "Great to catch up today!",
    "Could you introduce me to someone who works on {topic}?",
    "Yes, happy to.",
    "I will be in {location} on {day}, coffee?",
    "Here is the link to the article about {topic} I mentioned.",
    "Sounds good, talk soon.",
    "Thank you!",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
HOURS = ["9:30", "11:00", "13:00", "14:30", "16:00"]
ACHIEVEMENT_TITLES = {
    "certification": ["Certified {position}", "Cloud Practitioner", "Professional Scrum Master", "Data Analytics"],
    "award": ["Employee of the Year at {company}", "{industry} Innovator Award", "Best Team Award"],
    "milestone": ["Ten years in {industry}", "Led a team of twenty at {company}", "First patent filed"],
    "publication": ["Article on {topic}", "Talk: lessons from {topic}", "Paper on {topic}"],
    "project": ["Migration to the cloud at {company}", "Open-source work on {topic}", "New onboarding programme"],
}
ACHIEVEMENT_CATEGORIES_WEIGHTED = [
    ("certification", 35),
    ("award", 15),
    ("milestone", 20),
    ("publication", 10),
    ("project", 20),
]


def _fill(rng: random.Random, template: str, **known: str) -> str:
    """A template with its placeholders drawn from the vocabularies (only the ones it uses are drawn)."""
    values = dict(known)
    for name, pool in (
        ("company", COMPANIES),
        ("topic", TOPICS),
        ("position", POSITIONS),
        ("location", [name for name, _ in LOCATIONS]),
        ("thing", THINGS),
        ("event", EVENTS),
        ("day", DAYS),
        ("hour", HOURS),
    ):
        if "{" + name + "}" in template and name not in values:
            values[name] = rng.choice(pool)
    return template.format(**values)


class Activity:
    """Dates and random streams shared by the activity stages."""

    def __init__(self, net: Network, seed: int, as_of: datetime):
        self.net = net
        self.seed = seed
        self.as_of = as_of
        self._neighbours: list[list[int]] | None = None

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"{self.seed}:{stage}")

    @property
    def neighbours(self) -> list[list[int]]:
        if self._neighbours is None:
            self._neighbours = [[] for _ in self.net.users]
            for a, b in self.net.edges:
                self._neighbours[a].append(b)
                self._neighbours[b].append(a)
        return self._neighbours

    def recent(self, rng: random.Random, share_in_window: float = 1.0, oldest_days: int = 365) -> datetime:
        """A moment before ``as_of``: in the feed window with the given probability, else up to a year older."""
        if rng.random() < share_in_window:
            return self.as_of - timedelta(seconds=rng.uniform(60, FEED_WINDOW.total_seconds()))
        return self.as_of - timedelta(days=rng.uniform(FEED_WINDOW.days, oldest_days))

    def between(self, rng: random.Random, start: datetime, within: timedelta) -> datetime:
        """A moment after ``start``, at most ``within`` later and never after ``as_of``."""
        room = min(within, self.as_of - start).total_seconds()
        return start + timedelta(seconds=rng.uniform(0, max(room, 0)))


def _achievement_rows(act: Activity) -> Iterator[dict]:
    rng = act.rng("achievements")
    category = _weighted(ACHIEVEMENT_CATEGORIES_WEIGHTED)
    for user in act.net.users:
        if rng.random() >= ACHIEVERS_SHARE:
            continue
        for _ in range(rng.randint(1, 3)):
            kind = category(rng)
            created = act.recent(rng, share_in_window=0.3, oldest_days=1500)
            achieved = created.date() - timedelta(days=rng.randrange(0, 60)) if rng.random() < 0.9 else None
            yield {
                "id": _uuid(rng),
                "user_id": user["id"],
                "title": _fill(rng, rng.choice(ACHIEVEMENT_TITLES[kind]), industry=user["industry"]),
                "description": None,
                "achievement_date": achieved,
                "category": kind,
                "verification_url": None,
                "is_verified": False,
                "sort_date": achieved or created.date(),
                "created_at": created,
                "updated_at": created,
            }


def _job_changes(act: Activity) -> list[dict]:
    """New current positions started in the feed window (the people's earlier current one ends the day before)."""
    rng = act.rng("job changes")
    people = rng.sample(range(len(act.net.users)), round(len(act.net.users) * JOB_CHANGERS_SHARE))
    rows = []
    for index in sorted(people):
        user = act.net.users[index]
        created = act.recent(rng)
        rows.append(
            {
                "id": _uuid(rng),
                "user_id": user["id"],
                "company": rng.choice(COMPANIES),
                "position": rng.choice(POSITIONS),
                "description": None,
                "start_date": created.date(),
                "end_date": None,
                "is_current": True,
                "location": user["location"],
                "created_at": created,
            }
        )
    return rows


def _end_current_positions(changes: list[dict]) -> None:
    table = Experience.__table__
    end = sa.bindparam("end")
    statement = (
        table.update()
        .where(table.c.user_id == sa.bindparam("uid"), table.c.is_current.is_(True))
        .values(
            is_current=False,
            end_date=sa.case((table.c.start_date > end, table.c.start_date), else_=end),
        )
    )
    params = [{"uid": row["user_id"], "end": row["start_date"] - timedelta(days=1)} for row in changes]
    for chunk in _chunks(params, 10_000):
        db.session.execute(statement, chunk)
    db.session.commit()


@dataclass
class Posts:
    posts: list[dict] = field(default_factory=list)
    likes: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)


def generate_posts(act: Activity, count: int) -> Posts:
    """Posts by active people (more connections, more posting), liked and commented on mostly by connections."""
    rng = act.rng("posts")
    net = act.net
    out = Posts()
    post_type = _weighted(POST_TYPES_WEIGHTED)
    visibility = _weighted(POST_VISIBILITY_WEIGHTED)
    cumulative = list(itertools.accumulate((1 + user["connection_count"]) ** 0.5 for user in net.users))
    authors = rng.choices(range(len(net.users)), cum_weights=cumulative, k=count)
    for author in authors:
        user = net.users[author]
        created = act.recent(rng, share_in_window=0.85)
        post_id = _uuid(rng)
        seen = visibility(rng)
        friends = act.neighbours[author]
        likers: set[int] = set()
        commenters: list[int] = []
        if seen != "private":
            wanted = min(int(rng.expovariate(1 / (2 + 0.05 * len(friends)))), 2_000)
            from_friends = min(len(friends), round(wanted * 0.85))
            likers.update(rng.sample(friends, from_friends))
            if seen == "public":
                likers.update(rng.randrange(len(net.users)) for _ in range(wanted - from_friends))
            likers.discard(author)
            # Authors answer in their own threads; everyone else commenting is a connection.
            commenters = [
                rng.choice(friends) if friends and rng.random() < 0.85 else author
                for _ in range(int(rng.expovariate(1 / (1 + len(likers) / 4))))
            ]
        for liker in sorted(likers):
            liked = act.between(rng, created, timedelta(days=3))
            out.likes.append({"post_id": post_id, "user_id": net.uid(liker), "created_at": liked})
        for commenter in commenters:
            out.comments.append(
                {
                    "id": _uuid(rng),
                    "post_id": post_id,
                    "author_id": net.uid(commenter),
                    "content": _fill(rng, rng.choice(COMMENTS)),
                    "created_at": act.between(rng, created, timedelta(days=5)),
                }
            )
        out.posts.append(
            {
                "id": post_id,
                "author_id": user["id"],
                "content": _fill(rng, rng.choice(POST_TEMPLATES), industry=user["industry"]),
                "post_type": post_type(rng),
                "visibility": seen,
                "like_count": len(likers),
                "comment_count": len(commenters),
                "created_at": created,
                "updated_at": created,
            }
        )
    return out


@dataclass
class Script:
    """One 1:1 conversation, replayed identically from its own random stream by each messaging stage."""

    conversation: dict
    participants: list[dict]
    messages: list[dict]


class Conversations:
    """Direct conversations between connected people, with ``messages`` spread over them (a long tail)."""

    def __init__(self, act: Activity, count: int, messages: int):
        rng = act.rng("conversations")
        self.act = act
        count = min(count, len(act.net.edges), messages)
        self.pairs = [act.net.edges[i] for i in rng.sample(range(len(act.net.edges)), count)]
        self.sizes = [1] * count
        if count:
            cumulative = list(itertools.accumulate(rng.paretovariate(1.5) for _ in range(count)))
            for index in rng.choices(range(count), cum_weights=cumulative, k=messages - count):
                self.sizes[index] += 1

    def __len__(self) -> int:
        return len(self.pairs)

    def script(self, number: int) -> Script:
        act = self.act
        rng = random.Random(f"{act.seed}:conversation:{number}")
        a, b = self.pairs[number]
        if rng.random() < 0.5:
            a, b = b, a
        people = (act.net.uid(a), act.net.uid(b))
        size = self.sizes[number]
        last = act.as_of - timedelta(seconds=min(rng.expovariate(1 / (5 * 86_400)), 180 * 86_400) + 60)
        first = last - timedelta(seconds=rng.uniform(600, 45 * 86_400)) if size > 1 else last
        span = (last - first).total_seconds()
        times = [first, *sorted(first + timedelta(seconds=rng.uniform(0, span)) for _ in range(size - 2)), last]
        conversation_id = _uuid(rng)
        messages: list[dict] = []
        unread: dict[int, list[dict]] = {0: [], 1: []}
        last_read: dict[int, datetime | None] = {0: None, 1: None}
        sender = 0
        for position, sent in enumerate(times[:size]):
            if position and rng.random() < 0.6:
                sender = 1 - sender
            if position == 0:
                text = _fill(rng, rng.choice(OPENERS), first=act.net.users[b]["first_name"])
            else:
                text = _fill(rng, rng.choice(REPLIES))
            # Answering means having read what the other person wrote before.
            for earlier in unread[sender]:
                earlier["read_at"] = sent
            unread[sender] = []
            last_read[sender] = sent
            message = {
                "id": _uuid(rng),
                "conversation_id": conversation_id,
                "sender_id": people[sender],
                "recipient_id": people[1 - sender],
                "content": text,
                "message_type": "text",
                "client_id": None,
                "sent_at": sent,
                "read_at": None,
            }
            messages.append(message)
            unread[1 - sender].append(message)
        participants = []
        for side in (0, 1):
            if unread[side] and rng.random() < 0.7:
                seen = act.between(rng, last, timedelta(hours=12))
                for message in unread[side]:
                    message["read_at"] = seen
                unread[side] = []
                last_read[side] = seen
            participants.append(
                {
                    "conversation_id": conversation_id,
                    "user_id": people[side],
                    "peer_id": people[1 - side],
                    "joined_at": first,
                    "last_activity": last,
                    "last_read_at": last_read[side],
                    "unread_count": len(unread[side]),
                    "archived_at": None,
                }
            )
        conversation = {
            "id": conversation_id,
            "is_group": False,
            "title": None,
            "pair_key": Conversation.pair_key_for(*people),
            "creator_id": people[0],
            "created_at": first,
            "last_activity": last,
            "last_message_id": messages[-1]["id"],
        }
        return Script(conversation, participants, messages)

    def scripts(self) -> Iterator[Script]:
        return (self.script(number) for number in range(len(self)))


def _message_rows(conversations: Conversations) -> Iterator[dict]:
    for script in conversations.scripts():
        yield from script.messages


def _search_token_rows(conversations: Conversations) -> Iterator[dict]:
    # Texts repeat (they come from templates), and each keyed hash costs microseconds.
    tokens_of: dict[str, list[str]] = {}
    for script in conversations.scripts():
        for message in script.messages:
            text = message["content"]
            tokens = tokens_of.get(text)
            if tokens is None:
                tokens = tokens_of[text] = crypto.index_tokens(text)
            for token in tokens:
                yield {"token": token, "message_id": message["id"], "conversation_id": message["conversation_id"]}


def seed_scale(
    users: int,
    connections: int,
    seed: int,
    hubs: int,
    echo=click.echo,
    *,
    messages: int | None = None,
    as_of: datetime | None = None,
) -> Network:
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

    act = Activity(net, seed, as_of or datetime.now(UTC))
    stage("achievements", _achievement_rows(act), Achievement.__table__, round(users * ACHIEVERS_SHARE * 2))
    changes = _job_changes(act)
    _end_current_positions(changes)
    stage("job changes", iter(changes), Experience.__table__, len(changes))
    content = generate_posts(act, round(users * POSTS_PER_USER))
    stage("posts", iter(content.posts), Post.__table__, len(content.posts))
    stage("likes", iter(content.likes), PostLike.__table__, len(content.likes))
    stage("comments", iter(content.comments), PostComment.__table__, len(content.comments))
    conversation_count = users // PEOPLE_PER_CONVERSATION
    if messages is None:
        messages = conversation_count * MESSAGES_PER_CONVERSATION
    talks = Conversations(act, conversation_count, messages)
    # Each stage replays the scripts rather than holding a million messages in memory.
    heads = [(script.conversation, script.participants) for script in talks.scripts()]
    stage("conversations", (c for c, _ in heads), Conversation.__table__, len(heads))
    stage("participants", (p for _, ps in heads for p in ps), ConversationParticipant.__table__, 2 * len(heads))
    total_messages = sum(talks.sizes)
    stage("messages", _message_rows(talks), Message.__table__, total_messages)
    stage("search index", _search_token_rows(talks), MessageSearchToken.__table__, total_messages * 7)

    db.session.execute(
        sa.update(Skill).values(
            usage_count=sa.select(sa.func.count()).where(UserSkill.skill_id == Skill.id).scalar_subquery()
        )
    )
    db.session.commit()
    return net
