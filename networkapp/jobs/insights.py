"""Salary insights: parsed salaries of comparable postings, normalised to a year.

A group smaller than ``MIN_GROUP`` postings reports its size but no figures:
with so few postings a median is one employer's offer.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from networkapp.database import utcnow
from networkapp.extensions import db
from networkapp.jobs import search
from networkapp.models import Company, Job, User

MIN_GROUP = 5
WINDOW = timedelta(days=365)
# The newest postings are representative; bounding the sample bounds the work.
MAX_SAMPLE = 10_000


def _yearly_figure(low, high) -> float:
    values = [float(v) for v in (low, high) if v is not None]
    return sum(values) / len(values)


def salary_insights(args: dict) -> dict:
    industry = sa.func.lower(sa.func.coalesce(Company.industry, User.industry))
    stmt = (
        sa.select(Job.salary_year_min, Job.salary_year_max, Job.salary_currency)
        .join(User, User.id == Job.poster_id)
        .outerjoin(Company, Company.id == Job.company_id)
        .where(
            Job.posted_at >= utcnow() - WINDOW,
            sa.or_(Job.salary_year_min.is_not(None), Job.salary_year_max.is_not(None)),
            Job.salary_currency.is_not(None),
        )
        .order_by(Job.posted_at.desc())
        .limit(MAX_SAMPLE)
    )
    if args.get("title"):
        hits = search.hits(title=args["title"])
        stmt = stmt.join(hits, hits.c.job_id == Job.id) if hits is not None else stmt.where(sa.false())
    if args.get("location"):
        stmt = stmt.where(Job.location.icontains(args["location"].strip(), autoescape=True))
    if args.get("industry"):
        stmt = stmt.where(industry == args["industry"].strip().lower())
    rows = db.session.execute(stmt).all()
    currency = (args.get("currency") or "").upper() or None
    if currency is None and rows:
        currency = Counter(row.salary_currency for row in rows).most_common(1)[0][0]
    figures = sorted(
        _yearly_figure(row.salary_year_min, row.salary_year_max) for row in rows if row.salary_currency == currency
    )
    result = {"count": len(figures), "currency": currency, "period": "year", "reason": None}
    if len(figures) < MIN_GROUP:
        result.update(
            median=None,
            p25=None,
            p75=None,
            reason=f"Fewer than {MIN_GROUP} comparable postings with a salary; figures are withheld.",
        )
        return result
    p25, median, p75 = statistics.quantiles(figures, n=4, method="inclusive")
    result.update(median=round(median, 2), p25=round(p25, 2), p75=round(p75, 2))
    return result
