"""Catalogue spending and its shares: the one place that computes the figures.

The meter on the desk, the reports (/laporan) and the public portal all read from
here, so they agree to the rupiah. Everything is a handful of SQL aggregates over
order items (never a Python loop over orders); Python only rolls OPD × month rows up.

What counts (docs/RULES.md, "The meter and the shares"):

- An order counts once its Surat Pesanan is issued (status approved or later) and as
  long as it is not cancelled, rejected or expired. Its year is the **budget year** of
  its package; its month is the city-time month of the SP (an SP dated outside its
  budget year counts in January or December).
- **committed**: the order's agreed value (`Order.total`: agreed prices × quantities
  ordered, less an undelivered rest the PPK cancelled).
- **received**: the value of what the BASTs say was received (agreed price ×
  quantity received), also of partial BASTs.
- **paid**: the received value of the orders whose payment is recorded. That is the
  payment's gross (`Payment.gross`, tax included): the city's spending, taxes withheld
  included, not the net the supplier was transferred.
- **shares** are of the committed value: UMK (the supplier was micro, small or a
  cooperative at checkout, `Order.supplier_is_umk`), local (`Order.supplier_is_local`),
  PDN (every domestic product, `OrderItem.is_pdn`) and TKDN+BMP ≥ 40 % (preference
  rank 1, `OrderItem.preference`). The UMK share of Perpres 16/2018 as amended by
  Perpres 12/2021 Art. 65 is also shown against the OPD's goods/services budget
  (pbj.services.budgets).

A month's row holds the orders whose SP was issued that month: what they committed,
and how much of that has been received and paid so far.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from pbj.clock import city_date, city_zone
from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind
from pbj.models.budgets import OpdBudget
from pbj.models.catalogue import Category, Preference
from pbj.models.orders import Order, OrderItem, OrderStatus, Payment

S = OrderStatus
# The SP is issued and the order still stands.
COMMITTED_STATUSES = (S.APPROVED, S.SHIPPED, S.RECEIVED, S.PAID, S.COMPLETED)
PAID_STATUSES = (S.PAID, S.COMPLETED)
MONTHS = tuple(range(1, 13))
SHARES = ("umk", "pdn", "tkdn_bmp_40", "local")


def percent(part: int, whole: int | None) -> Decimal | None:
    """part / whole as a percentage with two decimals (half up); None without a whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """Spending of a set of orders, in whole rupiah; the shares are parts of `committed`."""

    orders: int = 0
    committed: int = 0
    received: int = 0
    paid: int = 0
    umk: int = 0  # committed to micro and small businesses and cooperatives
    pdn: int = 0  # committed to domestic products (all PDN)
    tkdn_bmp_40: int = 0  # committed to products with TKDN + BMP >= 40 %
    local: int = 0  # committed to suppliers registered in the city

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(a + b for a, b in zip(self.values(), other.values())))

    def values(self) -> tuple[int, ...]:
        return (self.orders, self.committed, self.received, self.paid, self.umk, self.pdn, self.tkdn_bmp_40,
                self.local)

    def share(self, name: str) -> Decimal | None:
        """The share `name` (one of SHARES) of the committed value, in percent."""
        return percent(getattr(self, name), self.committed)


@dataclass(frozen=True)
class Filters:
    """What a report covers; every field comes from a shareable GET parameter."""

    year: int
    month_from: int = 1
    month_to: int = 12
    opd_id: int | None = None
    category_id: int | None = None


# -- The core aggregate --------------------------------------------------------------

def _month_starts(year: int) -> list[datetime]:
    """Local midnight of the 1st of each month (and of next January), as naive UTC."""
    zone = city_zone()
    starts = [date(year, m, 1) for m in MONTHS] + [date(year + 1, 1, 1)]
    return [datetime.combine(d, time(0), tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)
            for d in starts]


def _sp_month(year: int):
    """The SP's month in city time as SQL (1-12; outside the year clamped to 1 or 12)."""
    starts = _month_starts(year)
    return sa.case(*((Order.approved_at < starts[m], m) for m in range(1, 12)), else_=12)


def _category_ids(category_id: int) -> list[int]:
    children = db.session.scalars(sa.select(Category.id).where(Category.parent_id == category_id)).all()
    return [category_id, *children]


