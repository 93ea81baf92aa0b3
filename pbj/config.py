"""Configuration defaults.

Order of precedence (later wins): these defaults, `instance/config.py`,
environment variables (see `ENV_OVERRIDES`). The full reference with every key
is in docs/CONFIGURATION.md.
"""
from __future__ import annotations

import os
from datetime import timedelta

# -- Runtime -----------------------------------------------------------------
# "production" (default, strict), "development" or "testing".
PBJ_ENV = "production"
SECRET_KEY: str | None = None
VERSION = "0.1.0"

# Database: SQLite file in the instance folder unless DATABASE_URL is set.
SQLALCHEMY_DATABASE_URI: str | None = None
SQLITE_BUSY_TIMEOUT_MS = 5000
# Login and password throttles count in the database by default, in Redis when
# REDIS_URL is set (Flask-Limiter, registration only, keeps its counters there too).
REDIS_URL: str | None = None
# Where uploaded files (product photos, supplier documents, delivery photos) are kept;
# None: <instance>/uploads. Several app servers must all see the same folder.
UPLOAD_FOLDER: str | None = None

# Number of reverse proxies (nginx) in front of the app. Set to 1 behind one
# nginx so client addresses (rate limits, audit) come from X-Forwarded-For.
PROXY_COUNT = 0

# The address users reach the site at, e.g. "https://ekatalog.singkawangkota.go.id":
# the one source of every absolute link (e-mails, QR codes on documents), never
# the request's Host header, which the client chooses. Required in production;
# elsewhere it defaults to http://127.0.0.1:5000 (`make run`).
PUBLIC_BASE_URL = ""
# Host names the app answers to; any other Host (or X-Forwarded-Host) gets 400.
# None: the host of PUBLIC_BASE_URL, plus localhost and 127.0.0.1 outside production.
TRUSTED_HOSTS: list[str] | None = None
# Compress pages, CSS and JavaScript (brotli or gzip, as the browser accepts). Turn off
# when nginx in front compresses (docs/OPERATIONS.md): compressing twice wastes CPU.
COMPRESS_RESPONSES = True

# -- City --------------------------------------------------------------------
CITY_NAME = "Kota Singkawang"
CITY_PROVINCE = "Kalimantan Barat"
# Kemendagri code of the kota/kabupaten: suppliers registered here are "Lokal".
CITY_REGION_CODE = "61.72"
CITY_TIMEZONE = "Asia/Pontianak"
# Open data (docs/OPEN-DATA.md). An ocid is OCDS_PREFIX + "-" + the order id. "ocds-xxxxxx"
# is a placeholder: the city registers its own six-character prefix with the OCDS
# helpdesk and puts it in place of "xxxxxx"; "-pbj-6172" keeps this system's ids apart
# from other systems publishing under the same prefix.
OCDS_PREFIX = "ocds-xxxxxx-pbj-6172"
OCDS_PUBLISHER_NAME = ""  # empty: "UKPBJ " + CITY_NAME
OCDS_LICENSE: str | None = None  # the URL of the data's licence, once the city has chosen one
OCDS_PAGE_SIZE = 100  # releases per page of /ocds/releases.json
# Kecamatan offered in the address form; codes are not needed for any rule.
CITY_KECAMATAN = [
    "Singkawang Barat",
    "Singkawang Tengah",
    "Singkawang Timur",
    "Singkawang Utara",
    "Singkawang Selatan",
]

# -- Procurement rules (DESIGN.md) ---------------------------------------------
UMK_SHARE_TARGET_PERCENT = 40
# The meter (desk and /laporan): a share is green at or above its target, amber up to
# this many percentage points below it, red further below.
METER_AMBER_POINTS = 10
# Targets of the other shares of catalogue spending, in percent: "pdn" (all domestic
# products), "tkdn_bmp_40" (TKDN + BMP >= 40 %), "local" (suppliers registered in the
# city). None: the share is shown without a target or colour. City policy, not law.
SHARE_TARGETS_PERCENT: dict[str, int | None] = {"pdn": None, "tkdn_bmp_40": None, "local": None}
PP_ORDER_LIMIT_RUPIAH = 200_000_000
# Deadlines in working days (weekends and the holidays table skipped), each ending at
# local midnight. The supplier answers a new order (confirms, rejects or negotiates to
# agreement) within SUPPLIER_DEADLINE_WORKING_DAYS of submission, counted again from each
# negotiation move; the PPK acts within PPK_DEADLINE_WORKING_DAYS of the confirmation.
SUPPLIER_DEADLINE_WORKING_DAYS = 3
PPK_DEADLINE_WORKING_DAYS = 3
# The desk (/meja) shows the bendahara a payment as overdue once this many working days
# have passed since the BAST, without payment. A house rule for the reminder, not a legal
# deadline: set it to the city's own practice (the contract's payment term).
PAYMENT_DUE_WORKING_DAYS = 14
# The public portal's aggregate tables (suppliers by value, payment timeliness) are kept
# this many seconds per process: each reads a whole year of orders. 0: always fresh.
TRANSPARENCY_CACHE_SECONDS = 300
# PPN 12 % of DPP nilai lain = 11/12 of the price (PMK 131/2024): 11 % of the price in effect.
PPN_RATE_PERCENT = "12"
PPN_DPP_FACTOR = "11/12"
# PPh 22 on goods bought by a treasurer (PMK 34/2017); PPh 23 on services (UU PPh Art. 23).
PPH22_RATE_PERCENT = "1.5"
PPH23_RATE_PERCENT = "2"
PPH_FINAL_UMKM_RATE_PERCENT = "0.5"
# A treasurer collects neither PPN (PMK 59/2022) nor PPh 22 (PMK 34/2017) on a payment of
# at most this that is not split; PPh 23 has no threshold.
TREASURER_COLLECTION_THRESHOLD_RUPIAH = 2_000_000
LISTING_MIN_AGE_HOURS = 24
# Document numbers by kind (sp, bast, invoice), filled with {opd} (the OPD's short
# code), {year} and {seq} (gapless per OPD, kind and year; format specs such as
# {seq:04d} allowed). Checked at start-up: an unknown placeholder stops the app. The
# invoice is the supplier's tagihan (TAG), not a tax invoice (faktur pajak).
DOCUMENT_NUMBER_FORMATS = {"sp": "SP/{opd}/{year}/{seq:04d}", "bast": "BAST/{opd}/{year}/{seq:04d}",
                           "invoice": "TAG/{opd}/{year}/{seq:04d}"}
