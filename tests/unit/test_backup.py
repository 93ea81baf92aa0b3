"""`flask backup` and `flask restore`: a round trip while orders are being placed, the
refusals, and archives that are damaged or hostile. On SQLite (the online backup API)
and on PostgreSQL (pg_dump / pg_restore into a second database)."""
from __future__ import annotations

import io
import json
import tarfile
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from pbj.clock import city_today, utcnow
from pbj.database import write_intent
from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, User
from pbj.models.catalogue import Product, ProductImage
from pbj.models.orders import Order, OrderItem
from pbj.models.suppliers import SupplierDocument
from pbj.services import audit, orders
from pbj.services.uploads import upload_root
from tests import order_helpers as oh
from tests.conftest import USE_POSTGRES

STOCK = 10_000


@pytest.fixture
def restore_target(database_uri, tmp_path):
    """Where a restore goes: a new SQLite file, or a second, empty PostgreSQL database."""
    if not USE_POSTGRES:
        (tmp_path / "restored").mkdir()
        yield f"sqlite:///{tmp_path / 'restored' / 'pbj.sqlite3'}"
        return
    url = sa.engine.make_url(database_uri)
    name = f"{url.database}_restore"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def shop(app, create_org, create_user, create_supplier):
    """Parties, a product with a photo, a supplier's NIB document, one order."""
    p = oh.parties(create_org, create_user, create_supplier, with_document=True)
    product = oh.listed(p, stock=STOCK)
    oh.place(p, product, quantity=3)
    return p, product


def _place_orders_until(app, stop: threading.Event, ids: dict, placed: list, errors: list) -> None:
    """A PP ordering one unit at a time, committing each, as fast as the database lets them."""
    with app.app_context():
        token = write_intent.set(True)
        try:
            while not stop.is_set():
                try:
                    buyer = db.session.get(User, ids["pp"])
                    product = db.session.get(Product, ids["product"])
                    orders.add_to_cart(buyer, product, 1, city_today())
                    made = orders.checkout(buyer, orders.CheckoutData(
                        package_id=ids["package"], delivery_address="Jl. Diponegoro 5, Singkawang",
                        needed_by=city_today() + timedelta(days=14), ppk_id=ids["ppk"]),
                        utcnow(), city_today())
                    db.session.commit()
                    placed.append(made[0].id)
                except Exception as error:  # noqa: BLE001 -- reported to the test, which fails on any
                    db.session.rollback()
                    errors.append(repr(error))
                    return
        finally:
            db.session.remove()
            write_intent.reset(token)


def _restored_app(make_app, uri, tmp_path):
    return make_app(SQLALCHEMY_DATABASE_URI=uri, INSTANCE_PATH=str(tmp_path / "restored-instance"))


