import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.suppliers import SupplierProfile, VerificationStatus
from pbj.services import accounts, audit


def test_users_create_generates_a_password(app, runner, create_org):
    create_org(OrgKind.OPD, name="Dinas Kesehatan", code="DINKES")
    result = runner.invoke(args=["users", "create", "--email", "PPK@Dinkes.go.id", "--role", "ppk", "--org", "dinkes"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ")[1].strip()
    user = accounts.authenticate("ppk@dinkes.go.id", password)
    assert user is not None and user.role is Role.PPK


def test_users_create_explains_errors(app, runner, create_org):
    create_org(OrgKind.OPD, code="RSUD")
    unknown = runner.invoke(args=["users", "create", "--email", "a@b.id", "--role", "pp", "--org", "NOPE"])
    assert unknown.exit_code != 0 and "No organisation" in unknown.output
    wrong = runner.invoke(args=["users", "create", "--email", "a@b.id", "--role", "admin", "--org", "RSUD"])
    assert wrong.exit_code != 0


def test_users_create_refuses_a_guessable_password(app, runner, create_org):
    create_org(OrgKind.OPD, name="Sekretariat Daerah", code="SETDA")
    for password in ["pp@setda", "password1234", "setda-kopi-pagi-hari", "Singkawang2026"]:
        result = runner.invoke(args=["users", "create", "--email", "pp@setda.go.id", "--role", "pp",
                                     "--org", "SETDA", "--password", password])
        assert result.exit_code != 0 and "Kata sandi" in result.output, (password, result.output)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@pytest.mark.slow  # seeds the demo data: seconds
def test_seed_demo_builds_a_singkawang_setting(app, runner):
    result = runner.invoke(args=["seed-demo", "--products", "120"])
    assert result.exit_code == 0, result.output
    opd_names = set(db.session.scalars(sa.select(Organisation.name).where(Organisation.kind == OrgKind.OPD)))
    assert {"Dinas Kesehatan", "RSUD dr. Abdul Aziz", "Kecamatan Singkawang Barat"} <= opd_names
    roles = set(db.session.scalars(sa.select(User.role)))
    assert roles == set(Role)
    profiles = db.session.scalars(sa.select(SupplierProfile)).all()
    assert len(profiles) >= 30
    assert {p.verification for p in profiles} == set(VerificationStatus)
    assert sum(p.is_local(app.config["CITY_REGION_CODE"]) for p in profiles) > len(profiles) // 2
    # One business registered with UKPBJ help; every verified one has its size confirmed from the NIB.
    assert len([p for p in profiles if p.assisted_by is not None]) == 1
    assert all(p.confirmed_scale is not None for p in profiles if p.verification is VerificationStatus.VERIFIED)
    # Every printed credential logs in, and the file holds the same lines.
    creds = (__import__("pathlib").Path(app.instance_path) / "demo-credentials.txt").read_text()
    lines = [line.split() for line in creds.splitlines()[2:] if line.strip()]
    assert len(lines) == db.session.scalar(sa.select(sa.func.count()).select_from(User))
    role, email, password = lines[0]
    assert accounts.authenticate(email, password) is not None
    passwords = [line[2] for line in lines]
    assert len(set(passwords)) == len(passwords)  # random per account, never one shared password
    assert audit.verify_chain().ok
    # A catalogue to browse: published products in several categories, some on the supplier's behalf.
    from pbj.models.catalogue import Product, ProductStatus

    statuses = set(db.session.scalars(sa.select(Product.status)))
    assert ProductStatus.PUBLISHED in statuses and ProductStatus.SUBMITTED in statuses
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Product.category_id)))) >= 5


@pytest.mark.slow  # seeds the demo data: seconds
def test_seed_demo_only_fills_an_empty_database(app, runner):
    first = runner.invoke(args=["seed-demo", "--products", "0"])
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert first.exit_code == 0 and again.exit_code == 0
    assert "not loaded" in again.output
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0


def test_orgs_create_then_a_user_in_it(app, runner):
    result = runner.invoke(args=["orgs", "create", "--kind", "ukpbj", "--name", "Bagian PBJ", "--code", "ukpbj"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["orgs", "create", "--kind", "opd", "--name", "Lain", "--code", "UKPBJ"])
    assert again.exit_code != 0 and again.output.startswith("Error:")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1
    result = runner.invoke(args=["users", "create", "--email", "admin@pbj.go.id", "--role", "admin",
                                 "--org", "UKPBJ", "--password", "lampion merah tahun baru"])
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("admin@pbj.go.id", "lampion merah tahun baru").role is Role.ADMIN


def test_orders_expire_now_reads_city_time_or_an_offset(app, runner, pinned_clock, create_org, create_user,
                                                        create_supplier):
    from datetime import datetime

    from pbj.models.orders import OrderStatus
    from tests import order_helpers as oh

    p = oh.parties(create_org, create_user, create_supplier)
    pinned_clock(datetime(2030, 1, 4, 3, 0))  # Friday 10.00 in the city: due at the end of Wednesday
    order = oh.place(p, oh.listed(p), 1)
    pinned_clock(datetime(2030, 2, 1, 3, 0))  # long overdue by now
    before = runner.invoke(args=["orders", "expire", "--now", "2030-01-09T23:59"])  # city time, 16.59 UTC
    assert before.exit_code == 0, before.output
    assert "No overdue orders." in before.output
    after = runner.invoke(args=["orders", "expire", "--now", "2030-01-09T17:01Z"])  # UTC
    assert after.exit_code == 0, after.output
    assert f"Expired 1 order(s): #{order.id} (missed by the supplier)." in after.output
    db.session.expire_all()
    assert order.status is OrderStatus.EXPIRED


def test_orders_expire_refuses_a_now_it_cannot_use(app, runner, pinned_clock):
    from datetime import datetime

    pinned_clock(datetime(2030, 1, 4, 3, 0))
    junk = runner.invoke(args=["orders", "expire", "--now", "kemarin"])
    assert junk.exit_code == 2 and "ISO 8601" in junk.output
    ahead = runner.invoke(args=["orders", "expire", "--now", "2030-01-04T10:01"])  # a minute ahead, city time
    assert ahead.exit_code == 2 and "later than the current time" in ahead.output
