"""jobs full-text index knows each posting's time, so a search can take the newest matches first

Revision ID: c5e1d2a7f3b9
Revises: a97684547f1e
Create Date: 2026-11-21 12:40:00.000000

Hand-written (``*_fts`` tables are invisible to autogenerate; see migrations/env.py).

SQLite: the FTS5 rowid, allotted by ``jobs_fts_map``, becomes the posting time in milliseconds
times 2**20 plus a counter for postings of the same millisecond, so ``ORDER BY rowid DESC`` on
a MATCH walks the matches newest first straight from the index.  Changing ``posted_at``
re-keys the row.  PostgreSQL: ``jobs_fts`` carries a copy of ``posted_at``, so the newest
matches are sorted without reading ``jobs``.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5e1d2a7f3b9'
down_revision = 'a97684547f1e'
branch_labels = None
depends_on = None


def _key(column: str) -> str:
    # Milliseconds since the epoch, times the room for postings made in the same millisecond.
    return (
        f"((CAST(strftime('%s', {column}) AS INTEGER) * 1000"
        f" + CAST(substr(strftime('%f', {column}), 4, 3) AS INTEGER)) * 1048576)"
    )


def _sqlite_insert(row: str) -> str:
    return f"""
        INSERT INTO jobs_fts_map (rowid, job_id)
            SELECT coalesce(max(rowid) + 1, {_key(f'{row}.posted_at')}), {row}.id FROM jobs_fts_map
            WHERE rowid >= {_key(f'{row}.posted_at')} AND rowid < {_key(f'{row}.posted_at')} + 1048576;
        INSERT INTO jobs_fts (rowid, title, company, description, requirements)
        VALUES ((SELECT rowid FROM jobs_fts_map WHERE job_id = {row}.id),
                {row}.title, {row}.company, coalesce({row}.description, ''), coalesce({row}.requirements, ''));"""


_SQLITE_DELETE = """
        DELETE FROM jobs_fts WHERE rowid = (SELECT rowid FROM jobs_fts_map WHERE job_id = old.id);
        DELETE FROM jobs_fts_map WHERE job_id = old.id;"""

SQLITE_TABLES = [
    "CREATE TABLE jobs_fts_map (rowid INTEGER PRIMARY KEY, job_id CHAR(32) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE jobs_fts USING fts5(title, company, description, requirements, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
]

SQLITE_TRIGGERS = ("jobs_fts_insert", "jobs_fts_update", "jobs_fts_delete")


def _sqlite_drop():
    for trigger in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS jobs_fts")
    op.execute("DROP TABLE IF EXISTS jobs_fts_map")


def _sqlite_fill_fts():
    op.execute(
        "INSERT INTO jobs_fts (rowid, title, company, description, requirements) "
        "SELECT m.rowid, j.title, j.company, coalesce(j.description, ''), coalesce(j.requirements, '') "
        "FROM jobs j JOIN jobs_fts_map m ON m.job_id = j.id"
    )


def _sqlite_upgrade():
    _sqlite_drop()
    for statement in SQLITE_TABLES:
        op.execute(statement)
    op.execute(
        "INSERT INTO jobs_fts_map (rowid, job_id) "
        "SELECT k + row_number() OVER (PARTITION BY k ORDER BY id) - 1, id "
        f"FROM (SELECT {_key('posted_at')} AS k, id FROM jobs)"
    )
    _sqlite_fill_fts()
    op.execute(f"CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN{_sqlite_insert('new')}\n    END")
    op.execute(
        "CREATE TRIGGER jobs_fts_update AFTER UPDATE OF title, company, description, requirements, posted_at "
        f"ON jobs BEGIN{_SQLITE_DELETE}{_sqlite_insert('new')}\n    END"
    )
    op.execute(f"CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN{_SQLITE_DELETE}\n    END")


def _sqlite_downgrade():
    # Back to rowids in insertion order.
    _sqlite_drop()
    for statement in SQLITE_TABLES:
        op.execute(statement)
    op.execute("INSERT INTO jobs_fts_map (job_id) SELECT id FROM jobs ORDER BY posted_at, id")
    _sqlite_fill_fts()
    op.execute(
        """CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO jobs_fts_map (job_id) VALUES (new.id);
        INSERT INTO jobs_fts (rowid, title, company, description, requirements)
        VALUES ((SELECT rowid FROM jobs_fts_map WHERE job_id = new.id),
                new.title, new.company, coalesce(new.description, ''), coalesce(new.requirements, ''));
    END"""
    )
    op.execute(
        """CREATE TRIGGER jobs_fts_update AFTER UPDATE OF title, company, description, requirements ON jobs BEGIN
        DELETE FROM jobs_fts WHERE rowid = (SELECT rowid FROM jobs_fts_map WHERE job_id = old.id);
        INSERT INTO jobs_fts (rowid, title, company, description, requirements)
        VALUES ((SELECT rowid FROM jobs_fts_map WHERE job_id = new.id),
                new.title, new.company, coalesce(new.description, ''), coalesce(new.requirements, ''));
    END"""
    )
    op.execute(
        """CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
        DELETE FROM jobs_fts WHERE rowid = (SELECT rowid FROM jobs_fts_map WHERE job_id = old.id);
        DELETE FROM jobs_fts_map WHERE job_id = old.id;
    END"""
    )


def _pg_sync_function(with_posted_at: bool) -> str:
    columns = "job_id, posted_at, document" if with_posted_at else "job_id, document"
    posted = "NEW.posted_at," if with_posted_at else ""
    also = ", posted_at = EXCLUDED.posted_at" if with_posted_at else ""
    return f"""CREATE OR REPLACE FUNCTION jobs_fts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO jobs_fts ({columns}) VALUES (
            NEW.id, {posted}
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('english', coalesce(NEW.company, '')), 'B')
            || setweight(to_tsvector('english', coalesce(NEW.requirements, '')), 'C')
            || setweight(to_tsvector('english', coalesce(NEW.description, '')), 'D'))
        ON CONFLICT (job_id) DO UPDATE SET document = EXCLUDED.document{also};
        RETURN NULL;
    END
    $$"""


def _pg_trigger(columns: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS jobs_fts_sync ON jobs",
        f"CREATE TRIGGER jobs_fts_sync AFTER INSERT OR UPDATE OF {columns} ON jobs "
        "FOR EACH ROW EXECUTE FUNCTION jobs_fts_sync()",
    ]


def _pg_upgrade():
    op.execute("ALTER TABLE jobs_fts ADD COLUMN posted_at timestamptz")
    op.execute("UPDATE jobs_fts f SET posted_at = j.posted_at FROM jobs j WHERE j.id = f.job_id")
    op.execute("ALTER TABLE jobs_fts ALTER COLUMN posted_at SET NOT NULL")
    op.execute(_pg_sync_function(with_posted_at=True))
    for statement in _pg_trigger("title, company, description, requirements, posted_at"):
        op.execute(statement)


def _pg_downgrade():
    op.execute(_pg_sync_function(with_posted_at=False))
    for statement in _pg_trigger("title, company, description, requirements"):
        op.execute(statement)
    op.execute("ALTER TABLE jobs_fts DROP COLUMN posted_at")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
