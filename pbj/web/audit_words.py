"""An audit entry as people read it: who (name, role, organisation), which object
(linked to its page when the reader may open it), the details in words."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import Role, User
from pbj.services.audit_trail import AREAS, OBJECT_TYPES, actors_of
from pbj.web.labels import ACTION_LABELS, DETAIL_LABELS, _detail_value, label

AREA_LABELS = {
    "auth": _l("Logins and passwords"), "user": _l("Accounts"), "org": _l("Organisations"),
    "supplier": _l("Suppliers"), "product": _l("Products"), "category": _l("Categories"),
    "rup": _l("RUP packages"), "budget": _l("Budgets"), "holiday": _l("Holidays"), "order": _l("Orders"),
    "audit": _l("Audit trail"),
}
OBJECT_LABELS = {
    "orders": _l("Order"), "products": _l("Product"), "suppliers": _l("Supplier"), "users": _l("Account"),
    "organisations": _l("Organisation"), "rup_packages": _l("RUP package"), "holidays": _l("Holiday"),
    "categories": _l("Category"), "supplier_documents": _l("Supplier document"),
    "audit_entries": _l("Audit trail"),
}
SYSTEM = _l("System (scheduled task)")
# Detail keys that name another object, and that object's table.
ID_DETAILS = {"supplier_id": "suppliers", "org_id": "organisations", "ppk_id": "users"}


def action_groups() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(area prefix, area label, [(action, label)]) for the action filter, by area."""
    groups = []
    for area in AREAS:
        actions = sorted((a, str(v)) for a, v in ACTION_LABELS.items()
                         if a.startswith(area + ".") and a.count(".") == 1)
        groups.append((area + ".", str(AREA_LABELS[area]), actions))
    return groups


def object_url(object_type: str | None, object_id: str | None, viewer: User, action: str = "") -> str | None:
    """The page of an entry's object, when it has one the viewer may open."""
    if not object_id or not object_id.isdecimal() or len(object_id) > 18:
        return None
    n = int(object_id)
    admin = viewer.role is Role.ADMIN
    if object_type == "orders":
        return url_for("orders.detail", order_id=n)
    if object_type == "products":
        return url_for("catalogue.product", product_id=n)
    if object_type == "rup_packages":
        return url_for("packages.detail", package_id=n)
    if not admin:
        return None  # the pages below are the administrators'
    if object_type == "suppliers":
        return url_for("admin.supplier_detail", org_id=n)
    if object_type == "users":
        return url_for("admin.user_detail", user_id=n)
    if object_type == "holidays" and action != "holiday.removed":
        return url_for("admin.holiday", holiday_id=n)
    if object_type == "organisations" and action == "budget.set":
        return url_for("admin.budgets")
    return None


@dataclass
class EntryWords:
    who: str
    who_detail: str  # role and organisation
    what: str
    object_text: str
    object_url: str | None
    details: list[tuple[str, str, str | None]]  # label, value, link


def who(entry, users: dict[int, User]) -> tuple[str, str]:
    user = users.get(entry.actor_id) if entry.actor_id is not None else None
    if user is not None:
        return user.name, f"{label(user.role)}, {user.org.name}"
    if entry.actor_label in (None, "system"):
        return str(SYSTEM), ""
    if entry.action == "supplier.registered":  # its e-mail address: the account is made just after
        return entry.actor_label, str(_l("registering itself, before its account existed"))
    return entry.actor_label, str(_l("not a known account"))  # a failed login names what was typed


def entry_words(entry, users: dict[int, User], viewer: User) -> EntryWords:
    name, detail = who(entry, users)
    kind = OBJECT_LABELS.get(entry.object_type or "", entry.object_type or "")
    object_text = f"{kind} #{entry.object_id}" if entry.object_id else str(kind or "–")
    details = []
    for key, value in entry.detail_data.items():
        link = (object_url(ID_DETAILS[key], str(value), viewer)
                if key in ID_DETAILS and isinstance(value, int) else None)
        details.append((str(DETAIL_LABELS.get(key, key)), _detail_value(key, value), link))
    return EntryWords(name, detail, str(ACTION_LABELS.get(entry.action, entry.action)), object_text,
                      object_url(entry.object_type, entry.object_id, viewer, entry.action), details)


def worded(entries, viewer: User) -> list[tuple[object, EntryWords]]:
    """[(entry, words)] for `audit/_words.html`; the actors of all the entries come in one query."""
    users = actors_of(entries)
    return [(e, entry_words(e, users, viewer)) for e in entries]