def _where(filters: Filters, *, items: bool = True) -> list:
    """Conditions on orders (and, with `items`, on their items) for the filters."""
    where = [Order.status.in_(COMMITTED_STATUSES), Order.budget_year == filters.year]
    if filters.opd_id is not None:
        where.append(Order.opd_id == filters.opd_id)
    if (filters.month_from, filters.month_to) != (1, 12):
        where.append(_sp_month(filters.year).between(filters.month_from, filters.month_to))
    if filters.category_id is not None:
        ids = _category_ids(filters.category_id)
        if items:
            where.append(OrderItem.category_id.in_(ids))
        else:
            where.append(sa.exists().where(OrderItem.order_id == Order.id, OrderItem.category_id.in_(ids)))
    return where


def _sums():
    value = OrderItem.agreed_price * (OrderItem.quantity - OrderItem.cancelled_qty)
    received = OrderItem.agreed_price * OrderItem.received_qty

    def when(condition, amount=value):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, amount), else_=0)), 0)

    return (
        sa.func.count(sa.distinct(Order.id)),
        sa.func.coalesce(sa.func.sum(value), 0),
        sa.func.coalesce(sa.func.sum(received), 0),
        when(Order.status.in_(PAID_STATUSES), received),
        when(Order.supplier_is_umk.is_(True)),
        when(OrderItem.is_pdn.is_(True)),
        when(OrderItem.preference == int(Preference.TKDN_BMP_40)),
        when(Order.supplier_is_local.is_(True)),
    )


def _figures(row) -> Figures:
    return Figures(*(int(v or 0) for v in row))


def by_opd_month(filters: Filters) -> dict[tuple[int, int], Figures]:
    """(OPD id, month) → figures, for the pairs that have orders (one query)."""
    month = _sp_month(filters.year).label("month")
    query = (sa.select(Order.opd_id, month, *_sums()).select_from(OrderItem).join(Order, OrderItem.order_id == Order.id)
             .where(*_where(filters)).group_by(Order.opd_id, month))
    return {(row[0], int(row[1])): _figures(row[2:]) for row in db.session.execute(query)}


def _roll_up(cells: dict, key) -> dict:
    out: dict = {}
    for cell_key, figures in cells.items():
        k = key(cell_key)
        out[k] = out.get(k, Figures()) + figures
    return out


def by_opd(filters: Filters, cells: dict | None = None) -> dict[int, Figures]:
    """OPD id → figures over the filtered months. Order counts add up per month: an order
    counts in its SP's month only, so the sum is exact."""
    return _roll_up(cells if cells is not None else by_opd_month(filters), lambda k: k[0])


def by_month(filters: Filters, cells: dict | None = None) -> dict[int, Figures]:
    return _roll_up(cells if cells is not None else by_opd_month(filters), lambda k: k[1])


def total(filters: Filters, cells: dict | None = None) -> Figures:
    return sum((cells if cells is not None else by_opd_month(filters)).values(), Figures())


# -- The meter --------------------------------------------------------------------------

@dataclass(frozen=True)
class Measure:
    """One share against its target: `status` is "green" (target met), "amber" (within
    METER_AMBER_POINTS below it), "red", or None (no target, or nothing to divide by)."""

    key: str
    value: Decimal | None
    target: int | None
    status: str | None
    part: int
    whole: int | None


def rate(value: Decimal | None, target: int | None, config=None) -> str | None:
    config = config if config is not None else current_app.config
    if value is None or target is None:
        return None
    if value >= target:
        return "green"
    return "amber" if value >= target - config["METER_AMBER_POINTS"] else "red"


def targets(config=None) -> dict[str, int | None]:
    """Target per share in percent (None: shown without a target)."""
    config = config if config is not None else current_app.config
    return {"umk": config["UMK_SHARE_TARGET_PERCENT"], **{k: config["SHARE_TARGETS_PERCENT"].get(k)
                                                          for k in SHARES if k != "umk"}}


def measure(key: str, part: int, whole: int | None, target: int | None) -> Measure:
    value = percent(part, whole)
    return Measure(key, value, target, rate(value, target), part, whole)


