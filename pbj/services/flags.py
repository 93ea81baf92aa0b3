"""Risk flags: patterns in the catalogue's orders that an auditor (APIP) should look at.

`refresh(now, today)` finds every pattern (docs/RULES.md "Risk flags", thresholds in
the FLAG_* settings) and upserts one `RiskFlag` per stable key; `review` marks one
reviewed with a note, in the audit trail. A flag is never deleted: when its pattern no
longer holds it stays, inactive. `describe(flag)` says in one sentence why it fired.

Each finder reads the few columns it needs with one or two queries that apply its
thresholds in SQL, so Python sees only the candidate rows (and checks them exactly), and
`refresh` stores the flags with a handful of statements: a matter of seconds on 100k
orders (bench/flags.py, docs/BENCHMARKS.md).
"""
from __future__ import annotations

import json
import re
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from pbj.clock import city_date
from pbj.extensions import db
from pbj.messages import gettext as _
from pbj.models.accounts import OfficialParticulars, OrgKind, Organisation, Role, User
from pbj.models.catalogue import Product, ProductRevision, ProductStatus, RevisionStatus
from pbj.models.flags import FlagKind, RiskFlag
from pbj.models.orders import DEAD_STATUSES, Handover, Order, OrderItem, OrderStatus, Payment
from pbj.models.suppliers import SupplierProfile
from pbj.services import audit, identity, workdays
from pbj.services.errors import DomainError, NotAllowed

REVIEW_NOTE_MAX = 2000
OFFICIAL_ROLES = (Role.PP, Role.PPK, Role.BENDAHARA, Role.ADMIN)


@dataclass
class Found:
    """One pattern found: what `RiskFlag` stores."""

    kind: FlagKind
    key: str
    numbers: dict
    orders: list[int] = field(default_factory=list)
    products: list[int] = field(default_factory=list)
    suppliers: list[int] = field(default_factory=list)
    users: list[int] = field(default_factory=list)
    opd_id: int | None = None
    supplier_id: int | None = None

    @property
    def links(self) -> dict:
        return {"orders": sorted(set(self.orders)), "products": sorted(set(self.products)),
                "suppliers": sorted(set(self.suppliers)), "users": sorted(set(self.users))}


def _value():
    # The agreed value of an order's items, less a cancelled rest (as the spending service).
    return sa.func.sum(OrderItem.agreed_price * (OrderItem.quantity - OrderItem.cancelled_qty))


def _rows(statement):
    """Run a finder's query on the session's connection: rows without the ORM's per-row
    work, which costs as much as SQLite's own on 100k rows (bench/flags.py)."""
    db.session.flush()
    return db.session.connection().execute(statement)


def _pct(part: int, whole: int) -> str:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))) if whole else "0"


# -- Finders ---------------------------------------------------------------------------

def find_split(config) -> list[Found]:
    """Orders of one OPD to one supplier within the window, each under the PP limit,
    together above it."""
    limit, window = config["PP_ORDER_LIMIT_RUPIAH"], timedelta(days=config["FLAG_SPLIT_WINDOW_DAYS"])
    value = _value().label("value")
    per_order = (sa.select(Order.id, Order.opd_id, Order.supplier_id, Order.submitted_at, value)
                 .join(OrderItem, OrderItem.order_id == Order.id)
                 .where(Order.status.not_in(DEAD_STATUSES))
                 .group_by(Order.id, Order.opd_id, Order.supplier_id, Order.submitted_at)
                 .having(value < limit).cte("per_order"))  # a CTE: computed once for both uses below
    # Only pairs whose small orders add up above the limit at all are read order by order.
    pairs = (sa.select(per_order.c.opd_id, per_order.c.supplier_id)
             .group_by(per_order.c.opd_id, per_order.c.supplier_id)
             .having(sa.func.count() >= 2, sa.func.sum(per_order.c.value) > limit).subquery())
    rows = _rows(
        sa.select(per_order.c.id, per_order.c.opd_id, per_order.c.supplier_id, per_order.c.submitted_at,
                  per_order.c.value)
        .join(pairs, sa.and_(pairs.c.opd_id == per_order.c.opd_id, pairs.c.supplier_id == per_order.c.supplier_id))
        .order_by(per_order.c.opd_id, per_order.c.supplier_id, per_order.c.submitted_at, per_order.c.id)).all()
    groups: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for order_id, opd_id, supplier_id, submitted_at, value in rows:  # tuples: cheaper than a Row's names
        groups[(opd_id, supplier_id)].append((order_id, submitted_at, int(value)))
    found = []
    for (opd_id, supplier_id), orders in groups.items():
        i = 0
        while i < len(orders):
            j = i
            while j + 1 < len(orders) and orders[j + 1][1] - orders[i][1] <= window:
                j += 1
            run = orders[i:j + 1]
            total = sum(value for _id, _at, value in run)
            if len(run) >= 2 and total > limit:
                found.append(Found(
                    FlagKind.SPLIT, f"split:opd={opd_id}:supplier={supplier_id}:first={run[0][0]}",
                    {"orders": len(run), "total": total, "limit": limit, "days": config["FLAG_SPLIT_WINDOW_DAYS"],
                     "largest": max(value for _id, _at, value in run)},
                    orders=[order_id for order_id, _at, _value in run], suppliers=[supplier_id],
                    opd_id=opd_id, supplier_id=supplier_id))
                i = j + 1
            else:
                i += 1
    return found


