"""Accounts: organisations, users, login, passwords and sessions."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import NO_PASSWORD_PREFIX, OfficialParticulars, Organisation, OrgKind, Role, User
from pbj.services import audit, identity
from pbj.services.errors import DomainError, NotAllowed, WrongState
from pbj.services.passwords import burn_time, hash_password, needs_rehash, rehash, verify_password


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def require_admin(actor: User) -> None:
    if actor is None or actor.role is not Role.ADMIN or not actor.is_active:
        raise NotAllowed(_l("Only UKPBJ administrators may do this."))


# Officials who sign orders' documents and so carry a NIP.
OFFICIAL_ROLES = (Role.PP, Role.PPK, Role.BENDAHARA)


def clean_nip(raw: str | None) -> str | None:
    """A civil servant's NIP as 18 digits, or None when left empty.

    The NIP (PP 11/2017 on civil-servant management; BKN's numbering) is built as
    birth date YYYYMMDD, appointment YYYYMM, sex digit (1 man, 2 woman) and a
    3-digit serial from 001. Spaces and dots, as printed under signatures, are
    dropped. Refused with a plain reason when it cannot be a NIP.
    """
    nip = "".join(c for c in (raw or "") if c not in " .\t")
    if not nip:
        return None
    if len(nip) != 18 or not nip.isascii() or not nip.isdigit():
        raise DomainError(_l("A NIP has exactly 18 digits, e.g. 19850312 201001 1 004."), field="nip")
    from datetime import date

    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise DomainError(_l("The first 8 digits of a NIP are a birth date (YYYYMMDD); %(digits)s is not a "
                             "date.", digits=nip[0:8]), field="nip") from None
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12 or year < born.year + 15 or year > born.year + 70:
        raise DomainError(_l("Digits 9 to 14 of a NIP are the year and month of appointment (YYYYMM), after "
                             "the birth date; %(digits)s is not.", digits=nip[8:14]), field="nip")
    if nip[14] not in "12":
        raise DomainError(_l("Digit 15 of a NIP is 1 (man) or 2 (woman)."), field="nip")
    if nip[15:] == "000":
        raise DomainError(_l("The last 3 digits of a NIP are a serial number from 001."), field="nip")
    return nip


def set_nip(actor: User, user: User, raw: str | None) -> None:
    """Record an official's NIP: the official on their own account, or an administrator."""
    if actor is None or (actor.id != user.id and actor.role is not Role.ADMIN) or not actor.is_active:
        raise NotAllowed(_l("Only the official or a UKPBJ administrator may change this NIP."))
    nip = clean_nip(raw)
    if nip is not None and user.role not in OFFICIAL_ROLES:
        raise DomainError(_l("Only officials (PP, PPK, treasurer) carry a NIP here."), field="nip")
    if nip == user.nip:
        return
    if nip and db.session.scalar(sa.select(User.id).where(User.nip == nip, User.id != user.id)):
        raise DomainError(_l("Another account already has this NIP."), field="nip")
    old, user.nip = user.nip, nip
    audit.record("user.nip_changed", actor, user, nip=nip, previous_nip=old)


def set_particulars(actor: User, user: User, phone: str | None, address: str | None, npwp: str | None,
                    bank_account: str | None, now: datetime | None = None) -> OfficialParticulars:
    """An administrator copies an official's phone, home address, NPWP and salary account
    from the personnel records, for the conflict-of-interest check (docs/RULES.md "Risk
    flags"). Empty fields stay empty; the trail keeps what was entered."""
    require_admin(actor)
    if user.role not in (*OFFICIAL_ROLES, Role.ADMIN):
        raise DomainError(_l("Only officials' particulars are compared with suppliers'."))
    phone, address = " ".join((phone or "").split()), " ".join((address or "").split())
    if phone and (len(phone) > 20 or not 6 <= len(identity.digits(phone)) <= 15):
        raise DomainError(_l("Enter a telephone number of 6 to 15 digits, e.g. 0562 631234."), field="phone")
    if len(address) > 300:
        raise DomainError(_l("Write the address in at most 300 characters."), field="address")
    npwp_digits = identity.digits(npwp)
    if npwp_digits and len(npwp_digits) not in (15, 16):
        raise DomainError(_l("NPWP must have 15 or 16 digits."), field="npwp")
    account = identity.digits(bank_account)
    if account and not 6 <= len(account) <= 20:
        raise DomainError(_l("An account number has 6 to 20 digits."), field="bank_account")
    record = db.session.get(OfficialParticulars, user.id)
    if record is None:
        record = OfficialParticulars(user_id=user.id)
        db.session.add(record)
    record.phone, record.address = phone or None, address or None
    record.npwp, record.bank_account = npwp_digits or None, account or None
    record.updated_at, record.updated_by_id = now or utcnow(), actor.id
    audit.record("user.particulars_changed", actor, user, at=record.updated_at, phone=record.phone,
                 address=record.address, npwp=record.npwp, bank_account=record.bank_account)
    return record


def set_address(actor: User, org: Organisation, address: str | None) -> None:
    """An administrator records an OPD's office address (printed on its SP)."""
    require_admin(actor)
    address = " ".join((address or "").split())
    if len(address) > 300:
        raise DomainError(_l("Write the address in at most 300 characters."), field="address")
    if (address or None) == org.address:
        return
    old, org.address = org.address, address or None
    audit.record("org.address_changed", actor, org, address=org.address, previous_address=old)


def create_organisation(actor: User | None, kind: OrgKind, name: str, code: str | None = None,
                        address: str | None = None) -> Organisation:
    """Create an OPD or UKPBJ (suppliers register themselves, see services.suppliers)."""
    if actor is not None:
        require_admin(actor)
    name = name.strip()
    code = (code or "").strip().upper() or None
    if code and db.session.scalar(sa.select(Organisation.id).where(Organisation.code == code)):
        raise DomainError(_l("Another organisation already uses this code."), field="code")
    org = Organisation(kind=kind, name=name, code=code, address=" ".join((address or "").split()) or None)
    db.session.add(org)
    db.session.flush()
    audit.record("org.created", actor, org, kind=kind.value, name=name, code=code)
    return org


def password_context(email: str, name: str | None, org: Organisation) -> dict:
    """The user's own details, which their password may not be built from."""
    return {"email": email, "names": (name, org.name), "org_code": org.code}


def create_user(
    actor: User | None,
    *,
    org: Organisation,
    email: str,
    name: str,
    role: Role,
    password: str | None,
) -> User:
    """Create a user in an organisation. `actor` None means the CLI or seeding.

    `password` None: the user is invited (see `make_invitation_token`) and cannot log in
    until they have chosen a password through the link.
    """
    if actor is not None:
        require_admin(actor)
    if org.kind not in role.allowed_org_kinds:
        raise DomainError(_l("This role does not belong in this kind of organisation."), field="role")
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError(_l("An account with this e-mail address already exists."), field="email")
    user = User(
        org=org,
        email=email,
        name=name.strip(),
        role=role,
        password_hash=(_no_password() if password is None
                       else hash_password(password, **password_context(email, name, org))),
        password_changed_at=None if password is None else utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor, user, email=email, role=role.value, org_id=org.id)
    return user


class LoginRefused(DomainError):
    """An unknown address, a wrong password or an inactive account: one answer for all three."""

    def __init__(self, email: str, user: User | None, reason: str):
        super().__init__(_l("The e-mail address or password is not correct."))
        self.email = email
        self.user = user
        self.reason = reason


def authenticate(email: str, password: str, ip_address: str | None = None) -> User:
    """Return the user when the credentials are right and the account active, else raise LoginRefused.

    Success is written to the audit trail here; a refusal by `record_failed_login`,
    after the caller has rolled back (the failed attempt is kept, nothing else).
    """
    user = find_user_by_email(email)
    if user is None:
        burn_time(password)
        raise LoginRefused(email, None, "unknown account")
    if not verify_password(user.password_hash, password):
        raise LoginRefused(email, user, "wrong password")
    if not user.is_active:
        raise LoginRefused(email, user, "inactive")
    if needs_rehash(user.password_hash):
        user.password_hash = rehash(password)  # up to the configured cost (demo accounts start lower)
    user.last_login_at = utcnow()
    audit.record("auth.login_succeeded", user, user, ip_address=ip_address)
    return user


def record_failed_login(refusal: LoginRefused, ip_address: str | None = None) -> None:
    """The audit entry of a refused login, where an admin sees an attack."""
    if refusal.user is None:
        audit.record(
            "auth.login_failed", None, object_type="users", ip_address=ip_address,
            actor_label=normalise_email(refusal.email)[:254], reason=refusal.reason,
        )
    else:
        audit.record("auth.login_failed", refusal.user, refusal.user, ip_address=ip_address,
                     reason=refusal.reason)


def logout(user: User, ip_address: str | None = None) -> None:
    """End every session of the user (server side: the session version moves on)."""
    user.session_version += 1
    audit.record("auth.logout", user, user, ip_address=ip_address)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_l("The current password is not correct."), field="current_password")
    _set_password(user, new_password, "auth.password_changed")


