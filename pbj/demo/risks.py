"""Planted risk cases: the demo year shows every risk flag (docs/RULES.md "Risk flags").

After the year is replayed, `plant` adds, through the same services a user's clicks
call, one case of each pattern the ordinary year does not make by itself:

- split packages: one OPD's PP orders three times from one supplier within days, under
  three Kode RUP, each under the PP limit and together above it; the PPK approves them,
  which also makes that supplier most of the OPD's year (concentration, by OPD and PPK);
- price: a product listed at four times the median of its kind (category, unit, first
  word and sizes of the name), ordered;
- fast order: a product ordered 30 hours after it was listed;
- TKDN: a product claiming TKDN with a certificate older than its validity, and an
  approved change that raised a product's TKDN;
- conflict of interest: a PPK whose telephone in the personnel records is the telephone
  of a supplier whose order the PPK approved.

The replay itself plants one payment made weeks late and one received order never paid
(pbj.demo.orders); its ordinary orders going down a preference tier with a ground, and
the late BASTs whose penalty the PPK waives, raise their own flags. The demo test checks
that the year raises these flags and no others.

Every official gets particulars and every supplier an owner and a bank account, so the
conflict-of-interest check has something to compare; they are made to differ except in
the planted case. No random generator is used: the rest of the demo stays as it was.
"""
from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.models.accounts import OfficialParticulars, Organisation, OrgKind, Role, User
from pbj.models.catalogue import Product, ProductImage, ProductStatus
from pbj.models.orders import BudgetSource, Order, OrderStatus
from pbj.models.packages import RupPackage
from pbj.models.packages import ProcurementMethod
from pbj.models.suppliers import SupplierProfile, VerificationStatus
from pbj.services import accounts, catalogue, flags, orders, packages, revisions
from pbj.services import suppliers as supplier_service
from pbj.services.catalogue import hidden_supplier_ids
from pbj.services.orders.cart import better_tier_exists
from pbj.services.uploads import StoredImage

BANKS = ("Bank Kalbar", "BRI", "BNI", "Bank Mandiri", "BSI")
HOME_STREETS = ("Perumahan Korpri Blok A", "Komplek Guru Jalan Pahlawan", "Gang Mawar Roban",
                "Jalan Bawal Pasiran", "Perumahan Citra Indah Sedau")
SPLIT_PART_RUPIAH = 70_000_000   # three times this is above the PP limit of 200 juta; once is under it


def plant(admin: User, now: datetime | None = None) -> None:
    now, today = now or utcnow(), city_today()
    _particulars(admin, now)
    teams = _teams()
    if len(teams) < 3:
        return
    hidden = hidden_supplier_ids(today)
    orderable = [p for p in db.session.scalars(
        sa.select(Product).join(SupplierProfile, SupplierProfile.org_id == Product.supplier_id)
        .where(Product.status == ProductStatus.PUBLISHED, SupplierProfile.verification == VerificationStatus.VERIFIED,
               Product.published_at < now - timedelta(days=30)).order_by(Product.id))
        if p.supplier_id not in hidden and not better_tier_exists(p, hidden)]
    if not orderable:
        return
    _split(admin, teams[0], orderable, now, today)
    _price(admin, teams[1], orderable, now, today)
    _fast_order(admin, teams[2], orderable, now, today)
    _tkdn(admin, orderable, now, today)
    _conflict(admin, now)
    db.session.info.pop("pbj_mail", None)  # demo data mails nobody (as pbj.demo.orders._commit)
    db.session.commit()


def _teams() -> list[tuple[Organisation, User, User]]:
    """(OPD, PP, PPK) of the OPDs that have both, the least spending first: a planted
    split there also makes most of its year (the concentration case)."""
    spent = dict(db.session.execute(
        sa.select(Order.opd_id, sa.func.count()).where(Order.status.in_(
            (OrderStatus.APPROVED, OrderStatus.SHIPPED, OrderStatus.RECEIVED, OrderStatus.PAID,
             OrderStatus.COMPLETED))).group_by(Order.opd_id)).tuples().all())
    teams = []
    for opd in db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrgKind.OPD)
                                  .order_by(Organisation.id)):
        pp = db.session.scalar(sa.select(User).where(User.org_id == opd.id, User.role == Role.PP).order_by(User.id))
        ppk = db.session.scalar(sa.select(User).where(User.org_id == opd.id, User.role == Role.PPK)
                                .order_by(User.id))
        if pp is not None and ppk is not None:
            teams.append((opd, pp, ppk))
    return sorted(teams, key=lambda t: (spent.get(t[0].id, 0), t[0].id))