# Sizes in a name ("25 kg", "600 ml", "14 inch"): a 25 kg sack of rice is not a 5 kg one.
_SIZE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(kg|gr|gram|g|mg|ml|liter|litre|lt|l|cm|mm|meter|m|inch|inci|watt|w|gb|tb)\b")
_SIZE_UNITS = {"gr": "g", "gram": "g", "liter": "l", "litre": "l", "lt": "l", "meter": "m", "inci": "inch",
               "w": "watt"}


def product_kind(name: str | None) -> str:
    """What kind of product a name says, for comparing prices: its first word and the sizes
    in it, casefolded ("Kursi Rapat Rotan" → "kursi", "Beras Premium 25 kg" → "beras 25kg").
    A category holds unlike things (a mouse and a laptop are both electronics sold per
    buah); the first word of a name in this catalogue says what the thing is."""
    text = (name or "").casefold()
    words = re.findall(r"\w+", text)
    if not words:
        return ""
    sizes = [f"{number.replace(',', '.')}{_SIZE_UNITS.get(unit, unit)}" for number, unit in _SIZE.findall(text)]
    return " ".join([words[0], *sizes])


def find_price(config) -> list[Found]:
    """Order lines priced far above the median of the same kind of product (category,
    unit, first word of the name), or well above the product's price at its last review."""
    ratio, peers = config["FLAG_PRICE_MEDIAN_PERCENT"], config["FLAG_PRICE_MIN_PEERS"]
    rise = config["FLAG_PRICE_REVIEWED_PERCENT"]
    prices: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    spellings: dict[int, set[str]] = defaultdict(set)
    for category_id, unit, name, price in _rows(
            sa.select(Product.category_id, Product.unit, Product.name, Product.unit_price)
            .where(Product.status == ProductStatus.PUBLISHED)):
        prices[(category_id, unit.casefold(), product_kind(name))].append(price)
        spellings[category_id].add(unit)
    medians = {k: int(statistics.median(v)) for k, v in prices.items() if len(v) >= peers}
    # SQL compares with the lowest median of a category and unit (no kind is cheaper), so
    # it reads a superset; the kind's own median is checked here.
    lowest: dict[tuple[int, str], int] = {}
    for (category_id, unit, _kind), median in medians.items():
        lowest[(category_id, unit)] = min(median, lowest.get((category_id, unit), median))
    # One pass over the order lines, reading only those above either threshold in SQL;
    # both are checked exactly here.
    above = [OrderItem.agreed_price * 100 > Product.reviewed_price * (100 + rise)]
    if lowest:
        above.append(OrderItem.agreed_price * 100 >= _median_in_sql(lowest, spellings) * ratio)
    found: dict[str, Found] = {}
    for order_id, product_id, category_id, unit, name, price, reviewed, opd_id, supplier_id in _rows(
            sa.select(OrderItem.order_id, OrderItem.product_id, OrderItem.category_id, OrderItem.unit,
                      OrderItem.name, OrderItem.agreed_price, Product.reviewed_price, Order.opd_id,
                      Order.supplier_id)
            .join(Order, Order.id == OrderItem.order_id).join(Product, Product.id == OrderItem.product_id)
            .where(Order.status.not_in(DEAD_STATUSES), sa.or_(*above))):
        links = {"orders": [order_id], "products": [product_id], "suppliers": [supplier_id], "opd_id": opd_id,
                 "supplier_id": supplier_id}
        kind = product_kind(name)
        median = medians.get((category_id, unit.casefold(), kind))
        if median and price * 100 >= median * ratio:
            key = f"price:median:order={order_id}:product={product_id}"
            found[key] = Found(FlagKind.PRICE, key, {"basis": "median", "price": price, "median": median,
                                                      "percent": _pct(price, median), "unit": unit, "kind": kind,
                                                      "peers": len(prices[(category_id, unit.casefold(), kind)])},
                               **links)
        if reviewed is not None and price * 100 > reviewed * (100 + rise):
            key = f"price:reviewed:order={order_id}:product={product_id}"
            found[key] = Found(FlagKind.PRICE, key, {"basis": "reviewed", "price": price,
                                                     "reviewed": reviewed, "percent": _pct(price, reviewed),
                                                     "unit": unit}, **links)
    return list(found.values())