# A government treasurer collects PPN (wajib pungut): net paid = gross - PPN - PPh.
PPN_COLLECTED_BY_TREASURER = True
# Rounds of negotiation (offers from either side) before the standing prices must be
# accepted or the order cancelled.
NEGOTIATION_MAX_ROUNDS = 4
# A price rise of more than this percent above a published product's last REVIEWED price
# waits for UKPBJ review as a revision (small rises add up against the reviewed price).
PRICE_RISE_REVIEW_PERCENT = 10
# Funding sources (BudgetSource values) a package of an OPD may use, by OPD code; "*"
# for every OPD not named. BOS is a school's fund (under the Dinas Pendidikan), BLUD the
# fund of a BLUD hospital or health centre. Checked when a package is saved and at checkout.
BUDGET_SOURCES_BY_OPD: dict[str, list[str]] = {
    "*": ["apbd", "apbn", "dak", "other"],
    "DISDIKBUD": ["apbd", "apbn", "dak", "bos", "other"],
    "RSUD": ["apbd", "apbn", "dak", "blud", "other"],
    "DINKES": ["apbd", "apbn", "dak", "blud", "other"],
}
# Lawful grounds for choosing a lower domestic-preference step when a higher one is
# listed (Perpres 16/2018 Art. 66(2) as amended by Perpres 46/2025): code → English
# label (the two defaults are translated; a new code shows its label as written).
PREFERENCE_GROUNDS: dict[str, str] = {
    "not_available": "Not available",
    "volume_not_enough": "Volume/quantity not enough for the need",
}
# The explanation that goes with a ground: at least this many characters and this many
# different real words (3+ letters with a vowel), so "xxxxxxxx…" is refused.
PREFERENCE_EXPLANATION_MIN_CHARS = 30
PREFERENCE_EXPLANATION_MIN_WORDS = 4
# -- Risk flags (/pengawasan, docs/RULES.md "Risk flags") --------------------------
# Split packages: two or more orders of one OPD to one supplier submitted within this
# many days of the first, each under PP_ORDER_LIMIT_RUPIAH, together above it.
FLAG_SPLIT_WINDOW_DAYS = 14
# Price: an agreed unit price at least this percent of the median listed price of the
# same kind of product (same category, unit, first word and sizes of the name: "Kursi …"
# per buah, "Beras … 25 kg" per karung) (300: three times the median), when the median has
# this many products. Three times: prices of one kind spread (batik cap and songket are
# both "Kain …"), so twice would flag the dear end of every kind.
FLAG_PRICE_MEDIAN_PERCENT = 300
FLAG_PRICE_MIN_PEERS = 3
# …or more than this percent above the product's price at its last review.
FLAG_PRICE_REVIEWED_PERCENT = 25
# Concentration: a PPK or OPD whose catalogue spending in a budget year is at least
# FLAG_CONCENTRATION_MIN_RUPIAH, with at least this percent of it with one supplier.
FLAG_CONCENTRATION_PERCENT = 60
FLAG_CONCENTRATION_MIN_RUPIAH = 100_000_000
# …in at least this many orders: one big purchase is not yet a favourite.
FLAG_CONCENTRATION_MIN_ORDERS = 3
# Fast orders: submitted within this many hours of the product's listing (published_at)
# or of its last approved revision.
FLAG_FAST_ORDER_HOURS = 48
# Preference: a PPK with at least this many orders in a budget year down a
# domestic-preference tier on the same ground.
FLAG_PREFERENCE_MIN_ORDERS = 3
# TKDN: a certificate older than this many years (from its date) counts as expired.
FLAG_TKDN_CERTIFICATE_VALID_YEARS = 5

