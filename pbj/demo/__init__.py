"""Demo data for a Kota Singkawang setting, made through the real services.

Names and places follow ../shared/reference/singkawang.md. Passwords are
random every time; `seed()` returns them for the CLI to print.
"""
from __future__ import annotations

import random
import secrets
import time
from contextlib import contextmanager
from datetime import date, timedelta

from flask import current_app

from pbj.cli_progress import Progress, Quiet
from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.suppliers import BusinessScale, DocumentKind, Sanction
from pbj.demo.people import date_the_setup, person_names
from pbj.services import accounts, suppliers

UKPBJ = ("Bagian Pengadaan Barang/Jasa Setda Kota Singkawang", "UKPBJ")
OPDS = [
    ("Sekretariat Daerah Kota Singkawang", "SETDA"),
    ("Inspektorat Kota Singkawang", "INSPEKTORAT"),
    ("Badan Perencanaan Pembangunan Daerah", "BAPPEDA"),
    ("Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
    ("Dinas Pendidikan dan Kebudayaan", "DISDIKBUD"),
    ("Dinas Kesehatan", "DINKES"),
    ("RSUD dr. Abdul Aziz", "RSUD"),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "DPUPR"),
    ("Dinas Perhubungan", "DISHUB"),
    ("Dinas Koperasi, UKM dan Perdagangan", "DISKOPUKMDAG"),
    ("Satuan Polisi Pamong Praja", "SATPOLPP"),
    ("Badan Penanggulangan Bencana Daerah", "BPBD"),
    ("Dinas Pariwisata, Pemuda dan Olahraga", "DISPARPORA"),
    ("Kecamatan Singkawang Barat", "KEC-SKWBRT"),
    ("Kecamatan Singkawang Tengah", "KEC-SKWTGH"),
    ("Kecamatan Singkawang Timur", "KEC-SKWTMR"),
    ("Kecamatan Singkawang Utara", "KEC-SKWUTR"),
    ("Kecamatan Singkawang Selatan", "KEC-SKWSLT"),
]
# Demo office addresses (street names and numbers made up; kelurahan and kecamatan
# are Singkawang's).
OPD_ADDRESSES = {
    "SETDA": "Jl. Firdaus No. 1, Kel. Pasiran, Kec. Singkawang Barat, Kota Singkawang 79123",
    "INSPEKTORAT": "Jl. Firdaus No. 5, Kel. Pasiran, Kec. Singkawang Barat, Kota Singkawang 79123",
    "BAPPEDA": "Jl. Firdaus No. 9, Kel. Pasiran, Kec. Singkawang Barat, Kota Singkawang 79123",
    "BPKAD": "Jl. Firdaus No. 11, Kel. Pasiran, Kec. Singkawang Barat, Kota Singkawang 79123",
    "DISDIKBUD": "Jl. Alianyang No. 18, Kel. Pasiran, Kec. Singkawang Barat, Kota Singkawang 79123",
    "DINKES": "Jl. Alianyang No. 46, Kel. Pasiran, Kec. Singkawang Barat, Kota Singkawang 79123",
    "RSUD": "Jl. dr. Soetomo No. 28, Kel. Pasiran, Kec. Singkawang Barat, Kota Singkawang 79123",
    "DPUPR": "Jl. Yos Sudarso No. 21, Kel. Melayu, Kec. Singkawang Barat, Kota Singkawang 79122",
    "DISHUB": "Jl. Yos Sudarso No. 35, Kel. Melayu, Kec. Singkawang Barat, Kota Singkawang 79122",
    "DISKOPUKMDAG": "Jl. Diponegoro No. 12, Kel. Tengah, Kec. Singkawang Barat, Kota Singkawang 79121",
    "SATPOLPP": "Jl. Rahadi Usman No. 7, Kel. Tengah, Kec. Singkawang Barat, Kota Singkawang 79121",
    "BPBD": "Jl. Gunung Raya No. 3, Kel. Roban, Kec. Singkawang Tengah, Kota Singkawang 79114",
    "DISPARPORA": "Jl. Kridasana No. 2, Kel. Condong, Kec. Singkawang Tengah, Kota Singkawang 79113",
    "KEC-SKWBRT": "Jl. Kalimantan No. 4, Kel. Kuala, Kec. Singkawang Barat, Kota Singkawang 79124",
    "KEC-SKWTGH": "Jl. Stadion No. 10, Kel. Roban, Kec. Singkawang Tengah, Kota Singkawang 79114",
    "KEC-SKWTMR": "Jl. Raya Bagak No. 1, Kec. Singkawang Timur, Kota Singkawang 79251",
    "KEC-SKWUTR": "Jl. Raya Sungai Garam No. 2, Kec. Singkawang Utara, Kota Singkawang 79151",
    "KEC-SKWSLT": "Jl. Raya Sedau No. 8, Kel. Sedau, Kec. Singkawang Selatan, Kota Singkawang 79163",
}
OFFICIAL_ROLES = (Role.PP, Role.PPK, Role.BENDAHARA)
# Demo passwords are random (secrets.token_urlsafe(10): 80 bits), which no guesser gets
# through whatever the hash costs, so the ~90 demo accounts are hashed at this lower
# argon2id cost: at the production cost they took most of the first `make run`. Accounts
# made any other way always get ARGON2_TIME_COST / ARGON2_MEMORY_COST_KIB, and a demo
# account's hash is made again at that cost at its first login (docs/SECURITY.md).
DEMO_ARGON2_TIME_COST = 1
DEMO_ARGON2_MEMORY_COST_KIB = 8 * 1024


