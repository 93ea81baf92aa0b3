"""Every audit action and detail key written anywhere in pbj/ has a label, so a new one
cannot reach the audit page as a raw code. The source is read, not run: each
`audit.record(...)` / `_record(...)` call's action and keywords, and the keys of the
dicts it spreads with `**`."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import pbj
from pbj.models.accounts import Role
from pbj.web import labels

SOURCE = Path(pbj.__file__).parent
RECORD_CALLS = {"record", "_record"}
# record()'s own parameters and _record()'s `notice`: not details.
NOT_DETAILS = {"actor", "obj", "object_type", "object_id", "ip_address", "actor_label", "at", "notice"}
ACTION = re.compile(r"^[a-z]+\.[a-z_]+$")


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "audit":
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _dict_keys(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant)} | {
            key for v, k in zip(node.values, node.keys) if k is None for key in _dict_keys(v)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return {kw.arg for kw in node.keywords if kw.arg}
    if isinstance(node, ast.IfExp):
        return _dict_keys(node.body) | _dict_keys(node.orelse)
    return set()


def _spread_keys(function: ast.AST, name: str) -> set[str]:
    """Keys a function puts into the dict `name` it spreads into a record call."""
    keys: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    keys |= _dict_keys(node.value)
                if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                        and target.value.id == name and isinstance(target.slice, ast.Constant)):
                    keys.add(target.slice.value)
    return keys


def _params(function) -> list[str]:
    return [a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs]


def _scan() -> tuple[dict[str, str], dict[str, str]]:
    """(action -> where, detail key -> where) over every record call in pbj/.

    A function that hands its own parameter on as the action, or its own **kwargs as
    details (`_end(..., event, ..., **detail)` -> `_record(event, ..., **detail)`), is a
    record call too: the actions and keywords its callers pass are collected."""
    functions = []
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions += [(path, n) for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    # name -> (index of the action among positional args or None, its keyword name, spreads **kwargs)
    recorders: dict[str, tuple[int | None, str | None, bool]] = {
        "record": (0, "action", True), "_record": (0, "event", True)}
    own_params: dict[str, set[str]] = {"record": NOT_DETAILS, "_record": NOT_DETAILS}
    actions: dict[str, str] = {}
    keys: dict[str, str] = {}
    for _round in range(4):  # forwarders of forwarders
        for path, function in functions:
            params = _params(function)
            kwargs = function.args.kwarg.arg if function.args.kwarg else None
            for call in ast.walk(function):
                name = _call_name(call) if isinstance(call, ast.Call) else None
                if name not in recorders or call is function:
                    continue
                index, action_kw, spreads = recorders[name]
                where = f"{path.relative_to(SOURCE)}:{call.lineno}"
                first = call.args[index] if index is not None and len(call.args) > index else next(
                    (kw.value for kw in call.keywords if kw.arg == action_kw), None)
                for node in ([first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        actions[node.value] = where
                    elif isinstance(node, ast.Name) and node.id in params and function.name not in recorders:
                        at = params.index(node.id)
                        recorders[function.name] = (at, node.id, bool(kwargs))
                        own_params[function.name] = set(params)
                if not spreads:
                    continue
                for kw in call.keywords:
                    if kw.arg is None:
                        spread = kw.value
                        if isinstance(spread, ast.Name) and spread.id == kwargs and function.name not in recorders:
                            recorders[function.name] = (None, None, True)
                            own_params[function.name] = set(params)
                        found = (_spread_keys(function, spread.id) if isinstance(spread, ast.Name)
                                 else _dict_keys(spread))
                        keys.update({k: where for k in found})
                    elif kw.arg not in own_params[name] | NOT_DETAILS and kw.arg != action_kw:
                        keys[kw.arg] = where
    return actions, keys


def test_the_scan_finds_what_it_should():
    # Guards the scanner itself: if it stopped reading calls, the tests below would pass on nothing.
    actions, keys = _scan()
    assert "order.submitted" in actions and "budget.set" in actions and len(actions) > 50
    assert {"order.cancelled", "order.expired", "auth.password_reset"} <= set(actions)  # handed on by helpers
    assert "missed_by" in keys  # the expiry's detail, through two helpers
    assert {"total", "payment_method", "preference_ground", "before", "has_certificate"} <= set(keys)


def test_every_recorded_action_has_a_label():
    actions, _keys = _scan()
    missing = {a: w for a, w in actions.items() if a not in labels.ACTION_LABELS}
    assert not missing, f"audit actions without a label in pbj/web/labels.py ACTION_LABELS: {missing}"


def test_every_detail_key_has_a_label():
    _actions, keys = _scan()
    missing = {k: w for k, w in keys.items() if k not in labels.DETAIL_LABELS}
    assert not missing, f"audit detail keys without a label in pbj/web/labels.py DETAIL_LABELS: {missing}"


def test_every_filter_choice_has_words():
    from pbj.services.audit_trail import AREAS, OBJECT_TYPES
    from pbj.web.audit_words import AREA_LABELS, OBJECT_LABELS

    assert set(OBJECT_TYPES) <= set(OBJECT_LABELS) and set(AREAS) == set(AREA_LABELS)


# -- The pages with a "History" section word their entries like the audit trail ----------

PAYLOAD = '<b hx-get="/x">'
ESCAPED = "&lt;b hx-get=&#34;/x&#34;&gt;"


def _history(html: str) -> str:
    """The page's table of audit entries (each of these pages has one)."""
    found = re.findall(r'<table class="table table-compact audit-entries">.*?</table>', html, re.S)
    assert len(found) == 1, "expected one table of audit entries"
    return found[0]