@dataclass(frozen=True)
class Meter:
    """An OPD's year on its desk: the figures, the budget (None if not entered) and the
    shares against their targets. `umk_of_budget` is the UMK spending against the
    budget; `shares` are against catalogue spending (umk, pdn, tkdn_bmp_40, local)."""

    opd_id: int
    year: int
    figures: Figures
    budget: int | None
    umk_of_budget: Measure
    shares: tuple[Measure, ...]


def meter(opd_id: int, year: int) -> Meter:
    figures = total(Filters(year, opd_id=opd_id))
    budget = db.session.scalar(sa.select(OpdBudget.amount).where(OpdBudget.opd_id == opd_id,
                                                                  OpdBudget.year == year))
    goal = targets()
    return Meter(opd_id, year, figures, budget, measure("umk", figures.umk, budget, goal["umk"]),
                 tuple(measure(k, getattr(figures, k), figures.committed, goal[k]) for k in SHARES))


# -- Rankings, suppliers, payments ------------------------------------------------------

@dataclass(frozen=True)
class OpdRow:
    """One OPD of the city-wide summary, with its budget and its measures."""

    opd_id: int
    name: str
    figures: Figures
    budget: int | None
    umk_of_budget: Measure
    shares: tuple[Measure, ...]


def ranking(filters: Filters, cells: dict | None = None) -> list[OpdRow]:
    """Every active OPD (also those without orders), best UMK share of spending first;
    OPDs without spending last, by name."""
    per_opd = by_opd(filters, cells)
    goal = targets()
    budgets = dict(db.session.execute(sa.select(OpdBudget.opd_id, OpdBudget.amount)
                                      .where(OpdBudget.year == filters.year)).tuples().all())
    where = [Organisation.kind == OrgKind.OPD]
    if filters.opd_id is not None:
        where.append(Organisation.id == filters.opd_id)
    names = db.session.execute(sa.select(Organisation.id, Organisation.name, Organisation.active).where(*where)).all()
    rows = []
    for opd_id, name, active in names:
        figures = per_opd.get(opd_id, Figures())
        if not active and not figures.orders:
            continue
        rows.append(OpdRow(opd_id, name, figures, budgets.get(opd_id),
                           measure("umk", figures.umk, budgets.get(opd_id), goal["umk"]),
                           tuple(measure(k, getattr(figures, k), figures.committed, goal[k]) for k in SHARES)))
    rows.sort(key=lambda r: (r.shares[0].value is None, -(r.shares[0].value or 0), r.name))
    return rows


@dataclass(frozen=True)
class SupplierRow:
    supplier_id: int
    name: str
    orders: int
    committed: int
    share: Decimal | None  # of the filtered total


def top_suppliers(filters: Filters, limit: int = 10) -> list[SupplierRow]:
    value = OrderItem.agreed_price * (OrderItem.quantity - OrderItem.cancelled_qty)
    committed = sa.func.coalesce(sa.func.sum(value), 0).label("committed")
    query = (sa.select(Order.supplier_id, Organisation.name, sa.func.count(sa.distinct(Order.id)), committed)
             .select_from(OrderItem).join(Order, OrderItem.order_id == Order.id)
             .join(Organisation, Organisation.id == Order.supplier_id).where(*_where(filters))
             .group_by(Order.supplier_id, Organisation.name).order_by(committed.desc(), Order.supplier_id)
             .limit(limit))
    whole = total(filters).committed
    return [SupplierRow(sid, name, int(n), int(v), percent(int(v), whole))
            for sid, name, n, v in db.session.execute(query)]


@dataclass(frozen=True)
class Timeliness:
    """Payments of an OPD's orders: how many were paid and the median days from the BAST
    (its city date) to the payment date; how many received orders wait unpaid past
    PAYMENT_DUE_WORKING_DAYS, and their received value."""

    opd_id: int
    name: str
    paid: int = 0
    median_days: Decimal | None = None
    overdue: int = 0
    overdue_value: int = 0