@contextmanager
def _demo_password_cost():
    """Hash at the demo cost (never above the configured one) while seeding."""
    cfg = current_app.config
    kept = cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST_KIB"]
    cfg["ARGON2_TIME_COST"] = min(kept[0], DEMO_ARGON2_TIME_COST)
    cfg["ARGON2_MEMORY_COST_KIB"] = min(kept[1], DEMO_ARGON2_MEMORY_COST_KIB)
    try:
        yield
    finally:
        cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST_KIB"] = kept


def demo_nips(rng: random.Random, latest_year: int):
    """Plausible, unique 18-digit NIPs: birth date YYYYMMDD, appointment YYYYMM (at 22
    to 35 years of age, not after `latest_year`), sex digit 1 or 2, serial 001-999."""
    seen: set[str] = set()
    while True:
        born = date(rng.randint(1966, 1998), rng.randint(1, 12), rng.randint(1, 28))
        appointed = min(born.year + rng.randint(22, 35), latest_year)
        nip = f"{born:%Y%m%d}{appointed:04d}{rng.randint(1, 12):02d}{rng.choice('12')}{rng.randint(1, 999):03d}"
        if nip not in seen:
            seen.add(nip)
            yield nip


# OPDs that get a full buying team (PP, PPK, bendahara) in the demo.
BUYING_OPDS = ["DISDIKBUD", "DINKES", "RSUD", "SETDA", "KEC-SKWBRT", "DPUPR"]

SUPPLIER_NAMES = [
    "Keramik Naga Sakkok", "Tempayan Naga Sedau", "Gerabah Tungku Naga", "Batik Tidayu Singkawang",
    "Songket Tidayu Lestari", "Konveksi Seragam Mandiri", "Penjahit Bunga Raya", "Katering Bu Siti",
    "Dapur Kue Ahua", "Snack Box Sinar Pagi", "Kopi Tiam Pasiran", "Rumah Makan Melayu Kuala",
    "ATK Sumber Rejeki", "Toko Buku dan Alat Tulis Cahaya", "Percetakan Mulia Grafika",
    "Digital Printing Nusantara Jaya", "Sablon dan Spanduk Garuda", "Mebel Jati Roban",
    "Furnitur Kayu Belian", "Bengkel Las Sinar Baru", "Jasa Kebersihan Bersih Selalu",
    "Cleaning Service Harapan", "Elektronik Maju Bersama", "Komputer Singkawang Sentosa",
    "Toko Bangunan Sederhana", "Bahan Bangunan Sejahtera", "Kerajinan Rotan Nyarumkop",
    "Souvenir Khas Singkawang", "Tenun Ikat Dayak Bengkayang", "Kerupuk Basah Sambas",
    "Koperasi Serba Usaha Maju Bersama", "Koperasi Wanita Melati", "Air Minum Isi Ulang Segar",
    "Laundry Kilat Roban", "Percetakan Undangan Bintang", "Toko Pertanian Tani Makmur",
    "Penggilingan Padi Sedau Makmur", "Toko Sembako Sinar Harapan",
]
LOCAL_KELURAHAN = {
    "Singkawang Barat": ["Tengah", "Melayu", "Kuala", "Pasiran"],
    "Singkawang Selatan": ["Sedau", "Sijangkung", "Pangmilang"],
    "Singkawang Tengah": ["Roban", "Condong", "Bukit Batu"],
    "Singkawang Timur": ["Nyarumkop", "Bagak Sahwa"],
    "Singkawang Utara": ["Naram", "Setapuk Besar"],
}
# Neighbours, for non-local demo suppliers (Kemendagri codes).
OTHER_REGIONS = [("61.01", "Kabupaten Sambas", "Sambas"), ("61.07", "Kabupaten Bengkayang", "Bengkayang"),
                 ("61.71", "Kota Pontianak", "Pontianak Kota")]


