"""Helpers to build orders in tests through the real services."""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from datetime import date, timedelta

from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role, User
from pbj.models.catalogue import Product
from pbj.models.orders import BudgetSource, Order
from pbj.models.packages import ProcurementMethod, RupPackage
from pbj.services import orders, packages
from tests import catalogue_helpers as h


@dataclass
class Parties:
    opd_code: str
    pp: User
    ppk: User
    bendahara: User
    supplier: User
    admin: User


def parties(create_org, create_user, create_supplier, code="DISDIK", supplier_name=None, **supplier_kw) -> Parties:
    opd = create_org(OrgKind.OPD, name=f"Dinas {code}", code=code)
    admin = db.session.query(User).filter_by(role=Role.ADMIN).first() or create_user(Role.ADMIN)
    return Parties(code, create_user(Role.PP, org=opd), create_user(Role.PPK, org=opd),
                   create_user(Role.BENDAHARA, org=opd), create_supplier(supplier_name, **supplier_kw), admin)


def without_pp55(p: Parties, *, pkp: bool = False) -> Parties:
    """The supplier without a PP 55/2022 certificate (PKP or not): PPh 22/23 apply, so the
    worked figures of the tax and penalty tests are the plain ones."""
    p.supplier.org.supplier.has_pp55_certificate = False
    p.supplier.org.supplier.is_pkp = pkp
    db.session.commit()
    return p


def page_text(response) -> str:
    """A page's words without tags, spaces collapsed (what a reader sees, to search in)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def listed(p: Parties, name="Kertas HVS A4 80 gram", *, price=55_000, stock=100, age_hours=48, **kw) -> Product:
    """A published product, listed long enough ago to be orderable."""
    product = h.product(p.supplier, p.admin, name, price=price, stock=stock, **kw)
    product.published_at = utcnow() - timedelta(hours=age_hours)
    db.session.commit()
    return product


DEFAULT_PAGU = 2_000_000_000


def package(p: Parties | User, code: str | None = None, *, pagu=DEFAULT_PAGU, name="Belanja alat tulis kantor",
            method=ProcurementMethod.E_PURCHASING, source=BudgetSource.APBD, year=None) -> RupPackage:
    """A package of the OPD's RUP register (the OPD of `p`'s PP, or of the user given);
    the OPD's default package (Kode RUP 4123<OPD id>) when no code is given."""
    opd = (p.pp if isinstance(p, Parties) else p).org
    code = code or f"4123{opd.id:04d}"
    found = db.session.scalar(sa.select(RupPackage).where(RupPackage.rup_code == code))
    if found is not None:
        return found
    made = packages.save_package(None, opd, packages.PackageData(
        code, name, pagu, method, source, year or city_today().year), utcnow())
    db.session.commit()
    return made


def checkout_data(p: Parties, **changes) -> orders.CheckoutData:
    today = city_today()
    if "package_id" not in changes:
        changes["package_id"] = package(p, changes.pop("rup_code", None)).id
    values = dict(delivery_address="Jl. Firdaus No. 1, Singkawang", needed_by=today + timedelta(days=14),
                  ppk_id=p.ppk.id)
    values.update(changes)
    return orders.CheckoutData(**values)


def place(p: Parties, product: Product, quantity=10, buyer=None, **changes) -> Order:
    buyer = buyer or p.pp
    orders.add_to_cart(buyer, product, quantity, city_today())
    made = orders.checkout(buyer, checkout_data(p, **changes), utcnow(), city_today())
    db.session.commit()
    return made[0]


def today() -> date:
    return city_today()
