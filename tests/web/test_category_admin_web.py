"""Category management through the web, as a clerk without JavaScript uses it: the list
with its up/down buttons, a page per category to rename, move or delete it.
Invalid POSTs re-render with errors (422) and change nothing; valid ones redirect (303)."""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import Category
from tests.catalogue_helpers import category, product as make_product
from tests.conftest import PASSWORD


class Forms(HTMLParser):
    """The forms of a page: action, method, the values a browser would send, the buttons."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None
        self._button: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._current = {"action": a.get("action"), "method": (a.get("method") or "get").lower(),
                             "values": {}, "buttons": []}
            self.forms.append(self._current)
        elif self._current is None:
            return
        elif tag == "input" and a.get("name"):
            self._current["values"][a["name"]] = a.get("value") or ""
        elif tag == "button":
            self._button = {"name": a.get("name"), "value": a.get("value"), "text": ""}
            self._current["buttons"].append(self._button)

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data

    def handle_endtag(self, tag):
        if tag == "button":
            self._button = None
        elif tag == "form":
            self._current = None

    def posting_to(self, action: str | None) -> dict:
        [form] = [f for f in self.forms if f["action"] == action]
        assert form["method"] == "post"
        return form


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def count_actions(action: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def fresh(ident: int) -> Category | None:
    db.session.expire_all()
    return db.session.get(Category, ident)


def by_slug(slug: str) -> Category:
    return db.session.scalar(sa.select(Category).where(Category.slug == slug))


def order(parent_slug: str | None) -> list[str]:
    db.session.expire_all()
    parent_id = by_slug(parent_slug).id if parent_slug else None
    return list(db.session.scalars(sa.select(Category.slug).where(Category.parent_id == parent_id)
                                   .order_by(Category.position)))


def login(app, user):
    client = app.test_client()
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 303
    return client


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN)


@pytest.fixture
def tree(app):
    """Minuman › Kopi, Teh; Makanan › Roti; Alat Tulis (no sub-categories)."""
    category("Kopi", parent="Minuman")
    category("Teh", parent="Minuman")
    category("Roti", parent="Makanan")
    category("Alat Tulis")
    return {slug: by_slug(slug).id for slug in ("minuman", "kopi", "teh", "makanan", "roti", "alat-tulis")}


def assert_refused(response, *, says: str | None = None) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html
    if says:
        assert says in html
    return html


# -- The list: up and down ------------------------------------------------------------------

def test_list_has_a_change_link_and_up_down_buttons_per_level(app, admin, tree):
    html = login(app, admin).get("/admin/kategori").get_data(as_text=True)
    forms = Forms(html)
    assert f'href="/admin/kategori/{tree["kopi"]}"' in html

    def directions(slug: str) -> list[str]:
        return [b["value"] for b in forms.posting_to(f"/admin/kategori/{tree[slug]}/urutan")["buttons"]]

    # Top level: Minuman, Makanan, Alat Tulis; under Minuman: Kopi, Teh; Roti alone under Makanan.
    assert directions("minuman") == ["down"]
    assert directions("makanan") == ["up", "down"]
    assert directions("alat-tulis") == ["up"]
    assert directions("kopi") == ["down"] and directions("teh") == ["up"]
    assert not [f for f in forms.forms if f["action"] == f"/admin/kategori/{tree['roti']}/urutan"]
    assert all(b["name"] == "direction"
               for f in forms.forms for b in f["buttons"] if b["value"] in ("up", "down"))


def test_moving_down_redirects_to_the_row_and_changes_the_order(app, admin, tree):
    client = login(app, admin)
    response = client.post(f"/admin/kategori/{tree['kopi']}/urutan", data={"direction": "down"})
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert (location.path, location.fragment) == ("/admin/kategori", f"kategori-{tree['kopi']}")
    assert order("minuman") == ["teh", "kopi"]
    assert "Kopi" in client.get("/admin/kategori").get_data(as_text=True)  # flash on the list
    assert count_actions("category.reordered") == 1


def test_moving_the_first_up_is_422_and_changes_nothing(app, admin, tree):
    client = login(app, admin)
    entries = count(AuditEntry)
    html = assert_refused(client.post(f"/admin/kategori/{tree['kopi']}/urutan", data={"direction": "up"}),
                          says="Kopi")
    assert 'id="kategori-' in html  # the list is still there
    assert assert_refused(client.post(f"/admin/kategori/{tree['kopi']}/urutan", data={"direction": "left"}))
    assert assert_refused(client.post(f"/admin/kategori/{tree['kopi']}/urutan", data={}))
    assert order("minuman") == ["kopi", "teh"]
    assert count(AuditEntry) == entries


# -- The page of a category: rename and move ---------------------------------------------------

def test_category_page_is_prefilled(app, admin, tree):
    response = login(app, admin).get(f"/admin/kategori/{tree['kopi']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    form = Forms(html).posting_to(f"/admin/kategori/{tree['kopi']}")
    assert form["values"]["name"] == "Kopi" and form["values"]["slug"] == "kopi"
    assert f'<option selected value="{tree["minuman"]}">' in html
    assert f'value="{tree["kopi"]}"' not in html.split('id="parent_id"', 1)[1].split("</select>")[0]
    assert "Simpan perubahan" in html  # Indonesian by default
    Forms(html).posting_to(f"/admin/kategori/{tree['kopi']}/hapus")


def test_rename_keeps_the_slug_and_move_puts_it_last_then_303(app, admin, tree):
    client = login(app, admin)
    response = client.post(f"/admin/kategori/{tree['teh']}", data={
        "name": "Teh Celup", "slug": "teh", "parent_id": str(tree["makanan"])})
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).fragment == f"kategori-{tree['teh']}"
    tea = fresh(tree["teh"])
    assert (tea.name, tea.slug, tea.parent_id) == ("Teh Celup", "teh", tree["makanan"])
    assert order("makanan") == ["roti", "teh"] and order("minuman") == ["kopi"]
    assert (count_actions("category.renamed"), count_actions("category.moved")) == (1, 1)


def test_slug_changes_when_the_admin_changes_it(app, admin, tree):
    client = login(app, admin)
    response = client.post(f"/admin/kategori/{tree['kopi']}", data={
        "name": "Kopi", "slug": "Kopi Bubuk", "parent_id": str(tree["minuman"])})
    assert response.status_code == 303
    assert fresh(tree["kopi"]).slug == "kopi-bubuk"
    assert count_actions("category.moved") == 0  # the parent did not change


def test_a_taken_slug_is_422_with_the_input_kept_and_nothing_changed(app, admin, tree):
    client = login(app, admin)
    entries = count(AuditEntry)
    html = assert_refused(client.post(f"/admin/kategori/{tree['kopi']}", data={
        "name": "Kopi Baru", "slug": "teh", "parent_id": str(tree["minuman"])}))
    assert 'value="Kopi Baru"' in html and 'aria-invalid="true"' in html
    kopi = fresh(tree["kopi"])
    assert (kopi.name, kopi.slug) == ("Kopi", "kopi")
    assert count(AuditEntry) == entries


def test_a_refused_move_undoes_the_rename_sent_with_it(app, admin, tree):
    """Minuman has sub-categories: it cannot go under Makanan, and its new name is not kept either."""
    client = login(app, admin)
    entries = count(AuditEntry)
    assert_refused(client.post(f"/admin/kategori/{tree['minuman']}", data={
        "name": "Minuman Segar", "slug": "minuman", "parent_id": str(tree["makanan"])}), says="Minuman")
    drinks = fresh(tree["minuman"])
    assert (drinks.name, drinks.parent_id) == ("Minuman", None)
    assert count(AuditEntry) == entries


@pytest.mark.parametrize("field, value", [
    ("parent_id", "own"), ("parent_id", "sub"), ("parent_id", "999999"), ("parent_id", "abc"),
    ("name", ""), ("name", "!!!"), ("name", "x" * 121), ("slug", ""), ("slug", "!!!"), ("slug", "x" * 81),
])
def test_bad_input_is_422_and_changes_nothing(app, admin, tree, field, value):
    value = {"own": str(tree["alat-tulis"]), "sub": str(tree["kopi"])}.get(value, value)
    data = {"name": "Alat Tulis Kantor", "slug": "alat-tulis", "parent_id": "", field: value}
    client = login(app, admin)
    entries = count(AuditEntry)
    assert_refused(client.post(f"/admin/kategori/{tree['alat-tulis']}", data=data))
    office = fresh(tree["alat-tulis"])
    assert (office.name, office.slug, office.parent_id) == ("Alat Tulis", "alat-tulis", None)
    assert count(AuditEntry) == entries


# -- Delete -------------------------------------------------------------------------------------

def test_unused_category_is_deleted_with_303(app, admin, tree):
    client = login(app, admin)
    response = client.post(f"/admin/kategori/{tree['teh']}/hapus")
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/admin/kategori"
    assert fresh(tree["teh"]) is None
    assert "Teh" in client.get("/admin/kategori").get_data(as_text=True)  # the flash names it
    assert count_actions("category.deleted") == 1


def test_category_in_use_is_not_deleted_and_the_page_says_why(app, admin, tree, create_supplier):
    supplier = create_supplier(with_document=True)
    kopi = by_slug("kopi")
    make_product(supplier, admin, cat=kopi)
    make_product(supplier, admin, "Kopi Draf", cat=kopi, publish=False)
    client = login(app, admin)
    entries = count(AuditEntry)
    html = assert_refused(client.post(f"/admin/kategori/{tree['kopi']}/hapus"), says="Kopi")
    assert ": 2," in html  # how many products use it
    assert fresh(tree["kopi"]) is not None
    assert_refused(client.post(f"/admin/kategori/{tree['minuman']}/hapus"), says=": 2.")  # two sub-categories
    assert fresh(tree["minuman"]) is not None
    assert count(AuditEntry) == entries


# -- Who --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.PP, Role.PPK, Role.AUDITOR, Role.PENYEDIA])
def test_non_admins_get_403_and_nothing_changes(app, create_user, create_supplier, tree, role):
    client = login(app, create_supplier() if role is Role.PENYEDIA else create_user(role))
    kopi = tree["kopi"]
    assert client.get(f"/admin/kategori/{kopi}").status_code == 403
    assert client.post(f"/admin/kategori/{kopi}",
                       data={"name": "Dibajak", "slug": "dibajak"}).status_code == 403
    assert client.post(f"/admin/kategori/{kopi}/urutan", data={"direction": "down"}).status_code == 403
    assert client.post(f"/admin/kategori/{tree['teh']}/hapus").status_code == 403
    assert (fresh(kopi).name, fresh(kopi).slug) == ("Kopi", "kopi")
    assert order("minuman") == ["kopi", "teh"]


def test_unknown_ids_are_404(app, admin, tree):
    client = login(app, admin)
    for bad in ("999999", "0", "abc", "99999999999999999999"):
        assert client.get(f"/admin/kategori/{bad}").status_code == 404, bad
        assert client.post(f"/admin/kategori/{bad}", data={"name": "X", "slug": "x"}).status_code == 404, bad
        assert client.post(f"/admin/kategori/{bad}/urutan", data={"direction": "up"}).status_code == 404, bad
        assert client.post(f"/admin/kategori/{bad}/hapus").status_code == 404, bad


# -- Without JavaScript, with CSRF on --------------------------------------------------------------

@pytest.fixture
def csrf_app(app, make_app):
    """An app with CSRF protection on; its context is the current one (above `app`'s)."""
    protected = make_app(WTF_CSRF_ENABLED=True)
    with protected.app_context():
        yield protected


def test_the_pages_forms_work_as_a_browser_without_javascript_sends_them(csrf_app, admin, tree):
    client = csrf_app.test_client()
    login_page = Forms(client.get("/masuk").get_data(as_text=True)).posting_to(None)  # posts to itself
    assert client.post("/masuk", data={**login_page["values"], "email": admin.email,
                                       "password": PASSWORD}).status_code == 303

    # Up/down on the list: the button's name and value, and the form's hidden token.
    listing = Forms(client.get("/admin/kategori").get_data(as_text=True))
    reorder = listing.posting_to(f"/admin/kategori/{tree['kopi']}/urutan")
    assert reorder["values"]["csrf_token"]
    [down] = reorder["buttons"]
    sent = {**reorder["values"], down["name"]: down["value"]}
    assert client.post(reorder["action"], data=sent).status_code == 303
    assert order("minuman") == ["teh", "kopi"]
    # Without the token the same POST is refused.
    assert client.post(reorder["action"], data={down["name"]: "up"}).status_code == 400

    # Rename on the category's page: the prefilled form, one field changed.
    page = Forms(client.get(f"/admin/kategori/{tree['roti']}").get_data(as_text=True))
    edit = page.posting_to(f"/admin/kategori/{tree['roti']}")
    assert edit["values"]["csrf_token"]
    response = client.post(edit["action"], data={**edit["values"], "name": "Roti Manis",
                                                  "parent_id": str(tree["makanan"])})
    assert response.status_code == 303
    assert fresh(tree["roti"]).name == "Roti Manis"

    # Delete from the page of an unused category.
    delete = Forms(client.get(f"/admin/kategori/{tree['alat-tulis']}").get_data(as_text=True)).posting_to(
        f"/admin/kategori/{tree['alat-tulis']}/hapus")
    assert client.post(delete["action"], data=delete["values"]).status_code == 303
    assert fresh(tree["alat-tulis"]) is None

