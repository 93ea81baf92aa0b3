"""Ordering under real concurrency: last units, lock order, SP numbers, double clicks.

Every worker is a thread with its own app context and session, or a process
with its own app (as separate server workers are), declaring write intent as
a POST request does; all of them start together at a barrier. The same tests
run on SQLite (writers queue on the write lock for up to the busy timeout)
and on PostgreSQL (conditional UPDATEs and the numbering upsert wait on row
locks). No worker retries: a refusal must be a domain error, never a lock
error.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial

import pytest
import sqlalchemy as sa

from pbj import create_app
from pbj.clock import utcnow
from pbj.database import write_intent
from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role, User
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import Product
from pbj.models.orders import (
    CartItem,
    DocumentSequence,
    Order,
    OrderDocument,
    OrderDocumentKind,
    OrderItem,
    OrderStatus,
)
from pbj.services import audit, orders
from pbj.services.errors import DomainError
from tests import order_helpers as oh

# Real threads and processes racing on both databases: seconds per test (`make test-fast` skips them).
pytestmark = pytest.mark.slow

# Seconds a worker waits at the barrier and the test waits for an outcome:
# a hung race fails instead of hanging the run.
TIMEOUT = 30

# What a worker process needs of the test app's configuration (see conftest.BASE_CONFIG).
WORKER_CONFIG_KEYS = ("PBJ_ENV", "SECRET_KEY", "WTF_CSRF_ENABLED", "ARGON2_TIME_COST",
                      "ARGON2_MEMORY_COST_KIB", "RATELIMIT_STORAGE_URI", "SERVER_NAME",
                      "SQLALCHEMY_DATABASE_URI")


# -- Running a race ---------------------------------------------------------------------

@contextmanager
def writing(app):
    """An app context of its own whose transactions take the write lock, as in a POST request."""
    with app.app_context():
        token = write_intent.set(True)
        try:
            yield
        finally:
            db.session.remove()
            write_intent.reset(token)


def attempt(job, args) -> tuple[str, object]:
    """Run one job in the worker's transaction, as a view does: commit once, or roll back.

    ("ok", result) after the commit, otherwise (exception class name, message);
    the tests decide which kinds of failure are acceptable.
    """
    try:
        result = job(*args)
        db.session.commit()
        return "ok", result
    except Exception as exc:  # noqa: BLE001 -- reported, never swallowed: the tests assert the kind
        db.session.rollback()
        detail = str(exc) if isinstance(exc, DomainError) else traceback.format_exc()
        return type(exc).__name__, detail


def race_in_threads(app, jobs) -> list[tuple[str, object]]:
    """Run each (job, args) in its own thread, all released at once; outcomes in job order."""
    barrier = threading.Barrier(len(jobs))

    def run(job, args):
        with writing(app):
            barrier.wait(timeout=TIMEOUT)
            return attempt(job, args)

    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(run, job, args) for job, args in jobs]
        return [f.result(timeout=TIMEOUT) for f in futures]


def _process_worker(config, index, job, args, barrier, results) -> None:
    try:
        app = create_app(config)
        with writing(app):
            barrier.wait(timeout=TIMEOUT)
            outcome = attempt(job, args)
        with app.app_context():
            db.engine.dispose()
    except Exception as exc:  # noqa: BLE001 -- e.g. a broken barrier: reported to the test
        outcome = type(exc).__name__, traceback.format_exc()
    results.put((index, outcome))


def race_in_processes(app, jobs) -> list[tuple[str, object]]:
    """Run each (job, args) in its own process with its own app on the same database."""
    # Ten processes take SQLite's write lock one after another; on a loaded CI machine the
    # last can wait past the default 5 s busy timeout. The race is about numbering, not
    # waiting: give them longer (still under TIMEOUT).
    config = {key: app.config[key] for key in WORKER_CONFIG_KEYS} | {"INSTANCE_PATH": app.instance_path,
                                                                    "SQLITE_BUSY_TIMEOUT_MS": 20_000}
    # Forked children must not share the parent's connections: close them first.
    db.session.commit()  # ends the test's transaction; its objects stay in the session
    db.engine.dispose()
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    barrier, results = ctx.Barrier(len(jobs)), ctx.Queue()
    workers = [ctx.Process(target=_process_worker, args=(config, i, job, args, barrier, results))
               for i, (job, args) in enumerate(jobs)]
    for worker in workers:
        worker.start()
    try:
        outcomes = dict(results.get(timeout=TIMEOUT) for _ in workers)
    finally:
        for worker in workers:
            worker.join(timeout=TIMEOUT)
            if worker.is_alive():
                worker.kill()
    assert [w.exitcode for w in workers] == [0] * len(workers)
    return [outcomes[i] for i in range(len(jobs))]


@pytest.fixture(params=["threads", "processes"])
def race(request, app):
    """race(jobs) -> outcomes: the jobs run at the same moment in threads or in processes."""
    run = race_in_threads if request.param == "threads" else race_in_processes
    return partial(run, app)


def kinds(outcomes) -> list[str]:
    return [kind for kind, _ in outcomes]


# -- Jobs (module level, so a spawned process can unpickle them) -------------------------

def checkout_job(buyer_id: int, data: orders.CheckoutData, today) -> list[int]:
    buyer = db.session.get(User, buyer_id)
    return [order.id for order in orders.checkout(buyer, data, utcnow(), today)]


def approve_job(ppk_id: int, order_id: int, today) -> str:
    return orders.approve(db.session.get(User, ppk_id), db.session.get(Order, order_id), utcnow(), today)


def cancel_job(buyer_id: int, order_id: int) -> None:
    buyer, order = db.session.get(User, buyer_id), db.session.get(Order, order_id)
    orders.cancel(buyer, order, "Anggaran dialihkan", utcnow())


class Abandoned(Exception):
    """A request that failed after the SP number was taken (its transaction rolls back)."""


def approve_then_fail_job(ppk_id: int, order_id: int, today) -> str:
    number = approve_job(ppk_id, order_id, today)
    time.sleep(0.05)  # hold the number while the others wait for it
    raise Abandoned(number)


# -- Data -------------------------------------------------------------------------------

@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def buyers_with_carts(p, create_org, create_user, product, quantities) -> list[tuple[User, User, int]]:
    """One new PP per quantity, over three OPDs, each with the product in the cart: (pp, ppk, quantity)."""
    opds = [(p.pp.org, p.ppk)]
    for code in ("DINKES", "DISHUB"):
        org = create_org(OrgKind.OPD, name=f"Dinas {code}", code=code)
        opds.append((org, create_user(Role.PPK, org=org)))
    buyers = []
    for i, quantity in enumerate(quantities):
        org, ppk = opds[i % len(opds)]
        pp = create_user(Role.PP, org=org)
        orders.add_to_cart(pp, product, quantity, oh.today())
        buyers.append((pp, ppk, quantity))
    db.session.commit()
    return buyers


def confirmed_orders(p, count: int) -> list[Order]:
    """`count` orders of p's OPD, confirmed by the supplier and waiting for the PPK."""
    product = oh.listed(p, stock=None)
    made = []
    for _ in range(count):
        order = oh.place(p, product, 1)
        orders.confirm(p.supplier, order, utcnow())
        db.session.commit()
        made.append(order)
    return made