def _median_in_sql(medians: dict[tuple[int, str], int], spellings: dict[int, set[str]]):
    """An order line's median in SQL, so that only the lines above their own threshold are
    read. Units compare casefolded, which SQL cannot do alike on both databases: a unit
    spelled as a listed product spells it gets its median, any other spelling the lowest
    median of its category (never above its own); the caller checks exactly. NULL for a
    category without a median."""
    def rupiah(amount: int):  # a BIGINT on PostgreSQL, where a plain number is bound as a 32-bit integer
        return sa.literal(amount, sa.BigInteger)

    lowest: dict[int, int] = {}
    for (category_id, _unit), median in medians.items():
        lowest[category_id] = min(median, lowest.get(category_id, median))
    return sa.case({category_id: sa.case({unit: rupiah(medians[(category_id, unit.casefold())])
                                          for unit in sorted(spellings[category_id])
                                          if (category_id, unit.casefold()) in medians},
                                         value=OrderItem.unit, else_=rupiah(least))
                    for category_id, least in lowest.items()}, value=OrderItem.category_id)


def find_concentration(config) -> list[Found]:
    """A PPK or OPD buying a large share of its year's catalogue spending from one supplier."""
    from pbj.services.spending import COMMITTED_STATUSES

    share, floor = config["FLAG_CONCENTRATION_PERCENT"], config["FLAG_CONCENTRATION_MIN_RUPIAH"]
    least = config["FLAG_CONCENTRATION_MIN_ORDERS"]
    committed = Order.status.in_(COMMITTED_STATUSES)
    # One pass: each order's value (read from the items' covering index), summed per PPK,
    # OPD, year and supplier; the PPK's and the OPD's figures are both sums of these.
    per_order = (sa.select(OrderItem.order_id, _value().label("value"))
                 .group_by(OrderItem.order_id).subquery())
    spent: dict[tuple, tuple[int, int, int]] = {}  # (who, whom, year, supplier): value, orders, OPD
    # Rows unpacked as tuples: reading a Row's fields by name costs more than the sums.
    for ppk_id, opd_id, year, supplier_id, value, n in _rows(
            sa.select(Order.ppk_id, Order.opd_id, Order.budget_year, Order.supplier_id,
                      sa.func.sum(per_order.c.value), sa.func.count())
            .join(per_order, per_order.c.order_id == Order.id).where(committed)
            .group_by(Order.ppk_id, Order.opd_id, Order.budget_year, Order.supplier_id)):
        for key in (("ppk", ppk_id, year, supplier_id), ("opd", opd_id, year, supplier_id)):
            was = spent.get(key)
            spent[key] = ((int(value), n, opd_id) if was is None
                          else (was[0] + int(value), was[1] + n, min(was[2], opd_id)))
    totals: dict[tuple, int] = defaultdict(int)
    for (who, whom, year, _supplier), (value, _n, _opd) in spent.items():
        totals[(who, whom, year)] += value
    flagged: dict[tuple, Found] = {}
    for (who, whom, year, supplier_id), (value, n, opd_id) in sorted(spent.items()):
        whole = totals[(who, whom, year)]
        if whole >= floor and value * 100 >= whole * share and n >= least:
            flagged[(who, whom, year, supplier_id)] = Found(
                FlagKind.CONCENTRATION, f"concentration:{who}={whom}:supplier={supplier_id}:{year}",
                {"by": who, "year": year, "value": value, "total": whole, "percent": _pct(value, whole),
                 "threshold": share, "orders": n},
                suppliers=[supplier_id], users=[whom] if who == "ppk" else [], opd_id=opd_id,
                supplier_id=supplier_id)
    # The orders of every flag in one query: those of the flagged suppliers, sorted out here.
    if flagged:
        for order_id, ppk_id, opd_id, year, supplier_id in _rows(
                sa.select(Order.id, Order.ppk_id, Order.opd_id, Order.budget_year, Order.supplier_id)
                .where(committed, Order.supplier_id.in_({key[3] for key in flagged})).order_by(Order.id)):
            for key in (("ppk", ppk_id, year, supplier_id), ("opd", opd_id, year, supplier_id)):
                if key in flagged:
                    flagged[key].orders.append(order_id)
    return list(flagged.values())