def _words(table: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))


def _page(app, user, url: str) -> str:
    from tests.conftest import PASSWORD

    client = app.test_client()
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 303
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assert PAYLOAD not in html  # the payload is nowhere as markup
    return html


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN, name="Ibu Admin UKPBJ")


def test_supplier_page_words_its_history(app, admin, create_supplier):
    from datetime import date

    from pbj.extensions import db
    from pbj.models.suppliers import Sanction
    from pbj.services import suppliers

    profile = create_supplier("UMKM Tenun Sambas", with_document=True).org.supplier
    suppliers.reject_supplier(admin, profile, f"Foto NIB buram {PAYLOAD}")
    suppliers.sanction_supplier(admin, profile, Sanction.SUSPENDED, "Terlambat kirim", date(2099, 12, 31),
                                date(2026, 1, 5))
    db.session.commit()
    table = _history(_page(app, admin, f"/admin/penyedia/{profile.org_id}"))
    text = _words(table)
    assert "Penyedia ditolak" in text and "Penyedia dibekukan" in text
    # It registered itself: named by the address it gave, not as an unknown account.
    assert "mendaftar sendiri, sebelum akunnya dibuat" in text and "bukan akun yang terdaftar" not in text
    assert "Ibu Admin UKPBJ" in text and "Admin UKPBJ," in text  # who, with the role
    assert f"Alasan: Foto NIB buram {ESCAPED}" in table
    assert "Sampai: 31 Des 2099" in text  # the ISO date as a date
    assert f'<a href="/admin/penyedia/{profile.org_id}">Penyedia #{profile.org_id}</a>' in table
    assert f"suppliers {profile.org_id}" not in text and "2099-12-31" not in text


def test_user_page_words_its_history_and_escapes_who(app, admin, create_user):
    from pbj.extensions import db
    from pbj.services import accounts

    clerk = create_user(Role.PP, name="Pak Juru Beli")
    other_admin = create_user(Role.ADMIN, name=f"Admin {PAYLOAD}")
    accounts.change_role(other_admin, clerk, Role.PPK)
    db.session.commit()
    table = _history(_page(app, admin, f"/admin/pengguna/{clerk.id}"))
    text = _words(table)
    assert "Peran diganti" in text and "user.role_changed" in text
    assert "Sebelumnya: Pejabat Pengadaan (PP)" in text and "Sesudahnya: Pejabat Pembuat Komitmen (PPK)" in text
    assert f"Admin {ESCAPED}" in table
    assert f'<a href="/admin/pengguna/{clerk.id}">Akun #{clerk.id}</a>' in table
    assert f"users {clerk.id}" not in text