# Largest RUP CSV accepted for import (bytes) and rows in it.
RUP_IMPORT_MAX_BYTES = 2 * 1024 * 1024
RUP_IMPORT_MAX_ROWS = 5000

# -- Accounts and sessions -----------------------------------------------------
PASSWORD_MIN_LENGTH = 12  # characters after NFC normalisation
PASSWORD_MAX_LENGTH = 128
# zxcvbn's score (0-4) a new password must reach: 3 = at least 10^8 guesses, 4 = 10^10.
PASSWORD_MIN_SCORE = 3
# Words guessers try first that zxcvbn's English lists lack: this site's and common
# Indonesian password words. The user's own details and the city, province and
# kecamatan names are always added.
PASSWORD_GUESSABLE_WORDS = [
    "ekatalog", "katalog", "pengadaan", "pbj", "ukpbj", "lkpp", "pemkot", "pemda", "setda",
    "katasandi", "rahasia", "sayang", "sayangku", "cinta", "bismillah", "indonesia", "merdeka",
]
# argon2id cost; tests lower it to stay fast.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_COST_KIB = 65536
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
PASSWORD_RESET_MAX_AGE_SECONDS = 3600
# How long the link in an invitation (first user of a supplier registered by the UKPBJ
# on its behalf) stays usable; an administrator can send a new one.
INVITATION_MAX_AGE_SECONDS = 7 * 24 * 3600
# Throttles (rolling windows, "N per [M] second|minute|hour|day"), counted in the
# database, or in Redis when REDIS_URL is set. Only failed logins count, and a
# success clears its (account, address) pair: the owner elsewhere is never blocked.
LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS = "5 per 15 minutes"
LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"
PASSWORD_CHANGE_LIMIT_PER_ACCOUNT = "5 per 15 minutes"  # wrong current passwords  # nosec B105  # a rate, not a password
PASSWORD_RESET_LIMIT_PER_ADDRESS = "30 per 15 minutes"  # reset requests  # nosec B105  # a rate, not a password

# None: "__Host-pbj_session" in production (Secure, Path=/, no Domain: a sibling
# subdomain cannot plant or overwrite it), "pbj_session" over plain HTTP elsewhere.
SESSION_COOKIE_NAME: str | None = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = True  # relaxed in development and testing

# -- Uploads -------------------------------------------------------------------
MAX_CONTENT_LENGTH = 5 * 1024 * 1024  # bytes per request; larger gets 413
DOCUMENT_MAX_BYTES = 4 * 1024 * 1024
IMAGE_MAX_BYTES = 4 * 1024 * 1024  # per product photo as uploaded (re-encoded smaller)
# Pixels, read from the header before decoding: a few KB of PNG can hold 40 megapixels
# (160 MB once decoded). Also Pillow's own decompression-bomb limit.
IMAGE_MAX_PIXELS = 24_000_000  # per image (product photos, image documents, BAST photos)
IMAGE_MAX_PIXELS_PER_REQUEST = 60_000_000  # all the photos of one upload together
# Files (product photos and documents) a supplier's users may store per hour, counted
# from the database; lower until the UKPBJ has verified the business.
UPLOADS_PER_HOUR = 200
UPLOADS_PER_HOUR_UNVERIFIED = 30

# -- Language ------------------------------------------------------------------
LANGUAGES = ["id", "en"]
BABEL_DEFAULT_LOCALE = "id"

# -- E-mail --------------------------------------------------------------------
MAIL_SERVER: str | None = None  # no server: messages go to instance/outbox/
MAIL_PORT = 587
MAIL_USE_TLS = True
MAIL_USERNAME: str | None = None
MAIL_PASSWORD: str | None = None
MAIL_SENDER = "e-Katalog Lokal <no-reply@localhost>"

SQLALCHEMY_TRACK_MODIFICATIONS = False
WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

# Environment variables read at start-up, with the type to convert to.
ENV_OVERRIDES = {
    "PBJ_ENV": str,
    "PROXY_COUNT": int,
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "REDIS_URL": str,
    "UPLOAD_FOLDER": str,
    "CITY_NAME": str,
    "CITY_REGION_CODE": str,
    "CITY_TIMEZONE": str,
    "OCDS_PREFIX": str,
    "OCDS_PUBLISHER_NAME": str,
    "OCDS_LICENSE": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": lambda v: v.lower() in ("1", "true", "yes"),
    "COMPRESS_RESPONSES": lambda v: v.lower() in ("1", "true", "yes"),
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_SENDER": str,
    "PUBLIC_BASE_URL": str,
    # Comma-separated: "ekatalog.singkawangkota.go.id,ekatalog.internal"
    "TRUSTED_HOSTS": lambda v: [h.strip() for h in v.split(",") if h.strip()],
}


def from_environment(environ: dict[str, str] | None = None) -> dict:
    """Return config keys set in the environment, converted to their types."""
    environ = os.environ if environ is None else environ
    found = {}
    for name, convert in ENV_OVERRIDES.items():
        if environ.get(name):
            found[name] = convert(environ[name])
    if "DATABASE_URL" in found:
        found["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(found.pop("DATABASE_URL"))
    return found


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the common way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