def _minimal_pdf(title: str) -> bytes:
    """A small valid one-page PDF, made here so no files need committing."""
    text = title.replace("(", "[").replace(")", "]")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _slug(name: str) -> str:
    return "".join(c for c in name.lower().replace(" ", ".") if c.isalnum() or c == ".")


def seed(rng: random.Random | None = None, products: int = 3000, orders: int | None = None,
         progress: Progress | None = None) -> list[tuple[str, str, str]]:
    """Fill an empty database; return (role, email, password) for every demo user.

    `orders` (default: a tenth of `products`, at most 250) are replayed over the
    past year by pbj.demo.orders, which commits as it goes. `progress` (the CLI's
    pbj.cli_progress.Progress) shows each phase as it goes and hears how long it took.
    """
    with _demo_password_cost():
        return _seed(rng, products, orders, progress)


def _seed(rng: random.Random | None, products: int, orders: int | None,
          progress: Progress | None) -> list[tuple[str, str, str]]:
    # Demo content only, repeatable from a fixed seed; passwords come from `secrets`.
    rng = rng or random.Random(61_72)  # nosec B311  # nothing secret comes from it
    orders = min(250, products // 10) if orders is None else orders
    progress = progress or Quiet()
    started = time.perf_counter()
    advance = progress.start("Organisations and suppliers", 2 + len(BUYING_OPDS) + len(SUPPLIER_NAMES))
    credentials: list[tuple[str, str, str]] = []
    people = person_names(rng)  # every account a different person
    # Their own generator: the rest of the demo stays what it was before NIPs.
    nips = demo_nips(random.Random(61_72_18), city_today().year)  # nosec B311  # demo content

    def add_user(org, role: Role, email: str) -> User:
        password = secrets.token_urlsafe(10)
        user = accounts.create_user(None, org=org, email=email, name=next(people), role=role, password=password)
        if role in OFFICIAL_ROLES:
            user.nip = next(nips)
        credentials.append((role.value, email, password))
        return user

    ukpbj = accounts.create_organisation(None, OrgKind.UKPBJ, *UKPBJ)
    admin = add_user(ukpbj, Role.ADMIN, "admin@ukpbj.singkawang.demo")
    add_user(ukpbj, Role.ADMIN, "verifikator@ukpbj.singkawang.demo")
    # Days off before any deadline is counted: the city's current year, and the one
    # before it, which the year of replayed orders reaches into.
    from pbj.demo import holidays as demo_holidays

    this_year = city_today().year
    demo_holidays.load(admin, [this_year - 1, this_year], utcnow())
    advance()

    opds = {code: accounts.create_organisation(None, OrgKind.OPD, name, code, OPD_ADDRESSES.get(code))
            for name, code in OPDS}
    add_user(opds["INSPEKTORAT"], Role.AUDITOR, "auditor@inspektorat.singkawang.demo")
    advance()
    for code in BUYING_OPDS:
        domain = f"{code.lower()}.singkawang.demo"
        add_user(opds[code], Role.PP, f"pp@{domain}")
        add_user(opds[code], Role.PPK, f"ppk@{domain}")
        add_user(opds[code], Role.BENDAHARA, f"bendahara@{domain}")
        advance()

    today = city_today()
    used_nibs: set[str] = set()
    for index, business in enumerate(SUPPLIER_NAMES):
        advance()  # counted as it starts: the `continue`s below skip the end of the loop
        if index % 6 == 5:
            region_code, region_name, kecamatan = rng.choice(OTHER_REGIONS)
            street = f"Jl. Raya {kecamatan} No. {rng.randint(1, 200)}"
        else:
            region_code = current_app.config["CITY_REGION_CODE"]
            region_name = current_app.config["CITY_NAME"]
            kecamatan = rng.choice(list(LOCAL_KELURAHAN))
            if "Keramik" in business or "Tempayan" in business or "Gerabah" in business:
                kecamatan = "Singkawang Selatan"  # the Sakkok ceramics centre, Kelurahan Sedau
            kelurahan = rng.choice(LOCAL_KELURAHAN[kecamatan])
            street = f"Jl. {rng.choice(['Diponegoro', 'Niaga', 'Setia Budi', 'Alianyang', 'GM Situt', 'Ratu Sepudak'])} " \
                     f"No. {rng.randint(1, 150)}, Kel. {kelurahan}"
        nib = str(rng.randrange(10**12, 10**13))
        while nib in used_nibs:
            nib = str(rng.randrange(10**12, 10**13))
        used_nibs.add(nib)
        is_coop = business.startswith("Koperasi")
        scale = rng.choices([BusinessScale.MIKRO, BusinessScale.KECIL, BusinessScale.MENENGAH],
                            weights=[6, 3, 1])[0]
        password = secrets.token_urlsafe(10)
        email = f"{_slug(business)[:30]}@umkm.singkawang.demo"
        registration = suppliers.Registration(
            business_name=business, nib=nib, npwp=str(rng.randrange(10**15, 10**16)), scale=scale,
            is_cooperative=is_coop, is_pkp=scale is BusinessScale.MENENGAH,
            has_pp55_certificate=scale is not BusinessScale.MENENGAH and rng.random() < 0.7,
            address=street, kecamatan=kecamatan, region_code=region_code, region_name=region_name,
            phone=f"0562 6{rng.randint(10000, 99999)}", contact_name=next(people),
            email=email, password=password,
        )
        # One business was registered at the UKPBJ desk (assisted); its owner then chose a
        # password through the e-mailed invitation, and the UKPBJ uploaded its documents.
        assisted = index == 2
        if assisted:
            registration.password = None
            user, _token = suppliers.register_supplier_on_behalf(admin, registration)
            accounts.accept_invitation(user, password)
        else:
            user = suppliers.register_supplier(registration)
        credentials.append(("penyedia", email, password))
        profile = user.org.supplier
        if profile.has_pp55_certificate:
            # The PP 55/2022 certificate with its validity; one ran out in the demo year,
            # so its later orders fall back to PPh 22/23.
            until = today - timedelta(days=120) if index % 7 == 3 else today + timedelta(days=400)
            suppliers.update_pp55_certificate(user, profile, True, f"KET-{1000 + index:05d}/PP55/WPJ.26/KP.10",
                                              until - timedelta(days=3 * 365), until)
        # Most suppliers are through verification; a few wait, one was turned back, one is suspended.
        if index % 9 == 8:
            continue  # registered, nothing uploaded yet
        for kind in (DocumentKind.NIB, DocumentKind.NPWP):
            suppliers.add_document(admin if assisted else user, profile, kind, f"{kind.value}-{nib}.pdf",
                                   _minimal_pdf(f"{kind.value.upper()} {business}"))
        if index % 9 == 7:
            continue  # waiting in the queue
        if index == 13:
            suppliers.reject_supplier(admin, profile, "Foto NPWP buram; unggah ulang hasil pindaian yang jelas.")
            continue
        suppliers.verify_supplier(admin, profile, profile.scale)  # the NIB agrees
        if index == 20:
            suppliers.sanction_supplier(admin, profile, Sanction.SUSPENDED,
                                        "Terlambat mengirim pesanan tiga kali berturut-turut.",
                                        today + timedelta(days=60), today)
    db.session.flush()
    progress.finish()
    if products:
        from pbj.demo.catalogue import published_count, seed_products

        seed_products(admin, rng, products, advance=progress.start("Catalogue", products))
        progress.finish()
        progress.note(f"Catalogue: {published_count()} published products")
    if products and orders:
        from pbj.demo.orders import seed_orders

        statuses = seed_orders(rng, orders, add_user=add_user,
                               advance=progress.start("Orders (days of the past year)", 365))
        progress.finish()
        summary = ", ".join(f"{status.value} {n}" for status, n in statuses.most_common())
        progress.note(f"Orders: {sum(statuses.values())} over the past year ({summary})")
    if products:
        from pbj.demo.catalogue import seed_revisions

        seed_revisions(admin, rng)  # after the orders: they bought the reviewed versions
    if products and orders:
        from pbj.demo.risks import plant

        plant(admin)  # one case of every risk flag the ordinary year does not raise
        seed_budgets(admin, rng)  # after every order, so each OPD that bought has its budget
    # Registrations and verifications before the sales and listings that follow them.
    date_the_setup(rng, timedelta(hours=current_app.config["LISTING_MIN_AGE_HOURS"]))
    progress.note(f"Demo data in {time.perf_counter() - started:.0f} s")
    return credentials


def seed_budgets(admin: User, rng: random.Random) -> None:
    """Goods/services budgets for this year of the OPDs that bought, as an administrator
    enters them: the catalogue covers a part of an OPD's goods and services, so the budget
    is 1.6 to 4 times what it committed through the catalogue (rounded to a million),
    which puts the OPDs' UMK share of the budget on both sides of the target."""
    from pbj.services import budgets, spending

    year = city_today().year
    for opd_id, figures in sorted(spending.by_opd(spending.Filters(year)).items()):
        if figures.committed:
            amount = max(1_000_000, round(figures.committed * rng.uniform(1.6, 4.0), -6))
            budgets.set_budget(admin, db.session.get(Organisation, opd_id), year, amount, utcnow())
