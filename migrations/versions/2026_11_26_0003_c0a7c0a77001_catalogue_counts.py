"""catalogue counts kept by triggers

Revision ID: c0a7c0a77001
Revises: 5f39963488ec
Create Date: 2026-11-26 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0a7c0a77001'
down_revision = '5f39963488ec'
branch_labels = None
depends_on = None

KEY = "supplier_id, category_id, is_pdn, tkdn40, umk, lokal, in_stock"


def _key_values(row: str, false: str) -> list[str]:
    """The counted key of a products row (`new` or `old`) as SQL expressions."""
    return [f"{row}.supplier_id", f"{row}.category_id", f"{row}.is_pdn", f"({row}.preference = 1)",
            f"{row}.supplier_is_umk", f"{row}.supplier_is_local",
            f"coalesce({row}.stock >= {row}.min_order, {false})"]


def _key_match(row: str, false: str) -> str:
    return " AND ".join(f"{column} = {value}"
                        for column, value in zip(KEY.split(", "), _key_values(row, false)))


def _key_changed(distinct: str, false: str) -> str:
    columns = ("status", "supplier_id", "category_id", "is_pdn", "preference", "supplier_is_umk",
               "supplier_is_local")
    changed = [f"old.{c} {distinct} new.{c}" for c in columns]
    changed.append(f"coalesce(old.stock >= old.min_order, {false}) {distinct} "
                   f"coalesce(new.stock >= new.min_order, {false})")
    return " OR ".join(changed)


def upgrade():
    op.create_table('catalogue_counts',
    sa.Column('supplier_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('category_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('is_pdn', sa.Boolean(), nullable=False),
    sa.Column('tkdn40', sa.Boolean(), nullable=False),
    sa.Column('umk', sa.Boolean(), nullable=False),
    sa.Column('lokal', sa.Boolean(), nullable=False),
    sa.Column('in_stock', sa.Boolean(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('supplier_id', 'category_id', 'is_pdn', 'tkdn40', 'umk', 'lokal', 'in_stock',
                            name=op.f('pk_catalogue_counts'))
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    false = "false" if postgres else "0"
    if postgres:
        op.execute(f"""
            CREATE FUNCTION pbj_catalogue_counts() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'published' THEN
                    UPDATE catalogue_counts SET n = n - 1 WHERE {_key_match('OLD', false)};
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'published' THEN
                    INSERT INTO catalogue_counts ({KEY}, n) VALUES ({', '.join(_key_values('NEW', false))}, 1)
                    ON CONFLICT ({KEY}) DO UPDATE SET n = catalogue_counts.n + 1;
                END IF;
                RETURN NULL;
            END $$""")
        op.execute("""CREATE TRIGGER catalogue_counts_aid AFTER INSERT OR DELETE ON products
                      FOR EACH ROW EXECUTE FUNCTION pbj_catalogue_counts()""")
        op.execute(f"""CREATE TRIGGER catalogue_counts_au AFTER UPDATE ON products
                       FOR EACH ROW WHEN ({_key_changed('IS DISTINCT FROM', false)}) EXECUTE FUNCTION pbj_catalogue_counts()""")
    else:
        add = (f"INSERT INTO catalogue_counts ({KEY}, n) SELECT {', '.join(_key_values('new', false))}, 1 "
               f"WHERE new.status = 'published' ON CONFLICT ({KEY}) DO UPDATE SET n = n + 1;")
        remove = (f"UPDATE catalogue_counts SET n = n - 1 "
                  f"WHERE old.status = 'published' AND {_key_match('old', false)};")
        op.execute(f"CREATE TRIGGER catalogue_counts_ai AFTER INSERT ON products BEGIN {add} END")
        op.execute(f"CREATE TRIGGER catalogue_counts_ad AFTER DELETE ON products BEGIN {remove} END")
        op.execute(f"""CREATE TRIGGER catalogue_counts_au AFTER UPDATE ON products
                       WHEN {_key_changed('IS NOT', false)} BEGIN {remove} {add} END""")
    # Count what is already there.
    op.execute(f"""
        INSERT INTO catalogue_counts ({KEY}, n)
        SELECT supplier_id, category_id, is_pdn, preference = 1, supplier_is_umk, supplier_is_local,
               coalesce(stock >= min_order, {false}), count(*)
        FROM products WHERE status = 'published'
        GROUP BY supplier_id, category_id, is_pdn, preference = 1, supplier_is_umk, supplier_is_local,
                 coalesce(stock >= min_order, {false})""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS catalogue_counts_au ON products")
        op.execute("DROP TRIGGER IF EXISTS catalogue_counts_aid ON products")
        op.execute("DROP FUNCTION IF EXISTS pbj_catalogue_counts()")
    else:
        for trigger in ("catalogue_counts_ai", "catalogue_counts_ad", "catalogue_counts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_table('catalogue_counts')
