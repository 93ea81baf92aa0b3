"""Each risk flag's one-sentence reason and kind label, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _

from pbj.messages import lazy_gettext as _l
from pbj.models.flags import FlagKind, RiskFlag
from pbj.web.i18n import local_date, rupiah

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


def describe(flag: RiskFlag) -> str:
    """Why the flag fired, with its numbers, in one sentence."""
    n = flag.numbers or {}
    kind = flag.kind
    if kind is FlagKind.SPLIT:
        return _("%(orders)d orders from one OPD to one supplier within %(days)d days, each under the limit of "
                 "%(limit)s, together %(total)s.", orders=n["orders"], days=n["days"], limit=rupiah(n["limit"]),
                 total=rupiah(n["total"]))
    if kind is FlagKind.PRICE and n.get("basis") == "median":
        return _("Unit price %(price)s per %(unit)s is %(percent)s%% of the category median %(median)s for the "
                 "same unit.", price=rupiah(n["price"]), unit=n["unit"], percent=n["percent"],
                 median=rupiah(n["median"]))
    if kind is FlagKind.PRICE:
        return _("Unit price %(price)s per %(unit)s is %(percent)s%% of the product's price at its last review, "
                 "%(reviewed)s.", price=rupiah(n["price"]), unit=n["unit"], percent=n["percent"],
                 reviewed=rupiah(n["reviewed"]))
    if kind is FlagKind.CONCENTRATION:
        who = _("This PPK") if n["by"] == "ppk" else _("This OPD")
        return _("%(who)s bought %(percent)s%% of its catalogue spending in %(year)d (%(value)s of %(total)s) "
                 "from one supplier, in %(orders)d orders.", who=who, percent=n["percent"], year=n["year"],
                 value=rupiah(n["value"]), total=rupiah(n["total"]), orders=n["orders"])
    if kind is FlagKind.FAST_ORDER:
        if n.get("after") == "revision":
            return _("Ordered %(hours)s hours after the product's last approved change (limit %(limit)d hours).",
                     hours=n["hours"], limit=n["threshold"])
        return _("Ordered %(hours)s hours after the product was listed (limit %(limit)d hours).",
                 hours=n["hours"], limit=n["threshold"])
    if kind is FlagKind.PREFERENCE:
        return _("%(orders)d orders in %(year)d went down a domestic-preference tier with the same PPK and the "
                 "same ground.", orders=n["orders"], year=n["year"])
    if kind is FlagKind.TKDN:
        if n["problem"] == "missing":
            return _("The product claims TKDN %(tkdn)s%% without a certificate number.", tkdn=n["tkdn"])
        if n["problem"] == "expired":
            return _("The product claims TKDN %(tkdn)s%% with a certificate dated %(date)s, older than %(years)d "
                     "years.", tkdn=n["tkdn"], date=n["certificate_date"], years=n["valid_years"])
        return _("An approved change set the product's TKDN from %(old)s%% to %(new)s%%.", old=n["old"], new=n["new"])
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
