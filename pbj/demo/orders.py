"""Demo orders: a year of e-purchasing, replayed through the order services.

Every order lives as a small process (a generator) that acts at office-hour
moments and yields the moment it wants to act next. One heap runs the steps of
all processes in global time order, so the audit trail's ids go with its times
and the SP, BAST and invoice numbers follow the dates, as in a real year. A
nightly step expires overdue orders, as `flask orders expire` does from cron.
Steps that would fall after now are not taken: recent orders stay in progress,
and an open order always has its next step planned before its deadline, so the
real expiry command finds nothing to expire right after seeding.
"""
from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import current_app

from pbj.clock import city_zone, utcnow
from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.catalogue import Category, Product, ProductStatus
from pbj.models.orders import BudgetSource, Notification, Order, OrderStatus
from pbj.models.packages import ProcurementMethod, RupPackage
from pbj.services import orders, packages, penalties
from pbj.services.catalogue import hidden_supplier_ids, is_public
from pbj.services.workdays import add_working_days, holidays, is_working_day

# A process yields the moment of its next step (naive UTC).
Process = Generator[datetime, None, None]
AddUser = Callable[[Organisation, Role, str], User]

# How busy each OPD is (relative); unknown OPDs count 1.
OPD_WEIGHT = {
    "SETDA": 3.0, "RSUD": 3.0, "DISDIKBUD": 3.0, "DINKES": 2.5, "DPUPR": 2.0, "BPKAD": 1.5,
    "DISPARPORA": 1.5, "BAPPEDA": 1.2, "DISHUB": 1.2, "DISKOPUKMDAG": 1.2, "SATPOLPP": 1.2, "BPBD": 1.0,
    "INSPEKTORAT": 0.8,
}
SMALL_OFFICE_WEIGHT = 0.7  # the kecamatan offices
# What OPDs buy (top category slug: weight), and what some buy more of.
NEEDS = {"alat-tulis-kantor": 4, "makanan-minuman": 4, "jasa-percetakan": 2.5, "jasa-kebersihan": 1,
         "pakaian-seragam": 1, "kerajinan-suvenir": 0.7, "elektronik": 0.6, "furnitur": 0.5,
         "bahan-bangunan": 0.1, "bahan-pokok": 0.8, "perlengkapan-kebersihan": 0.8}
NEEDS_OF = {
    "SETDA": {"makanan-minuman": 6, "kerajinan-suvenir": 2},
    "RSUD": {"jasa-kebersihan": 3.5, "makanan-minuman": 3, "perlengkapan-kebersihan": 2},
    "DISDIKBUD": {"alat-tulis-kantor": 5, "jasa-percetakan": 3.5},
    "DINKES": {"jasa-percetakan": 3.5},
    "DPUPR": {"bahan-bangunan": 3},
    "BPBD": {"pakaian-seragam": 2, "bahan-bangunan": 1, "bahan-pokok": 3},  # the dapur umum
    "SATPOLPP": {"pakaian-seragam": 2.5},
    "DISPARPORA": {"kerajinan-suvenir": 2.5, "pakaian-seragam": 1.5, "jasa-percetakan": 3},
    "DISKOPUKMDAG": {"kerajinan-suvenir": 1.5},
}
# The budget year is slow to start and busy towards its end; August has Independence Day.
MONTH_WEIGHT = {1: 0.5, 2: 0.7, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.1, 7: 1.0, 8: 1.3, 9: 1.0, 10: 1.1, 11: 1.3,
                12: 1.2}
AUGUST_NEEDS = {"pakaian-seragam": 2.5, "jasa-percetakan": 2.0}
# Typical value of one order line (rupiah), varied log-normally.
LINE_VALUE = {"alat-tulis-kantor": 1_500_000, "makanan-minuman": 2_500_000, "jasa-percetakan": 3_000_000,
              "jasa-kebersihan": 9_000_000, "pakaian-seragam": 6_000_000, "kerajinan-suvenir": 3_000_000,
              "elektronik": 12_000_000, "furnitur": 8_000_000, "bahan-bangunan": 10_000_000,
              "bahan-pokok": 4_000_000, "perlengkapan-kebersihan": 1_500_000}
BIG_ORDER_NEEDS = ["elektronik", "furnitur", "pakaian-seragam"]
BIG_ORDER_OPDS = ["DISDIKBUD", "RSUD", "SETDA", "DPUPR", "SATPOLPP", "DINKES"]
STREETS = ["Firdaus", "Alianyang", "GM Situt", "Diponegoro", "Ratu Sepudak", "Yos Sudarso", "Pahlawan",
           "Veteran", "Kridasana", "Sejahtera"]

# What becomes of an order (besides the in-progress ones left at the end), per hundred.
FATES = {"complete": 84, "paid": 3, "cancel": 4, "supplier_reject": 3, "ppk_reject": 2,
         "expire_submitted": 1.5, "expire_negotiating": 0.5, "expire_confirmed": 2}

