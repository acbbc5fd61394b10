"""Profile discovery: full-text search over names, headline, skills and bio.

One interface over two engines, both maintained by triggers (see the
``profiles`` migration) and keyed by ``profile_search_docs.id``:

* SQLite: the FTS5 table ``profile_search_fts(name, headline, skills, bio)``
  ranked with ``bm25`` and column weights name 10, headline 4, skills 4, bio 1.
* PostgreSQL: ``profile_search_fts.document``, a ``tsvector`` weighted A for
  names, B for headline and skills, C for bio, behind a GIN index, ranked by
  ``ts_rank``.

The user's text never reaches either query language as syntax: it is cut
into word tokens (letters and digits only) and each token becomes a quoted
prefix term, all of which must match.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

from networkapp.extensions import db
from networkapp.models import ProfileSearchDoc, Skill, User, UserSkill
from networkapp.pagination import keyset_page
from networkapp.profiles.visibility import listable

MAX_TERMS = 8
MAX_SKILL_FILTERS = 10
# A relevance search with no other filter ranks at most this many matches: a word found in a
# fifth of all profiles would otherwise score, join and sort tens of thousands of rows for
# every page.  Below the cap (any selective term) the ranking is exact; above it, the best of
# the first RANKED_CANDIDATES matches in index order are served.
RANKED_CANDIDATES = 500
TOKEN = re.compile(r"[^\W_]+")

_sqlite_fts = sa.table("profile_search_fts", sa.column("rowid", sa.Integer))
_pg_fts = sa.table("profile_search_fts", sa.column("rowid", sa.Integer), sa.column("document", TSVECTOR))


def terms(text: str | None) -> list[str]:
    return TOKEN.findall((text or "").lower())[:MAX_TERMS]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def capped_matches(words: list[str]) -> sa.Subquery:
    """``(rowid, score)`` of at most ``RANKED_CANDIDATES`` matches for ``words``, from the index alone.

    No ORDER BY on purpose: both engines then score only the rows they return, so the
    cost is bounded by the cap, not by how common the word is.
    """
    target, _, condition, score = text_match(words)
    return (
        sa.select(target.c.rowid, score.label("score"))
        .select_from(target)
        .where(condition)
        .limit(RANKED_CANDIDATES)
        .subquery("matches")
    )


def text_match(words: list[str]):
    """(join target, join condition, WHERE condition, score expression) for ``words``."""
    if _dialect() == "postgresql":
        query = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), " & ".join(f"{w}:*" for w in words))
        return (
            _pg_fts,
            _pg_fts.c.rowid == ProfileSearchDoc.id,
            _pg_fts.c.document.op("@@")(query),
            sa.cast(sa.func.ts_rank(_pg_fts.c.document, query), sa.Float),
        )
    table = sa.literal_column("profile_search_fts")
    query = " ".join(f'"{w}"*' for w in words)
    return (
        _sqlite_fts,
        _sqlite_fts.c.rowid == ProfileSearchDoc.id,
        table.op("MATCH")(query),
        sa.cast(-sa.func.bm25(table, 10.0, 4.0, 4.0, 1.0), sa.Float),
    )


def search(
    viewer,
    *,
    q: str | None,
    skills: str | None,
    industry: str | None,
    location: str | None,
    open_to_work: bool | None,
    sort: str,
    limit: int,
    cursor: str | None,
):
    words = terms(q)
    if q and q.strip() and not words:
        # Only punctuation: nothing can match, and nothing is worth a query.
        return [], None
    stmt = sa.select(User).where(listable(viewer))
    score = sa.null()
    filtered = bool(skills and skills.strip()) or any(
        value is not None and (not isinstance(value, str) or value.strip())
        for value in (industry, location, open_to_work)
    )
    if words and sort == "relevance" and not filtered:
        best = capped_matches(words)
        stmt = stmt.join(ProfileSearchDoc, ProfileSearchDoc.user_id == User.id).join(
            best, best.c.rowid == ProfileSearchDoc.id
        )
        score = best.c.score
    elif words:
        target, on, condition, score = text_match(words)
        stmt = stmt.join(ProfileSearchDoc, ProfileSearchDoc.user_id == User.id).join(target, on).where(condition)
    score = score.label("score")
    stmt = stmt.add_columns(score)
    for name in [s.strip().lower() for s in (skills or "").split(",") if s.strip()][:MAX_SKILL_FILTERS]:
        stmt = stmt.where(
            sa.exists()
            .where(UserSkill.user_id == User.id, UserSkill.skill_id == Skill.id, Skill.name_key == name)
            .correlate(User)
        )
    if industry and industry.strip():
        stmt = stmt.where(sa.func.lower(User.industry) == industry.strip().lower())
    if location and location.strip():
        stmt = stmt.where(sa.func.lower(User.location).contains(location.strip().lower(), autoescape=True))
    if open_to_work is not None:
        stmt = stmt.where(User.open_to_work.is_(open_to_work))

    if sort == "relevance" and words:
        columns, descending = [score.element, User.id], True
    elif sort == "name":
        # The sort keys come back with the row so the cursor holds exactly what the database compared.
        first, last = sa.func.lower(User.first_name), sa.func.lower(User.last_name)
        stmt = stmt.add_columns(first.label("sort_first"), last.label("sort_last"))
        columns, descending = [first, last, User.id], False
    else:
        # "relevance" without text ranks the best-connected people first.
        columns, descending = [User.connection_count, User.id], True

    def key(row):
        user = row[0]
        if columns[0] is score.element:
            return (row.score, user.id)
        if sort == "name":
            return (row.sort_first, row.sort_last, user.id)
        return (user.connection_count, user.id)

    rows, next_cursor = keyset_page(
        db.session,
        stmt,
        columns=columns,
        limit=limit,
        cursor=cursor,
        salt=f"profile-search:{sort}:{bool(words)}",
        descending=descending,
        key=key,
    )
    items = []
    for row in rows:
        user = row[0]
        items.append(
            {
                "id": user.id,
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "headline": user.headline,
                "profile_image_url": user.profile_image_url,
                "industry": user.industry,
                "location": user.location,
                "open_to_work": user.open_to_work,
                "score": row.score,
            }
        )
    return items, next_cursor
