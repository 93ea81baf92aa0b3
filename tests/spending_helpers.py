"""A small hand-built world of orders for the meter and the reports, written straight
into the tables (not through the order services) so every figure is chosen by hand.

Budget year 2026, city time UTC+7 (Asia/Pontianak). Two OPDs (A "DINA", B "DINB"),
three suppliers: S1 local micro (UMK), S2 medium from outside the city, S3 local micro
that already sold in 2025. Categories: Kertas with its sub-category HVS, and Makanan.

| # | OPD | supplier | status    | SP (local)       | items: price × qty (received, cancelled) flags          |
|---|-----|----------|-----------|------------------|---------------------------------------------------------|
| 1 | A   | S1       | paid      | 2026-01-15       | 100.000 × 10 (10) PDN rank 1 HVS; 50.000 × 4 (4) PDN rank 5 Makanan |
| 2 | A   | S2       | shipped   | 2026-02-10       | 300.000 × 5 (2) import rank 6 Makanan                   |
| 3 | A   | S1       | received  | 2026-02-01 00:30 | 20.000 × 10 (8, 2 cancelled) PDN rank 2 HVS             |
| 4 | B   | S2       | completed | 2026-03-05       | 250.000 × 2 (2) PDN rank 1 Kertas                       |
| 5 | A   | S1       | cancelled | 2026-03-01       | 999.000 × 1: does not count                             |
| 6 | B   | S1       | confirmed | (no SP)          | 77.000 × 1: does not count                              |
| 7 | A   | S3       | approved  | 2025-06-01       | budget year 2025: not in 2026                           |
| 8 | B   | S3       | approved  | 2026-03-20       | 10.000 × 3 (0) PDN rank 4 Makanan                       |

Order 3's SP is 31 January 17:30 UTC, 1 February in the city: it counts in February.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role
from pbj.models.budgets import OpdBudget
from pbj.models.orders import BudgetSource, Order, OrderItem, OrderStatus, Payment
from pbj.models.suppliers import BusinessScale
from tests import catalogue_helpers as h

S = OrderStatus


@dataclass
class World:
    opd_a: int
    opd_b: int
    s1: int
    s2: int
    s3: int
    kertas: int
    hvs: int
    makanan: int
    admin: object
    pp_a: object
    bendahara_a: object
    pp_b: object
    auditor: object


def build(create_org, create_user, create_supplier) -> World:
    a = create_org(OrgKind.OPD, name="Dinas Alpha", code="DINA")
    b = create_org(OrgKind.OPD, name="Dinas Beta", code="DINB")
    admin = create_user(Role.ADMIN)
    pp_a, ppk_a, bendahara_a = create_user(Role.PP, org=a), create_user(Role.PPK, org=a), create_user(Role.BENDAHARA, org=a)
    pp_b, ppk_b = create_user(Role.PP, org=b), create_user(Role.PPK, org=b)
    auditor = create_user(Role.AUDITOR)
    s1 = create_supplier("Toko Satu", scale=BusinessScale.MIKRO)
    s2 = create_supplier("PT Dua Jaya", scale=BusinessScale.MENENGAH, region_code="61.71")
    s3 = create_supplier("Warung Tiga", scale=BusinessScale.MIKRO)
    kertas = h.category("Kertas")
    hvs = h.category("HVS", parent="Kertas")
    makanan = h.category("Makanan")
    product = h.product(s1, admin, "Barang Uji", price=1_000_000, cat=hvs)
    n = iter(range(1, 100))

    def order(opd, ppk, buyer, supplier, status, sp_utc, items, *, year=2026, umk=True, local=True,
              received_at=None, paid_on=None):
        k = next(n)
        made = Order(opd_id=opd.id, supplier_id=supplier.org_id, buyer_id=buyer.id, ppk_id=ppk.id, status=status,
                     rup_code=f"9{k:07d}", budget_year=year, budget_source=BudgetSource.APBD,
                     delivery_address="Jl. Uji 1", needed_by=date(year, 12, 1), supplier_deadline=datetime(year, 1, 1),
                     supplier_is_umk=umk, supplier_is_local=local, approved_at=sp_utc,
                     sp_number=f"SP/UJI/{k}" if sp_utc else None, received_at=received_at,
                     submitted_at=datetime(year - 1 if year == 2026 else year, 12, 1))
        for price, qty, received, cancelled, pdn, rank, cat in items:
            made.items.append(OrderItem(product_id=product.id, name="Barang", unit="buah", category_id=cat.id,
                                        list_price=price, agreed_price=price, quantity=qty, is_pdn=pdn,
                                        preference=rank, shipped_qty=received, received_qty=received,
                                        cancelled_qty=cancelled))
        db.session.add(made)
        db.session.flush()
        if paid_on is not None:
            gross = sum(i.agreed_price * i.received_qty for i in made.items)
            db.session.add(Payment(order_id=made.id, paid_on=paid_on, reference=f"SP2D-{k}", gross=gross, dpp=gross,
                                   ppn=0, pph=0, net=gross, recorded_by_id=bendahara_a.id))
        return made

    order(a, ppk_a, pp_a, s1, S.PAID, datetime(2026, 1, 15, 2),
          [(100_000, 10, 10, 0, True, 1, hvs), (50_000, 4, 4, 0, True, 5, makanan)],
          received_at=datetime(2026, 1, 20, 3), paid_on=date(2026, 1, 30))
    order(a, ppk_a, pp_a, s2, S.SHIPPED, datetime(2026, 2, 10, 2), [(300_000, 5, 2, 0, False, 6, makanan)],
          umk=False, local=False)
    order(a, ppk_a, pp_a, s1, S.RECEIVED, datetime(2026, 1, 31, 17, 30), [(20_000, 10, 8, 2, True, 2, hvs)],
          received_at=datetime(2026, 2, 5, 3))
    order(b, ppk_b, pp_b, s2, S.COMPLETED, datetime(2026, 3, 5, 2), [(250_000, 2, 2, 0, True, 1, kertas)],
          umk=False, local=False, received_at=datetime(2026, 3, 10, 3), paid_on=date(2026, 3, 13))
    order(a, ppk_a, pp_a, s1, S.CANCELLED, datetime(2026, 3, 1, 2), [(999_000, 1, 0, 0, True, 1, hvs)])
    order(b, ppk_b, pp_b, s1, S.CONFIRMED, None, [(77_000, 1, 0, 0, True, 1, hvs)])
    order(a, ppk_a, pp_a, s3, S.APPROVED, datetime(2025, 6, 1, 2), [(40_000, 1, 0, 0, True, 1, hvs)], year=2025)
    order(b, ppk_b, pp_b, s3, S.APPROVED, datetime(2026, 3, 20, 2), [(10_000, 3, 0, 0, True, 4, makanan)])
    db.session.add(OpdBudget(opd_id=a.id, year=2026, amount=5_000_000))
    db.session.commit()
    return World(a.id, b.id, s1.org_id, s2.org_id, s3.org_id, kertas.id, hvs.id, makanan.id, admin, pp_a,
                 bendahara_a, pp_b, auditor)
