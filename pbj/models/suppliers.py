"""The supplier (penyedia) side of an organisation: business data and documents."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Organisation, User
from pbj.models.types import enum_column


class BusinessScale(enum.Enum):
    MIKRO = "mikro"
    KECIL = "kecil"
    MENENGAH = "menengah"
    BESAR = "besar"


class VerificationStatus(enum.Enum):
    UNVERIFIED = "unverified"  # waiting for the UKPBJ
    VERIFIED = "verified"
    REJECTED = "rejected"


class Sanction(enum.Enum):
    NONE = "none"
    SUSPENDED = "suspended"
    BLACKLISTED = "blacklisted"


class DocumentKind(enum.Enum):
    NIB = "nib"
    NPWP = "npwp"
    KTP = "ktp"
    AKTA = "akta"
    PP55 = "pp55"
    PKP = "pkp"
    OTHER = "other"


class SupplierProfile(db.Model):
    __tablename__ = "suppliers"

    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    nib: Mapped[str] = mapped_column(sa.String(13), unique=True)
    npwp: Mapped[str] = mapped_column(sa.String(16))
    scale: Mapped[BusinessScale] = mapped_column(enum_column(BusinessScale))
    is_cooperative: Mapped[bool] = mapped_column(default=False)
    is_pkp: Mapped[bool] = mapped_column(default=False)
    has_pp55_certificate: Mapped[bool] = mapped_column(default=False)
    # The PP 55/2022 certificate (Surat Keterangan): number and validity. An expired one
    # (at the SP date) falls back to PPh 22/23.
    pp55_number: Mapped[str | None] = mapped_column(sa.String(60))
    pp55_valid_from: Mapped[date | None]
    pp55_valid_until: Mapped[date | None]

    def pp55_valid_on(self, day: date) -> bool:
        if not self.has_pp55_certificate:
            return False
        if self.pp55_valid_from is not None and day < self.pp55_valid_from:
            return False
        return self.pp55_valid_until is None or day <= self.pp55_valid_until
    address: Mapped[str] = mapped_column(sa.String(300))
    kecamatan: Mapped[str] = mapped_column(sa.String(100))
    # Kemendagri code of the kota/kabupaten, e.g. "61.72" for Kota Singkawang.
    region_code: Mapped[str] = mapped_column(sa.String(5), index=True)
    region_name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str] = mapped_column(sa.String(20))
    # The owner or person in charge as in the NIB, and the account LS payments go to;
    # both compared with officials' particulars by the conflict-of-interest check.
    owner_name: Mapped[str | None] = mapped_column(sa.String(120))
    bank_name: Mapped[str | None] = mapped_column(sa.String(60))
    bank_account: Mapped[str | None] = mapped_column(sa.String(30))

    verification: Mapped[VerificationStatus] = mapped_column(
        enum_column(VerificationStatus), default=VerificationStatus.UNVERIFIED, index=True
    )
    verification_note: Mapped[str | None] = mapped_column(sa.Text)
    verified_at: Mapped[datetime | None]
    sanction: Mapped[Sanction] = mapped_column(enum_column(Sanction), default=Sanction.NONE)
    sanction_reason: Mapped[str | None] = mapped_column(sa.Text)
    sanction_until: Mapped[date | None]
    # Registered by a UKPBJ administrator on the business's behalf (None: by itself).
    assisted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The size the NIB states, set by the verifier; it overrides the declared `scale`.
    confirmed_scale: Mapped[BusinessScale | None] = mapped_column(enum_column(BusinessScale))
    scale_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    scale_confirmed_at: Mapped[datetime | None]

    org: Mapped[Organisation] = relationship(back_populates="supplier", lazy="joined")
    assisted_by: Mapped[User | None] = relationship(foreign_keys=[assisted_by_id])
    scale_confirmed_by: Mapped[User | None] = relationship(foreign_keys=[scale_confirmed_by_id])
    documents: Mapped[list[SupplierDocument]] = relationship(
        back_populates="supplier", order_by="SupplierDocument.uploaded_at"
    )

    @property
    def name(self) -> str:
        return self.org.name

    def is_local(self, city_region_code: str) -> bool:
        return self.region_code == city_region_code

    @property
    def effective_scale(self) -> BusinessScale:
        """The size that counts: as confirmed from the NIB at verification, else as declared."""
        return self.confirmed_scale or self.scale

    @property
    def is_umk(self) -> bool:
        """Micro and small businesses and cooperatives count towards the UMK share."""
        return self.effective_scale in (BusinessScale.MIKRO, BusinessScale.KECIL) or self.is_cooperative

    def active_sanction(self, today: date) -> Sanction:
        """The sanction in force today (one that has ended counts as none)."""
        if self.sanction is Sanction.NONE:
            return Sanction.NONE
        if self.sanction_until is not None and self.sanction_until < today:
            return Sanction.NONE
        return self.sanction

    @classmethod
    def sanctioned_on(cls, today: date):
        """The same rule as `active_sanction` as SQL (a sanction in force today), for queries."""
        return sa.and_(cls.sanction != Sanction.NONE,
                       sa.or_(cls.sanction_until.is_(None), cls.sanction_until >= today))


class SupplierDocument(db.Model):
    __tablename__ = "supplier_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.org_id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(50))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    supplier: Mapped[SupplierProfile] = relationship(back_populates="documents")
    uploaded_by: Mapped[User] = relationship()
