"""profiles: contact info, profile views, portfolio, media, full-text profile search

The search index is hand-written per dialect (models cannot describe it):
SQLite gets an FTS5 table, PostgreSQL a weighted ``tsvector`` with a GIN
index.  Both are keyed by ``profile_search_docs.id`` and kept in sync by
triggers on ``users`` and ``user_skills``, so every writer (the API, the
seed commands, bulk loads) updates the index in the same transaction.

Revision ID: a4f330de321a
Revises: 06bd05756b43
Create Date: 2026-11-21 05:52:07.943322

"""
from alembic import op
import sqlalchemy as sa

import networkapp.database


# revision identifiers, used by Alembic.
revision = 'a4f330de321a'
down_revision = '06bd05756b43'
branch_labels = None
depends_on = None

# The space-separated names of a user's skills (``{user}`` is an SQL expression for the user id).
SQLITE_SKILLS_OF = (
    "coalesce((SELECT group_concat(s.name, ' ') FROM user_skills us JOIN skills s ON s.id = us.skill_id "
    "WHERE us.user_id = {user}), '')"
)
SQLITE_DOC_OF = "(SELECT id FROM profile_search_docs WHERE user_id = {user})"

SQLITE_UP = [
    # Column order matters: search.py weights them (name, headline, skills, bio) in bm25().
    "CREATE VIRTUAL TABLE profile_search_fts USING fts5("
    "name, headline, skills, bio, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
    f"""CREATE TRIGGER profile_search_users_ai AFTER INSERT ON users BEGIN
        INSERT INTO profile_search_docs (user_id) VALUES (NEW.id);
        INSERT INTO profile_search_fts (rowid, name, headline, skills, bio) VALUES (
            {SQLITE_DOC_OF.format(user="NEW.id")}, NEW.first_name || ' ' || NEW.last_name,
            coalesce(NEW.headline, ''), '', coalesce(NEW.bio, ''));
    END""",
    f"""CREATE TRIGGER profile_search_users_au AFTER UPDATE OF first_name, last_name, headline, bio ON users BEGIN
        UPDATE profile_search_fts SET name = NEW.first_name || ' ' || NEW.last_name,
            headline = coalesce(NEW.headline, ''), bio = coalesce(NEW.bio, '')
        WHERE rowid = {SQLITE_DOC_OF.format(user="NEW.id")};
    END""",
    f"""CREATE TRIGGER profile_search_users_bd BEFORE DELETE ON users BEGIN
        DELETE FROM profile_search_fts WHERE rowid = {SQLITE_DOC_OF.format(user="OLD.id")};
    END""",
    f"""CREATE TRIGGER profile_search_user_skills_ai AFTER INSERT ON user_skills BEGIN
        UPDATE profile_search_fts SET skills = {SQLITE_SKILLS_OF.format(user="NEW.user_id")}
        WHERE rowid = {SQLITE_DOC_OF.format(user="NEW.user_id")};
    END""",
    f"""CREATE TRIGGER profile_search_user_skills_ad AFTER DELETE ON user_skills BEGIN
        UPDATE profile_search_fts SET skills = {SQLITE_SKILLS_OF.format(user="OLD.user_id")}
        WHERE rowid = {SQLITE_DOC_OF.format(user="OLD.user_id")};
    END""",
    f"""CREATE TRIGGER profile_search_user_skills_au AFTER UPDATE OF skill_id, user_id ON user_skills BEGIN
        UPDATE profile_search_fts SET skills = {SQLITE_SKILLS_OF.format(user="OLD.user_id")}
        WHERE rowid = {SQLITE_DOC_OF.format(user="OLD.user_id")};
        UPDATE profile_search_fts SET skills = {SQLITE_SKILLS_OF.format(user="NEW.user_id")}
        WHERE rowid = {SQLITE_DOC_OF.format(user="NEW.user_id")};
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS profile_search_user_skills_au",
    "DROP TRIGGER IF EXISTS profile_search_user_skills_ad",
    "DROP TRIGGER IF EXISTS profile_search_user_skills_ai",
    "DROP TRIGGER IF EXISTS profile_search_users_bd",
    "DROP TRIGGER IF EXISTS profile_search_users_au",
    "DROP TRIGGER IF EXISTS profile_search_users_ai",
    "DROP TABLE IF EXISTS profile_search_fts",
]

POSTGRES_UP = [
    """CREATE TABLE profile_search_fts (
        rowid integer PRIMARY KEY REFERENCES profile_search_docs (id) ON DELETE CASCADE,
        document tsvector NOT NULL
    )""",
    "CREATE INDEX ix_profile_search_fts_document ON profile_search_fts USING gin (document)",
    # 'simple' keeps names and skill names as written (no English stemming of "Rails" or "Jones").
    """CREATE FUNCTION profile_search_document(uid uuid) RETURNS tsvector LANGUAGE sql STABLE AS $$
        SELECT setweight(to_tsvector('simple', u.first_name || ' ' || u.last_name), 'A')
            || setweight(to_tsvector('simple', coalesce(u.headline, '')), 'B')
            || setweight(to_tsvector('simple', coalesce((
                    SELECT string_agg(s.name, ' ') FROM user_skills us JOIN skills s ON s.id = us.skill_id
                    WHERE us.user_id = uid), '')), 'B')
            || setweight(to_tsvector('simple', coalesce(u.bio, '')), 'C')
        FROM users u WHERE u.id = uid
    $$""",
    """CREATE FUNCTION profile_search_refresh(uid uuid) RETURNS void LANGUAGE sql AS $$
        UPDATE profile_search_fts f SET document = coalesce(profile_search_document(uid), ''::tsvector)
        FROM profile_search_docs d WHERE d.user_id = uid AND f.rowid = d.id
    $$""",
    """CREATE FUNCTION profile_search_users_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO profile_search_docs (user_id) VALUES (NEW.id);
            INSERT INTO profile_search_fts (rowid, document)
                SELECT d.id, profile_search_document(NEW.id) FROM profile_search_docs d WHERE d.user_id = NEW.id;
        ELSE
            PERFORM profile_search_refresh(NEW.id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER profile_search_users_ai AFTER INSERT ON users
        FOR EACH ROW EXECUTE FUNCTION profile_search_users_sync()""",
    """CREATE TRIGGER profile_search_users_au AFTER UPDATE OF first_name, last_name, headline, bio ON users
        FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name
            OR OLD.headline IS DISTINCT FROM NEW.headline OR OLD.bio IS DISTINCT FROM NEW.bio)
        EXECUTE FUNCTION profile_search_users_sync()""",
    """CREATE FUNCTION profile_search_user_skills_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            PERFORM profile_search_refresh(OLD.user_id);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM profile_search_refresh(NEW.user_id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER profile_search_user_skills_sync AFTER INSERT OR DELETE OR UPDATE OF skill_id, user_id
        ON user_skills FOR EACH ROW EXECUTE FUNCTION profile_search_user_skills_sync()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS profile_search_user_skills_sync ON user_skills",
    "DROP FUNCTION IF EXISTS profile_search_user_skills_sync()",
    "DROP TRIGGER IF EXISTS profile_search_users_au ON users",
    "DROP TRIGGER IF EXISTS profile_search_users_ai ON users",
    "DROP FUNCTION IF EXISTS profile_search_users_sync()",
    "DROP FUNCTION IF EXISTS profile_search_refresh(uuid)",
    "DROP FUNCTION IF EXISTS profile_search_document(uuid)",
    "DROP TABLE IF EXISTS profile_search_fts",
]


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('contact_info',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('email_visibility', sa.String(length=12), server_default='connections', nullable=False),
    sa.Column('phone_visibility', sa.String(length=12), server_default='connections', nullable=False),
    sa.Column('website_visibility', sa.String(length=12), server_default='public', nullable=False),
    sa.CheckConstraint("email_visibility IN ('public', 'connections', 'private')", name=op.f('ck_contact_info_email_visibility')),
    sa.CheckConstraint("phone_visibility IN ('public', 'connections', 'private')", name=op.f('ck_contact_info_phone_visibility')),
    sa.CheckConstraint("website_visibility IN ('public', 'connections', 'private')", name=op.f('ck_contact_info_website_visibility')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contact_info_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_contact_info'))
    )
    op.create_table('media',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=80), nullable=False),
    sa.Column('caption', sa.String(length=300), nullable=True),
    sa.Column('created_at', networkapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('gallery', 'photo')", name=op.f('ck_media_purpose')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_media_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_media_storage_name'))
    )
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.create_index('ix_media_user_created', ['user_id', 'created_at', 'id'], unique=False)

    op.create_table('profile_search_docs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_profile_search_docs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_search_docs')),
    sa.UniqueConstraint('user_id', name=op.f('uq_profile_search_docs_user_id'))
    )
    op.create_table('profile_views',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('profile_id', sa.Uuid(), nullable=False),
    sa.Column('viewer_id', sa.Uuid(), nullable=False),
    sa.Column('viewed_on', sa.Date(), nullable=False),
    sa.Column('viewed_at', networkapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['users.id'], name=op.f('fk_profile_views_profile_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['viewer_id'], ['users.id'], name=op.f('fk_profile_views_viewer_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_views')),
    sa.UniqueConstraint('profile_id', 'viewer_id', 'viewed_on', name=op.f('uq_profile_views_profile_id_viewer_id_viewed_on'))
    )
    with op.batch_alter_table('profile_views', schema=None) as batch_op:
        batch_op.create_index('ix_profile_views_profile_viewed', ['profile_id', 'viewed_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_profile_views_viewer_id'), ['viewer_id'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', networkapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR start_date IS NULL OR end_date >= start_date', name=op.f('ck_projects_dates')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_projects_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_user_start', ['user_id', 'start_date'], unique=False)

    # ### end Alembic commands ###
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_UP:
            op.execute(statement)
    else:
        for statement in SQLITE_UP:
            op.execute(statement)
    # Existing users get their documents (the triggers only see new writes).
    op.execute("INSERT INTO profile_search_docs (user_id) SELECT id FROM users")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "INSERT INTO profile_search_fts (rowid, document) "
            "SELECT d.id, profile_search_document(d.user_id) FROM profile_search_docs d"
        )
    else:
        op.execute(
            "INSERT INTO profile_search_fts (rowid, name, headline, skills, bio) "
            "SELECT d.id, u.first_name || ' ' || u.last_name, coalesce(u.headline, ''), "
            f"{SQLITE_SKILLS_OF.format(user='u.id')}, coalesce(u.bio, '') "
            "FROM profile_search_docs d JOIN users u ON u.id = d.user_id"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    else:
        for statement in SQLITE_DOWN:
            op.execute(statement)
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_user_start')

    op.drop_table('projects')
    with op.batch_alter_table('profile_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_views_viewer_id'))
        batch_op.drop_index('ix_profile_views_profile_viewed')

    op.drop_table('profile_views')
    op.drop_table('profile_search_docs')
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_index('ix_media_user_created')

    op.drop_table('media')
    op.drop_table('contact_info')
    # ### end Alembic commands ###
