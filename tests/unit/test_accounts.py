import pytest

from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role
from pbj.models.audit import AuditEntry
from pbj.services import accounts
from pbj.services.errors import DomainError, NotAllowed
from tests.conftest import PASSWORD
from tests.refusals import refused


def _actions():
    return [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]


def test_password_is_stored_as_argon2id(app, create_user):
    user = create_user(Role.PP)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_authenticate_records_success_and_failure(app, create_user):
    user = create_user(Role.PPK)
    for email, password, reason in [(user.email, "salah-sandi-123", "wrong password"),
                                    ("nobody@contoh.go.id", "whatever-123", "unknown account")]:
        with pytest.raises(accounts.LoginRefused) as caught:
            accounts.authenticate(email, password)
        assert caught.value.reason == reason
        accounts.record_failed_login(caught.value)
    assert accounts.authenticate(user.email.upper(), PASSWORD) == user
    assert _actions()[-3:] == ["auth.login_failed", "auth.login_failed", "auth.login_succeeded"]


def test_inactive_user_cannot_authenticate(app, create_user):
    admin = create_user(Role.ADMIN)
    user = create_user(Role.PP)
    accounts.set_active(admin, user, False)
    with pytest.raises(accounts.LoginRefused) as caught:
        accounts.authenticate(user.email, PASSWORD)
    assert caught.value.reason == "inactive"


def test_deactivation_moves_the_session_version(app, create_user):
    admin = create_user(Role.ADMIN)
    user = create_user(Role.PP)
    before = user.session_version
    accounts.set_active(admin, user, False)
    assert user.session_version == before + 1
    assert "user.deactivated" in _actions()


def test_only_admin_creates_users(app, create_user, create_org):
    pp = create_user(Role.PP)
    with pytest.raises(NotAllowed):
        accounts.create_user(pp, org=pp.org, email="x@contoh.go.id", name="X", role=Role.PP, password=PASSWORD)


def test_role_must_fit_the_organisation(app, create_user, create_org):
    admin = create_user(Role.ADMIN)
    opd = create_org(OrgKind.OPD)
    with refused(DomainError, "This role does not belong in this kind of organisation.", field="role"):
        accounts.create_user(admin, org=opd, email="a@contoh.go.id", name="A", role=Role.ADMIN, password=PASSWORD)


def test_duplicate_email_is_refused_case_insensitively(app, create_user):
    admin = create_user(Role.ADMIN)
    user = create_user(Role.PP)
    with refused(DomainError, "An account with this e-mail address already exists.", field="email"):
        accounts.create_user(admin, org=user.org, email=user.email.upper(), name="B", role=Role.PP, password=PASSWORD)


def test_role_change_is_audited_and_ends_sessions(app, create_user):
    admin = create_user(Role.ADMIN)
    user = create_user(Role.PP)
    version = user.session_version
    accounts.change_role(admin, user, Role.PPK)
    assert user.role is Role.PPK and user.session_version == version + 1
    entry = db.session.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
    assert entry.action == "user.role_changed"
    assert entry.detail_data == {"old": "pp", "new": "ppk"}


def test_reset_token_is_single_use(app, create_user):
    user = create_user(Role.PP)
    token = accounts.make_reset_token(user)
    assert accounts.user_for_reset_token(token) == user
    accounts.reset_password(user, "kata-sandi-baru-456")
    assert accounts.user_for_reset_token(token) is None
    assert accounts.user_for_reset_token("not-a-token") is None


def test_reset_token_expires(app, create_user):
    user = create_user(Role.PP)
    token = accounts.make_reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE_SECONDS"] = -1
    assert accounts.user_for_reset_token(token) is None