def _invoke(app, *args):
    """A command on `app`, in its own context (a command run under the test's app context
    would otherwise act on the test's app)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
        db.engine.dispose()  # the restore database is dropped after the test
    return result


@pytest.mark.slow  # threads writing for a second or two while the backup runs
def test_a_backup_taken_while_orders_are_placed_restores_whole(app, runner, shop, make_app, restore_target,
                                                                tmp_path):
    p, product = shop
    ids = {"pp": p.pp.id, "ppk": p.ppk.id, "product": product.id, "package": oh.package(p).id}
    db.session.commit()  # the test's own read ends: the writers and the backup need the database
    stop, placed, errors = threading.Event(), [], []
    writers = [threading.Thread(target=_place_orders_until, args=(app, stop, ids, placed, errors))
               for _ in range(2)]
    for writer in writers:
        writer.start()
    try:
        while len(placed) < 5 and not errors:  # orders are flowing before the backup starts
            stop.wait(0.05)
        archive = tmp_path / "pbj-backup.tar.gz"
        result = runner.invoke(args=["backup", str(archive)])
        placed_during = len(placed)
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=60)
    assert not errors, errors
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output and "uploaded files" in result.output
    assert placed_during >= 5 and len(placed) > 5  # writes before and after the backup

    photo = db.session.scalar(sa.select(ProductImage))
    document = db.session.scalar(sa.select(SupplierDocument))
    originals = {name: (upload_root() / kind / name).read_bytes()
                 for kind, name in (("products", photo.large_name), ("products", photo.thumb_name),
                                    ("documents", document.stored_name))}
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["database"] == ("postgresql" if USE_POSTGRES else "sqlite")
    in_backup = manifest["rows"]["orders"]
    assert 1 + 5 <= in_backup <= 1 + len(placed)

    restored = _restored_app(make_app, restore_target, tmp_path)
    outcome = _invoke(restored, "restore", str(archive))
    assert outcome.exit_code == 0, outcome.output
    assert "all counts as in the backup" in outcome.output
    with restored.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == in_backup
        # No half-written order: every order has its line, and the stock is the initial
        # stock less exactly the units the restored orders hold.
        lines = db.session.scalar(sa.select(sa.func.count(sa.distinct(OrderItem.order_id))))
        assert lines == in_backup
        held = db.session.scalar(sa.select(sa.func.sum(OrderItem.quantity)))
        assert held == 3 + in_backup - 1
        # ids, not the test's objects: an expired object would reload through the test's
        # session, which binds to the current app's engine, and keep a connection open there.
        assert db.session.get(Product, ids["product"]).stock == STOCK - held
        assert audit.verify_chain().ok
        for kind, name in (("products", photo.large_name), ("products", photo.thumb_name),
                           ("documents", document.stored_name)):
            assert (upload_root() / kind / name).read_bytes() == originals[name]
        if not USE_POSTGRES:
            assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
        db.session.remove()
        db.engine.dispose()
    verified = _invoke(restored, "audit", "verify")
    assert verified.exit_code == 0 and "chain intact" in verified.output


def test_restore_refuses_a_database_in_use_without_force(app, runner, shop, tmp_path):
    archive = tmp_path / "backup.tar"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    db.session.add(Organisation(kind=OrgKind.OPD, name="Dinas Baru Setelah Backup", code="BARU"))
    db.session.commit()

    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code == 1
    assert "already holds data" in refused.output and "--force" in refused.output
    assert "organisations" in refused.output
    assert db.session.scalar(sa.select(Organisation).where(Organisation.code == "BARU")) is not None
    db.session.commit()

    replaced = runner.invoke(args=["restore", "--force", str(archive)])
    assert replaced.exit_code == 0, replaced.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Organisation).where(Organisation.code == "BARU")) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_restore_refuses_an_upload_folder_with_files(app, runner, shop, make_app, restore_target, tmp_path):
    archive = tmp_path / "backup.tar"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    restored = _restored_app(make_app, restore_target, tmp_path)
    stray = tmp_path / "restored-instance" / "uploads" / "products" / "stray.jpg"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"\xff\xd8\xff")
    refused = _invoke(restored, "restore", str(archive))
    assert refused.exit_code == 1 and "already holds files" in refused.output
    with restored.app_context():  # nothing restored
        assert not sa.inspect(db.engine).has_table("orders")
        db.session.remove()
        db.engine.dispose()


def test_backup_does_not_replace_a_file_without_force(app, runner, shop, tmp_path):
    archive = tmp_path / "backup.tar"
    archive.write_bytes(b"yesterday's backup")
    refused = runner.invoke(args=["backup", str(archive)])
    assert refused.exit_code == 1 and "exists already" in refused.output
    assert archive.read_bytes() == b"yesterday's backup"
    assert runner.invoke(args=["backup", "--force", str(archive)]).exit_code == 0
    assert tarfile.is_tarfile(archive)
    assert not list(tmp_path.glob(".*partial"))


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(**changes) -> bytes:
    values = {"format": "pbj-backup", "format_version": 1, "database": "postgresql" if USE_POSTGRES else "sqlite",
              "created_at": "2026-12-01T00:00:00Z", "app_version": "0.1.0", "migration": None, "rows": {}}
    return json.dumps({**values, **changes}).encode()


@pytest.mark.parametrize("members, message", [
    (None, "cannot be read as a backup archive"),
    ({"readme.txt": b"hello"}, "no manifest.json"),
    ({"manifest.json": b"{not json"}, "not readable"),
    ({"manifest.json": b'{"format": "other"}'}, "not a backup made by"),
    ({"manifest.json": _manifest(format_version=9)}, "format version 9"),
    ({"manifest.json": _manifest(database="oracle")}, "is configured for"),
    ({"manifest.json": _manifest()}, "holds no database copy"),
    ({"manifest.json": _manifest(), "database/pbj.sqlite3": b"x", "database/pbj.dump": b"x",
      "uploads/../../escaped.txt": b"evil"}, "cannot be read as a backup archive"),
], ids=["not a tar", "no manifest", "broken manifest", "other format", "newer format", "other database",
        "no database", "path outside"])
def test_restore_explains_an_archive_it_cannot_use_and_changes_nothing(app, runner, members, message, make_app,
                                                                       restore_target, tmp_path):
    source = tmp_path / "given.tar"
    if members is None:
        source.write_bytes(b"\x00garbage" * 100)
    else:
        _tar(source, members)
    restored = _restored_app(make_app, restore_target, tmp_path)
    outcome = _invoke(restored, "restore", str(source))
    assert outcome.exit_code == 1, outcome.output
    assert message in outcome.output
    assert "Traceback" not in outcome.output
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "restored-instance" / "uploads").exists()
