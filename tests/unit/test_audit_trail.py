import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.audit import GENESIS_HASH, AuditEntry
from pbj.services import audit


def test_entries_are_chained_in_order(app, create_user):
    create_user(Role.PP)
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.id for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == GENESIS_HASH
    for previous, entry in zip(entries, entries[1:]):
        assert entry.prev_hash == previous.hash
        assert entry.hash == entry.compute_hash()


def test_verify_passes_on_an_untouched_trail(app, create_user):
    create_user(Role.ADMIN)
    report = audit.verify_chain()
    assert report.ok and report.checked >= 2


def _tamper(sql: str, **params):
    """Change the trail behind the app's back, as someone with database access would."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
        conn.execute(sa.text(sql), params)
        conn.execute(sa.text("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only"))
    else:
        conn.execute(sa.text("DROP TRIGGER audit_entries_no_update"))
        conn.execute(sa.text("DROP TRIGGER audit_entries_no_delete"))
        conn.execute(sa.text(sql), params)
    db.session.commit()
    db.session.expire_all()


def test_verify_names_the_first_tampered_entry(app, create_user, runner):
    for role in (Role.PP, Role.PPK, Role.BENDAHARA):
        create_user(role)
    _tamper("UPDATE audit_entries SET detail = :d WHERE id = 3", d='{"role": "admin"}')
    report = audit.verify_chain()
    assert report.first_broken_id == 3
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 3" in result.output


def test_verify_notices_a_deleted_entry(app, create_user):
    for role in (Role.PP, Role.PPK):
        create_user(role)
    _tamper("DELETE FROM audit_entries WHERE id = 2")
    report = audit.verify_chain()
    assert report.first_broken_id == 2
    assert report.problem == "missing entry"


def test_cli_verify_says_ok(app, create_user, runner):
    create_user(Role.PP)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "chain intact" in result.output


def test_database_refuses_update_of_an_entry(app, create_user):
    create_user(Role.PP)
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.text("UPDATE audit_entries SET action = 'x' WHERE id = 1"))
    db.session.rollback()


def test_orm_refuses_to_change_an_entry(app, create_user):
    create_user(Role.PP)
    entry = db.session.get(AuditEntry, 1)
    entry.action = "changed"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_entries_for_gives_the_last_ones_oldest_first(app, create_user):
    user = create_user(Role.PP)  # its own user.created entry comes first
    for n in range(4):
        audit.record("auth.login_succeeded", user, user, ip_address=f"10.0.0.{n}")
    db.session.commit()
    everything = audit.entries_for("users", user.id)
    assert [e.action for e in everything] == ["user.created"] + ["auth.login_succeeded"] * 4
    last_two = audit.entries_for("users", user.id, last=2)
    assert [e.ip_address for e in last_two] == ["10.0.0.2", "10.0.0.3"]
