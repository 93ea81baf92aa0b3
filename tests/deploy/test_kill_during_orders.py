"""SIGKILL of the app server in the middle of order traffic, then a restart (issue 16).

gunicorn (gunicorn.conf.py, two workers, `PBJ_ENV=production`) serves the test's
database; two PPs place orders through the real forms, the supplier confirms them and
the PPK approves them (issuing Surat Pesanan numbers), as fast as the server answers.
The master and its workers are killed at once with SIGKILL — no request finishes, no
handler runs — and started again while the traffic goes on. Then: every order the
server acknowledged (303) is there, with its lines, in the state acknowledged; no
order is half written; the stock is the initial stock less exactly what live orders
hold; the SP numbers are gapless; the audit chain verifies. On SQLite and PostgreSQL.
"""
from __future__ import annotations

import os
import re
import signal
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbj.clock import city_today
from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.orders import DEAD_STATUSES, DocumentSequence, Order, OrderDocumentKind, OrderItem, OrderStatus
from pbj.models.catalogue import Product
from pbj.services import audit
from tests import order_helpers as oh
from tests.live_http import Server, Visitor, free_port, send, start_gunicorn, wait_until_up

pytestmark = pytest.mark.slow  # a server started twice and a few seconds of traffic

STOCK = 100_000


class Traffic:
    """What the server acknowledged, per kind, and the errors that are not the kill's."""

    def __init__(self):
        self.placed: list[int] = []
        self.confirmed: list[int] = []
        self.approved: list[int] = []
        self.unexpected: list[str] = []
        self.cut_off = 0  # requests the kill or the restart left without an answer
        self.stop = threading.Event()
        self.lock = threading.Lock()


def _loop(traffic: Traffic, step) -> None:
    while not traffic.stop.is_set():
        try:
            step()
        except OSError:  # the server is being killed or started: try again
            traffic.cut_off += 1
            time.sleep(0.05)
        except Exception as error:  # noqa: BLE001 -- reported to the test, which fails on any
            traffic.unexpected.append(repr(error))
            return


def _buyer(server: Server, origin: str, email: str, product_id: int, form: dict, traffic: Traffic):
    visitor = Visitor(origin, send)
    token: list[str] = []

    def step():
        if not token:
            if visitor.log_in(server, email).status != 303:
                raise AssertionError("the PP could not log in")
            token.append(visitor.token(server, "/keranjang"))
        added = visitor.post(server, "/keranjang", {"csrf_token": token[0], "product_id": product_id,
                                                    "quantity": 1})
        if added.status != 303:
            raise AssertionError(f"add to cart: {added.status}")
        placed = visitor.post(server, "/keranjang/pesan", {"csrf_token": token[0], **form})
        if placed.status == 303:
            with traffic.lock:
                traffic.placed.append(int(re.search(r"/pesanan/(\d+)$", placed.headers["Location"]).group(1)))
        elif placed.status != 422:  # 422: the cart was emptied by a checkout the kill cut short
            raise AssertionError(f"checkout: {placed.status} {placed.text[:300]}")

    _loop(traffic, step)


def _actor(server: Server, origin: str, email: str, source: list[int], done: list[int], action: str,
           fields: dict, traffic: Traffic):
    visitor = Visitor(origin, send)
    token: list[str] = []
    passed: set[int] = set()

    def step():
        if not token:
            if visitor.log_in(server, email).status != 303:
                raise AssertionError(f"{action}: could not log in")
            token.append(visitor.token(server, "/pesanan"))
        with traffic.lock:
            waiting = [i for i in source if i not in done and i not in passed]
        if not waiting:
            time.sleep(0.02)
            return
        answer = visitor.post(server, f"/pesanan/{waiting[0]}/{action}", {"csrf_token": token[0], **fields})
        if answer.status == 303:
            with traffic.lock:
                done.append(waiting[0])
        elif answer.status in (403, 409):  # done by a request the kill cut short after its commit
            passed.add(waiting[0])
        else:
            raise AssertionError(f"{action} #{waiting[0]}: {answer.status}")

    _loop(traffic, step)