def payment_timeliness(filters: Filters, today: date) -> list[Timeliness]:
    """Per OPD with received orders, by name. One row per paid order is read (two dates)
    to take the median, which SQL does not offer on both databases."""
    from pbj.services.desk import overdue_cutoff  # the desk's own rule for "overdue"
    from pbj.services.order_lifecycle import LIFECYCLE

    where = _where(filters, items=False)
    days: dict[int, list[int]] = {}
    for opd_id, received_at, paid_on in db.session.execute(
            sa.select(Order.opd_id, Order.received_at, Payment.paid_on).join(Payment, Payment.order_id == Order.id)
            .where(*where, Order.received_at.is_not(None))):
        days.setdefault(opd_id, []).append((paid_on - city_date(received_at)).days)
    received = OrderItem.agreed_price * OrderItem.received_qty
    overdue_value = (sa.select(sa.func.coalesce(sa.func.sum(received), 0)).where(OrderItem.order_id == Order.id)
                     .scalar_subquery())
    overdue = {opd_id: (int(n), int(v or 0)) for opd_id, n, v in db.session.execute(
        sa.select(Order.opd_id, sa.func.count(Order.id), sa.func.sum(overdue_value))
        .where(*where, Order.status.in_(LIFECYCLE["pay"].from_states), Order.received_at < overdue_cutoff(today))
        .group_by(Order.opd_id))}
    names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)
                                    .where(Organisation.id.in_(set(days) | set(overdue)))).tuples().all())
    rows = [Timeliness(opd_id, names[opd_id], len(days.get(opd_id, [])),
                       Decimal(str(statistics.median(days[opd_id]))) if days.get(opd_id) else None,
                       *overdue.get(opd_id, (0, 0)))
            for opd_id in set(days) | set(overdue)]
    return sorted(rows, key=lambda r: r.name)


# -- The city's year (the public portal) -------------------------------------------------

@dataclass(frozen=True)
class CityTotals:
    """The city's catalogue year, for the public portal (`spending.city_totals(year)`).

    - `year`: the budget year.
    - `orders`, `committed`, `received`, `paid`: as `Figures` (whole rupiah).
    - `umk_share`, `pdn_share`, `tkdn_bmp_40_share`, `local_share`: percent of
      `committed` with two decimals (Decimal), None when nothing was committed.
    - `suppliers`: how many suppliers sold (had at least one counted order).
    - `local_umk_first_time`: of those, local UMK suppliers whose first counted order is
      in this budget year (none in an earlier one).
    - `umk_target`: the UMK share target in percent (configuration).
    """

    year: int
    orders: int
    committed: int
    received: int
    paid: int
    umk_share: Decimal | None
    pdn_share: Decimal | None
    tkdn_bmp_40_share: Decimal | None
    local_share: Decimal | None
    suppliers: int
    local_umk_first_time: int
    umk_target: int


def city_totals(year: int) -> CityTotals:
    filters = Filters(year)
    figures = total(filters)
    sold = sa.select(sa.func.count(sa.distinct(Order.supplier_id))).where(*_where(filters, items=False))
    earlier = aliased(Order)
    first_time = sa.select(sa.func.count(sa.distinct(Order.supplier_id))).where(
        *_where(filters, items=False), Order.supplier_is_local.is_(True), Order.supplier_is_umk.is_(True),
        ~sa.exists().where(earlier.supplier_id == Order.supplier_id, earlier.budget_year < year,
                           earlier.status.in_(COMMITTED_STATUSES)))
    return CityTotals(year, figures.orders, figures.committed, figures.received, figures.paid,
                      figures.share("umk"), figures.share("pdn"), figures.share("tkdn_bmp_40"),
                      figures.share("local"), db.session.scalar(sold) or 0, db.session.scalar(first_time) or 0,
                      current_app.config["UMK_SHARE_TARGET_PERCENT"])


def years() -> list[int]:
    """Budget years that have counted orders, newest first."""
    return list(db.session.scalars(sa.select(Order.budget_year).where(Order.status.in_(COMMITTED_STATUSES))
                                   .distinct().order_by(Order.budget_year.desc())))


__all__ = ["COMMITTED_STATUSES", "CityTotals", "Figures", "Filters", "Measure", "Meter", "OpdRow", "SupplierRow",
           "Timeliness", "by_month", "by_opd", "by_opd_month", "city_totals", "meter", "payment_timeliness",
           "percent", "ranking", "targets", "top_suppliers", "total", "years"]
