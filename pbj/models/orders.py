"""E-purchasing: the cart, orders and everything that happens to them.

Money is whole rupiah (BigInteger). Prices, product facts and the supplier's
tax status are snapshotted when the order is submitted, so later edits of a
listing never change an order.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbj.extensions import db
from pbj.models.accounts import Organisation, User
from pbj.models.catalogue import Product
from pbj.models.suppliers import SupplierProfile
from pbj.clock import utcnow
from pbj.models.types import enum_column


class CartItem(db.Model):
    """One product in a buyer's cart (per user, not per OPD: a cart is personal)."""

    __tablename__ = "cart_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    quantity: Mapped[int]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "product_id"),
        sa.CheckConstraint("quantity >= 1", name="quantity_positive"),
    )


class OrderStatus(enum.Enum):
    SUBMITTED = "submitted"      # waiting for the supplier (and open to negotiation)
    NEGOTIATING = "negotiating"  # an offer is waiting for the other side
    CONFIRMED = "confirmed"      # the supplier accepted; waiting for the PPK
    APPROVED = "approved"        # the PPK approved: Surat Pesanan issued
    SHIPPED = "shipped"          # at least one delivery note
    RECEIVED = "received"        # BAST signed after inspection
    PAID = "paid"                # the bendahara recorded the payment
    COMPLETED = "completed"      # the PPK rated the supplier
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


# States in which the order still holds reserved stock and can end without delivery.
OPEN_STATUSES = (OrderStatus.SUBMITTED, OrderStatus.NEGOTIATING, OrderStatus.CONFIRMED)
# States whose order no longer counts against its package (pagu and PP limit).
DEAD_STATUSES = (OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED)
ENDED_STATUSES = (OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED, OrderStatus.COMPLETED)
# States after the BAST: amounts are those of the goods received, not ordered.
RECEIVED_STATUSES = (OrderStatus.RECEIVED, OrderStatus.PAID, OrderStatus.COMPLETED)


class BudgetSource(enum.Enum):
    APBD = "apbd"
    APBN = "apbn"
    DAK = "dak"
    BLUD = "blud"
    BOS = "bos"
    OTHER = "other"


class PaymentMethod(enum.Enum):
    """How the treasurer pays (Permendagri 77/2020): from the revolving fund (UP/GU),
    by direct transfer to the supplier (LS), or with the regional government credit
    card (KKPD)."""

    UP_GU = "up_gu"
    LS = "ls"
    KKPD = "kkpd"