def _wait_for(traffic: Traffic, condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and not traffic.unexpected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not traffic.unexpected, traffic.unexpected
    assert condition(), "the traffic did not get that far in time"


def test_orders_survive_a_sigkill_of_the_app_server(app, database_uri, tmp_path, create_org, create_user,
                                                    create_supplier):
    p = oh.parties(create_org, create_user, create_supplier)
    second_pp = create_user(Role.PP, org=p.pp.org)
    product = oh.listed(p, stock=STOCK)
    package = oh.package(p)
    form = {"package_id": package.id, "delivery_address": "Jl. Diponegoro 5, Singkawang",
            "needed_by": (city_today() + timedelta(days=14)).strftime("%d/%m/%Y"), "ppk_id": p.ppk.id,
            "payment_method": "ls"}
    emails = {"pp": p.pp.email, "pp2": second_pp.email, "supplier": p.supplier.email, "ppk": p.ppk.email}
    product_id, opd_id = product.id, p.pp.org_id
    db.session.commit()
    db.session.remove()  # the servers need the database

    server = Server("app", free_port())
    origin = f"http://127.0.0.1:{server.port}"
    env = {"PBJ_ENV": "production", "SECRET_KEY": "kill-test-secret-key-0123456789-abcdefghij",
           "DATABASE_URL": database_uri, "PUBLIC_BASE_URL": origin, "WEB_CONCURRENCY": "2",
           "PBJ_INSTANCE_PATH": str(tmp_path / "instance"), "PBJ_ACCESS_LOG": ""}
    log = tmp_path / "gunicorn.log"

    def up():
        start_gunicorn(server, env, log)
        wait_until_up(server, lambda: send(server, "GET", "/healthz", headers={"Host": f"127.0.0.1:{server.port}"}),
                      [log])

    up()
    traffic = Traffic()
    threads = [threading.Thread(target=_buyer, args=(server, origin, emails[who], product_id, form, traffic))
               for who in ("pp", "pp2")]
    threads.append(threading.Thread(target=_actor, args=(server, origin, emails["supplier"], traffic.placed,
                                                         traffic.confirmed, "konfirmasi", {}, traffic)))
    threads.append(threading.Thread(target=_actor, args=(server, origin, emails["ppk"], traffic.confirmed,
                                                         traffic.approved, "setujui", {"payment_method": "ls"},
                                                         traffic)))
    try:
        for thread in threads:
            thread.start()
        _wait_for(traffic, lambda: len(traffic.placed) >= 8 and len(traffic.approved) >= 3)
        os.killpg(server.process.pid, signal.SIGKILL)  # master and workers, mid-request
        server.process.wait(timeout=10)
        killed_at = len(traffic.placed), len(traffic.approved)
        up()
        _wait_for(traffic, lambda: len(traffic.placed) >= killed_at[0] + 6 and len(traffic.approved) >= killed_at[1] + 2)
    finally:
        traffic.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        if server.process is not None and server.process.poll() is None:
            os.killpg(server.process.pid, signal.SIGTERM)
            server.process.wait(timeout=20)
    assert not traffic.unexpected, traffic.unexpected
    assert traffic.cut_off >= 2  # the buyers, at least, were in the middle of their traffic when it died
    print(f"placed {len(traffic.placed)}, confirmed {len(traffic.confirmed)}, approved {len(traffic.approved)}, "
          f"cut off {traffic.cut_off}; at the kill: {killed_at}")

    with app.app_context():
        orders = {o.id: o for o in db.session.scalars(sa.select(Order))}
        # Every acknowledged order, confirmation and approval is there.
        assert set(traffic.placed) <= set(orders)
        assert all(orders[i].status is not OrderStatus.SUBMITTED for i in traffic.confirmed)
        assert all(orders[i].sp_number for i in traffic.approved)
        # No half-written order: each has its line.
        with_lines = set(db.session.scalars(sa.select(OrderItem.order_id).distinct()))
        assert with_lines == set(orders)
        # Stock: the initial stock less exactly what the live orders hold, never below zero.
        held = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(OrderItem.quantity), 0))
                                 .join(Order).where(Order.status.not_in(DEAD_STATUSES)))
        stock = db.session.get(Product, product_id).stock
        assert stock == STOCK - held and stock >= 0
        # SP numbers gapless: 1 … the sequence's last, each once.
        issued = sorted(int(o.sp_number.rsplit("/", 1)[1]) for o in orders.values() if o.sp_number)
        last = db.session.scalar(sa.select(DocumentSequence.last).where(
            DocumentSequence.opd_id == opd_id, DocumentSequence.kind == OrderDocumentKind.SURAT_PESANAN))
        assert issued == list(range(1, last + 1))
        assert len(issued) >= len(traffic.approved) >= 5
        assert audit.verify_chain().ok
        db.session.remove()
