"""E-mail: a real SMTP server on loopback (aiosmtpd), and the development outbox."""
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from pbj.services.mail import send_mail


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_message_goes_through_smtp_when_configured(app, smtp_server):
    controller, handler = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False)
    assert send_mail("pp@disdik.go.id", "Pesanan baru", "Ada pesanan menunggu persetujuan.") is None
    assert len(handler.messages) == 1
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["pp@disdik.go.id"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Pesanan baru"
    assert "menunggu persetujuan" in message.get_content()


def test_without_smtp_the_message_lands_in_the_outbox(app):
    path = send_mail("ppk@dinkes.go.id", "Subjek", "Isi pesan")
    assert path.parent.name == "outbox" and path.parent.parent == __import__("pathlib").Path(app.instance_path)
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "ppk@dinkes.go.id"
    assert message.get_content().strip() == "Isi pesan"


def _outbox(app):
    outbox = __import__("pathlib").Path(app.instance_path, "outbox")
    return sorted(outbox.glob("*.eml")) if outbox.exists() else []


def test_mail_after_commit_waits_for_the_commit_and_is_dropped_on_rollback(app):
    from pbj.extensions import db
    from pbj.services import notifications

    notifications.mail_after_commit("pp@disdik.go.id", "Dibatalkan", "Tidak terkirim")
    assert _outbox(app) == []  # nothing before the commit
    db.session.rollback()
    db.session.commit()
    assert _outbox(app) == []  # the rollback dropped it
    notifications.mail_after_commit("pp@disdik.go.id", "Akun baru", "Terkirim sekali")
    db.session.commit()
    [path] = _outbox(app)
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Akun baru" and message.get_content().strip() == "Terkirim sekali"
    db.session.commit()
    assert len(_outbox(app)) == 1


def test_an_e_mail_that_fails_after_the_commit_never_turns_the_commit_into_an_error(
        app, create_org, create_user, create_supplier, monkeypatch, caplog):
    # The e-mails go out from the session's after_commit hook: the change is already
    # committed. An error while composing one (here: the message cannot be built) or
    # sending it (an address the mail library refuses) is logged; commit() returns
    # normally, as the request's commit must, and the other e-mails still go out.
    import sqlalchemy as sa

    from pbj.clock import utcnow
    from pbj.extensions import db
    from pbj.models.orders import Notification
    from pbj.services import mail, notifications
    from tests import order_helpers as oh

    p = oh.parties(create_org, create_user, create_supplier)
    order = oh.place(p, oh.listed(p), 1)
    real_send = mail.send_mail

    def send(address, subject, body):
        if address == "rusak@contoh.go.id":
            raise ValueError("address refused by the mail library")
        return real_send(address, subject, body)

    def unbuildable(order_id, event_name):
        raise RuntimeError("the message cannot be composed")

    monkeypatch.setattr(mail, "send_mail", send)
    monkeypatch.setattr(notifications, "message_for", unbuildable)
    sent_before = set(_outbox(app))
    notifications.notify(order, utcnow(), "order.confirmed", p.supplier)  # e-mails the buyer's side
    notifications.mail_after_commit("rusak@contoh.go.id", "Akun baru", "Tidak terkirim")
    notifications.mail_after_commit("pp@disdik.go.id", "Akun baru", "Terkirim")

    db.session.commit()  # no exception: the commit succeeded

    [path] = set(_outbox(app)) - sent_before
    assert email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["To"] == "pp@disdik.go.id"
    assert "could not send the e-mail to rusak@contoh.go.id" in caplog.text
    assert "the message cannot be composed" in caplog.text
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.order_id == order.id)) >= 2  # the committed rows are there
