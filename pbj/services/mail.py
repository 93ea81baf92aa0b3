"""Outgoing e-mail: SMTP when configured, otherwise a file in instance/outbox/."""
from __future__ import annotations

import email
import email.policy
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from pbj.clock import utcnow


def send_mail(to: str, subject: str, body: str) -> Path | None:
    """Send one plain-text message. Returns the outbox file in development."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@pbj-ekatalog>"
    msg.set_content(body)

    if not cfg.get("MAIL_SERVER"):
        outbox = Path(current_app.instance_path) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(msg))
        return path

    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=15) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)
    return None


def outbox_folder() -> Path:
    return Path(current_app.instance_path) / "outbox"


def latest_in_outbox(to: str | None = None) -> tuple[Path, EmailMessage] | None:
    """The newest message written to the outbox (to `to`, when given), parsed."""
    folder = outbox_folder()
    files = sorted(folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    wanted = to.strip().lower() if to else None
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if wanted is None or wanted in str(message["To"] or "").lower():
            return path, message
    return None
