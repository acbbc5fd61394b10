"""Full-text search over postings, one interface over two engines.

SQLite uses the FTS5 table ``jobs_fts`` (bm25, title weighted highest);
PostgreSQL uses the weighted tsvector table ``jobs_fts`` (ts_rank_cd) with a
GIN index.  The migration creates both and their sync triggers.

User input never reaches either query language as syntax: it is cut into
word tokens here, each token quoted (FTS5) or passed as a plain lexeme with a
prefix marker (tsquery), so quotes, operators, ``%`` and the like are inert.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from networkapp.extensions import db

MAX_TOKENS = 12
MAX_TOKEN_LENGTH = 40
# The listing's text search ranks only the newest RANKED_CANDIDATES postings containing every
# word; open-ness and the other filters then apply to those.  A word found in one posting in
# six would otherwise be scored and joined to ``jobs`` for tens of thousands of rows on every
# page (~70 ms at 200 000 postings on either engine).  Fewer matches than the cap: the ranking
# is exact.  Both indexes hand out their matches newest first (see the migration c5e1d2a7f3b9).
# At 2 000 PostgreSQL's planner preferred a hash join over a sequential scan of ``jobs`` to
# 2 000 primary-key probes (~50 ms instead of ~3 ms); at 1 000 it probes.
RANKED_CANDIDATES = 1000
_WORD = re.compile(r"\w+", re.UNICODE)

# bm25 column weights in FTS5 declaration order: title, company, description, requirements.
_BM25 = "bm25(jobs_fts, 10.0, 6.0, 1.0, 3.0)"


def tokens(text: str | None) -> list[str]:
    if not text:
        return []
    return [t[:MAX_TOKEN_LENGTH].lower() for t in _WORD.findall(text)][:MAX_TOKENS]


def has_words(text: str | None) -> bool:
    return bool(tokens(text))


def _sqlite_match(q: list[str], title: list[str], company: list[str]) -> str:
    terms = [f'"{t}"*' for t in q]
    terms += [f'title : "{t}"*' for t in title]
    terms += [f'company : "{t}"*' for t in company]
    return " AND ".join(terms)


def _tsquery(q: list[str], title: list[str], company: list[str]) -> str:
    # Weights: A title, B company (see the migration's jobs_fts_sync()).
    terms = [f"{t}:*" for t in q] + [f"{t}:*A" for t in title] + [f"{t}:*B" for t in company]
    return " & ".join(terms)


def hits(q: str | None = None, title: str | None = None, company: str | None = None):
    """A subquery ``(job_id, score)`` of postings matching every given word, or None when nothing was asked.

    Higher ``score`` is a better match on both engines.
    """
    q_tokens, title_tokens, company_tokens = tokens(q), tokens(title), tokens(company)
    if not (q_tokens or title_tokens or company_tokens):
        return None
    if db.engine.dialect.name == "postgresql":
        stmt = sa.text(
            "SELECT f.job_id AS job_id, CAST(ts_rank_cd(f.document, query) AS float8) AS score "
            "FROM jobs_fts f, to_tsquery('english', :job_tsquery) query WHERE f.document @@ query"
        ).bindparams(job_tsquery=_tsquery(q_tokens, title_tokens, company_tokens))
    else:
        stmt = sa.text(
            f"SELECT m.job_id AS job_id, -{_BM25} AS score "  # noqa: S608 - constant SQL, input is bound
            "FROM jobs_fts JOIN jobs_fts_map m ON m.rowid = jobs_fts.rowid WHERE jobs_fts MATCH :job_match"
        ).bindparams(job_match=_sqlite_match(q_tokens, title_tokens, company_tokens))
    return stmt.columns(job_id=sa.Uuid, score=sa.Float).subquery("job_hits")


def newest_hits(q: str | None = None, title: str | None = None, company: str | None = None):
    """Like :func:`hits`, limited to the newest ``RANKED_CANDIDATES`` matching postings, open or not."""
    q_tokens, title_tokens, company_tokens = tokens(q), tokens(title), tokens(company)
    if not (q_tokens or title_tokens or company_tokens):
        return None
    if db.engine.dialect.name == "postgresql":
        # Ranked outside the LIMIT, so ts_rank_cd runs for the candidates only.
        stmt = sa.text(
            "SELECT c.job_id AS job_id, CAST(ts_rank_cd(c.document, c.query) AS float8) AS score FROM ("
            "SELECT f.job_id, f.document, query FROM jobs_fts f, to_tsquery('english', :job_tsquery) query "
            "WHERE f.document @@ query ORDER BY f.posted_at DESC, f.job_id DESC LIMIT :job_candidates) c"
        ).bindparams(job_tsquery=_tsquery(q_tokens, title_tokens, company_tokens))
    else:
        # rowid order is posting-time order, which FTS5 walks backwards without sorting.
        stmt = sa.text(
            f"SELECT m.job_id AS job_id, c.score AS score FROM ("  # noqa: S608 - constant SQL, input is bound
            f"SELECT rowid, -{_BM25} AS score FROM jobs_fts WHERE jobs_fts MATCH :job_match "
            "ORDER BY rowid DESC LIMIT :job_candidates) c JOIN jobs_fts_map m ON m.rowid = c.rowid"
        ).bindparams(job_match=_sqlite_match(q_tokens, title_tokens, company_tokens))
    stmt = stmt.bindparams(job_candidates=RANKED_CANDIDATES)
    return stmt.columns(job_id=sa.Uuid, score=sa.Float).subquery("job_hits")


def like_baseline(q: str):
    """The naive ``LIKE '%q%'`` scan the index replaces (kept for the benchmark's comparison)."""
    from networkapp.models import Job

    pattern = q.lower()
    return sa.or_(
        Job.title.icontains(pattern, autoescape=True),
        Job.description.icontains(pattern, autoescape=True),
        Job.requirements.icontains(pattern, autoescape=True),
        Job.company.icontains(pattern, autoescape=True),
    )