# Lawful grounds for buying below a higher domestic-preference step (config
# PREFERENCE_GROUNDS), each with the buyer's explanation.
GROUNDS = [
    ("not_available", "Produk dengan nilai TKDN lebih tinggi tidak dapat dikirim sebelum tanggal kegiatan."),
    ("not_available", "Produk dengan TKDN lebih tinggi yang sesuai spesifikasi teknis kegiatan tidak tersedia "
                      "di katalog saat ini."),
    ("volume_not_enough", "Stok produk dengan TKDN lebih tinggi di kategori ini tidak mencukupi jumlah yang "
                          "dibutuhkan."),
    ("volume_not_enough", "Penyedia produk ber-TKDN lebih tinggi hanya sanggup memasok sebagian dari jumlah "
                          "kebutuhan kegiatan."),
]
# The RUP package each need is bought under (name; the pagu is set from the typical order).
PACKAGE_NAMES = {
    "alat-tulis-kantor": "Belanja alat tulis kantor", "makanan-minuman": "Belanja makanan dan minuman rapat",
    "jasa-percetakan": "Belanja jasa cetak dan penggandaan", "jasa-kebersihan": "Belanja jasa kebersihan kantor",
    "pakaian-seragam": "Belanja pakaian dinas dan seragam", "kerajinan-suvenir": "Belanja cendera mata",
    "elektronik": "Belanja peralatan elektronik kantor", "furnitur": "Belanja mebel kantor",
    "bahan-bangunan": "Belanja bahan bangunan pemeliharaan gedung",
    "bahan-pokok": "Belanja bahan pokok kegiatan", "perlengkapan-kebersihan": "Belanja alat dan bahan kebersihan",
    "konstruksi": "Rehabilitasi gedung kantor",  # a tender package: not for the catalogue
}
BIG_PACKAGE_PAGU = 450_000_000
BUYER_NOTES = ["Mohon harga terbaik untuk pembelian dalam jumlah ini.",
               "Sesuai HPS kegiatan, kami mengajukan harga berikut.",
               "Pesanan rutin setiap bulan; mohon potongan harga.", ""]
SUPPLIER_NOTES = ["Harga bahan baku sedang naik; kami beri potongan sebagian.",
                  "Bisa kami beri diskon, tetapi tidak sebesar itu.",
                  "Harga sudah termasuk ongkos kirim ke kantor."]
CANCEL_REASONS = ["Kegiatan rapat koordinasi ditunda ke bulan depan.",
                  "Salah memasukkan jumlah barang; akan dipesan ulang.",
                  "Anggaran kegiatan terkena refocusing, pesanan dibatalkan.",
                  "Kebutuhan sudah dipenuhi dari persediaan gudang."]
CANCEL_AFTER_COUNTER = "Harga akhir penyedia masih di atas HPS kegiatan; pesanan dibatalkan."
SUPPLIER_REJECT_REASONS = ["Stok bahan baku sedang kosong; pesanan tidak dapat kami penuhi.",
                           "Tidak sanggup memenuhi tanggal kebutuhan yang diminta.",
                           "Kapasitas produksi bulan ini sudah penuh."]
PRICE_TOO_LOW = "Harga yang ditawarkan di bawah biaya produksi kami."
PPK_REJECT_REASONS = ["Kode RUP tidak sesuai dengan paket pada DPA.",
                      "Spesifikasi barang tidak sesuai kebutuhan kegiatan.",
                      "Anggaran belum tersedia pada DPA; pesanan akan diajukan ulang.",
                      "Jumlah barang melebihi kebutuhan; mohon diajukan ulang."]
# Why the PPK waives a late-delivery penalty (Perpres 16/2018 Art. 79(4): only a delay
# that is the supplier's fault is fined).
# The OPD whose officials head the demo credentials file (pbj.demo.BUYING_OPDS).
FIRST_OPD = "DISDIKBUD"
# Why the PPK cancels the rest that was not accepted at the BAST.
REST_REASON = "Kekurangan tidak diganti: kebutuhan sudah terpenuhi, sisa pesanan dibatalkan."
WAIVER_REASON = ("Keterlambatan karena banjir yang menutup jalan ke Singkawang (keadaan kahar), "
                 "bukan kesalahan penyedia.")

BAST_NOTES = ["Barang diterima lengkap dan dalam kondisi baik.",
              "Diperiksa bersama pejabat pemeriksa hasil pekerjaan; sesuai spesifikasi.",
              "Sesuai Surat Pesanan.", ""]
COMMENTS = {
    5: ["Barang sesuai pesanan dan dikirim tepat waktu.", "Pelayanan sangat baik, kualitas bagus.",
        "Mantap, UMKM lokal yang bisa diandalkan.", "Cepat tanggap dan ramah."],
    4: ["Barang sesuai, pengiriman sedikit terlambat.", "Kualitas baik, kemasan bisa lebih rapi.",
        "Secara umum baik."],
    3: ["Sebagian barang rusak saat diterima.", "Pengiriman terlambat dari jadwal.",
        "Kualitas cukup, perlu ditingkatkan."],
}
# Services are carried out, not shipped: their notes speak of work (pekerjaan).
SERVICE_NEEDS = {"jasa-kebersihan"}
SERVICE_BAST_NOTES = ["Pekerjaan selesai dan diterima dengan baik.",
                      "Diperiksa bersama pejabat pemeriksa hasil pekerjaan; sesuai spesifikasi.",
                      "Sesuai Surat Pesanan.", ""]