class Order(db.Model):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    opd_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.org_id"))
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))  # the PP or PPK who ordered
    ppk_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)  # approves and signs
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), default=OrderStatus.SUBMITTED)

    # The package of the OPD's RUP register the order is made under (None only for orders
    # made before the register existed); rup_code, budget year and source are its snapshot.
    package_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rup_packages.id"), index=True)
    rup_code: Mapped[str] = mapped_column(sa.String(30))
    budget_year: Mapped[int]
    budget_source: Mapped[BudgetSource] = mapped_column(enum_column(BudgetSource))
    delivery_address: Mapped[str] = mapped_column(sa.String(300))
    needed_by: Mapped[date]
    # Chosen by the buyer at checkout, changeable by the PPK when approving; on the SP.
    payment_method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod), default=PaymentMethod.LS,
                                                          server_default=PaymentMethod.LS.value)
    # Going down a legal domestic-preference step (Perpres 46/2025 Art. 66(2)) when a
    # higher one is listed: the lawful ground (a code of PREFERENCE_GROUNDS) and the
    # buyer's explanation, and the PPK's acceptance at approval. Orders from before the
    # list of grounds keep their old free text as the explanation, with no ground.
    preference_ground: Mapped[str | None] = mapped_column(sa.String(40))
    preference_explanation: Mapped[str | None] = mapped_column(sa.Text)
    ground_accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ground_accepted_at: Mapped[datetime | None]
    # The supplier's tax status when the order was submitted (drives PPN and PPh).
    supplier_is_pkp: Mapped[bool] = mapped_column(default=False)
    supplier_has_pp55: Mapped[bool] = mapped_column(default=False)
    supplier_is_umk: Mapped[bool] = mapped_column(default=False)
    # Tax rates, threshold and the supplier's PKP/PP 55 status fixed when the SP is issued,
    # with the figures of the order total then (services.taxes.fixed_rates + "figures").
    # None before the SP: pages show a live estimate.
    tax_fixed: Mapped[dict | None] = mapped_column(sa.JSON)
    supplier_is_local: Mapped[bool] = mapped_column(default=False)

    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Ends of working days (local midnight, as naive UTC). Before confirmation the order
    # waits on the supplier (or, while the supplier's own price offer is open, on the
    # buyer): set at submission and again at each negotiation move. After confirmation
    # it waits on the PPK: set when the supplier confirms.
    supplier_deadline: Mapped[datetime]
    ppk_deadline: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    sp_number: Mapped[str | None] = mapped_column(sa.String(60), unique=True)
    shipped_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]  # cancelled, rejected or expired
    # The undelivered rest cancelled by the PPK after a partial BAST left it open (a rest
    # cancelled at a BAST is recorded on that BAST).
    rest_cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rest_cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    end_reason: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    opd: Mapped[Organisation] = relationship(foreign_keys=[opd_id])
    supplier: Mapped[SupplierProfile] = relationship()
    buyer: Mapped[User] = relationship(foreign_keys=[buyer_id])
    ppk: Mapped[User] = relationship(foreign_keys=[ppk_id])
    package: Mapped[RupPackage | None] = relationship()  # noqa: F821
    ground_accepted_by: Mapped[User | None] = relationship(foreign_keys=[ground_accepted_by_id])
    rest_cancelled_by: Mapped[User | None] = relationship(foreign_keys=[rest_cancelled_by_id])
    items: Mapped[list[OrderItem]] = relationship(back_populates="order", order_by="OrderItem.id",
                                                  cascade="all, delete-orphan")
    offers: Mapped[list[Offer]] = relationship(back_populates="order", order_by="Offer.id")
    deliveries: Mapped[list[Delivery]] = relationship(back_populates="order", order_by="Delivery.id")
    handovers: Mapped[list[Handover]] = relationship(back_populates="order", order_by="Handover.id")
    payment: Mapped[Payment | None] = relationship(back_populates="order", uselist=False)
    rating: Mapped[Rating | None] = relationship(back_populates="order", uselist=False)

    __table_args__ = (
        sa.Index("ix_orders_opd_status", "opd_id", "status"),
        sa.Index("ix_orders_supplier_status", "supplier_id", "status"),
        sa.Index("ix_orders_status_deadline", "status", "ppk_deadline"),
        sa.Index("ix_orders_status_supplier_deadline", "status", "supplier_deadline"),
        # The public portal (services.transparency): newest SP first, per OPD, per supplier,
        # and a year or a month of SPs.
        sa.Index("ix_orders_approved_at", "approved_at", "id"),
        sa.Index("ix_orders_opd_approved_at", "opd_id", "approved_at"),
        sa.Index("ix_orders_supplier_approved_at", "supplier_id", "approved_at"),
    )

    @property
    def list_total(self) -> int:
        return sum(item.list_price * item.quantity for item in self.items)

    @property
    def sp_total(self) -> int:
        """The value the Surat Pesanan committed (agreed prices × quantities ordered)."""
        return sum(item.agreed_price * item.quantity for item in self.items)

    @property
    def total(self) -> int:
        """The agreed value of the order: what the SP committed, less an undelivered rest
        the PPK cancelled at or after a partial BAST."""
        return sum(item.agreed_price * (item.quantity - item.cancelled_qty) for item in self.items)

    @property
    def handover(self) -> Handover | None:
        """The latest BAST (None before the first)."""
        return self.handovers[-1] if self.handovers else None

    @property
    def penalty_deducted(self) -> int:
        """The late-delivery penalties of all BASTs, less the waived ones."""
        return sum(handover.penalty or 0 for handover in self.handovers)

    @property
    def received_total(self) -> int:
        """The value of what the BAST says was received (what is paid)."""
        return sum(item.agreed_price * item.received_qty for item in self.items)

    @property
    def waiting_on(self) -> str | None:
        """Whose move the open order waits for: "supplier", "buyer" or "ppk" (None once approved or ended).

        Before confirmation the supplier answers, except while the supplier's own price
        offer waits for the buyer's answer.
        """
        if self.status is OrderStatus.CONFIRMED:
            return "ppk"
        if self.status is OrderStatus.NEGOTIATING:
            offer = self.open_offer
            return "buyer" if offer is not None and offer.side is OfferSide.SUPPLIER else "supplier"
        if self.status is OrderStatus.SUBMITTED:
            return "supplier"
        return None

    @property
    def deadline(self) -> datetime | None:
        """The deadline of the stage the open order is in (None once approved or ended)."""
        if self.status is OrderStatus.CONFIRMED:
            return self.ppk_deadline
        if self.status in (OrderStatus.SUBMITTED, OrderStatus.NEGOTIATING):
            return self.supplier_deadline
        return None

    @property
    def is_open(self) -> bool:
        """Not yet approved: it holds reserved stock and may still end without delivery."""
        return self.status in OPEN_STATUSES

    @property
    def goods_received(self) -> bool:
        """The BAST is signed: what is paid is the value of the goods received."""
        return self.status in RECEIVED_STATUSES

    @property
    def went_down_tier(self) -> bool:
        """A higher domestic-preference step was listed: the PPK must accept the ground."""
        return self.preference_ground is not None or self.preference_explanation is not None

    @property
    def open_offer(self) -> Offer | None:
        return next((o for o in reversed(self.offers) if o.answer is None), None)

    def __repr__(self) -> str:
        return f"<Order {self.id} {self.status.value}>"


