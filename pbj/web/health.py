"""What `/healthz` reports: each part the app needs, for a load balancer and a person."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from pbj.extensions import db
from pbj.services.uploads import uploads_writable
from pbj.web import throttling


def report() -> tuple[dict, int]:
    """503 only when this instance cannot serve (no database); a part it can do without
    (Redis, the upload folder) makes it "degraded" with 200 (docs/DEPLOY.md)."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except Exception:  # any failure to reach the database is the answer itself
        db.session.remove()
        database = "unreachable"
    parts = {"database": database, "redis": throttling.redis_status(),
             "uploads": "ok" if uploads_writable() else "not writable"}
    if database != "ok":
        status = "down"
    elif all(state in ("ok", "not used") for state in parts.values()):
        status = "ok"
    else:
        status = "degraded"
    return {"status": status, **parts, "version": current_app.config["VERSION"]}, (503 if status == "down" else 200)