def find_fast_orders(config) -> list[Found]:
    """Orders submitted soon after their product was listed or last changed by a review."""
    hours = config["FLAG_FAST_ORDER_HOURS"]
    last_decided = sa.func.max(ProductRevision.decided_at).label("decided_at")
    revised = (sa.select(ProductRevision.product_id, last_decided)
               .where(ProductRevision.status == RevisionStatus.APPROVED)
               .group_by(ProductRevision.product_id).subquery())
    # Each listed product's moments once, from the (status, published_at) index, then looked up
    # per order line: joined directly, SQLite would read every line's product row (PostgreSQL
    # hashes either way, and plans better without the hint).
    listed = (sa.select(Product.id, Product.published_at, revised.c.decided_at)
              .outerjoin(revised, revised.c.product_id == Product.id).where(Product.published_at.is_not(None))
              .cte("listed").prefix_with("MATERIALIZED", dialect="sqlite"))
    latest = sa.case((listed.c.decided_at > listed.c.published_at, listed.c.decided_at),
                     else_=listed.c.published_at)
    # The window in SQL, a minute wider on each side (SQLite's julianday is a float); exact below.
    after = _hours_between(Order.submitted_at, latest)
    found = []
    for order_id, submitted_at, opd_id, supplier_id, product_id, published_at, decided_at in _rows(
            sa.select(Order.id, Order.submitted_at, Order.opd_id, Order.supplier_id, OrderItem.product_id,
                      listed.c.published_at, listed.c.decided_at)
            .join(OrderItem, OrderItem.order_id == Order.id).join(listed, listed.c.id == OrderItem.product_id)
            .where(Order.status.not_in(DEAD_STATUSES), after > -1 / 60, after < hours + 1 / 60)):
        since = max(t for t in (published_at, decided_at) if t is not None)
        if since <= submitted_at < since + timedelta(hours=hours):
            waited = (submitted_at - since).total_seconds() / 3600
            found.append(Found(
                FlagKind.FAST_ORDER, f"fast:order={order_id}:product={product_id}",
                {"hours": str(Decimal(waited).quantize(Decimal("0.1"))), "threshold": hours,
                 "after": "revision" if since != published_at else "listing"},
                orders=[order_id], products=[product_id], suppliers=[supplier_id],
                opd_id=opd_id, supplier_id=supplier_id))
    return found