def sp_numbers(order_ids) -> dict[int, str | None]:
    return dict(db.session.execute(sa.select(Order.id, Order.sp_number).where(Order.id.in_(order_ids))).all())


def last_sp_number(p) -> int | None:
    return db.session.scalar(sa.select(DocumentSequence.last).where(
        DocumentSequence.opd_id == p.pp.org_id, DocumentSequence.kind == OrderDocumentKind.SURAT_PESANAN,
        DocumentSequence.year == oh.today().year))


def audit_count(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == action))


# -- Last units -------------------------------------------------------------------------

def test_last_units_are_never_oversold(p, create_org, create_user, race):
    stock = 5
    product = oh.listed(p, stock=stock)
    buyers = buyers_with_carts(p, create_org, create_user, product, [1, 2] * 6)  # 18 wanted, 5 in stock
    today = oh.today()
    # Each buyer orders under its own OPD's package.
    jobs = [(checkout_job, (pp.id, oh.checkout_data(p, ppk_id=ppk.id, package_id=oh.package(pp).id), today))
            for pp, ppk, _ in buyers]

    outcomes = race(jobs)

    db.session.rollback()  # a fresh look at what the workers committed
    assert set(kinds(outcomes)) <= {"ok", "DomainError"}, [o for o in outcomes if o[0] != "ok"]
    left = db.session.scalar(sa.select(Product.stock).where(Product.id == product.id))
    ordered = dict(db.session.execute(
        sa.select(Order.buyer_id, OrderItem.quantity).join(OrderItem.order)
        .where(OrderItem.product_id == product.id)).all())
    won = {pp.id: quantity for (pp, _, quantity), (kind, _) in zip(buyers, outcomes) if kind == "ok"}
    lost = [(pp, quantity) for (pp, _, quantity), (kind, _) in zip(buyers, outcomes) if kind != "ok"]
    assert left >= 0
    assert sum(ordered.values()) + left == stock
    assert ordered == won  # one order per winner, with the quantity in its cart
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == len(won)
    assert lost, "more was wanted than was in stock: someone must have been refused"
    for pp, quantity in lost:
        assert quantity > left, "refused although enough was left"
        cart = db.session.scalars(sa.select(CartItem.quantity).where(CartItem.user_id == pp.id)).all()
        assert cart == [quantity]  # the refused buyer's cart is as it was
    assert not db.session.scalars(sa.select(CartItem).where(CartItem.user_id.in_(won))).all()
    assert audit_count("order.submitted") == len(won)
    assert audit.verify_chain().ok  # last: it empties the session


