"""Demo people and the dates of their organisations.

Every demo account is a different person: names are drawn without repeats from
first-name and family-name lists of the city's communities (Malay and other
Indonesian names, Hakka Chinese names written family name first, Dayak names), so
no auditor is also a supplier's owner and no PPK approves an order confirmed by
someone of the same name.

The services stamp what they create with the moment of seeding; `date_the_setup`
then puts registrations and verifications where a real year would have them:
an organisation and its people exist before they act, a supplier registers, uploads
its documents and is verified before its first product is published, and its first
product is published (and listed for LISTING_MIN_AGE_HOURS) before its first sale.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, User
from pbj.models.catalogue import Product
from pbj.models.orders import Order
from pbj.models.suppliers import SupplierDocument, SupplierProfile, VerificationStatus

# (the names written first, the names written second) per community; Hakka names are
# written family name first ("Lim Ahua").
NAME_POOLS = [
    (["Siti", "Nur", "Ahmad", "Muhammad", "Rahmat", "Dewi", "Agus", "Sri", "Rina", "Hendra", "Yuliana",
      "Fitri", "Rizki", "Indah", "Syarif", "Dedi", "Wahyu", "Ratna", "Eko", "Lestari", "Herlina", "Ismail"],
     ["Aminah", "Hasanah", "Santoso", "Wijaya", "Kurniawan", "Saputra", "Rahmawati", "Hidayat", "Maulana",
      "Permata", "Pratama", "Susanti", "Hamid", "Salim", "Ramadhan", "Setiawan", "Handayani", "Puspita",
      "Syahputra", "Anggraini", "Fauzi", "Marzuki"]),
    (["Lim", "Tjhai", "Bong", "Wong", "Lie", "Tan", "Chong", "Liu", "Phang", "Tjong", "Kho", "Ng"],
     ["Ahua", "Fung Lin", "Kim Fa", "Mei Ling", "Siu Fong", "Ket Fa", "Nyuk Lan", "Sui Lan", "Jun Fat",
      "Kian Hoe", "Sin Moi", "Fui Khiong", "Ah Kiong", "Lip Sin"]),
    (["Yohanes", "Maria", "Antonius", "Fransiska", "Stefanus", "Agustina", "Paulus", "Veronika", "Markus",
      "Theresia", "Yosef", "Elisabeth"],
     ["Atong", "Jimun", "Ajun", "Bujang", "Usop", "Lenggang", "Nyangun", "Gumbang", "Ading", "Sagiman"]),
]
POOL_WEIGHTS = [5, 3, 2]


def person_names(rng: random.Random) -> Iterator[str]:
    """Full names, never the same twice (a few hundred before the lists run out)."""
    pools = []
    for firsts, seconds in NAME_POOLS:
        names = [f"{first} {second}" for first in firsts for second in seconds]
        rng.shuffle(names)
        pools.append(names)
    weights = list(POOL_WEIGHTS)
    seen: set[str] = set()
    while any(pools):
        pool = rng.choices(range(len(pools)), weights=[w if p else 0 for w, p in zip(weights, pools)])[0]
        name = pools[pool].pop()
        if name not in seen:
            seen.add(name)
            yield name


def _before(moment: datetime, rng: random.Random, fewest: int, most: int) -> datetime:
    """Some days (and hours) before `moment`."""
    return moment - timedelta(days=rng.randint(fewest, most), minutes=rng.randint(0, 8 * 60))


def date_the_setup(rng: random.Random, listing_age: timedelta, now: datetime | None = None) -> None:
    """Move registrations, documents and verifications back before what followed them."""
    now = now or utcnow()
    # Published products were created before they were published.
    for product in db.session.scalars(sa.select(Product).where(Product.published_at.is_not(None))):
        product.created_at = min(product.created_at, product.published_at - timedelta(days=2))
    first_published = dict(db.session.execute(
        sa.select(Product.supplier_id, sa.func.min(Product.published_at))
        .where(Product.published_at.is_not(None)).group_by(Product.supplier_id)).all())
    first_sale = dict(db.session.execute(
        sa.select(Order.supplier_id, sa.func.min(Order.submitted_at)).group_by(Order.supplier_id)).all())
    first_created = dict(db.session.execute(
        sa.select(Product.supplier_id, sa.func.min(Product.created_at)).group_by(Product.supplier_id)).all())
    earliest = now
    for supplier in db.session.scalars(sa.select(SupplierProfile).order_by(SupplierProfile.org_id)):
        sid = supplier.org_id
        if supplier.verification is VerificationStatus.VERIFIED:
            # Verified before its first product went on sale (listed for the minimum age
            # before the first order) and before it created its first listing.
            sale = first_sale.get(sid)
            marks = [m for m in (first_published.get(sid), sale - listing_age if sale else None,
                                 first_created.get(sid)) if m is not None]
            supplier.verified_at = _before(min(marks, default=now), rng, 3, 40)
            registered = _before(supplier.verified_at, rng, 2, 14)
        else:  # still waiting, or turned back: a recent registration
            registered = _before(min(now, first_created.get(sid, now)), rng, 1, 20)
        _register(supplier, registered, supplier.verified_at or now, rng)
        earliest = min(earliest, registered)
    # The city's own organisations and their staff were there before the first supplier.
    staff_since = _before(earliest, rng, 30, 90)
    for org in db.session.scalars(sa.select(Organisation).where(Organisation.kind != OrgKind.SUPPLIER)):
        org.created_at = staff_since
    staff = sa.select(User).join(User.org).where(Organisation.kind != OrgKind.SUPPLIER)
    for user in db.session.scalars(staff):
        user.created_at = staff_since + timedelta(days=rng.randint(0, 20))
    db.session.flush()


def _register(supplier: SupplierProfile, registered: datetime, checked: datetime, rng: random.Random) -> None:
    supplier.org.created_at = registered
    for user in db.session.scalars(sa.select(User).where(User.org_id == supplier.org_id)):
        user.created_at = registered
    span = max(60, int((checked - registered).total_seconds()))
    for document in db.session.scalars(sa.select(SupplierDocument)
                                       .where(SupplierDocument.supplier_id == supplier.org_id)):
        document.uploaded_at = registered + timedelta(seconds=rng.randint(30, span - 30))
