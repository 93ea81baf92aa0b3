"""Account e-mails (welcome, password link) go out after the commit, and only then."""
from pathlib import Path

import pytest
from sqlalchemy import event

from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role, User
from tests.conftest import PASSWORD


def _outbox(app) -> list[Path]:
    outbox = Path(app.instance_path, "outbox")
    return sorted(outbox.glob("*.eml")) if outbox.exists() else []


@pytest.fixture
def fail_commits():
    """Call it to make every later commit fail, as a lost connection or a serialization error would."""
    def fail(session):
        raise RuntimeError("the commit failed")

    def start():
        event.listen(db.session, "before_commit", fail)

    yield start
    if event.contains(db.session, "before_commit", fail):
        event.remove(db.session, "before_commit", fail)


@pytest.fixture
def admin_client(app, client, create_user, create_org):
    admin = create_user(Role.ADMIN)
    app.opd_id = create_org(OrgKind.OPD).id
    assert client.post("/masuk", data={"email": admin.email, "password": PASSWORD}).status_code == 303
    return client


def _new_account(app, client, email="baru@contoh.go.id"):
    return client.post("/admin/pengguna", data={"name": "Pegawai Baru", "email": email, "role": "pp",
                                                "org_id": app.opd_id})


def test_no_welcome_mail_when_the_account_is_not_committed(app, admin_client, fail_commits):
    fail_commits()
    assert _new_account(app, admin_client).status_code == 500
    assert _outbox(app) == []
    assert db.session.query(User).filter_by(email="baru@contoh.go.id").count() == 0


def test_one_welcome_mail_when_the_account_is_committed(app, admin_client):
    assert _new_account(app, admin_client).status_code == 303
    [mail] = _outbox(app)
    assert b"baru@contoh.go.id" in mail.read_bytes()
    db.session.commit()  # a later commit in the same session sends nothing more
    assert len(_outbox(app)) == 1


def test_no_password_link_when_the_request_is_not_committed(app, client, create_user, fail_commits):
    user = create_user(Role.PPK)
    fail_commits()
    assert client.post("/lupa-sandi", data={"email": user.email}).status_code == 500
    assert _outbox(app) == []


def test_one_password_link_when_the_request_is_committed(app, client, create_user):
    user = create_user(Role.PPK)
    assert client.post("/lupa-sandi", data={"email": user.email}).status_code == 303
    [mail] = _outbox(app)
    assert user.email.encode() in mail.read_bytes()
