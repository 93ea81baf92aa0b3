"""The public transparency portal (`/transparansi`): what the city bought, from whom, and
how quickly it paid — readable by anyone, without logging in.

What is public, and why (docs/SECURITY.md, "The public portal"):

- An order is public once its Surat Pesanan is signed (the PPK approved it). From then
  on it is a commitment of public money; before that it is a request that may still be
  rejected, cancelled or expire, and stays private. An approved order cannot be voided
  (cancelling, rejecting and expiry only end open orders), so every public order stays
  public; an undelivered rest the PPK cancelled at a BAST shows in the quantities and
  the value.
- The portal names the OPD, never its people: no official's name, e-mail, telephone
  or NIP. The supplier appears with its name, its UMK and local labels (snapshotted
  when the order was made) and a link to its public profile — nothing else of it (no
  NPWP, no tax figures, no payment reference).
- The delivery address, negotiation notes, documents and the rating's comment stay
  with the parties; the rating's stars are public (as on the supplier's profile).

The aggregate tables (suppliers, payment timeliness) read every public order of a
year; they are kept per application for `TRANSPARENCY_CACHE_SECONDS`, so a busy portal
runs each aggregate once in that window.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, joinedload, selectinload

from pbj.clock import city_date, city_zone
from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import Organisation, OrgKind
from pbj.models.catalogue import Category
from pbj.models.orders import Handover, Order, OrderItem, OrderStatus, Payment, Rating
from pbj.models.suppliers import SupplierProfile, VerificationStatus
from pbj.services import workdays
from pbj.services.search import category_arg

# A signed SP: approved, or further along its way. No ending follows an approval.
PUBLIC_STATUSES = (OrderStatus.APPROVED, OrderStatus.SHIPPED, OrderStatus.RECEIVED, OrderStatus.PAID,
                   OrderStatus.COMPLETED)
LABELS = ("umk", "pdn", "lokal")
PER_PAGE = 25
# Offset paging with a cap: deep pages cost a scan of the pages before them. Beyond the
# cap the visitor narrows the list (a month, an OPD), which every order can be reached by.
MAX_PAGE = 400
TOP_SUPPLIERS = 100
SUPPLIER_SORTS = ("nilai", "jumlah")
MIN_YEAR, MAX_YEAR = 2000, 2100


def is_public(order: Order) -> bool:
    return order.status in PUBLIC_STATUSES and order.approved_at is not None


def _public():
    """The SQL twin of `is_public` (tests check they agree)."""
    return sa.and_(Order.status.in_(PUBLIC_STATUSES), Order.approved_at.is_not(None))


def _item_value():
    """The agreed value of an item: its price × the quantity not cancelled (as `Order.total`)."""
    return OrderItem.agreed_price * (OrderItem.quantity - OrderItem.cancelled_qty)


def _utc_start(day: date) -> datetime:
    """The city's midnight at the start of `day`, as naive UTC (how moments are stored)."""
    local = datetime(day.year, day.month, day.day, tzinfo=city_zone())
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def year_range(year: int) -> tuple[datetime, datetime]:
    return _utc_start(date(year, 1, 1)), _utc_start(date(year + 1, 1, 1))


def month_range(year: int, month: int) -> tuple[datetime, datetime]:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return _utc_start(date(year, month, 1)), _utc_start(following)


# -- The filters of the order list -------------------------------------------------------

