"""Open data: orders as OCDS 1.1 releases and records (docs/OPEN-DATA.md).

One order with a signed Surat Pesanan is one contracting process; its ocid is
OCDS_PREFIX + "-" + the order id. Each event of the process is one release,
dated when it was recorded, holding the whole process as it stood then: the SP
(planning, tender, award, contract), each BAST (a contract implementation
milestone; a rest cancelled at it amends the contract), an undelivered rest
cancelled after a partial BAST, and the payment (an implementation
transaction). A release is rebuilt from the stored order the same way every
time, so a published release never changes. The record's compiled release is
the latest state.

Nothing personal is published: no official's name, e-mail or NIP, no supplier
contact person, telephone, street address or tax number, and no free text typed
by people (notes, reasons), which may name someone.
"""
from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pbj.clock import city_zone
from pbj.extensions import db
from pbj.models.catalogue import Category
from pbj.models.orders import DEAD_STATUSES, Handover, HandoverRest, Order, OrderItem, Payment
from pbj.models.suppliers import BusinessScale

OCDS_VERSION = "1.1"
SCALE_EXTENSION = ("https://raw.githubusercontent.com/open-contracting-extensions/"
                   "ocds_partyDetails_scale_extension/master/extension.json")
CURRENCY = "IDR"
# Our own item classification: the catalogue's categories (no national scheme maps them).
CATEGORY_SCHEME = "X-EKATALOG-KATEGORI"
SUPPLIER_ID_SCHEME = "ID-NIB"  # Nomor Induk Berusaha from OSS, shown on the public profile too
# UU 20/2008 sizes to the partyScale codelist: each maps to its own code, so `sme` is not needed.
SCALES = {BusinessScale.MIKRO: "micro", BusinessScale.KECIL: "small",
          BusinessScale.MENENGAH: "medium", BusinessScale.BESAR: "large"}
SERVICE_TAX_CLASSES = ("services", "pbjt")

# The kinds of release, in the order they happen to one process (and sort on one date).
SP, BAST, REST, PAYMENT = 0, 1, 2, 3
_SUFFIX = {SP: "sp", BAST: "bast", REST: "rest", PAYMENT: "payment"}


@dataclass(frozen=True)
class Event:
    kind: int
    at: datetime  # naive UTC, like every stored time
    sequence: int = 0  # the BAST's number within the order

    def release_id(self, ocid: str) -> str:
        suffix = _SUFFIX[self.kind]
        return f"{ocid}-{suffix}-{self.sequence}" if self.kind == BAST else f"{ocid}-{suffix}"


# -- Identifiers and dates -------------------------------------------------------

def ocid(order_id: int, config) -> str:
    return f"{config['OCDS_PREFIX']}-{order_id}"


def order_id_of(text: str, config) -> int | None:
    """The order id an ocid names (None when it is not one of ours)."""
    prefix = f"{config['OCDS_PREFIX']}-"
    rest = text[len(prefix):] if text.startswith(prefix) else ""
    return int(rest) if rest.isascii() and rest.isdecimal() and len(rest) < 16 else None


