"""Organisations and the users who act for them."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.types import enum_column


class OrgKind(enum.Enum):
    OPD = "opd"
    SUPPLIER = "supplier"
    UKPBJ = "ukpbj"


class Role(enum.Enum):
    """What a user does; `Role.buys` marks the two who order from the catalogue."""

    PENYEDIA = "penyedia"
    PP = "pp"
    PPK = "ppk"
    BENDAHARA = "bendahara"
    ADMIN = "admin"
    AUDITOR = "auditor"

    @property
    def allowed_org_kinds(self) -> tuple[OrgKind, ...]:
        return ROLE_ORG_KINDS[self]

    @property
    def buys(self) -> bool:
        """PP and PPK order from the catalogue (a cart, checkout, negotiation)."""
        return self in BUYER_ROLES


# The roles that order from the catalogue.
BUYER_ROLES = (Role.PP, Role.PPK)


# Which organisation a role can belong to. The auditor (APIP) sits in the
# Inspektorat, an OPD, or in the UKPBJ.
ROLE_ORG_KINDS = {
    Role.PENYEDIA: (OrgKind.SUPPLIER,),
    Role.PP: (OrgKind.OPD,),
    Role.PPK: (OrgKind.OPD,),
    Role.BENDAHARA: (OrgKind.OPD,),
    Role.ADMIN: (OrgKind.UKPBJ,),
    Role.AUDITOR: (OrgKind.OPD, OrgKind.UKPBJ),
}


# The stored "hash" of an account invited by e-mail that has not chosen a password yet:
# no argon2 hash, so no password ever matches it.
NO_PASSWORD_PREFIX = "!invited$"  # nosec B105  # a marker that no hash can equal, not a password


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Short code of an OPD, used in document numbers (SP/<code>/<year>/<n>).
    code: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    # An OPD's office address, printed on its Surat Pesanan.
    address: Mapped[str | None] = mapped_column(sa.String(300))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="org", order_by="User.name")
    supplier: Mapped[SupplierProfile | None] = relationship(  # noqa: F821
        back_populates="org", uselist=False
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind.value} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    # Nomor Induk Pegawai of an official (PP, PPK, bendahara): 18 digits, printed
    # under the signature on the SP and BAST (pbj.services.accounts.clean_nip).
    nip: Mapped[str | None] = mapped_column(sa.String(18), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped at logout, deactivation and password change: every session that
    # carries an older number is refused on its next request.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]

    org: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")

    # Flask-Login: the session stores "<id>:<session_version>", so a bumped
    # version turns every outstanding session of this user into a stranger.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active and self.org.active

    @property
    def awaits_password(self) -> bool:
        """Invited and not yet through the link: no password, so no login (services.accounts)."""
        return self.password_hash.startswith(NO_PASSWORD_PREFIX)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"


class OfficialParticulars(db.Model):
    """An official's phone, home address, NPWP and salary account, copied by the
    administrator from the personnel records. Only the conflict-of-interest check reads
    them (they are never shown outside the administrator's user page)."""

    __tablename__ = "official_particulars"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    npwp: Mapped[str | None] = mapped_column(sa.String(16))
    bank_account: Mapped[str | None] = mapped_column(sa.String(30))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