@dataclass
class PortalFilters:
    opd_id: int | None = None
    supplier_id: int | None = None
    category: Category | None = None
    month: tuple[int, int] | None = None  # (year, month) of the SP
    labels: tuple[str, ...] = ()
    page: int = 1
    problems: list = field(default_factory=list)
    supplier_name: str | None = None  # for the "filtered by supplier" note

    @property
    def month_text(self) -> str:
        return f"{self.month[0]:04d}-{self.month[1]:02d}" if self.month else ""

    @property
    def active(self) -> bool:
        return bool(self.opd_id or self.supplier_id or self.category or self.month or self.labels)

    def args(self, **changes) -> dict:
        """URL parameters for this list, with some changed (for links)."""
        values = {
            "opd": self.opd_id,
            "penyedia": self.supplier_id,
            "kategori": self.category.slug if self.category else None,
            "bulan": self.month_text or None,
            "label": list(self.labels) or None,
            "hal": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", [])}


def _id_arg(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if raw.isdecimal() and len(raw) < 19 and int(raw) > 0:
        return int(raw)
    return None


def parse_month(raw: str | None) -> tuple[int, int] | None:
    """"2026-03" (what `<input type=month>` sends) → (2026, 3); anything else → None."""
    raw = (raw or "").strip()
    parts = raw.split("-")
    if len(parts) != 2 or not all(p.isdecimal() for p in parts) or len(parts[0]) != 4 or len(parts[1]) > 2:
        return None
    year, month = int(parts[0]), int(parts[1])
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    return year, month


def parse_year(raw: str | None, default: int) -> tuple[int, list]:
    """The `tahun` parameter; anything unusable means `default`, with a message."""
    raw = (raw or "").strip()
    if not raw:
        return default, []
    if raw.isdecimal() and len(raw) == 4 and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw), []
    return default, [_l("“%(value)s” is not a year; showing %(year)d.", value=raw[:20], year=default)]


def parse_filters(args) -> PortalFilters:
    """Read the list's GET parameters; anything unusable is ignored with a message, never an error."""
    problems: list = []
    opd_id = _id_arg(args.get("opd"))
    if args.get("opd") and (opd_id is None or db.session.scalar(
            sa.select(Organisation.id).where(Organisation.id == opd_id, Organisation.kind == OrgKind.OPD)) is None):
        problems.append(_l("There is no such OPD; showing every OPD."))
        opd_id = None
    supplier_id = _id_arg(args.get("penyedia"))
    supplier_name = None
    if supplier_id is not None:
        supplier_name = db.session.scalar(
            sa.select(Organisation.name).join(SupplierProfile, SupplierProfile.org_id == Organisation.id)
            .where(Organisation.id == supplier_id))
        if supplier_name is None:
            supplier_id = None
    if args.get("penyedia") and supplier_id is None:
        problems.append(_l("There is no such supplier; showing every supplier."))
    category = category_arg(args, problems)
    month = parse_month(args.get("bulan"))
    if args.get("bulan") and month is None:
        problems.append(_l("“%(value)s” is not a month (write it as 2026-03); showing every month.",
                           value=args.get("bulan", "")[:20]))
    labels = tuple(label for label in LABELS if label in args.getlist("label"))
    try:
        page = int(args.get("hal") or 1)
    except ValueError:
        page = 1
    if page > MAX_PAGE:
        problems.append(_l("The list stops at page %(max)d; choose a month or an OPD to see older orders.",
                           max=MAX_PAGE))
    page = min(max(page, 1), MAX_PAGE)
    return PortalFilters(opd_id=opd_id, supplier_id=supplier_id, category=category, month=month, labels=labels,
                         page=page, problems=problems, supplier_name=supplier_name)


# -- The list of public orders -----------------------------------------------------------

@dataclass
class PublicOrderRow:
    id: int
    sp_number: str
    sp_date: date
    status: OrderStatus
    opd_name: str
    supplier_id: int
    supplier_name: str
    supplier_public: bool  # verified: its profile page exists
    is_umk: bool
    is_local: bool
    first_item: str = ""
    more_items: int = 0
    value: int = 0
    all_pdn: bool = True


@dataclass
class OrderList:
    rows: list[PublicOrderRow]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def _filtered(filters: PortalFilters) -> list:
    conditions = [_public()]
    if filters.opd_id:
        conditions.append(Order.opd_id == filters.opd_id)
    if filters.supplier_id:
        conditions.append(Order.supplier_id == filters.supplier_id)
    if filters.category is not None:
        ids = [filters.category.id, *db.session.scalars(
            sa.select(Category.id).where(Category.parent_id == filters.category.id))]
        conditions.append(Order.id.in_(sa.select(OrderItem.order_id).where(OrderItem.category_id.in_(ids))))
    if filters.month:
        start, end = month_range(*filters.month)
        conditions += [Order.approved_at >= start, Order.approved_at < end]
    if "umk" in filters.labels:
        conditions.append(Order.supplier_is_umk.is_(True))
    if "lokal" in filters.labels:
        conditions.append(Order.supplier_is_local.is_(True))
    if "pdn" in filters.labels:
        # Every item a domestic product (as a product carries the PDN label).
        conditions.append(~sa.exists().where(OrderItem.order_id == Order.id, OrderItem.is_pdn.is_(False)))
    return conditions


def public_orders(filters: PortalFilters) -> OrderList:
    """One page of public orders, newest SP first, with the OPD, the supplier and a summary
    of the items: two queries (the page, then the items of its orders)."""
    opd = aliased(Organisation)
    supplier_org = aliased(Organisation)
    query = (sa.select(Order.id, Order.sp_number, Order.approved_at, Order.status, opd.name,
                       Order.supplier_id, supplier_org.name, SupplierProfile.verification,
                       Order.supplier_is_umk, Order.supplier_is_local)
             .join(opd, opd.id == Order.opd_id)
             .join(supplier_org, supplier_org.id == Order.supplier_id)
             .join(SupplierProfile, SupplierProfile.org_id == Order.supplier_id)
             .where(*_filtered(filters))
             .order_by(Order.approved_at.desc(), Order.id.desc())
             .limit(PER_PAGE + 1).offset((filters.page - 1) * PER_PAGE))
    found = db.session.execute(query).all()
    rows = [PublicOrderRow(id=r[0], sp_number=r[1] or "", sp_date=city_date(r[2]), status=r[3], opd_name=r[4],
                           supplier_id=r[5], supplier_name=r[6],
                           supplier_public=r[7] is VerificationStatus.VERIFIED, is_umk=r[8], is_local=r[9])
            for r in found[:PER_PAGE]]
    by_id = {row.id: row for row in rows}
    if by_id:
        items = db.session.execute(
            sa.select(OrderItem.order_id, OrderItem.name, _item_value(), OrderItem.is_pdn)
            .where(OrderItem.order_id.in_(by_id)).order_by(OrderItem.order_id, OrderItem.id)).all()
        for order_id, name, value, is_pdn in items:
            row = by_id[order_id]
            if row.first_item:
                row.more_items += 1
            else:
                row.first_item = name
            row.value += value
            row.all_pdn = row.all_pdn and is_pdn
    return OrderList(rows, filters.page, len(found) > PER_PAGE)


def filter_choices() -> dict:
    """The OPDs and categories the filter form offers."""
    opds = db.session.execute(sa.select(Organisation.id, Organisation.name)
                              .where(Organisation.kind == OrgKind.OPD).order_by(Organisation.name)).all()
    categories = db.session.scalars(sa.select(Category).options(selectinload(Category.children))
                                    .where(Category.parent_id.is_(None)).order_by(Category.position)).all()
    return {"opds": opds, "categories": categories}


# -- One public order ----------------------------------------------------------------------

def public_order(order_id: int) -> Order | None:
    """The order with what its public page shows, or None when it is not public."""
    if not 0 < order_id < 2**62:
        return None
    order = db.session.scalar(
        sa.select(Order).where(Order.id == order_id, _public())
        .options(joinedload(Order.opd), joinedload(Order.supplier), selectinload(Order.items),
                 selectinload(Order.handovers), joinedload(Order.payment), joinedload(Order.rating)))
    return order


# -- Aggregates (cached a short while) -----------------------------------------------------

def city_totals(year: int):
    """The city's year in figures (pbj.services.spending, the one place that computes
    them), cached like the other year-wide tables."""
    from pbj.services import spending

    return _cached(("city_totals", year), lambda: spending.city_totals(year))


def _cached(key: tuple, compute):
    seconds = current_app.config.get("TRANSPARENCY_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    cache = current_app.extensions.setdefault("transparency_cache", {})
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < seconds:
        return hit[1]
    value = compute()
    cache[key] = (now, value)
    return value


@dataclass
class SupplierRow:
    supplier_id: int
    name: str
    public: bool
    is_umk: bool
    is_local: bool
    orders: int
    value: int
    rating_average: float | None = None
    rating_count: int = 0


def supplier_ranking(year: int, sort: str = "nilai") -> list[SupplierRow]:
    """The suppliers who sold in `year` (of the SP), by value or by number of orders, the
    first `TOP_SUPPLIERS`, each with its buyers' ratings (all years, as on its profile)."""
    rows = _cached(("suppliers", year), lambda: _supplier_tops(year))
    key = (lambda r: (-r.orders, -r.value, r.name)) if sort == "jumlah" else (lambda r: (-r.value, -r.orders, r.name))
    return sorted(rows, key=key)[:TOP_SUPPLIERS]


def _supplier_tops(year: int) -> list[SupplierRow]:
    """The first `TOP_SUPPLIERS` by value and by number of orders, with their profiles and
    ratings (only those are loaded: a year may have thousands of suppliers)."""
    start, end = year_range(year)
    # Per order first (one row per order), then per supplier: counts orders, not items.
    per_order = (sa.select(Order.supplier_id.label("supplier_id"), sa.func.sum(_item_value()).label("value"))
                 .join(OrderItem, OrderItem.order_id == Order.id)
                 .where(_public(), Order.approved_at >= start, Order.approved_at < end)
                 .group_by(Order.id, Order.supplier_id).subquery())
    totals = db.session.execute(
        sa.select(per_order.c.supplier_id, sa.func.count(), sa.func.sum(per_order.c.value))
        .group_by(per_order.c.supplier_id)).all()
    if not totals:
        return []
    by_value = sorted(totals, key=lambda t: -t[2])[:TOP_SUPPLIERS]
    by_count = sorted(totals, key=lambda t: -t[1])[:TOP_SUPPLIERS]
    shown = {t[0]: t for t in by_value + by_count}
    profiles = {p.org_id: p for p in db.session.scalars(
        sa.select(SupplierProfile).where(SupplierProfile.org_id.in_(shown)))}
    ratings = {sid: (avg, n) for sid, avg, n in db.session.execute(
        sa.select(Rating.supplier_id, sa.func.avg(Rating.stars), sa.func.count())
        .where(Rating.supplier_id.in_(shown)).group_by(Rating.supplier_id))}
    city_code = current_app.config["CITY_REGION_CODE"]
    result = []
    for supplier_id, count, value in shown.values():
        profile = profiles[supplier_id]
        average, rated = ratings.get(supplier_id, (None, 0))
        result.append(SupplierRow(supplier_id, profile.org.name, profile.verification is VerificationStatus.VERIFIED,
                                  profile.is_umk, profile.is_local(city_code), count, int(value or 0),
                                  float(average) if average is not None else None, rated))
    return result


@dataclass
class PaymentRow:
    opd_id: int
    opd_name: str
    paid: int  # orders paid in the year
    median_days: float | None  # from the BAST to the payment
    longest_days: int | None
    waiting: int  # received (BAST signed), not yet paid, today


def payment_timeliness(year: int) -> list[PaymentRow]:
    """Per OPD: the orders paid in `year` (of the payment date), the median and the longest
    number of days from the BAST that completed the receipt to the payment, and the orders
    received and still waiting for payment now. OPDs with neither are left out."""
    return _cached(("payments", year), lambda: _payment_rows(year))


def _payment_rows(year: int) -> list[PaymentRow]:
    last_bast = (sa.select(sa.func.max(Handover.signed_on)).where(Handover.order_id == Order.id)
                 .correlate(Order).scalar_subquery())
    gaps = db.session.execute(
        sa.select(Order.opd_id, workdays.days_between(Payment.paid_on, last_bast))
        .join(Payment, Payment.order_id == Order.id)
        .where(_public(), Payment.paid_on >= date(year, 1, 1), Payment.paid_on < date(year + 1, 1, 1))).all()
    days: dict[int, list[int]] = {}
    for opd_id, gap in gaps:
        if gap is not None:  # paid without a BAST cannot happen; a row missing one is skipped
            days.setdefault(opd_id, []).append(max(int(gap), 0))
    waiting = dict(db.session.execute(
        sa.select(Order.opd_id, sa.func.count()).where(Order.status == OrderStatus.RECEIVED)
        .group_by(Order.opd_id)).all())
    ids = set(days) | set(waiting)
    if not ids:
        return []
    names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)
                                    .where(Organisation.id.in_(ids))).all())
    rows = [PaymentRow(opd_id, names[opd_id], len(days.get(opd_id, [])),
                       statistics.median(days[opd_id]) if opd_id in days else None,
                       max(days[opd_id]) if opd_id in days else None, waiting.get(opd_id, 0))
            for opd_id in ids]
    return sorted(rows, key=lambda r: (r.median_days is None, r.median_days or 0, r.opd_name))
