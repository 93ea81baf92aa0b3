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