class OrderItem(db.Model):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    # Snapshot at submit.
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(30))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"))
    list_price: Mapped[int] = mapped_column(sa.BigInteger)
    agreed_price: Mapped[int] = mapped_column(sa.BigInteger)  # list price until a negotiation changes it
    quantity: Mapped[int]
    reserved: Mapped[bool] = mapped_column(default=False)  # stock was taken (False: made to order)
    is_pdn: Mapped[bool] = mapped_column(default=True)
    tkdn_x100: Mapped[int] = mapped_column(default=0)
    bmp_x100: Mapped[int] = mapped_column(default=0)
    preference: Mapped[int] = mapped_column(sa.SmallInteger)
    tax_class: Mapped[str] = mapped_column(sa.String(10), default="goods", server_default="goods")
    # Shipped and not refused at a BAST (refused goods go back and are shipped again),
    # received in good order at the BASTs, and the undelivered rest the PPK cancelled.
    shipped_qty: Mapped[int] = mapped_column(default=0)
    received_qty: Mapped[int] = mapped_column(default=0)
    cancelled_qty: Mapped[int] = mapped_column(default=0, server_default="0")

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        sa.CheckConstraint("quantity >= 1", name="quantity_positive"),
        sa.CheckConstraint("agreed_price > 0 AND agreed_price <= list_price", name="agreed_price_range"),
        sa.CheckConstraint("shipped_qty BETWEEN 0 AND quantity", name="shipped_range"),
        sa.CheckConstraint("received_qty BETWEEN 0 AND shipped_qty", name="received_range"),
        sa.CheckConstraint("cancelled_qty BETWEEN 0 AND quantity - received_qty", name="cancelled_range"),
        # The portal: orders with an item in a category; an order's value and PDN items
        # read from the index alone (a year of orders is summed per supplier).
        sa.Index("ix_order_items_category_order", "category_id", "order_id"),
        sa.Index("ix_order_items_order_value", "order_id", "agreed_price", "quantity", "cancelled_qty", "is_pdn"),
    )

    @property
    def to_ship(self) -> int:
        """Still to be delivered: ordered, not cancelled, not shipped (or shipped and refused)."""
        return self.quantity - self.cancelled_qty - self.shipped_qty

    @property
    def awaiting_inspection(self) -> int:
        """Delivered since the last BAST: what the next BAST inspects."""
        return self.shipped_qty - self.received_qty

    @property
    def outstanding(self) -> int:
        """Ordered and neither received nor cancelled: the rest a BAST must decide on."""
        return self.quantity - self.cancelled_qty - self.received_qty


