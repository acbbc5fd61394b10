"""skills catalogue (reference data)

Revision ID: 63a1fa8ad40e
Revises: fed7f91a41e0
Create Date: 2026-11-21 06:05:00

Every deployment gets the catalogue from ``flask db upgrade`` alone.  The
rows come from a snapshot file owned by this migration (never edited
afterwards; a later catalogue change is a new data migration), and ids are
derived from the name so they are the same in every database.
"""
import json
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '63a1fa8ad40e'
down_revision = 'fed7f91a41e0'
branch_labels = None
depends_on = None

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "skills_v1.json"
NAMESPACE = uuid.UUID("5d0b6a52-52a1-4c8e-9f3e-6b1f3f0d9a11")

skills = sa.table(
    "skills",
    sa.column("id", sa.Uuid),
    sa.column("name", sa.String),
    sa.column("name_key", sa.String),
    sa.column("category", sa.String),
    sa.column("description", sa.String),
    sa.column("usage_count", sa.Integer),
)


def _rows():
    for entry in json.loads(CATALOGUE.read_text("utf-8")):
        key = entry["name"].strip().lower()
        yield {
            "id": uuid.uuid5(NAMESPACE, key),
            "name": entry["name"].strip(),
            "name_key": key,
            "category": entry["category"],
            "description": entry.get("description"),
            "usage_count": 0,
        }


def upgrade():
    op.bulk_insert(skills, list(_rows()))


def downgrade():
    keys = [row["name_key"] for row in _rows()]
    op.execute(skills.delete().where(skills.c.name_key.in_(keys)))