def _hours_between(later, earlier):
    """Hours from one datetime column to another, in SQL (a float)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.extract("epoch", later - earlier) / 3600
    return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 24


def find_preference(config) -> list[Found]:
    """PPKs approving several orders down a domestic-preference tier on the same ground."""
    least = config["FLAG_PREFERENCE_MIN_ORDERS"]
    down = sa.or_(Order.preference_ground.is_not(None), Order.preference_explanation.is_not(None))
    ground = sa.func.coalesce(Order.preference_ground, "none")
    groups: dict[tuple, list] = defaultdict(list)
    for row in db.session.execute(
            sa.select(Order.id, Order.ppk_id, Order.opd_id, Order.budget_year, ground.label("ground"))
            .where(down, Order.status.not_in(DEAD_STATUSES)).order_by(Order.id)):
        groups[(row.ppk_id, row.ground, row.budget_year)].append(row)
    return [Found(FlagKind.PREFERENCE, f"preference:ppk={ppk}:ground={g}:{year}",
                  {"orders": len(rows), "ground": g, "year": year, "threshold": least},
                  orders=[r.id for r in rows], users=[ppk], opd_id=rows[0].opd_id)
            for (ppk, g, year), rows in groups.items() if len(rows) >= least]


def find_tkdn(config, today: date) -> list[Found]:
    """Listed products claiming TKDN without a certificate or with an expired one, and
    products whose TKDN claim a review changed."""
    years = config["FLAG_TKDN_CERTIFICATE_VALID_YEARS"]
    found = []
    # Only the claims with a problem are read: no number, or dated before the first day
    # whose certificate is still valid today.
    claims = sa.select(Product.id, Product.supplier_id, Product.tkdn_x100, Product.tkdn_certificate,
                       Product.tkdn_certificate_date).where(
        Product.status == ProductStatus.PUBLISHED, Product.tkdn_x100 > 0,
        sa.or_(Product.tkdn_certificate.is_(None), Product.tkdn_certificate == "",
               Product.tkdn_certificate_date < _first_valid_certificate_date(today, years)))
    for row in db.session.execute(claims):
        problem = None
        if not row.tkdn_certificate:
            problem = "missing"
        elif row.tkdn_certificate_date is not None and _add_years(row.tkdn_certificate_date, years) < today:
            problem = "expired"
        if problem:
            found.append(Found(FlagKind.TKDN, f"tkdn:{problem}:product={row.id}",
                               {"problem": problem, "tkdn": str(Decimal(row.tkdn_x100) / 100),
                                "certificate_date": row.tkdn_certificate_date.isoformat()
                                if row.tkdn_certificate_date else None, "valid_years": years},
                               products=[row.id], suppliers=[row.supplier_id], supplier_id=row.supplier_id))
    for rev_id, product_id, supplier_id, proposed, previous in db.session.execute(
            sa.select(ProductRevision.id, Product.id, Product.supplier_id, ProductRevision.proposed_json,
                      ProductRevision.previous_json).join(Product, Product.id == ProductRevision.product_id)
            .where(ProductRevision.status == RevisionStatus.APPROVED,
                   ProductRevision.proposed_json.like('%"tkdn_x100"%'))):
        new, old = json.loads(proposed).get("tkdn_x100"), json.loads(previous).get("tkdn_x100")
        if new is not None and new != old:
            found.append(Found(FlagKind.TKDN, f"tkdn:changed:revision={rev_id}",
                               {"problem": "changed", "old": str(Decimal(old or 0) / 100),
                                "new": str(Decimal(new) / 100)},
                               products=[product_id], suppliers=[supplier_id], supplier_id=supplier_id))
    return found


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _first_valid_certificate_date(today: date, years: int) -> date:
    """The earliest certificate date d with `_add_years(d, years) >= today`: every date
    before it has expired (`_add_years` never goes backwards)."""
    day = date(today.year - years, today.month, 1)  # _add_years of the day before is < today
    while _add_years(day, years) < today:
        day += timedelta(days=1)
    return day


# Kept here too: the tests and the oversight pages read it as flags.normal_name.
normal_name = identity.normal_name


def _officials() -> list:
    """Officials with what the check compares: name, e-mail and, where the administrator
    copied them from the personnel records, phone, home address, NPWP and account."""
    return db.session.execute(
        sa.select(User.id, User.name, User.email, User.org_id, OfficialParticulars.phone,
                  OfficialParticulars.address, OfficialParticulars.npwp, OfficialParticulars.bank_account)
        .outerjoin(OfficialParticulars, OfficialParticulars.user_id == User.id)
        .where(User.role.in_(OFFICIAL_ROLES))).all()


# Per basis: how an official's value and a supplier's value are put in normal form.
_BUSINESS_BASES = (("phone", identity.normal_phone), ("address", identity.normal_address),
                   ("npwp", identity.normal_npwp), ("bank_account", identity.normal_account))


def find_conflicts(config) -> list[Found]:
    """A supplier's people (its accounts' names or e-mail addresses, its owner) or its
    phone, address, NPWP or bank account matching an official's."""
    officials = _officials()
    index: dict[tuple[str, str], list] = defaultdict(list)
    for o in officials:
        for basis, value in (("name", normal_name(o.name)), ("email", o.email.casefold()),
                             *((basis, norm(getattr(o, basis))) for basis, norm in _BUSINESS_BASES)):
            if value:
                index[(basis, value)].append(o)
    matches = []  # (basis, key part for the supplier's side, supplier org, what matched, official)
    for person in db.session.execute(sa.select(User.id, User.name, User.email, User.org_id)
                                     .where(User.role == Role.PENYEDIA)):
        for basis, value in (("name", normal_name(person.name)), ("email", person.email.casefold())):
            for o in index.get((basis, value), []) if value else []:
                matches.append((basis, f"supplier_user={person.id}", person.org_id, person.name, o, person.id))
    for supplier in db.session.execute(sa.select(SupplierProfile.org_id, SupplierProfile.owner_name,
                                                 SupplierProfile.phone, SupplierProfile.address,
                                                 SupplierProfile.npwp, SupplierProfile.bank_account)):
        owner = normal_name(supplier.owner_name)
        for o in index.get(("name", owner), []) if owner else []:
            matches.append(("owner", f"supplier={supplier.org_id}", supplier.org_id, supplier.owner_name, o, None))
        for basis, norm in _BUSINESS_BASES:
            value = norm(getattr(supplier, basis))
            for o in index.get((basis, value), []) if value else []:
                matches.append((basis, f"supplier={supplier.org_id}", supplier.org_id, getattr(supplier, basis),
                                o, None))
    found = []
    for basis, side, supplier_id, matched, official, person_id in matches:
        # The orders between them: the official ordered, approved or paid them.
        orders = db.session.scalars(sa.select(Order.id).where(
            Order.supplier_id == supplier_id,
            sa.or_(Order.buyer_id == official.id, Order.ppk_id == official.id,
                   Order.id.in_(sa.select(Payment.order_id).where(Payment.recorded_by_id == official.id))))
            .order_by(Order.id)).all()
        found.append(Found(
            FlagKind.CONFLICT, f"conflict:{basis}:{side}:official={official.id}",
            {"basis": basis, "matched": matched, "official": official.name, "orders": len(orders),
             **({"supplier_person": matched} if basis in ("name", "email", "owner") else {})},
            orders=orders, suppliers=[supplier_id], users=[official.id, *([person_id] if person_id else [])],
            opd_id=official.org_id, supplier_id=supplier_id))
    return found


