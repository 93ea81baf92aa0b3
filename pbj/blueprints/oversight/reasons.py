"""Each risk flag's one-sentence reason, kind label and numbers, in the reader's language:
money in rupiah, dates as dates, decimals with the reader's decimal sign."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from flask_babel import get_locale

from pbj.messages import gettext as _
from pbj.messages import lazy_gettext as _l
from pbj.models.flags import FlagKind, RiskFlag
from pbj.web.i18n import local_date, rupiah
from pbj.web.labels import ground_label

KIND_LABELS = {
    FlagKind.SPLIT: _l("Split packages"),
    FlagKind.PRICE: _l("Price"),
    FlagKind.CONCENTRATION: _l("Concentration"),
    FlagKind.FAST_ORDER: _l("Fast order"),
    FlagKind.PREFERENCE: _l("Domestic preference"),
    FlagKind.TKDN: _l("TKDN"),
    FlagKind.CONFLICT: _l("Conflict of interest"),
    FlagKind.LATE_PAYMENT: _l("Late payment"),
    FlagKind.PENALTY_WAIVED: _l("Penalty waived"),
}


def kind_label(kind: FlagKind) -> str:
    return str(KIND_LABELS[kind])


def local_decimal(text) -> str:
    """A decimal the flags store as text ("250.0", "40.25") as the reader writes it:
    "250", "40,25" in Indonesian."""
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return "–" if text is None else str(text)
    return format_decimal(value, format="#,##0.##", locale=str(get_locale()))


# The numbers a flag keeps (pbj.services.flags), labelled and formatted. A key means the
# same for every kind unless KIND_NUMBERS says otherwise for one kind.
RUPIAH, DATE, PERCENT, DECIMAL, WORD, PLAIN = "rupiah", "date", "percent", "decimal", "word", "plain"
NUMBERS = {
    "orders": (_l("Orders"), PLAIN), "total": (_l("Together"), RUPIAH),
    "limit": (_l("Limit per order"), RUPIAH),
    "days": (_l("Within (days)"), PLAIN), "largest": (_l("Largest order"), RUPIAH),
    "basis": (_l("Compared with"), WORD), "price": (_l("Unit price"), RUPIAH),
    "median": (_l("Median of the same kind of product"), RUPIAH),
    "kind": (_l("Kind of product (first word of the name)"), PLAIN),
    "peers": (_l("Products that make the median"), PLAIN),
    "reviewed": (_l("Price at the last review"), RUPIAH), "percent": (_l("Share of the comparison"), PERCENT),
    "unit": (_l("Unit"), PLAIN), "by": (_l("Buyer"), WORD), "year": (_l("Budget year"), PLAIN),
    "value": (_l("Bought from this supplier"), RUPIAH), "threshold": (_l("Flagged from"), PLAIN),
    "hours": (_l("Hours until the order"), DECIMAL), "after": (_l("Counted from"), WORD),
    "ground": (_l("Ground for a lower preference step"), WORD), "problem": (_l("Problem"), WORD),
    "tkdn": (_l("TKDN claimed"), PERCENT), "certificate_date": (_l("TKDN certificate date"), DATE),
    "valid_years": (_l("A certificate is valid for (years)"), PLAIN), "old": (_l("TKDN before"), PERCENT),
    "new": (_l("TKDN after"), PERCENT), "supplier_person": (_l("Supplier's person"), PLAIN),
    "official": (_l("Official"), PLAIN), "received_on": (_l("Goods received on"), DATE),
    "computed": (_l("Penalty waived"), RUPIAH), "bast": (_l("BAST number"), PLAIN),
    "matched": (_l("The supplier's value that matches"), PLAIN), "due_on": (_l("Payment due by"), DATE),
    "paid_on": (_l("Paid on"), DATE), "working_days_late": (_l("Working days late"), PLAIN),
}
KIND_NUMBERS = {
    FlagKind.CONCENTRATION: {"total": (_l("All its catalogue spending that year"), RUPIAH),
                             "percent": (_l("Share of the year's spending"), PERCENT),
                             "threshold": (_l("Flagged from a share of"), PERCENT),
                             "orders": (_l("Orders from this supplier"), PLAIN)},
    FlagKind.FAST_ORDER: {"threshold": (_l("Flagged below (hours)"), PLAIN)},
    FlagKind.PREFERENCE: {"threshold": (_l("Flagged from (orders)"), PLAIN)},
    FlagKind.SPLIT: {"limit": (_l("Limit per order (PP)"), RUPIAH)},
    FlagKind.CONFLICT: {"basis": (_l("Matches the official's"), WORD),
                        "orders": (_l("Orders between them"), PLAIN)},
    FlagKind.LATE_PAYMENT: {"days": (_l("Payment due within (working days)"), PLAIN)},
}
WORDS = {
    ("basis", "median"): _l("the median of the same kind of product"),
    ("basis", "reviewed"): _l("the product's price at its last review"),
    ("basis", "name"): _l("name"), ("basis", "email"): _l("e-mail address"), ("basis", "owner"): _l("name"),
    ("basis", "phone"): _l("telephone number"), ("basis", "address"): _l("address"), ("basis", "npwp"): "NPWP",
    ("basis", "bank_account"): _l("bank account number"),
    ("by", "ppk"): "PPK", ("by", "opd"): "OPD",
    ("after", "listing"): _l("the listing"), ("after", "revision"): _l("the last approved change"),
    ("problem", "missing"): _l("no certificate number"), ("problem", "expired"): _l("certificate too old"),
    ("problem", "changed"): _l("changed by an approved change"),
}


def number_rows(flag: RiskFlag) -> list[tuple[str, str]]:
    """The flag's numbers as (label, value) in words, in the order they are stored; a key
    without a label (a new one) is shown as it is stored."""
    labels = {**NUMBERS, **KIND_NUMBERS.get(flag.kind, {})}
    rows = []
    for key, value in (flag.numbers or {}).items():
        label, shape = labels.get(key, (key, PLAIN))
        if value is None:
            shown = "–"
        elif shape == RUPIAH:
            shown = rupiah(value)
        elif shape == DATE:
            shown = local_date(value)
        elif shape == PERCENT:
            shown = local_decimal(value) + "%"
        elif shape == DECIMAL:
            shown = local_decimal(value)
        elif shape == WORD and key == "ground":
            shown = ground_label(None if value == "none" else value)
        elif shape == WORD:
            shown = str(WORDS.get((key, value), value))
        else:
            shown = str(value)
        rows.append((str(label), shown))
    return rows


def describe(flag: RiskFlag) -> str:
    """Why the flag fired, with its numbers, in one sentence."""
    n = flag.numbers or {}
    kind = flag.kind
    if kind is FlagKind.SPLIT:
        return _("%(orders)d orders from one OPD to one supplier within %(days)d days, each under the limit of "
                 "%(limit)s, together %(total)s.", orders=n["orders"], days=n["days"], limit=rupiah(n["limit"]),
                 total=rupiah(n["total"]))
    if kind is FlagKind.PRICE and n.get("basis") == "median":
        if n.get("kind"):
            return _("Unit price %(price)s per %(unit)s is %(percent)s%% of the median %(median)s of the %(peers)d "
                     "“%(kind)s …” products of its category sold per %(unit)s.", price=rupiah(n["price"]),
                     unit=n["unit"], percent=local_decimal(n["percent"]), median=rupiah(n["median"]),
                     peers=n["peers"], kind=n["kind"])
        return _("Unit price %(price)s per %(unit)s is %(percent)s%% of the category median %(median)s for the "
                 "same unit.", price=rupiah(n["price"]), unit=n["unit"], percent=local_decimal(n["percent"]),
                 median=rupiah(n["median"]))
    if kind is FlagKind.PRICE:
        return _("Unit price %(price)s per %(unit)s is %(percent)s%% of the product's price at its last review, "
                 "%(reviewed)s.", price=rupiah(n["price"]), unit=n["unit"],
                 percent=local_decimal(n["percent"]), reviewed=rupiah(n["reviewed"]))
    if kind is FlagKind.CONCENTRATION:
        who = _("This PPK") if n["by"] == "ppk" else _("This OPD")
        return _("%(who)s bought %(percent)s%% of its catalogue spending in %(year)d (%(value)s of %(total)s) "
                 "from one supplier, in %(orders)d orders.", who=who, percent=local_decimal(n["percent"]),
                 year=n["year"], value=rupiah(n["value"]), total=rupiah(n["total"]), orders=n["orders"])
    if kind is FlagKind.FAST_ORDER:
        if n.get("after") == "revision":
            return _("Ordered %(hours)s hours after the product's last approved change (limit %(limit)d hours).",
                     hours=local_decimal(n["hours"]), limit=n["threshold"])
        return _("Ordered %(hours)s hours after the product was listed (limit %(limit)d hours).",
                 hours=local_decimal(n["hours"]), limit=n["threshold"])
    if kind is FlagKind.PREFERENCE:
        return _("%(orders)d orders in %(year)d went down a domestic-preference tier with the same PPK and the "
                 "same ground.", orders=n["orders"], year=n["year"])
    if kind is FlagKind.TKDN:
        if n["problem"] == "missing":
            return _("The product claims TKDN %(tkdn)s%% without a certificate number.",
                     tkdn=local_decimal(n["tkdn"]))
        if n["problem"] == "expired":
            return _("The product claims TKDN %(tkdn)s%% with a certificate dated %(date)s, older than %(years)d "
                     "years.", tkdn=local_decimal(n["tkdn"]), date=local_date(n["certificate_date"]),
                     years=n["valid_years"])
        return _("An approved change set the product's TKDN from %(old)s%% to %(new)s%%.",
                 old=local_decimal(n["old"]), new=local_decimal(n["new"]))
    if kind is FlagKind.CONFLICT:
        return _conflict(n)
    if kind is FlagKind.LATE_PAYMENT and n.get("paid_on"):
        return _("Received on %(date)s, due by %(due)s, paid on %(paid)s: %(late)d working days late.",
                 date=local_date(n["received_on"]), due=local_date(n["due_on"]), paid=local_date(n["paid_on"]),
                 late=n["working_days_late"])
    if kind is FlagKind.LATE_PAYMENT:
        return _("Received on %(date)s and still unpaid after %(days)d working days.",
                 date=local_date(n["received_on"]), days=n["days"])
    return _("The PPK waived a late-delivery penalty of %(amount)s at BAST %(bast)s.",
             amount=rupiah(n["computed"]), bast=n["bast"])


def _conflict(n: dict) -> str:
    basis, official, matched, orders = n["basis"], n["official"], n.get("matched", n.get("supplier_person")), n["orders"]
    if basis == "email":
        return _("The supplier's account %(person)s has the same e-mail address as the official %(official)s "
                 "(%(orders)d orders between them).", person=matched, official=official, orders=orders)
    if basis == "name":
        return _("The supplier's contact %(person)s has the same name as the official %(official)s "
                 "(%(orders)d orders between them).", person=matched, official=official, orders=orders)
    if basis == "owner":
        return _("The supplier's owner %(person)s has the same name as the official %(official)s "
                 "(%(orders)d orders between them).", person=matched, official=official, orders=orders)
    what = {"phone": _("telephone number"), "address": _("address"), "npwp": _("NPWP"),
            "bank_account": _("bank account number")}[basis]
    return _("The supplier's %(what)s, %(value)s, matches the official %(official)s's (%(orders)d orders "
             "between them).", what=what, value=matched, official=official, orders=orders)