def test_product_review_page_words_its_history(app, admin, create_supplier):
    from pbj.extensions import db
    from pbj.services import catalogue
    from tests.catalogue_helpers import product, verified

    seller = verified(create_supplier("UMKM Kopi Singkawang", with_document=True), admin)
    item = product(seller, admin, "Kopi Bubuk 250 g", publish=False)
    catalogue.submit_product(seller, item)
    catalogue.reject_product(admin, item, f"Foto tidak jelas {PAYLOAD}")
    db.session.commit()
    table = _history(_page(app, admin, f"/admin/produk/{item.id}"))
    text = _words(table)
    assert "Produk dibuat" in text and "Produk ditolak" in text
    assert "Nama: Kopi Bubuk 250 g" in text
    assert f"Alasan: Foto tidak jelas {ESCAPED}" in table
    assert f'<a href="/produk/{item.id}">Produk #{item.id}</a>' in table
    assert f"products {item.id}" not in text


def test_revision_page_and_the_admins_edit_page_word_the_history(app, admin, create_supplier):
    from pbj.clock import utcnow
    from pbj.extensions import db
    from pbj.services import catalogue, revisions
    from tests.catalogue_helpers import product, verified

    seller = verified(create_supplier("UMKM Rotan", with_document=True), admin)
    chair = product(seller, admin, "Kursi Rotan", price=500_000)
    data = catalogue.ProductData(category_id=chair.category_id, name="Kursi Rotan Besar", unit=chair.unit,
                                 unit_price=chair.unit_price, stock=chair.stock, origin=chair.origin)
    revision = catalogue.update_product(seller, chair, data, utcnow()).revision
    revisions.reject_revision(admin, revision, f"Nama tidak sesuai foto {PAYLOAD}", utcnow())
    db.session.commit()
    for url in (f"/admin/perubahan/{revision.id}", f"/usaha/produk/{chair.id}"):
        table = _history(_page(app, admin, url))
        text = _words(table)
        assert "Perubahan produk dikirim untuk ditinjau" in text and "Perubahan produk tidak disetujui" in text, url
        assert f"Nomor perubahan: {revision.id}" in text and "Nama produk" in text, url
        assert f"Alasan: Nama tidak sesuai foto {ESCAPED}" in table, url
        assert f"products {chair.id}" not in text, url
    # The supplier's own page has no audit entries: they name UKPBJ staff.
    assert "audit-entries" not in _page(app, seller, f"/usaha/produk/{chair.id}")


def test_category_page_words_its_history(app, admin):
    from pbj.extensions import db
    from pbj.services import catalogue

    cake = catalogue.create_category(admin, f"Kue {PAYLOAD}")
    db.session.commit()
    table = _history(_page(app, admin, f"/admin/kategori/{cake.id}"))
    text = _words(table)
    assert "Kategori dibuat" in text and "Ibu Admin UKPBJ" in text
    assert f"Nama: Kue {ESCAPED}" in table
    assert f"Kategori #{cake.id}" in text and f"categories {cake.id}" not in text


def test_a_page_of_history_costs_the_same_queries_however_many_people_wrote_it(app, admin, create_user, auth,
                                                                                client):
    from pbj.extensions import db
    from pbj.services import accounts
    from tests.query_count import queries

    clerk = create_user(Role.PP)
    auth.login(admin)
    accounts.change_role(admin, clerk, Role.PPK)
    db.session.commit()
    one = queries(client, f"/admin/pengguna/{clerk.id}")
    for role in (Role.PP, Role.PPK, Role.PP):
        accounts.change_role(create_user(Role.ADMIN), clerk, role)  # three more admins, each with an entry
    db.session.commit()
    assert queries(client, f"/admin/pengguna/{clerk.id}") == one