def test_carts_holding_the_same_products_in_another_order_all_check_out(p, create_user, create_supplier,
                                                                       race):
    # Stock for everyone: nobody may be refused, and nobody may fail on a lock
    # (PostgreSQL: a deadlock if two checkouts took the same rows in opposite orders).
    other = dataclasses.replace(p, supplier=create_supplier())
    products = [oh.listed(p, "Kertas HVS A4", stock=50), oh.listed(p, "Map Plastik", stock=50),
                oh.listed(other, "Tinta Printer", stock=50)]
    buyers = []
    for i in range(8):
        pp = create_user(Role.PP, org=p.pp.org)
        for product in products[i % 3:] + products[:i % 3]:  # each cart starts with another product
            orders.add_to_cart(pp, product, 1 + i % 2, oh.today())
            db.session.commit()  # a cart item's id is its place in the cart
        buyers.append(pp)
    today = oh.today()

    outcomes = race([(checkout_job, (pp.id, oh.checkout_data(p), today)) for pp in buyers])

    db.session.rollback()
    assert kinds(outcomes) == ["ok"] * len(buyers), [o for o in outcomes if o[0] != "ok"]
    taken = sum(1 + i % 2 for i in range(len(buyers)))
    stocks = db.session.scalars(sa.select(Product.stock).where(Product.id.in_([x.id for x in products]))
                                .order_by(Product.id)).all()
    assert stocks == [50 - taken] * 3
    assert audit_count("order.submitted") == 2 * len(buyers)  # one order per supplier and buyer
    assert audit.verify_chain().ok