def _set_password(user: User, new_password: str, action: str) -> None:
    user.password_hash = hash_password(new_password, **password_context(user.email, user.name, user.org))
    user.password_changed_at = utcnow()
    user.session_version += 1  # other sessions with the old password end
    audit.record(action, user, user)


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate or reactivate an account; deactivation ends its sessions at once."""
    require_admin(actor)
    if user.id == actor.id and not active:
        raise DomainError(_l("You cannot deactivate your own account."))
    if user.active == active:
        return
    user.active = active
    user.session_version += 1
    audit.record("user.activated" if active else "user.deactivated", actor, user)


def change_role(actor: User, user: User, role: Role) -> None:
    require_admin(actor)
    if user.org.kind not in role.allowed_org_kinds:
        raise DomainError(_l("This role does not belong in this kind of organisation."), field="role")
    if user.id == actor.id:
        raise DomainError(_l("You cannot change your own role."), field="role")
    if user.role is role:
        return
    old = user.role
    user.role = role
    user.session_version += 1
    audit.record("user.role_changed", actor, user, old=old.value, new=role.value)


# -- Password reset -------------------------------------------------------------

def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    """An HMAC of the user's current password hash, keyed with SECRET_KEY.

    The token carries this, never any part of the hash itself: once the password
    changes, every earlier token is void (single use), and a leaked link tells
    nothing about the hash.
    """
    key = hashlib.sha256(b"pbj password-reset fingerprint\x00" + current_app.config["SECRET_KEY"].encode())
    message = f"{user.id}:{user.password_hash}".encode()
    return hmac.new(key.digest(), message, hashlib.sha256).hexdigest()


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "h": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    return _user_for_token(_reset_serializer(), token, current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"])


def _user_for_token(serializer: URLSafeTimedSerializer, token: str, max_age: int) -> User | None:
    """The active user a signed link names, while their password (or its absence) is unchanged."""
    try:
        data = serializer.loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user_id = data.get("u")
    # Only a plausible id reaches the database (a huge number would overflow the query).
    valid = isinstance(user_id, int) and not isinstance(user_id, bool) and 1 <= user_id <= 2**62
    user = db.session.get(User, user_id) if valid else None
    fingerprint = data.get("h")
    if user is None or not user.is_active or not isinstance(fingerprint, str):
        return None
    if not hmac.compare_digest(_password_fingerprint(user).encode(), fingerprint.encode()):
        return None
    return user


def reset_password(user: User, new_password: str) -> None:
    _set_password(user, new_password, "auth.password_reset")


def request_password_reset(email: str, ip_address: str | None = None) -> tuple[User, str] | None:
    """Return the user and a reset token when the address belongs to an active account."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return None
    audit.record("auth.password_reset_requested", user, user, ip_address=ip_address)
    return user, make_reset_token(user)