def find_late_payments(config, today: date) -> list[Found]:
    """Orders received and still unpaid past PAYMENT_DUE_WORKING_DAYS, and orders paid
    after it."""
    from pbj.services.desk import overdue_cutoff

    days = config["PAYMENT_DUE_WORKING_DAYS"]
    found = [Found(FlagKind.LATE_PAYMENT, f"late_payment:order={row.id}",
                   {"received_on": city_date(row.received_at).isoformat(), "days": days},
                   orders=[row.id], suppliers=[row.supplier_id], opd_id=row.opd_id, supplier_id=row.supplier_id)
             for row in db.session.execute(
                 sa.select(Order.id, Order.received_at, Order.opd_id, Order.supplier_id)
                 .where(Order.status == OrderStatus.RECEIVED, Order.received_at < overdue_cutoff(today, config)))]
    # Paid: only payments more than `days` calendar days after the BAST can be late (a
    # working day is at least a day), so SQL reads those and the holidays decide.
    off = workdays.holidays()
    for row in db.session.execute(
            sa.select(Order.id, Order.received_at, Order.opd_id, Order.supplier_id, Payment.paid_on)
            .join(Payment, Payment.order_id == Order.id)
            .where(Order.received_at.is_not(None), workdays.days_between(Payment.paid_on, Order.received_at) >= days)):
        received_on = city_date(row.received_at)
        due_on = workdays.add_working_days(received_on, days, off)
        if row.paid_on > due_on:
            found.append(Found(FlagKind.LATE_PAYMENT, f"late_payment:order={row.id}",
                               {"received_on": received_on.isoformat(), "days": days, "due_on": due_on.isoformat(),
                                "paid_on": row.paid_on.isoformat(),
                                "working_days_late": workdays.working_days_between(due_on, row.paid_on, off)},
                               orders=[row.id], suppliers=[row.supplier_id], opd_id=row.opd_id,
                               supplier_id=row.supplier_id))
    return found