SERVICE_COMMENTS = {
    5: ["Pekerjaan rapi dan selesai tepat waktu.", "Pelayanan sangat baik, hasil kerja bersih.",
        "Mantap, UMKM lokal yang bisa diandalkan.", "Cepat tanggap dan ramah."],
    4: ["Hasil kerja baik, petugas sedikit terlambat datang.",
        "Hasil kerja baik, peralatan bisa lebih lengkap.", "Secara umum baik."],
    3: ["Sebagian pekerjaan harus diulang.", "Pekerjaan terlambat dari jadwal.",
        "Hasil kerja cukup, perlu ditingkatkan."],
}
COMMENTS_OF = {
    "makanan-minuman": "Kue enak dan datang sebelum rapat dimulai.",
    "jasa-percetakan": "Hasil cetak rapi, warna sesuai desain.",
    "jasa-kebersihan": "Petugas rajin dan datang tepat waktu.",
    "pakaian-seragam": "Jahitan rapi dan ukuran sesuai.",
    "alat-tulis-kantor": "Barang lengkap sesuai daftar pesanan.",
}
REPLIES = {5: ["Terima kasih atas kepercayaan Bapak/Ibu.", "Terima kasih, semoga bisa bekerja sama lagi."],
           4: ["Terima kasih atas masukannya, akan kami perbaiki."],
           3: ["Mohon maaf atas kekurangannya; ke depan akan kami perbaiki."]}


@dataclass
class Team:
    """An OPD's buying side: who orders, approves and pays, and where goods go."""

    opd: Organisation
    pp: User | None  # None: the PPK orders
    ppk: User
    bendahara: User
    address: str
    weight: float


@dataclass
class Plan:
    fate: str = "complete"
    stop: OrderStatus | None = None  # left in this state at the end (recent orders)
    negotiate: bool = False
    partial: bool = False  # delivered in two notes
    short: bool = False  # the BAST receives less than was shipped
    replace: bool | None = None  # what was not received: delivered again, or cancelled (None: by chance)
    fast: bool = False  # one working day between steps
    pay_late: bool = False  # the bendahara pays weeks after PAYMENT_DUE_WORKING_DAYS (a planted risk flag)


def seed_orders(rng: random.Random, count: int = 250, *, add_user: AddUser,
                now: datetime | None = None, advance: Callable[..., None] | None = None) -> Counter:
    """Replay about `count` orders over the year before `now`; return the count per status.

    Buyers are the PP and PPK of every OPD (missing ones are made with
    `add_user`); suppliers are the verified demo suppliers with published
    products. Commits as it goes. `advance(to=n)` hears the replay reach day n
    of the 365 (the CLI's progress bar).
    """
    end = now or utcnow()
    start = end - timedelta(days=365)
    _list_before(start - timedelta(days=2))
    replay = Replay(rng, start, end, _teams(rng, add_user))
    if count and replay.teams and replay.shelf:
        replay.plan(count)
        replay.run(advance=advance)
    if replay.teams:
        replay.fill_registers()
    _mark_old_notifications_read(end - timedelta(days=14))
    _commit()
    return Counter(dict(db.session.execute(
        sa.select(Order.status, sa.func.count()).group_by(Order.status)).all()))


def _commit() -> None:
    # The services queue one e-mail per recipient, sent (or written to
    # instance/outbox/) after the commit: a replayed year would mail thousands of
    # stale messages. The in-app notifications stay.
    db.session.info.pop("pbj_mail", None)
    db.session.commit()


def _list_before(moment: datetime) -> None:
    """Date the published demo products a year back, before the first order.

    A product is orderable LISTING_MIN_AGE_HOURS after publication; the spread of
    publication dates (the "newest" sort) is kept.
    """
    for product in db.session.scalars(sa.select(Product).where(Product.published_at.is_not(None))):
        while product.published_at > moment:
            product.published_at -= timedelta(days=366)
            product.created_at = min(product.created_at, product.published_at - timedelta(days=2))
    db.session.flush()  # the ORM also moves updated_at, the facet cache's version


def _teams(rng: random.Random, add_user: AddUser) -> list[Team]:
    """The buying side of every OPD; a PP, PPK and bendahara are made where missing.

    The small offices (kecamatan, Inspektorat) get no PP: their PPK orders
    (e-purchasing allows both), and each demo account costs a deliberately slow
    password hash.
    """
    teams = []
    opds = db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrgKind.OPD,
                                                            Organisation.active.is_(True))
                              .order_by(Organisation.id)).all()
    for opd in opds:
        people: dict[Role, User] = {}
        for user in db.session.scalars(sa.select(User).where(User.org_id == opd.id, User.active.is_(True))
                                       .order_by(User.id)):
            people.setdefault(user.role, user)
        small = (opd.code or "").startswith("KEC-") or opd.code == "INSPEKTORAT"
        for role in (Role.PPK, Role.BENDAHARA) if small else (Role.PP, Role.PPK, Role.BENDAHARA):
            if role not in people:
                domain = f"{(opd.code or str(opd.id)).lower()}.singkawang.demo"
                people[role] = add_user(opd, role, f"{role.value}@{domain}")
        street = rng.choice(STREETS)
        teams.append(Team(opd, people.get(Role.PP), people[Role.PPK], people[Role.BENDAHARA],
                          f"{opd.name}, Jl. {street} No. {rng.randint(1, 120)}, Kota Singkawang",
                          SMALL_OFFICE_WEIGHT if (opd.code or "").startswith("KEC-")
                          else OPD_WEIGHT.get(opd.code or "", 1.0)))
    return teams