# -- Invitations ------------------------------------------------------------------
# A user created without a password (an assisted supplier's first user) gets a link to
# choose one: signed with its own purpose and lifetime, and bound like a reset token to
# the stored value, which a new invitation replaces, so only the newest link works and
# none works once the password is set.

def _no_password() -> str:
    return NO_PASSWORD_PREFIX + secrets.token_hex(16)


def _invitation_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="account-invitation")


def make_invitation_token(user: User) -> str:
    return _invitation_serializer().dumps({"u": user.id, "h": _password_fingerprint(user)})


def user_for_invitation_token(token: str) -> User | None:
    """The invited user, while the link is the newest, younger than INVITATION_MAX_AGE_SECONDS
    and no password has been set."""
    user = _user_for_token(_invitation_serializer(), token, current_app.config["INVITATION_MAX_AGE_SECONDS"])
    return user if user is not None and user.awaits_password else None


def renew_invitation(actor: User, user: User, **detail) -> str:
    """A fresh invitation link for a user still without a password; earlier links stop working."""
    require_admin(actor)
    if not user.awaits_password:
        raise WrongState(_l("%(name)s has already chosen a password. If it is forgotten, "
                            "\"Forgot your password?\" on the login page sends a new link.", name=user.name))
    user.password_hash = _no_password()
    audit.record("user.invitation_sent", actor, user, email=user.email, resent=True, **detail)
    return make_invitation_token(user)


def accept_invitation(user: User, new_password: str) -> None:
    """The invited user chooses their password; the link is spent."""
    if not user.awaits_password:
        raise WrongState(_l("This link has expired or has already been used."))
    _set_password(user, new_password, "auth.invitation_accepted")
