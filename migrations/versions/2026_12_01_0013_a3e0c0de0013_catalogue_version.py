"""the catalogue's version counted by commits: a row every products write bumps

Revision ID: a3e0c0de0013
Revises: f2e0c0de0012
Create Date: 2026-12-01 00:13:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3e0c0de0013'
down_revision = 'f2e0c0de0012'
branch_labels = None
depends_on = None


def upgrade():
    # The kept catalogue pages and facet counts are keyed by this number. max(updated_at)
    # was not enough: a write stamped earlier but committed after a later one left it
    # unchanged. A row updated in the writing transaction moves with every commit (the
    # row lock orders the writers on PostgreSQL; SQLite has one writer at a time). An
    # upsert, so an emptied table (the tests truncate) starts counting again.
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_version")),
    )
    op.execute("INSERT INTO catalogue_version (id, n) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION pbj_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO catalogue_version (id, n) VALUES (1, 1)
                ON CONFLICT (id) DO UPDATE SET n = catalogue_version.n + 1;
                RETURN NULL;
            END $$""")
        op.execute("""CREATE TRIGGER catalogue_version_bump AFTER INSERT OR UPDATE OR DELETE ON products
                      FOR EACH STATEMENT EXECUTE FUNCTION pbj_catalogue_version()""")
    else:
        bump = "INSERT INTO catalogue_version (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = n + 1;"
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER catalogue_version_{event.lower()} AFTER {event} ON products "
                       f"BEGIN {bump} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS catalogue_version_bump ON products")
        op.execute("DROP FUNCTION IF EXISTS pbj_catalogue_version()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS catalogue_version_{event}")
    op.drop_table("catalogue_version")