def test_orders_holding_the_same_products_in_another_order_cancel_together(p, race):
    # Cancelling gives the stock back, row by row: the same deadlock to avoid.
    products = [oh.listed(p, "Kertas HVS A4", stock=50), oh.listed(p, "Map Plastik", stock=50)]
    made = []
    for i in range(8):
        for product in products if i % 2 else products[::-1]:
            orders.add_to_cart(p.pp, product, 1, oh.today())
            db.session.commit()
        made.append(orders.checkout(p.pp, oh.checkout_data(p), utcnow(), oh.today())[0])
        db.session.commit()

    outcomes = race([(cancel_job, (p.pp.id, order.id)) for order in made])

    db.session.rollback()
    assert kinds(outcomes) == ["ok"] * len(made), [o for o in outcomes if o[0] != "ok"]
    stocks = db.session.scalars(sa.select(Product.stock).where(Product.id.in_([x.id for x in products]))
                                .order_by(Product.id)).all()
    assert stocks == [50, 50]
    assert audit_count("order.cancelled") == len(made)
    assert audit.verify_chain().ok


# -- SP numbers -------------------------------------------------------------------------

def test_concurrent_approvals_number_the_sp_without_gaps_or_duplicates(p, race):
    count = 10
    made = confirmed_orders(p, count)
    today = oh.today()
    ids = [order.id for order in made]

    outcomes = race([(approve_job, (p.ppk.id, order_id, today)) for order_id in ids])

    db.session.rollback()
    assert kinds(outcomes) == ["ok"] * count, outcomes
    expected = [f"SP/{p.opd_code}/{today.year}/{n:04d}" for n in range(1, count + 1)]
    assert sorted(number for _, number in outcomes) == expected
    assert sorted(sp_numbers(ids).values()) == expected  # each order kept the number it was given
    assert sp_numbers(ids) == {order_id: number for order_id, (_, number) in zip(ids, outcomes)}
    assert last_sp_number(p) == count
    assert audit_count("order.approved") == count
    assert audit.verify_chain().ok


def test_a_rolled_back_approval_gives_its_sp_number_back(p, race):
    count, failing = 10, {1, 4, 7}
    made = confirmed_orders(p, count)
    today = oh.today()
    ids = [order.id for order in made]
    jobs = [(approve_then_fail_job if i in failing else approve_job, (p.ppk.id, order_id, today))
            for i, order_id in enumerate(ids)]

    outcomes = race(jobs)

    db.session.rollback()
    assert kinds(outcomes) == ["Abandoned" if i in failing else "ok" for i in range(count)], outcomes
    landed = count - len(failing)
    expected = [f"SP/{p.opd_code}/{today.year}/{n:04d}" for n in range(1, landed + 1)]
    numbers = sp_numbers(ids)
    assert sorted(n for n in numbers.values() if n) == expected
    assert [numbers[ids[i]] for i in failing] == [None] * len(failing)
    statuses = dict(db.session.execute(sa.select(Order.id, Order.status).where(Order.id.in_(ids))).all())
    assert [statuses[ids[i]] for i in failing] == [OrderStatus.CONFIRMED] * len(failing)
    assert last_sp_number(p) == landed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrderDocument).where(
        OrderDocument.kind == OrderDocumentKind.SURAT_PESANAN)) == landed
    assert audit_count("order.approved") == landed
    assert audit.verify_chain().ok


# -- Double click -----------------------------------------------------------------------

def test_double_click_on_approve_approves_once(p, race):
    made = confirmed_orders(p, 3)
    today = oh.today()
    ids = [order.id for order in made]

    rounds = [race([(approve_job, (p.ppk.id, order_id, today))] * 2) for order_id in ids]

    db.session.rollback()
    for outcomes in rounds:
        assert sorted(kinds(outcomes)) == ["WrongState", "ok"], outcomes
    numbers = sp_numbers(ids)
    assert [numbers[order_id] for order_id in ids] == [
        next(number for kind, number in outcomes if kind == "ok") for outcomes in rounds]
    assert sorted(numbers.values()) == [f"SP/{p.opd_code}/{today.year}/{n:04d}" for n in (1, 2, 3)]
    assert last_sp_number(p) == 3
    for order_id in ids:
        approvals = [e for e in audit.entries_for("orders", order_id) if e.action == "order.approved"]
        assert len(approvals) == 1
    assert audit.verify_chain().ok


# -- Expiry beside checkouts ------------------------------------------------------------