class OfferSide(enum.Enum):
    BUYER = "buyer"
    SUPPLIER = "supplier"


class OfferAnswer(enum.Enum):
    ACCEPTED = "accepted"
    COUNTERED = "countered"
    DECLINED = "declined"  # the other side ended the negotiation at the standing prices


class Offer(db.Model):
    """One round of negotiation: per-item prices proposed by one side."""

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    round: Mapped[int]
    side: Mapped[OfferSide] = mapped_column(enum_column(OfferSide))
    made_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[OfferAnswer | None] = mapped_column(enum_column(OfferAnswer))
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="offers")
    made_by: Mapped[User] = relationship(foreign_keys=[made_by_id])
    lines: Mapped[list[OfferLine]] = relationship(back_populates="offer", order_by="OfferLine.item_id",
                                                  cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("order_id", "round"),)


class OfferLine(db.Model):
    __tablename__ = "offer_lines"

    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offers.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("order_items.id"), primary_key=True)
    unit_price: Mapped[int] = mapped_column(sa.BigInteger)

    offer: Mapped[Offer] = relationship(back_populates="lines")
    item: Mapped[OrderItem] = relationship()

    __table_args__ = (sa.CheckConstraint("unit_price > 0", name="price_positive"),)


class Delivery(db.Model):
    """A delivery note (surat jalan): some or all of the ordered quantities."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    note_number: Mapped[str] = mapped_column(sa.String(60))  # the supplier's own surat jalan number
    shipped_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The BAST that inspected this delivery (None until one does).
    handover_id: Mapped[int | None] = mapped_column(sa.ForeignKey("handovers.id"), index=True)

    order: Mapped[Order] = relationship(back_populates="deliveries")
    lines: Mapped[list[DeliveryLine]] = relationship(back_populates="delivery", cascade="all, delete-orphan")


class DeliveryLine(db.Model):
    __tablename__ = "delivery_lines"

    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("deliveries.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("order_items.id"), primary_key=True)
    quantity: Mapped[int]

    delivery: Mapped[Delivery] = relationship(back_populates="lines")
    item: Mapped[OrderItem] = relationship()

    __table_args__ = (sa.CheckConstraint("quantity >= 1", name="quantity_positive"),)


class HandoverRest(enum.Enum):
    """What a partial BAST decides about the ordered quantities neither received nor
    cancelled: the supplier still delivers them, or the PPK cancels them with a reason."""

    OPEN = "open"
    CANCELLED = "cancelled"


class Handover(db.Model):
    """A BAST: the PPK's inspection of the deliveries since the previous one, and the
    quantities received. An order has one BAST, or several when the PPK signs a partial
    BAST and leaves the rest open for delivery."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    sequence: Mapped[int] = mapped_column(sa.SmallInteger, default=1, server_default="1")  # 1st, 2nd… of the order
    number: Mapped[str] = mapped_column(sa.String(60), unique=True)
    signed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    signed_on: Mapped[date]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    photo_name: Mapped[str | None] = mapped_column(sa.String(80))  # under instance/uploads/evidence
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Per item inspected: {"item_id", "delivered" (awaiting inspection), "received"};
    # delivered − received was refused and goes back to the supplier.
    lines: Mapped[list | None] = mapped_column(sa.JSON)
    # The rest decided at this BAST (None: nothing was left, everything ordered is received).
    rest: Mapped[HandoverRest | None] = mapped_column(enum_column(HandoverRest))
    rest_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Late-delivery penalty (services.penalties), computed when the BAST is signed: the
    # rows per late delivery, the computed total (kept even when waived) and what is
    # deducted at payment (0 when the PPK waived it, with the reason and who waived).
    # Basis "whole": the late part cannot be used without the rest of the order.
    penalty_basis: Mapped[str] = mapped_column(sa.String(10), default="part", server_default="part")
    penalty_detail: Mapped[list | None] = mapped_column(sa.JSON)
    penalty_computed: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    penalty: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    penalty_waived_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    penalty_waiver_reason: Mapped[str | None] = mapped_column(sa.Text)

    order: Mapped[Order] = relationship(back_populates="handovers")
    signed_by: Mapped[User] = relationship(foreign_keys=[signed_by_id])
    penalty_waived_by: Mapped[User | None] = relationship(foreign_keys=[penalty_waived_by_id])

    def received(self, item_id: int) -> int:
        """The quantity of the item received at this BAST."""
        return next((line["received"] for line in self.lines or [] if line["item_id"] == item_id), 0)