def find_waived_penalties(config) -> list[Found]:
    """Late-delivery penalties the PPK waived at a BAST."""
    return [Found(FlagKind.PENALTY_WAIVED, f"penalty_waived:handover={row.id}",
                  {"computed": int(row.penalty_computed), "bast": row.number},
                  orders=[row.order_id], suppliers=[row.supplier_id], users=[row.penalty_waived_by_id],
                  opd_id=row.opd_id, supplier_id=row.supplier_id)
            for row in db.session.execute(
                sa.select(Handover.id, Handover.order_id, Handover.number, Handover.penalty_computed,
                          Handover.penalty_waived_by_id, Order.opd_id, Order.supplier_id)
                .join(Order, Order.id == Handover.order_id).where(Handover.penalty_waived_by_id.is_not(None)))]


def find_all(today: date, config=None) -> list[Found]:
    config = config if config is not None else current_app.config
    return [*find_split(config), *find_price(config), *find_concentration(config), *find_fast_orders(config),
            *find_preference(config), *find_tkdn(config, today), *find_conflicts(config),
            *find_late_payments(config, today), *find_waived_penalties(config)]


# -- Storing and reviewing ---------------------------------------------------------------

def refresh(now: datetime, today: date, advance: Callable[..., None] | None = None) -> dict[FlagKind, int]:
    """Find every pattern and store it (written, not committed): a known key is updated
    (its review kept), a new one added, one no longer found kept as inactive. Returns
    how many active flags each kind has."""
    advance = advance or (lambda step=1, *, to=None: None)
    config = current_app.config
    finders = [lambda: find_split(config), lambda: find_price(config), lambda: find_concentration(config),
               lambda: find_fast_orders(config), lambda: find_preference(config), lambda: find_tkdn(config, today),
               lambda: find_conflicts(config), lambda: find_late_payments(config, today),
               lambda: find_waived_penalties(config)]
    found: dict[str, Found] = {}
    for finder in finders:
        for f in finder():
            found[f.key] = f
        advance()
    _store(found, now)
    counts = {kind: 0 for kind in FlagKind}
    for f in found.values():
        counts[f.kind] += 1
    return counts