def _supplier_user(supplier_id: int) -> User:
    return db.session.scalar(sa.select(User).where(User.org_id == supplier_id, User.role == Role.PENYEDIA)
                             .order_by(User.id))


def _order(team, product: Product, quantity: int, now: datetime, today: date, pagu: int, name: str) -> Order:
    opd, pp, ppk = team
    package = packages.save_package(None, opd, packages.PackageData(
        _new_rup_code(), name, pagu, ProcurementMethod.E_PURCHASING, BudgetSource.APBD, today.year,
        satker=opd.name), now)
    orders.add_to_cart(pp, product, quantity, today)
    [order] = orders.checkout(pp, orders.CheckoutData(
        package_id=package.id, delivery_address=opd.address or f"Kantor {opd.name}, Singkawang",
        needed_by=today + timedelta(days=21), ppk_id=ppk.id), now, today)
    return order


def _new_rup_code() -> str:
    code = 88_000_001
    while db.session.scalar(sa.select(RupPackage.id).where(RupPackage.rup_code == str(code))) is not None:
        code += 1
    return str(code)


def _split(admin: User, team, orderable: list[Product], now: datetime, today: date) -> None:
    """Three orders of about 70 juta from one supplier within five days, under three Kode RUP."""
    stocked = [p for p in orderable if p.stock is None and p.unit_price >= 500_000
               and p.unit_price * p.min_order <= SPLIT_PART_RUPIAH]
    if not stocked:
        return
    product = max(stocked, key=lambda p: (p.unit_price, -p.id))
    quantity = max(product.min_order, -(-SPLIT_PART_RUPIAH // product.unit_price))
    supplier = _supplier_user(product.supplier_id)
    for n, when in enumerate((now - timedelta(days=5), now - timedelta(days=3), now - timedelta(days=1)), start=1):
        order = _order(team, product, quantity, when, today, product.unit_price * quantity * 12 // 10,
                       f"Belanja perlengkapan kantor tahap {n}")
        orders.confirm(supplier, order, when + timedelta(hours=3))
        orders.approve(team[2], order, when + timedelta(hours=6), today)


def _price(admin: User, team, orderable: list[Product], now: datetime, today: date) -> None:
    """A copy of a product at four times the median of its kind (as the price flag groups them)."""
    def kind(p: Product) -> tuple[int, str, str]:  # as the price flag groups products
        return p.category_id, p.unit.casefold(), flags.product_kind(p.name)

    peers: dict[tuple[int, str, str], list[Product]] = {}
    for p in db.session.scalars(sa.select(Product).where(Product.status == ProductStatus.PUBLISHED)):
        peers.setdefault(kind(p), []).append(p)
    least = current_app.config["FLAG_PRICE_MIN_PEERS"]
    model = next((p for p in orderable if len(peers.get(kind(p), [])) >= least and p.stock is None), None)
    if model is None:
        return
    prices = sorted(p.unit_price for p in peers[kind(model)])
    median = int(statistics.median(prices))
    product = _copy(admin, model, f"{model.name} Edisi Eksklusif", median * 4 // 100 * 100, now - timedelta(days=60))
    _order(team, product, product.min_order, now - timedelta(days=1), today, product.unit_price * product.min_order * 2,
           "Belanja keperluan kantor")


def _fast_order(admin: User, team, orderable: list[Product], now: datetime, today: date) -> None:
    model = next((p for p in reversed(orderable) if p.stock is None), None)
    if model is None:
        return
    product = _copy(admin, model, f"{model.name} (Stok Baru)", model.unit_price, now - timedelta(hours=30))
    _order(team, product, product.min_order, now, today, product.unit_price * product.min_order * 2,
           "Belanja kebutuhan kegiatan")


def _copy(admin: User, model: Product, name: str, price: int, published_at: datetime, **changes) -> Product:
    """A new listing of the model's supplier, like the model but for its name, price and
    `changes` (the product form's fields: the service ranks it)."""
    data = _data(model)
    data.name, data.unit_price = name, price
    for field_name, value in changes.items():
        setattr(data, field_name, value)
    owner = _supplier_user(model.supplier_id)
    product = catalogue.create_product(owner, model.supplier, data)
    image = db.session.scalar(sa.select(ProductImage).where(ProductImage.product_id == model.id)
                              .order_by(ProductImage.id))
    if image is not None:  # the same picture files, as the demo catalogue shares them
        catalogue.attach_image(owner, product, StoredImage(image.large_name, image.thumb_name, image.width,
                                                           image.height, image.thumb_bytes))
    catalogue.submit_product(owner, product)
    catalogue.approve_product(admin, product)
    product.published_at = published_at
    return product


def _data(product: Product) -> catalogue.ProductData:
    from pbj.demo.catalogue import _as_data

    return _as_data(product)


def _tkdn(admin: User, orderable: list[Product], now: datetime, today: date) -> None:
    """A certificate older than its validity, and an approved change raising a TKDN claim."""
    years = current_app.config["FLAG_TKDN_CERTIFICATE_VALID_YEARS"]
    plain = [p for p in orderable if p.is_pdn and not p.tkdn_x100]
    if len(plain) < 2:
        return
    _copy(admin, plain[0], f"{plain[0].name} Produksi Lama", plain[0].unit_price, now - timedelta(days=90),
          tkdn_x100=4500, tkdn_certificate=f"TKDN-{plain[0].id:05d}/{today.year - years - 1}",
          tkdn_certificate_date=date(today.year - years - 1, 3, 2))
    changed = plain[-1]
    data = _data(changed)
    data.tkdn_x100, data.tkdn_certificate = 4200, f"TKDN-{changed.id:05d}/{today.year}"
    data.tkdn_certificate_date = today - timedelta(days=20)
    result = catalogue.update_product(_supplier_user(changed.supplier_id), changed, data, now=now - timedelta(days=3))
    if result.revision is not None:
        revisions.approve_revision(admin, result.revision, now - timedelta(days=2))


def _particulars(admin: User, now: datetime) -> None:
    """Particulars for every official and an owner and account for every supplier, all
    different (the planted conflict is the one match)."""
    officials = db.session.scalars(sa.select(User).where(User.role.in_((Role.PP, Role.PPK, Role.BENDAHARA,
                                                                        Role.ADMIN))).order_by(User.id)).all()
    for n, user in enumerate(officials):
        accounts.set_particulars(
            admin, user, f"0813 4{user.id:03d} {5000 + n:04d}",
            f"{HOME_STREETS[n % len(HOME_STREETS)]} No. {100 + user.id}, Singkawang",
            f"6172{user.id:06d}{n:06d}", f"0011{user.id:06d}{n:04d}", now)
    for profile in db.session.scalars(sa.select(SupplierProfile).order_by(SupplierProfile.org_id)):
        owner = _supplier_user(profile.org_id)
        if owner is None:
            continue
        supplier_service.update_owner_and_bank(admin, profile, owner.name, BANKS[profile.org_id % len(BANKS)],
                                               f"20{profile.org_id:06d}{profile.org_id % 97:04d}", now)


def _conflict(admin: User, now: datetime) -> None:
    """The PPK of the latest completed order has the supplier's telephone on record."""
    order = db.session.scalar(sa.select(Order).where(Order.status == OrderStatus.COMPLETED)
                              .order_by(Order.id.desc()))
    if order is None or order.ppk_id is None:
        return
    ppk = db.session.get(User, order.ppk_id)
    known = db.session.get(OfficialParticulars, ppk.id)
    accounts.set_particulars(admin, ppk, order.supplier.phone, known.address if known else None,
                             known.npwp if known else None, known.bank_account if known else None, now)