class Payment(db.Model):
    """What the bendahara paid, with the tax breakdown fixed at the time."""

    __tablename__ = "payments"

    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), primary_key=True)
    paid_on: Mapped[date]
    reference: Mapped[str] = mapped_column(sa.String(80))  # SP2D / transfer reference
    gross: Mapped[int] = mapped_column(sa.BigInteger)  # value of the goods received, tax included
    dpp: Mapped[int] = mapped_column(sa.BigInteger)
    ppn: Mapped[int] = mapped_column(sa.BigInteger)
    pph: Mapped[int] = mapped_column(sa.BigInteger)
    net: Mapped[int] = mapped_column(sa.BigInteger)  # transferred to the supplier
    # The SP2D (fund disbursement order) and how it was paid; defaults from the order.
    sp2d_number: Mapped[str | None] = mapped_column(sa.String(60))
    sp2d_date: Mapped[date | None]
    payment_method: Mapped[PaymentMethod | None] = mapped_column(enum_column(PaymentMethod))
    # Numbers of the withholding receipts (bukti potong/pungut) of each withheld tax, optional.
    ppn_receipt: Mapped[str | None] = mapped_column(sa.String(60))
    pph_receipt: Mapped[str | None] = mapped_column(sa.String(60))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="payment")
    recorded_by: Mapped[User] = relationship()

    # The portal's payment times: the payments of a year.
    __table_args__ = (sa.Index("ix_payments_paid_on", "paid_on"),)


class Rating(db.Model):
    __tablename__ = "ratings"

    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.org_id"), index=True)
    stars: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    rated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply: Mapped[str | None] = mapped_column(sa.Text)
    replied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    replied_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="rating")
    rated_by: Mapped[User] = relationship(foreign_keys=[rated_by_id])

    __table_args__ = (sa.CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),)


class OrderDocumentKind(enum.Enum):
    SURAT_PESANAN = "sp"
    BAST = "bast"
    INVOICE = "invoice"


class OrderDocument(db.Model):
    """An issued document: its public verification code and content fingerprint."""

    __tablename__ = "order_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    kind: Mapped[OrderDocumentKind] = mapped_column(enum_column(OrderDocumentKind))
    number: Mapped[str] = mapped_column(sa.String(60))
    code: Mapped[str] = mapped_column(sa.String(24), unique=True)  # random, in the QR code's URL
    fingerprint: Mapped[str] = mapped_column(sa.String(64))  # SHA-256 of the document's content
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Which shape of content the fingerprint covers (services.documents.content): documents
    # issued before the SP carried NIP, addresses and terms keep shape 1.
    content_version: Mapped[int] = mapped_column(sa.SmallInteger, default=2, server_default="2")

    order: Mapped[Order] = relationship()

    # One SP and one invoice per order; a BAST per partial handover.
    __table_args__ = (sa.Index("uq_order_documents_order_id", "order_id", "kind", unique=True,
                               sqlite_where=sa.text("kind <> 'bast'"), postgresql_where=sa.text("kind <> 'bast'")),)


class DocumentSequence(db.Model):
    """The last number issued per OPD, document kind and year: gapless numbering."""

    __tablename__ = "document_sequences"

    opd_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    kind: Mapped[OrderDocumentKind] = mapped_column(enum_column(OrderDocumentKind), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Notification(db.Model):
    """An in-app message about an order; the text is made from `event` when shown."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"))
    event: Mapped[str] = mapped_column(sa.String(40))  # an audit action, e.g. "order.approved"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    order: Mapped[Order | None] = relationship()

    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)