def _store(found: dict[str, Found], now: datetime) -> None:
    """Upsert the flags found with a handful of statements rather than one per flag (a
    refresh touches every flag): deactivate those no longer found, mark the rest found
    now, rewrite those whose numbers or links changed, insert the new ones."""
    db.session.flush()  # the statements below go past the ORM
    flags = RiskFlag.__table__
    by_id = flags.c.id == sa.bindparam("flag_id")
    # Numbers and links compared as the JSON text stored (json.dumps, as SQLAlchemy writes
    # it): parsing every stored flag back costs seconds at 100k orders.
    known = {key: (flag_id, stored) for key, flag_id, *stored in _rows(sa.select(
        flags.c.key, flags.c.id, sa.cast(flags.c.numbers, sa.Text), sa.cast(flags.c.links, sa.Text),
        flags.c.opd_id, flags.c.supplier_id, flags.c.active))}
    gone = [{"flag_id": flag_id} for key, (flag_id, stored) in known.items()
            if stored[-1] and key not in found]  # still active
    changed, new = [], []
    for key, f in found.items():
        values = {"numbers": f.numbers, "links": f.links, "opd_id": f.opd_id, "supplier_id": f.supplier_id,
                  "active": True, "last_found_at": now}
        flag_id, stored = known.get(key, (None, None))
        if flag_id is None:
            new.append({"key": key, "kind": f.kind, "first_found_at": now, **values})
        elif stored != [json.dumps(f.numbers), json.dumps(values["links"]), f.opd_id, f.supplier_id, True]:
            changed.append({"flag_id": flag_id, **values})
    if gone:
        db.session.execute(sa.update(flags).where(by_id).values(active=False), gone)
    db.session.execute(sa.update(flags).where(flags.c.active.is_(True)).values(last_found_at=now))
    if changed:
        db.session.execute(sa.update(flags).where(by_id), changed)
    if new:
        db.session.execute(sa.insert(flags), new)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, RiskFlag):
            db.session.expire(obj)


def review(flag: RiskFlag, actor: User, note: str, now: datetime) -> RiskFlag:
    """Mark a flag reviewed with the auditor's note (again: the note is replaced, the
    trail keeps both). Only auditors; the flag stays."""
    if actor.role != Role.AUDITOR:
        raise NotAllowed(_("Only an auditor can mark a flag reviewed."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Write what you found (the review note)."), field="note")
    if len(note) > REVIEW_NOTE_MAX:
        raise DomainError(_("The note is too long (at most %(num)d characters).", num=REVIEW_NOTE_MAX), field="note")
    flag.reviewed_at, flag.reviewed_by_id, flag.review_note = now, actor.id, note
    audit.record("flag.reviewed", actor, flag, at=now, kind=flag.kind.value, flag_key=flag.key, note=note)
    return flag


def for_order(order) -> list[RiskFlag]:
    """The flags that name this order among their objects (the inspector's case file);
    read among the flags of its OPD or supplier, then by the stored links."""
    candidates = db.session.scalars(
        sa.select(RiskFlag).where(sa.or_(RiskFlag.opd_id == order.opd_id, RiskFlag.supplier_id == order.supplier_id))
        .order_by(RiskFlag.kind, RiskFlag.id))
    return [flag for flag in candidates if order.id in (flag.links or {}).get("orders", [])]


def counts_by_kind() -> dict[FlagKind, tuple[int, int]]:
    """Per kind: active flags, and of them not yet reviewed."""
    rows = db.session.execute(
        sa.select(RiskFlag.kind, sa.func.count(), sa.func.count().filter(RiskFlag.reviewed_at.is_(None)))
        .where(RiskFlag.active.is_(True)).group_by(RiskFlag.kind)).all()
    counts = {kind: (0, 0) for kind in FlagKind}
    counts.update({kind: (int(n), int(open_)) for kind, n, open_ in rows})
    return counts


def list_query(kind: FlagKind | None = None, reviewed: bool | None = None, opd_id: int | None = None,
               supplier_id: int | None = None):
    query = sa.select(RiskFlag).where(RiskFlag.active.is_(True)).order_by(RiskFlag.id.desc())
    if kind is not None:
        query = query.where(RiskFlag.kind == kind)
    if reviewed is not None:
        query = query.where(RiskFlag.reviewed_at.is_not(None) if reviewed else RiskFlag.reviewed_at.is_(None))
    if opd_id is not None:
        query = query.where(RiskFlag.opd_id == opd_id)
    if supplier_id is not None:
        query = query.where(RiskFlag.supplier_id == supplier_id)
    return query


def opds_and_suppliers() -> tuple[list, list]:
    """The OPDs and suppliers that have flags, for the filters."""
    opds = db.session.execute(sa.select(Organisation.id, Organisation.name).where(
        Organisation.kind == OrgKind.OPD, Organisation.id.in_(sa.select(RiskFlag.opd_id)))
        .order_by(Organisation.name)).all()
    suppliers = db.session.execute(sa.select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(sa.select(RiskFlag.supplier_id))).order_by(Organisation.name)).all()
    return opds, suppliers