def moment(at: datetime) -> str:
    """A stored moment (naive UTC) as RFC 3339."""
    return at.replace(microsecond=0, tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")


def day(value: date, config) -> str:
    """A calendar date (SP period, BAST, payment) as the start of that day in the city."""
    return datetime.combine(value, time(), tzinfo=city_zone(config)).isoformat()


def published():
    """The orders that are published: those with a signed Surat Pesanan."""
    return Order.sp_number.is_not(None)


def events_of(order: Order) -> list[Event]:
    """The releases of one order, oldest first."""
    found = [Event(SP, order.approved_at)]
    found += [Event(BAST, h.recorded_at, h.sequence) for h in order.handovers]
    if order.rest_cancelled_by_id is not None and order.received_at is not None:
        found.append(Event(REST, order.received_at))
    if order.payment is not None:
        found.append(Event(PAYMENT, order.payment.recorded_at))
    return found


# -- Building releases -------------------------------------------------------------

def load_orders(order_ids: Iterable[int]) -> dict[int, Order]:
    """The published orders with everything a release shows, in few queries."""
    ids = list(order_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(Order).where(Order.id.in_(ids), published())
        .options(selectinload(Order.items), selectinload(Order.handovers), selectinload(Order.payment),
                 selectinload(Order.package), selectinload(Order.opd), selectinload(Order.supplier))
    ).all()
    return {order.id: order for order in rows}


def _categories(orders: Iterable[Order]) -> dict[int, Category]:
    ids = {item.category_id for order in orders for item in order.items}
    if not ids:
        return {}
    found = db.session.scalars(sa.select(Category).where(Category.id.in_(ids))
                               .options(selectinload(Category.parent))).all()
    return {c.id: c for c in found}


def releases_of(order: Order, config, categories: dict[int, Category] | None = None) -> list[dict]:
    """Every release of a published order, oldest first."""
    categories = categories if categories is not None else _categories([order])
    events = events_of(order)
    return [_Builder(order, config, categories, events[:n + 1]).release() for n in range(len(events))]


def compiled_release(order: Order, config, categories: dict[int, Category] | None = None) -> dict:
    """The current state of the process (the record's compiledRelease)."""
    categories = categories if categories is not None else _categories([order])
    release = _Builder(order, config, categories, events_of(order)).release()
    release["id"] = f"{release['ocid']}-compiled"
    release["tag"] = ["compiled"]
    return release


class _Builder:
    """One release: the process as it stood after the last of `events`."""

    def __init__(self, order: Order, config, categories: dict[int, Category], events: list[Event]):
        self.order, self.config, self.categories, self.events = order, config, categories, events
        self.ocid = ocid(order.id, config)
        last_bast = max((e.sequence for e in events if e.kind == BAST), default=0)
        self.handovers = [h for h in order.handovers if h.sequence <= last_bast]
        self.rest_cancelled = any(e.kind == REST for e in events)
        self.paid = any(e.kind == PAYMENT for e in events)

    # Quantities as they stood: cancelled at the BASTs so far, plus a rest cancelled later.
    def cancelled(self, item: OrderItem) -> int:
        at_basts = sum(_line(h, item.id).get("cancelled", 0) for h in self.handovers)
        if self.rest_cancelled:
            at_all_basts = sum(_line(h, item.id).get("cancelled", 0) for h in self.order.handovers)
            return at_basts + item.cancelled_qty - at_all_basts
        return at_basts

    def release(self) -> dict:
        last = self.events[-1]
        order = self.order
        buyer = self.opd_reference()
        release = {
            "ocid": self.ocid,
            "id": last.release_id(self.ocid),
            "date": moment(last.at),
            "tag": self.tags(last),
            "initiationType": "tender",
            "language": "id",
            "parties": self.parties(),
            "buyer": buyer,
            "planning": self.planning(),
            "tender": self.tender(),
            "awards": [self.award()],
            "contracts": [self.contract()],
        }
        if order.status in DEAD_STATUSES:  # not reachable after an SP today; said plainly if it ever is
            release["awards"][0]["status"] = "cancelled"
            release["contracts"][0]["status"] = "cancelled"
        return release

    def tags(self, last: Event) -> list[str]:
        if last.kind == SP:
            return ["planning", "tender", "award", "contract"]
        if last.kind == BAST:
            handover = self.handovers[-1]
            return ["implementation", "contractAmendment"] if handover.rest is HandoverRest.CANCELLED \
                else ["implementation"]
        if last.kind == REST:
            return ["contractAmendment"]
        return ["implementation", "contractTermination"]

    def opd_reference(self) -> dict:
        opd = self.order.opd
        return {"id": f"opd-{opd.code or opd.id}", "name": opd.name}

    def supplier_reference(self) -> dict:
        supplier = self.order.supplier
        return {"id": f"{SUPPLIER_ID_SCHEME}-{supplier.nib}", "name": supplier.name}

    def parties(self) -> list[dict]:
        opd, supplier = self.order.opd, self.order.supplier
        buyer = {**self.opd_reference(),
                 "address": {"locality": self.config["CITY_NAME"], "region": self.config["CITY_PROVINCE"],
                             "countryName": "Indonesia"},
                 "roles": ["buyer", "procuringEntity"] + (["payer"] if self.paid else [])}
        if opd.address:
            buyer["address"]["streetAddress"] = opd.address  # the office, printed on its SP
        seller = {**self.supplier_reference(),
                  "identifier": {"scheme": SUPPLIER_ID_SCHEME, "id": supplier.nib, "legalName": supplier.name},
                  # As on the public profile: kecamatan and kota, not the street (often a home).
                  "address": {"locality": f"Kec. {supplier.kecamatan}", "region": supplier.region_name,
                              "countryName": "Indonesia"},
                  "roles": ["supplier"] + (["payee"] if self.paid else []),
                  "details": {"scale": SCALES[supplier.effective_scale]}}
        return [buyer, seller]

    def planning(self) -> dict:
        order, package = self.order, self.order.package
        budget = {"id": order.rup_code, "projectID": order.rup_code,
                  "description": f"Kode RUP {order.rup_code}, sumber dana {order.budget_source.value.upper()}, "
                                 f"tahun anggaran {order.budget_year}"}
        if package is not None:
            budget["project"] = package.name
            budget["amount"] = _value(package.pagu)
        return {"budget": budget}

    def item(self, item: OrderItem, quantity: int, unit_price: int) -> dict:
        category = self.categories.get(item.category_id)
        made = {"id": str(item.id), "description": item.name, "quantity": quantity,
                "unit": {"name": item.unit, "value": _value(unit_price)}}
        if category is not None:
            path = f"{category.parent.name} / {category.name}" if category.parent else category.name
            made["classification"] = {"scheme": CATEGORY_SCHEME, "id": category.slug, "description": path}
        return made

    def tender(self) -> dict:
        order = self.order
        services = all(item.tax_class in SERVICE_TAX_CLASSES for item in order.items)
        title = order.package.name if order.package is not None else f"Kode RUP {order.rup_code}"
        return {
            "id": f"{self.ocid}-epurchasing",
            "title": title,
            "status": "complete",
            "procuringEntity": self.opd_reference(),
            # The listed prices, before any negotiation.
            "items": [self.item(item, item.quantity, item.list_price) for item in order.items],
            "value": _value(order.list_total),
            "procurementMethod": "direct",
            "procurementMethodDetails": f"E-purchasing melalui e-Katalog Lokal {self.config['CITY_NAME']}",
            "mainProcurementCategory": "services" if services else "goods",
        }

    def award(self) -> dict:
        order = self.order
        return {"id": f"{self.ocid}-award", "title": f"Surat Pesanan {order.sp_number}", "status": "active",
                "date": moment(order.approved_at), "value": _value(order.sp_total),
                "suppliers": [self.supplier_reference()],
                "items": [self.item(item, item.quantity, item.agreed_price) for item in order.items],
                "contractPeriod": self.period()}

    def period(self) -> dict:
        return {"startDate": day(self.order.approved_at.date(), self.config),
                "endDate": day(self.order.needed_by, self.config)}

    def contract(self) -> dict:
        order = self.order
        contracted = {item.id: item.quantity - self.cancelled(item) for item in order.items}
        contract = {
            "id": order.sp_number,
            "awardID": f"{self.ocid}-award",
            "title": f"Surat Pesanan {order.sp_number}",
            # Signed and in force; "terminated" once paid: the contract has come to its end.
            "status": "terminated" if self.paid else "active",
            "period": self.period(),
            "value": _value(sum(item.agreed_price * contracted[item.id] for item in order.items)),
            "items": [self.item(item, contracted[item.id], item.agreed_price) for item in order.items],
            "dateSigned": moment(order.approved_at),
        }
        implementation = {}
        if self.handovers:
            implementation["milestones"] = [self.milestone(h) for h in self.handovers]
        if self.paid:
            implementation["transactions"] = [self.transaction()]
        if implementation:
            contract["implementation"] = implementation
        amendments = self.amendments()
        if amendments:
            contract["amendments"] = amendments
        return contract

    def milestone(self, handover: Handover) -> dict:
        items = {item.id: item for item in self.order.items}
        received = "; ".join(f"{line['received']} {items[line['item_id']].unit} {items[line['item_id']].name}"
                             for line in handover.lines or []
                             if line.get("received") and line.get("item_id") in items) or "-"
        if handover.rest is HandoverRest.OPEN:
            rest = "sisa pesanan tetap ditunggu pengirimannya"
        elif handover.rest is HandoverRest.CANCELLED:
            rest = "sisa pesanan dibatalkan"
        else:
            rest = "seluruh pesanan telah diterima"
        return {"id": f"bast-{handover.sequence}", "title": f"BAST ke-{handover.sequence} ({handover.number})",
                "type": "delivery", "code": "bast", "status": "met",
                "description": f"Berita acara serah terima, diterima: {received}; {rest}.",
                "dueDate": day(self.order.needed_by, self.config),
                "dateMet": day(handover.signed_on, self.config),
                "dateModified": moment(handover.recorded_at)}

    def transaction(self) -> dict:
        payment: Payment = self.order.payment
        # What left the treasury: the received goods' value, tax included (taxes withheld go to
        # the state for the supplier), less the late-delivery penalty kept back.
        penalty = min(self.order.penalty_deducted, max(payment.net, 0))
        return {"id": f"{self.ocid}-payment", "date": day(payment.paid_on, self.config),
                "value": _value(payment.gross - penalty),
                "payer": self.opd_reference(), "payee": self.supplier_reference()}

    def amendments(self) -> list[dict]:
        found = []
        ids = [e.release_id(self.ocid) for e in self.events]
        for handover in self.handovers:
            if handover.rest is HandoverRest.CANCELLED:
                release_id = f"{self.ocid}-bast-{handover.sequence}"
                found.append({"id": f"rest-bast-{handover.sequence}", "date": moment(handover.recorded_at),
                              "rationale": f"Sisa pesanan yang belum dikirim dibatalkan PPK pada BAST ke-"
                                           f"{handover.sequence}.",
                              "releaseID": release_id, "amendsReleaseID": ids[ids.index(release_id) - 1]})
        if self.rest_cancelled:
            release_id = f"{self.ocid}-rest"
            found.append({"id": "rest", "date": moment(self.order.received_at),
                          "rationale": "Sisa pesanan yang belum dikirim dibatalkan PPK setelah BAST sebagian.",
                          "releaseID": release_id, "amendsReleaseID": ids[ids.index(release_id) - 1]})
        return found


def _line(handover: Handover, item_id: int) -> dict:
    return next((line for line in handover.lines or [] if line.get("item_id") == item_id), {})


def _value(amount: int) -> dict:
    return {"amount": amount, "currency": CURRENCY}


# -- Packages ------------------------------------------------------------------------

def package_metadata(uri: str, config, published_date: str) -> dict:
    """What every package carries: where it is, who publishes it, the extension used."""
    from pbj.urls import absolute_url

    metadata = {"uri": uri, "version": OCDS_VERSION, "extensions": [SCALE_EXTENSION],
                "publishedDate": published_date,
                "publisher": {"name": config["OCDS_PUBLISHER_NAME"] or f"UKPBJ {config['CITY_NAME']}"},
                "publicationPolicy": absolute_url("ocds.about")}
    if config.get("OCDS_LICENSE"):
        metadata["license"] = config["OCDS_LICENSE"]
    return metadata


def release_package(releases: list[dict], uri: str, config, links: dict | None = None) -> dict:
    """A release package; its date is that of its newest release (on-demand packages
    carry the date their contents last changed, so equal contents are equal bytes)."""
    package = package_metadata(uri, config, max(r["date"] for r in releases))
    package["releases"] = releases
    if links:
        package["links"] = links  # paging, as the OCDS API guidance and OCDS 1.2 packages do
    return package


def record_package(order: Order, uri: str, config) -> dict:
    categories = _categories([order])
    releases = releases_of(order, config, categories)
    compiled = compiled_release(order, config, categories)
    package = package_metadata(uri, config, compiled["date"])
    package["records"] = [{"ocid": compiled["ocid"], "releases": releases, "compiledRelease": compiled}]
    return package


# -- Finding releases ------------------------------------------------------------------

def _events_query():
    """Every release of every published order as (date, order_id, kind, sequence)."""
    sp = sa.select(Order.approved_at.label("at"), Order.id.label("order_id"), sa.literal(SP).label("kind"),
                   sa.literal(0).label("sequence")).where(published())
    bast = (sa.select(Handover.recorded_at, Handover.order_id, sa.literal(BAST), Handover.sequence)
            .join(Order, Order.id == Handover.order_id).where(published()))
    rest = sa.select(Order.received_at, Order.id, sa.literal(REST), sa.literal(0)).where(
        published(), Order.rest_cancelled_by_id.is_not(None), Order.received_at.is_not(None))
    paid = (sa.select(Payment.recorded_at, Payment.order_id, sa.literal(PAYMENT), sa.literal(0))
            .join(Order, Order.id == Payment.order_id).where(published()))
    return sa.union_all(sp, bast, rest, paid).subquery("events")


def release_page(config, *, since: datetime | None, until: datetime | None, page: int,
                 size: int) -> tuple[list[dict], bool]:
    """The releases dated in [since, until), oldest first, one page of them, and
    whether another page follows."""
    events = _events_query()
    query = sa.select(events.c.at, events.c.order_id, events.c.kind, events.c.sequence)
    if since is not None:
        query = query.where(events.c.at >= since)
    if until is not None:
        query = query.where(events.c.at < until)
    query = query.order_by(events.c.at, events.c.order_id, events.c.kind, events.c.sequence)
    rows = db.session.execute(query.limit(size + 1).offset((page - 1) * size)).all()
    more = len(rows) > size
    rows = rows[:size]
    orders = load_orders({row.order_id for row in rows})
    categories = _categories(orders.values())
    built: dict[int, dict[str, dict]] = {}
    releases = []
    for row in rows:
        order = orders[row.order_id]
        if order.id not in built:
            built[order.id] = {r["id"]: r for r in releases_of(order, config, categories)}
        wanted = Event(row.kind, row.at, row.sequence).release_id(ocid(order.id, config))
        releases.append(built[order.id][wanted])
    return releases, more


def year_releases(config, year: int, batch: int = 200) -> Iterator[dict]:
    """Every release of the orders of one budget year, order by order (the bulk file)."""
    last = 0
    while True:
        ids = db.session.scalars(sa.select(Order.id).where(published(), Order.budget_year == year,
                                                           Order.id > last)
                                 .order_by(Order.id).limit(batch)).all()
        if not ids:
            return
        orders = load_orders(ids)
        categories = _categories(orders.values())
        for order_id in ids:
            yield from releases_of(orders[order_id], config, categories)
        last = ids[-1]
        db.session.expunge_all()  # a year can be 100k orders: keep memory flat


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def gzip_lines(lines: Iterable[str], flush_bytes: int = 256 * 1024) -> Iterator[bytes]:
    """JSON Lines compressed with gzip, yielded in pieces as they fill (for streaming)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as writer:
        for line in lines:
            writer.write(line.encode("utf-8") + b"\n")
            if buffer.tell() >= flush_bytes:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()