def _round_price(price: float) -> int:
    step = 500 if price >= 20_000 else 100 if price >= 1_000 else 1
    return max(1, int(price // step) * step)


def _round_quantity(qty: int) -> int:
    if qty > 100:
        return round(qty, -1)
    if qty > 20:
        return 5 * round(qty / 5)
    return qty


class Replay:
    """The heap of processes and the simulated clock."""

    def __init__(self, rng: random.Random, start: datetime, end: datetime, teams: list[Team]):
        cfg = current_app.config
        self.rng, self.start_at, self.end, self.teams = rng, start, end, teams
        self.now = start
        self.zone = city_zone()
        self.off = holidays()
        self.pp_limit = cfg["PP_ORDER_LIMIT_RUPIAH"]
        self._heap: list[tuple[datetime, int, Process]] = []
        self._seq = itertools.count()
        self._index_catalogue()
        self.favourite: dict[tuple[int, str], int] = {}  # an OPD goes back to the supplier it knows
        self.late_basts = 0  # the PPK waives the first late BAST and one in five after it
        # The package an OPD buys a need under, per year (a big purchase has its own); a
        # new stage when the pagu is used up.
        self.packages: dict[tuple[int, int, str, bool], RupPackage] = {}
        self.stages: Counter = Counter()
        self.codes: set[str] = set(db.session.scalars(sa.select(RupPackage.rup_code)))
        self.counters: Counter = Counter()  # delivery notes per supplier, SP2D per OPD and year
        self.better_tier: dict[tuple[int, int], bool] = {}

    # -- Time --------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.local(self.now).date()

    def local(self, moment: datetime) -> datetime:
        return moment.replace(tzinfo=timezone.utc).astimezone(self.zone)

    def utc(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(timezone.utc).replace(tzinfo=None)

    def office_moment(self, day: date, after: datetime | None = None) -> datetime:
        """A moment in office hours (08:00–16:00 city time) of `day`, after `after`."""
        opens, closes = self.utc(day, time(8)), self.utc(day, time(16))
        if after is not None:
            opens = max(opens, after + timedelta(minutes=5))
        return opens + timedelta(seconds=self.rng.randrange(max(1, int((closes - opens).total_seconds()))))

    def within(self, fewest: int, most: int) -> datetime:
        """An office moment `fewest` to `most` working days from now (0: later today).

        Open orders wait at most 2 working days for their next step: the PPK
        deadline is the end of the 3rd working day after the last one.
        """
        days = self.rng.randint(fewest, most)
        local = self.local(self.now)
        if days == 0 and is_working_day(local.date(), self.off) and local.time() < time(15, 30):
            return self.office_moment(local.date(), after=self.now)
        return self.office_moment(add_working_days(local.date(), max(days, 1), self.off))

    def working_day_before_end(self, days: int) -> date:
        day = self.local(self.end).date()
        while days > 0:
            day -= timedelta(days=1)
            if is_working_day(day, self.off):
                days -= 1
        return day

    # -- Running -----------------------------------------------------------------------

    def spawn(self, process: Process) -> None:
        """Start a process: it runs up to its first yield, the moment of its first step."""
        try:
            when = next(process)
        except StopIteration:
            return
        heapq.heappush(self._heap, (when, next(self._seq), process))

    def run(self, commit_every: int = 1000, advance: Callable[..., None] | None = None) -> None:
        self.spawn(self._expiry_cron())
        steps = 0
        day = 0
        while self._heap and self._heap[0][0] <= self.end:
            when, _, process = heapq.heappop(self._heap)
            self.now = when
            if advance is not None and (when - self.start_at).days > day:
                day = (when - self.start_at).days
                advance(to=day)
            try:
                following = next(process)
            except StopIteration:
                following = None
            if following is not None:
                heapq.heappush(self._heap, (following, next(self._seq), process))
            steps += 1
            if steps % commit_every == 0:
                _commit()
        # Whatever is left would act after now: those orders stay where they are,
        # within their deadlines. The cron's run of now:
        self.now = self.end
        orders.expire_overdue(self.end)

    def _expiry_cron(self) -> Process:
        day = self.local(self.start_at).date()
        while True:
            day += timedelta(days=1)
            yield self.utc(day, time(0, 10))
            orders.expire_overdue(self.now)

    # -- The catalogue -----------------------------------------------------------------

    def _index_catalogue(self) -> None:
        """Orderable products by top category and supplier, and each supplier's user."""
        end_day = self.local(self.end).date()
        top_of = {c.id: (c.parent.slug if c.parent else c.slug)
                  for c in db.session.scalars(sa.select(Category).order_by(Category.id))}
        self.shelf: dict[str, dict[int, list[Product]]] = defaultdict(lambda: defaultdict(list))
        self.supplier_products: dict[int, list[Product]] = defaultdict(list)
        self.supplier_user: dict[int, User] = {}
        self.local_umk: dict[int, bool] = {}
        self.top_of: dict[int, str] = {}
        region = current_app.config["CITY_REGION_CODE"]
        products = db.session.scalars(sa.select(Product).where(Product.status == ProductStatus.PUBLISHED)
                                      .order_by(Product.id))
        for product in products:
            if not is_public(product, end_day):
                continue
            sid = product.supplier_id
            if sid not in self.supplier_user:
                user = db.session.scalar(sa.select(User).where(User.org_id == sid, User.role == Role.PENYEDIA,
                                                               User.active.is_(True)).order_by(User.id))
                if user is None:
                    continue
                self.supplier_user[sid] = user
                supplier = product.supplier
                self.local_umk[sid] = supplier.is_local(region) and supplier.is_umk
            self.top_of[product.id] = top_of[product.category_id]
            self.shelf[top_of[product.category_id]][sid].append(product)
            self.supplier_products[sid].append(product)

    def _quantity(self, product: Product, value: float, big: bool) -> int | None:
        qty = max(product.min_order, _round_quantity(round(value / product.unit_price)))
        if product.stock is not None:
            # Leave some stock for others (suppliers do not restock in the demo), except for big orders.
            room = product.stock if big else product.stock // 2
            if room < product.min_order:
                return None
            qty = min(qty, room)
        return qty

    def _basket(self, team: Team, need: str, big: bool, taken: set[int]) -> list[tuple[Product, int]]:
        """Products and quantities from one supplier that sells what the OPD needs."""
        rng = self.rng
        sellers = [sid for sid in self.shelf.get(need, {}) if sid not in taken]
        for _attempt in range(3):
            if not sellers:
                return []
            favourite = self.favourite.get((team.opd.id, need))
            if favourite in sellers and rng.random() < 0.5:
                sid = favourite
            else:
                sid = rng.choices(sellers, weights=[3 if self.local_umk[s] else 1 for s in sellers])[0]
            fitting = self.shelf[need][sid]
            if big:
                picks = sorted(fitting, key=lambda p: -p.unit_price)[:rng.randint(1, 2)]
                value = rng.randint(210, 380) * 1_000_000 / len(picks)
            else:
                picks = rng.sample(fitting, min(len(fitting), rng.choices([1, 2, 3, 4], [35, 30, 22, 13])[0]))
                others = [p for p in self.supplier_products[sid] if p not in picks]
                if others and rng.random() < 0.2:  # e.g. mineral water with the snack boxes
                    picks.append(rng.choice(others))
            lines = []
            for product in picks:
                if not big:
                    value = LINE_VALUE.get(self.top_of[product.id], 2_000_000) * rng.lognormvariate(0, 0.6)
                qty = self._quantity(product, value, big)
                if qty:
                    lines.append((product, qty))
            if lines:
                self.favourite[(team.opd.id, need)] = sid
                return lines
            sellers.remove(sid)
        return []

    def _better_tier_exists(self, product: Product) -> bool:
        # What checkout asks (cart_groups' needs_justification), per category and tier:
        # nothing is listed or delisted while the year is replayed.
        key = (product.category_id, product.preference)
        if key not in self.better_tier:
            self.better_tier[key] = orders.better_tier_exists(product, hidden_supplier_ids(self.today))
        return self.better_tier[key]

    def _need(self, team: Team, month: int) -> str:
        weights = {**NEEDS, **NEEDS_OF.get(team.opd.code or "", {})}
        if month == 8:
            weights = {k: v * AUGUST_NEEDS.get(k, 1) for k, v in weights.items()}
        slugs = [s for s in weights if s in self.shelf] or list(self.shelf)
        return self.rng.choices(slugs, weights=[weights.get(s, 1) for s in slugs])[0]

    def _budget_source(self, team: Team) -> BudgetSource:
        roll, code = self.rng.random(), team.opd.code
        if code == "RSUD" and roll < 0.7:
            return BudgetSource.BLUD
        if code == "DISDIKBUD" and roll < 0.25:
            return BudgetSource.BOS
        if code in ("DINKES", "DPUPR") and roll < 0.2:
            return BudgetSource.DAK
        return BudgetSource.APBN if roll > 0.98 else BudgetSource.APBD

    # -- Planning ----------------------------------------------------------------------

    def plan(self, count: int) -> None:
        """Spread `count` orders over the OPDs and the year's working days, and spawn them."""
        rng = self.rng
        tail = [OrderStatus.SUBMITTED, OrderStatus.NEGOTIATING, OrderStatus.CONFIRMED, OrderStatus.APPROVED,
                OrderStatus.SHIPPED, OrderStatus.RECEIVED, OrderStatus.PAID]
        # A few orders of the last days, left in each open state (the rest of the year
        # leaves some there too, but not reliably in every state).
        steps_to = {OrderStatus.SUBMITTED: 0, OrderStatus.NEGOTIATING: 1, OrderStatus.CONFIRMED: 1,
                    OrderStatus.APPROVED: 2, OrderStatus.SHIPPED: 3, OrderStatus.RECEIVED: 4,
                    OrderStatus.PAID: 5}
        tail_sets = max(1, count // 300) if count >= 20 else 0
        for n in range(tail_sets):
            for stop in tail:
                day = self.working_day_before_end(steps_to[stop] + 1)
                plan = Plan(stop=stop, fast=True, negotiate=stop is OrderStatus.NEGOTIATING)
                # The first set is the first OPD's (the first officials in the credentials file),
                # so a newcomer's first login finds work waiting on its desk.
                first = [t for t in self.teams if t.opd.code == FIRST_OPD]
                team = first[0] if n == 0 and first else self._team()
                self.spawn(self._purchase(self.office_moment(day), team, [plan]))
        big = count // 200
        regular = max(0, count - len(tail) * tail_sets - big)

        first_day = self.local(self.start_at).date() + timedelta(days=1)
        last_day = self.local(self.end).date() - timedelta(days=1)
        days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        days = [d for d in days if is_working_day(d, self.off)]
        if not days:
            return
        carts: list[tuple[date, list[Plan]]] = []
        made = 0
        while made < regular:
            plans = [self._random_plan() for _ in range(2 if rng.random() < 0.08 else 1)]
            carts.append((rng.choices(days, weights=[MONTH_WEIGHT[d.month] for d in days])[0], plans))
            made += len(plans)
        # Every way an order can end happens at least once, early enough to have happened.
        settled = [plans for day, plans in carts if len(plans) == 1 and day < last_day - timedelta(days=45)]
        for fate, plans in zip(FATES, rng.sample(settled, min(len(settled), len(FATES)))):
            plans[0].fate = fate
            plans[0].negotiate = plans[0].negotiate or fate == "expire_negotiating"
        # A shortfall at the BAST happens at least twice: once delivered again, once cancelled.
        whole = [plans for plans in settled if plans[0].fate == "complete"]
        for replace, plans in zip((True, False), rng.sample(whole, min(len(whole), 2))):
            plans[0].short, plans[0].replace = True, replace
        # Two planted late payments (docs/RULES.md "Risk flags"), early in the year so the
        # due day has long passed: one paid weeks late, one received and never paid.
        # Chosen without the generator, so the rest of the year stays as it was.
        early = [plans for day, plans in carts if len(plans) == 1 and day < last_day - timedelta(days=150)
                 and plans[0].fate == "complete" and not plans[0].short and not plans[0].partial]
        if len(early) >= 2:
            early[0][0].pay_late = True
            early[-1][0].stop, early[-1][0].fate = OrderStatus.RECEIVED, "paid"
        for day, plans in carts:
            self.spawn(self._purchase(self.office_moment(day), self._team(), plans))
        for _ in range(big):
            day = rng.choice([d for d in days if d < last_day - timedelta(days=60)] or days)
            team = self._team([t for t in self.teams if t.opd.code in BIG_ORDER_OPDS] or self.teams)
            self.spawn(self._purchase(self.office_moment(day), team, [Plan(partial=True)], big=True))

    def _team(self, teams: list[Team] | None = None) -> Team:
        teams = teams or self.teams
        return self.rng.choices(teams, weights=[t.weight for t in teams])[0]

    def _random_plan(self) -> Plan:
        rng = self.rng
        fate = rng.choices(list(FATES), weights=list(FATES.values()))[0]
        return Plan(fate=fate, negotiate=fate == "expire_negotiating" or rng.random() < 0.2,
                    partial=rng.random() < 0.2, short=rng.random() < 0.08)

    # -- The processes -----------------------------------------------------------------

    def _purchase(self, when: datetime, team: Team, plans: list[Plan], big: bool = False) -> Process:
        """Fill a cart (one supplier per plan) and check out; each order then lives on."""
        yield when
        rng = self.rng
        need = self._need(team, self.today.month)
        if big:
            need = rng.choice([n for n in BIG_ORDER_NEEDS if n in self.shelf] or [need])
        baskets, placed, taken = [], [], set()
        for n, plan in enumerate(plans):
            wanted = need if n == 0 else self._need(team, self.today.month)
            basket = self._basket(team, wanted, big, taken)
            if basket:
                baskets.append(basket)
                placed.append((plan, wanted))
                taken.add(basket[0][0].supplier_id)
        if not baskets:
            return
        totals = [sum(p.unit_price * q for p, q in basket) for basket in baskets]
        # Every supplier order of this cart goes under the package of the first need; they
        # add up with the package's live orders: above the PP limit only the PPK may order.
        package = self._package(team, need, sum(totals), big)
        buyer = team.pp
        if buyer is None or big or packages.live_total(package) + sum(totals) > self.pp_limit \
                or rng.random() < 0.15:
            buyer = team.ppk
        for basket in baskets:
            for product, qty in basket:
                orders.add_to_cart(buyer, product, qty, self.today)
        down = [basket[0][0].supplier_id for basket in baskets
                if any(self._better_tier_exists(product) for product, _qty in basket)]
        chosen = {sid: rng.choice(GROUNDS) for sid in down}
        data = orders.CheckoutData(
            package_id=package.id, delivery_address=team.address,
            needed_by=self.today + timedelta(days=rng.randint(5, 30)), ppk_id=team.ppk.id,
            grounds={sid: ground for sid, (ground, _text) in chosen.items()},
            explanations={sid: text for sid, (_ground, text) in chosen.items()})
        made = orders.checkout(buyer, data, self.now, self.today)  # one order per supplier, in cart order
        for order, (plan, wanted) in zip(made, placed):
            self.spawn(self._life(order, team, plan, wanted))

    def _new_code(self) -> str:
        while True:
            code = str(self.rng.randint(30_000_000, 59_999_999))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _make_package(self, team: Team, year: int, need: str, pagu: int, stage: int = 1,
                      method: ProcurementMethod = ProcurementMethod.E_PURCHASING) -> RupPackage:
        source = self._budget_source(team)
        if source not in packages.allowed_sources(team.opd):
            source = BudgetSource.APBD
        name = PACKAGE_NAMES.get(need, "Belanja barang dan jasa")
        if stage > 1:
            name = f"{name} tahap {stage}"
        return packages.save_package(None, team.opd, packages.PackageData(
            self._new_code(), name, pagu, method, source, year,
            satker=team.opd.name), self.now)

    def _package(self, team: Team, need: str, total: int, big: bool) -> RupPackage:
        """The OPD's package for this need and year, with room for `total` (a new stage
        when the pagu is used up: a new package of the plan, not a split one)."""
        key = (team.opd.id, self.today.year, need, big)
        current = self.packages.get(key)
        if current is not None and packages.live_total(current) + total <= current.pagu:
            return current
        self.stages[key] += 1
        typical = LINE_VALUE.get(need, 2_000_000) * 40
        pagu = max(BIG_PACKAGE_PAGU if big else typical, total * 2)
        pagu = -(-pagu // 5_000_000) * 5_000_000
        self.packages[key] = self._make_package(team, self.today.year, need, pagu, self.stages[key])
        return self.packages[key]

    def fill_registers(self) -> None:
        """This year's register of every OPD: a package for each need not yet bought, and
        a few that checkout refuses (another method, next year) to show the rule."""
        self.now = self.end
        year = self.today.year
        for n, team in enumerate(self.teams):
            for need in PACKAGE_NAMES:
                if (team.opd.id, year, need, False) not in self.packages and need in self.shelf:
                    self.packages[(team.opd.id, year, need, False)] = self._make_package(
                        team, year, need, -(-LINE_VALUE.get(need, 2_000_000) * 40 // 5_000_000) * 5_000_000)
            if n % 4 == 0:
                self._make_package(team, year, "konstruksi", 750_000_000, method=ProcurementMethod.TENDER)
                self._make_package(team, year + 1, "alat-tulis-kantor", 80_000_000)
        _commit()

    def _offer_prices(self, order: Order, cut: tuple[float, float]) -> dict[int, int]:
        return {item.id: min(item.list_price, _round_price(item.agreed_price * (1 - self.rng.uniform(*cut))))
                for item in order.items}

    def _counter_prices(self, order: Order) -> dict[int, int]:
        offered = {line.item_id: line.unit_price for line in order.open_offer.lines}
        return {item.id: min(item.list_price, max(offered[item.id], _round_price(
            offered[item.id] + (item.list_price - offered[item.id]) * self.rng.uniform(0.4, 0.7))))
            for item in order.items}

    def _waives(self, order: Order) -> bool:
        """Late deliveries get their penalty through the same service; the PPK waives one
        late BAST in five (counted, so the random stream is unchanged)."""
        if penalties.compute(order).total <= 0:
            return False
        self.late_basts += 1
        return self.late_basts % 5 == 1

    def _note_number(self, order: Order) -> str:
        self.counters[("sj", order.supplier_id)] += 1
        initials = "".join(w[0] for w in order.supplier.org.name.split() if w[0].isalpha())[:4].upper()
        return f"SJ/{initials}/{self.today:%y%m}/{self.counters[('sj', order.supplier_id)]:03d}"

    def _sp2d(self, team: Team) -> str:
        key = ("sp2d", team.opd.id, self.today.year)
        self.counters[key] += 1
        return f"{self.counters[key]:05d}/SP2D-LS/{team.opd.code}/{self.today.year}"

    def _life(self, order: Order, team: Team, plan: Plan, need: str) -> Process:
        """One order from submission to rating, or to the end its plan gives it."""
        rng = self.rng
        supplier, buyer, ppk = self.supplier_user[order.supplier_id], order.buyer, team.ppk
        service = need in SERVICE_NEEDS

        def wait(fewest: int, most: int) -> datetime:
            return self.within(1, 1) if plan.fast else self.within(fewest, most)

        def stopped() -> bool:
            return order.status is plan.stop

        if plan.fate == "expire_submitted" or stopped():
            return  # the supplier never answers: the nightly expiry ends it
        yield wait(0, 2)
        if plan.negotiate:
            orders.make_offer(buyer, order, self._offer_prices(order, (0.03, 0.12)), rng.choice(BUYER_NOTES),
                              self.now)
            if plan.fate == "expire_negotiating" or stopped():
                return
            yield wait(0, 2)
            if plan.fate == "supplier_reject" and rng.random() < 0.5:
                orders.supplier_reject(supplier, order, PRICE_TOO_LOW, self.now)
                return
            answer = rng.choices(["accept", "decline", "counter"], [5, 2, 3])[0]
            if answer == "counter":
                orders.make_offer(supplier, order, self._counter_prices(order), rng.choice(SUPPLIER_NOTES),
                                  self.now)
                yield wait(0, 2)
                if plan.fate == "cancel":
                    orders.cancel(buyer, order, CANCEL_AFTER_COUNTER, self.now)
                    return
                orders.answer_offer(buyer, order, rng.random() < 0.75, self.now)
            else:
                orders.answer_offer(supplier, order, answer == "accept", self.now)
            yield wait(0, 2)
        if plan.fate == "supplier_reject":
            orders.supplier_reject(supplier, order, rng.choice(SUPPLIER_REJECT_REASONS), self.now)
            return
        if plan.fate == "cancel" and rng.random() < 0.5:
            orders.cancel(buyer, order, rng.choice(CANCEL_REASONS), self.now)
            return
        orders.confirm(supplier, order, self.now)
        if plan.fate == "expire_confirmed" or stopped():
            return  # the PPK never approves
        yield wait(0, 2)
        if plan.fate == "cancel":
            orders.cancel(buyer, order, rng.choice(CANCEL_REASONS), self.now)
            return
        if plan.fate == "ppk_reject":
            orders.ppk_reject(ppk, order, rng.choice(PPK_REJECT_REASONS), self.now)
            return
        orders.approve(ppk, order, self.now, self.today, accept_ground=True)
        if stopped():
            return
        # No deadline after approval: delivery takes what the products' lead times say.
        lead = min(10, max(item.product.lead_time_days for item in order.items))
        yield wait(1, max(1, lead))
        items = order.items
        if plan.partial and any(item.quantity > 1 for item in items):
            share = rng.randint(40, 70)
            first = {item.id: max(1, item.quantity * share // 100) if item.quantity > 1 else item.quantity
                     for item in items}
            orders.ship(supplier, order, first, self._note_number(order), self.today,
                        "Pekerjaan tahap pertama selesai." if service else "Pengiriman tahap pertama.",
                        self.now, self.today)
            yield wait(2, 6)
            if order.id % 2 == 0:  # half of them: the PPK receives the first part with its own BAST
                waive = self._waives(order)
                orders.sign_handover(ppk, order, {item.id: item.awaiting_inspection for item in items},
                                     "Penerimaan tahap pertama; sisa pesanan menyusul.", self.today, None,
                                     self.now, self.today, rest="open", waive_penalty=waive,
                                     waiver_reason=WAIVER_REASON if waive else "")
                yield wait(1, 4)
            rest = {item.id: item.to_ship for item in items}
            orders.ship(supplier, order, rest, self._note_number(order), self.today,
                        "Pekerjaan tahap kedua (sisa pesanan) selesai." if service
                        else "Pengiriman tahap kedua (sisa pesanan).", self.now, self.today)
        else:
            orders.ship(supplier, order, {item.id: item.quantity for item in items}, self._note_number(order),
                        self.today, rng.choice(["", "Dikerjakan di kantor sesuai jadwal." if service
                                                else "Dikirim dengan mobil box ke kantor."]), self.now,
                        self.today)
        if stopped():
            return
        yield wait(0, 3)
        received = {item.id: item.awaiting_inspection for item in items}
        notes = rng.choice(SERVICE_BAST_NOTES if service else BAST_NOTES)
        # One unit short of an item, or a whole item when the order has others received.
        damaged = [item for item in items if item.awaiting_inspection >= 2 or (
            item.awaiting_inspection and sum(1 for other in items if other.awaiting_inspection) > 1)]
        short = plan.short and bool(damaged)
        if short:
            item = rng.choice(damaged)
            missing = rng.randint(1, max(1, item.awaiting_inspection // 10))
            received[item.id] -= missing
            what = f"{missing} {item.unit} {item.name}"
            notes = (f"{what} tidak dikerjakan sesuai spesifikasi dan tidak diterima." if service
                     else f"{what} rusak saat pengiriman dan tidak diterima.")
        waive = self._waives(order)
        # What was not accepted: one time in three the supplier replaces it (the rest stays open
        # and a second BAST receives it), otherwise the PPK cancels it with a reason.
        replace = short and (plan.replace if plan.replace is not None else order.id % 3 == 0)
        orders.sign_handover(ppk, order, received, notes, self.today, None, self.now, self.today,
                             waive_penalty=waive, waiver_reason=WAIVER_REASON if waive else "",
                             rest="open" if replace else "cancel", rest_reason=REST_REASON)
        if replace:
            yield wait(1, 4)
            orders.ship(supplier, order, {item.id: item.to_ship for item in items}, self._note_number(order),
                        self.today, "Pengganti barang yang tidak diterima.", self.now, self.today)
            yield wait(0, 2)
            orders.sign_handover(ppk, order, {item.id: item.awaiting_inspection for item in items},
                                 "Barang pengganti diterima dalam keadaan baik.", self.today, None, self.now,
                                 self.today)
        if stopped():
            return
        yield self.within(25, 30) if plan.pay_late else wait(2, 12)
        tax = orders.tax_breakdown(order)  # of what the BAST received
        net = tax.net - penalties.deduction(order, tax.net)  # less the late-delivery penalty
        sp2d = self._sp2d(team)
        orders.record_payment(team.bendahara, order, self.today, sp2d, net, self.now, self.today,
                              orders.PaymentDetails(sp2d_number=sp2d, sp2d_date=self.today))
        if plan.fate == "paid" or stopped():
            return  # the PPK has not rated the supplier
        yield wait(0, 8)
        stars = rng.choice([3, 3, 4]) if short else rng.choices([5, 4, 3], [55, 35, 10])[0]
        comments = SERVICE_COMMENTS if service else COMMENTS
        comment = COMMENTS_OF.get(need) if stars == 5 and rng.random() < 0.4 else rng.choice(comments[stars])
        orders.rate(ppk, order, stars, comment or rng.choice(comments[stars]), self.now)
        if rng.random() < 0.35:
            yield wait(0, 3)
            orders.reply_to_rating(supplier, order, rng.choice(REPLIES[stars]), self.now)


def _mark_old_notifications_read(before: datetime) -> None:
    """Demo users have read what reached them more than two weeks ago."""
    db.session.execute(sa.update(Notification)
                       .where(Notification.read_at.is_(None), Notification.created_at < before)
                       .values(read_at=Notification.created_at))
