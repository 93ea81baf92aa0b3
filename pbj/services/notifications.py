"""Telling the other side of an order what happened: in-app, and by e-mail.

In-app notifications are rows written in the same transaction as the change.
E-mails wait until that transaction commits (a rolled-back change sends
nothing, and no SMTP call runs while the database write lock is held): order
e-mails, and through `mail_after_commit` every other e-mail a request sends
(an admin-created account's welcome, a password link).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import event

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.messages import gettext as _
from pbj.models.accounts import Role, User
from pbj.models.orders import Notification, Order
from pbj.services.events import order_event_label
from pbj.urls import absolute_url

# Events the treasurer must hear about besides the buyer and the PPK.
TREASURER_EVENTS = {"order.received", "order.rest_cancelled"}
# Events only the buying side hears about (the supplier knows it was sanctioned).
BUYER_ONLY_EVENTS = {"order.supplier_sanctioned"}


def recipients(order: Order, event_name: str, actor: User | None) -> list[User]:
    """Everyone on the order's two sides who should know, except the actor."""
    people: dict[int, User] = {}
    for user in (order.buyer, order.ppk):
        people[user.id] = user
    if event_name not in BUYER_ONLY_EVENTS:
        supplier_users = db.session.scalars(sa.select(User).where(User.org_id == order.supplier_id,
                                                                  User.role == Role.PENYEDIA))
        for user in supplier_users:
            people[user.id] = user
    if event_name in TREASURER_EVENTS:
        for user in db.session.scalars(sa.select(User).where(User.org_id == order.opd_id,
                                                             User.role == Role.BENDAHARA)):
            people[user.id] = user
    if actor is not None:
        people.pop(actor.id, None)
    return [u for u in people.values() if u.is_active]


def notify(order: Order, when: datetime, event_name: str, actor: User | None) -> list[Notification]:
    made = []
    for user in recipients(order, event_name, actor):
        note = Notification(user_id=user.id, order_id=order.id, event=event_name, created_at=when)
        db.session.add(note)
        made.append(note)
        _queue_mail(user.email, order.id, event_name)
    return made


def unread_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(user: User) -> int:
    return db.session.execute(
        sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())).rowcount


# -- E-mail after commit ----------------------------------------------------------------

def mail_after_commit(address: str, subject: str, body: str) -> None:
    """Send this message once the current transaction commits; never if it rolls back.

    No welcome or password link goes out for an account or token that a failed
    commit took back. Subject and body are composed now (in the request's language).
    """
    _queue(address, lambda: (subject, body))


def _queue_mail(address: str, order_id: int, event_name: str) -> None:
    _queue(address, partial(message_for, order_id, event_name))


def _queue(address: str, compose: Callable[[], tuple[str, str]]) -> None:
    session = db.session()
    if not session.in_transaction():
        # A rollback with no transaction begun fires no event and would leave the
        # message queued for whatever commits next.
        session.begin()
    session.info.setdefault("pbj_mail", []).append((address, compose))


def message_for(order_id: int, event_name: str) -> tuple[str, str]:
    """Subject and body, in the default language (e-mails go out without a request)."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "id")):
        what = order_event_label(event_name)
        subject = _("Order #%(id)s: %(what)s", id=order_id, what=what)
        body = _("Order #%(id)s: %(what)s.\n\nOpen the order: %(url)s\n", id=order_id, what=what,
                 url=absolute_url("orders.detail", order_id=order_id))
    return subject, body


def _send_queued(session) -> None:
    queued = session.info.pop("pbj_mail", [])
    if not queued:
        return
    from pbj.services.mail import send_mail

    for address, compose in queued:
        try:
            subject, body = compose()
            send_mail(address, subject, body)
        except Exception:  # noqa: BLE001 -- logged; see below
            # This runs inside commit(), after the change is committed and the in-app
            # notification is there: an error raised here would escape commit() and turn
            # the user's completed action into an error page (the caller's rollback then
            # fails too). A mail server being down or a message that cannot be composed
            # is logged, and the other e-mails still go out.
            current_app.logger.exception("could not send the e-mail to %s", address)


def _drop_queued(session, previous_transaction=None) -> None:
    session.info.pop("pbj_mail", None)


_installed = False


def install(scoped_session) -> None:
    """Hook the queue to the app's sessions (once per process, from create_app)."""
    global _installed
    if not _installed:
        event.listen(scoped_session, "after_commit", _send_queued)
        event.listen(scoped_session, "after_soft_rollback", _drop_queued)
        _installed = True