def expire_job() -> list[int]:
    return orders.expire_overdue(utcnow())


def test_expiry_beside_checkouts_of_the_same_products_neither_deadlocks_nor_loses_stock(
        p, create_user, race):
    # Expiry ends several orders in one transaction. Had it locked each order's products
    # only when releasing them, it would hold the audit lock (after the first order)
    # while waiting for B, and a checkout holding B would wait for the audit lock: a
    # deadlock on PostgreSQL. It locks every product first, in id order, as checkout does.
    from datetime import timedelta

    today = oh.today()
    a, b = oh.listed(p, "Kertas A", stock=100), oh.listed(p, "Kertas B", stock=100)
    overdue = []
    for product in (a, b):  # one overdue order holding A, one holding B
        orders.add_to_cart(p.pp, product, 3, today)
        overdue += orders.checkout(p.pp, oh.checkout_data(p), utcnow(), today)
        db.session.commit()
    for order in overdue:
        order.supplier_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    buyers = []
    for i in range(6):  # carts holding one of the products
        pp = create_user(Role.PP, org=p.pp.org)
        orders.add_to_cart(pp, b if i % 2 else a, 1, today)
        buyers.append(pp)
    db.session.commit()
    overdue_ids = sorted(o.id for o in overdue)
    jobs = [(expire_job, ())] + [(checkout_job, (pp.id, oh.checkout_data(p), today)) for pp in buyers]

    outcomes = race(jobs)

    db.session.rollback()
    assert kinds(outcomes) == ["ok"] * len(jobs), [o for o in outcomes if o[0] != "ok"]
    assert sorted(outcomes[0][1]) == overdue_ids
    stock = dict(db.session.execute(sa.select(Product.id, Product.stock).where(Product.id.in_([a.id, b.id]))).all())
    assert stock == {a.id: 100 - 3, b.id: 100 - 3}  # the expired orders' units came back, 3 of each went out
    assert audit_count("order.expired") == 2 and audit.verify_chain().ok


# -- A sanction imposed while the PPK approves -------------------------------------------

def sanction_job(admin_id: int, supplier_id: int, today) -> None:
    from datetime import timedelta

    from pbj.models.suppliers import Sanction, SupplierProfile
    from pbj.services import suppliers

    suppliers.sanction_supplier(db.session.get(User, admin_id), db.session.get(SupplierProfile, supplier_id),
                                Sanction.SUSPENDED, "Terlambat mengirim", today + timedelta(days=30), today)


def test_a_sanction_beside_approvals_either_stops_them_or_comes_after(p, race):
    # Approval reads the supplier under a share lock: an order approved in the same moment
    # as the sanction is recorded as approved before it, never approved after the
    # sanction's entry said it was stopped.
    import json

    made = confirmed_orders(p, 3)
    ids = [order.id for order in made]
    today = oh.today()
    jobs = [(approve_job, (p.ppk.id, order_id, today)) for order_id in ids]
    jobs.insert(1, (sanction_job, (p.admin.id, p.supplier.org_id, today)))

    outcomes = race(jobs)

    db.session.rollback()
    assert outcomes[1][0] == "ok", outcomes[1][1]
    assert set(kinds(outcomes)) <= {"ok", "WrongState"}, outcomes
    statuses = dict(db.session.execute(sa.select(Order.id, Order.status).where(Order.id.in_(ids))).all())
    for order_id in ids:
        entries = audit.entries_for("orders", order_id)
        sanctioned = [e for e in entries if e.action == "order.supplier_sanctioned"]
        approved = [e for e in entries if e.action == "order.approved"]
        assert len(sanctioned) == 1
        if statuses[order_id] is OrderStatus.APPROVED:
            assert approved[0].id < sanctioned[0].id
            assert json.loads(sanctioned[0].detail)["stops_order"] is False
        else:
            assert statuses[order_id] is OrderStatus.CONFIRMED and not approved
            assert json.loads(sanctioned[0].detail)["stops_order"] is True
    assert audit.verify_chain().ok
