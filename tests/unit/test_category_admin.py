"""Managing catalogue categories without the web client: rename, move, reorder, delete.

Two levels, positions dense on every level, slugs stable unless changed on purpose,
nothing deleted that products or sub-categories still use, one audit entry per change.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import Category
from pbj.services import audit, catalogue
from pbj.services.errors import DomainError, NotAllowed
from tests import catalogue_helpers as h
from tests.refusals import refused


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN)


@pytest.fixture
def drinks():
    """Minuman › Kopi, Teh, Jus; Makanan › Roti."""
    for name in ("Kopi", "Teh", "Jus"):
        h.category(name, parent="Minuman")
    h.category("Roti", parent="Makanan")
    return by_slug("minuman")


def by_slug(slug: str) -> Category | None:
    return db.session.scalar(sa.select(Category).where(Category.slug == slug))


def level(parent: Category | None) -> list[tuple[str, int]]:
    """(slug, position) on one level, as stored, in position order."""
    db.session.flush()
    rows = db.session.execute(
        sa.select(Category.slug, Category.position)
        .where(Category.parent_id == (parent.id if parent else None)).order_by(Category.position))
    return [tuple(row) for row in rows]


def entries(category: Category, action: str) -> list[AuditEntry]:
    return [e for e in audit.entries_for("categories", category.id) if e.action == action]


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def refused_change(action, msgid: str, field: str | None = None) -> DomainError:
    """Run `action`, expect a DomainError with this message on `field`, and roll back as a view does."""
    before = audit_count()
    with refused(DomainError, msgid, field=field) as err:
        action()
    db.session.rollback()
    assert audit_count() == before
    return err.value


# -- Rename ---------------------------------------------------------------------------------

def test_rename_keeps_the_slug_of_bookmarked_links(app, admin, drinks):
    coffee = by_slug("kopi")
    assert catalogue.rename_category(admin, coffee, "  Kopi Bubuk  ") is True
    db.session.commit()
    db.session.expire_all()
    assert (coffee.name, coffee.slug) == ("Kopi Bubuk", "kopi")
    [entry] = entries(coffee, "category.renamed")
    assert entry.actor_id == admin.id
    assert entry.detail_data == {"old_name": "Kopi", "name": "Kopi Bubuk", "old_slug": "kopi", "slug": "kopi"}


def test_rename_changes_the_slug_only_when_given_one_and_slugifies_it(app, admin, drinks):
    coffee = by_slug("kopi")
    catalogue.rename_category(admin, coffee, "Kopi", slug="Kopi & Bubuk!")
    assert coffee.slug == "kopi-bubuk"
    assert entries(coffee, "category.renamed")[0].detail_data["old_slug"] == "kopi"


def test_rename_with_nothing_changed_records_nothing(app, admin, drinks):
    coffee = by_slug("kopi")
    before = audit_count()
    assert catalogue.rename_category(admin, coffee, "Kopi", slug="kopi") is False
    assert catalogue.rename_category(admin, coffee, "Kopi") is False
    assert audit_count() == before


def test_rename_refuses_a_slug_another_category_has(app, admin, drinks):
    error = refused_change(lambda: catalogue.rename_category(admin, by_slug("kopi"), "Kopi", slug="Teh"),
                           "The web address “%(slug)s” already belongs to the category “%(name)s”.", "slug")
    assert error.message.variables == {"slug": "teh", "name": "Teh"}  # names the category that has it
    assert by_slug("kopi").name == "Kopi" and by_slug("teh").name == "Teh"


@pytest.mark.parametrize("slug", ["", "   ", "!!!"])
def test_rename_refuses_a_slug_without_letters_or_digits(app, admin, drinks, slug):
    refused_change(lambda: catalogue.rename_category(admin, by_slug("kopi"), "Kopi", slug=slug),
                   "Enter a web address with letters or digits.", "slug")
    assert by_slug("kopi") is not None


@pytest.mark.parametrize("name, msgid", [
    ("", "Enter the name."), ("   ", "Enter the name."), ("!!!", "Enter a name with letters or digits."),
    ("K" * 121, "Use at most %(max)d characters."),
])
def test_rename_refuses_an_unusable_name(app, admin, drinks, name, msgid):
    refused_change(lambda: catalogue.rename_category(admin, by_slug("kopi"), name), msgid, "name")
    assert by_slug("kopi").name == "Kopi"


def test_rename_refuses_a_name_used_on_the_same_level_only(app, admin, drinks):
    refused_change(lambda: catalogue.rename_category(admin, by_slug("kopi"), " TEH "),
                   "Another category already uses this name.", "name")
    assert by_slug("kopi").name == "Kopi"
    # Under another parent the same name is fine (its slug stays its own).
    assert catalogue.rename_category(admin, by_slug("roti"), "Teh") is True
    assert by_slug("roti").name == "Teh"


def test_creating_a_name_whose_slug_a_renamed_category_kept_says_which(app, admin, drinks):
    catalogue.rename_category(admin, by_slug("kopi"), "Kopi Bubuk")
    db.session.commit()
    error = refused_change(lambda: catalogue.create_category(admin, "Kopi", parent=drinks),
                           "The web address “%(slug)s” made from this name already belongs to the "
                           "category “%(name)s”. Choose a different name.", "name")
    assert error.message.variables == {"slug": "kopi", "name": "Kopi Bubuk"}


# -- Move -----------------------------------------------------------------------------------

def test_sub_category_moves_to_another_top_and_both_levels_stay_dense(app, admin, drinks):
    food = by_slug("makanan")
    tea = by_slug("teh")
    assert catalogue.move_category(admin, tea, food) is True
    db.session.commit()
    assert tea.parent_id == food.id
    assert level(food) == [("roti", 0), ("teh", 1)]
    assert level(drinks) == [("kopi", 0), ("jus", 1)]
    [entry] = entries(tea, "category.moved")
    assert entry.detail_data["old_parent_id"] == drinks.id and entry.detail_data["parent_id"] == food.id


def test_sub_category_can_become_top_level_and_back(app, admin, drinks):
    juice = by_slug("jus")
    catalogue.move_category(admin, juice, None)
    assert juice.parent_id is None
    assert level(None) == [("minuman", 0), ("makanan", 1), ("jus", 2)]
    catalogue.move_category(admin, juice, by_slug("makanan"))  # it has no sub-categories itself
    assert level(None) == [("minuman", 0), ("makanan", 1)]
    assert len(entries(juice, "category.moved")) == 2


def test_top_category_with_sub_categories_cannot_become_a_sub_category(app, admin, drinks):
    refused_change(lambda: catalogue.move_category(admin, drinks, by_slug("makanan")),
                   "“%(name)s” has sub-categories, so it stays a top-level category. "
                   "Move its sub-categories first.", "parent_id")
    assert by_slug("minuman").parent_id is None
    assert [slug for slug, _ in level(by_slug("minuman"))] == ["kopi", "teh", "jus"]


def test_category_cannot_be_its_own_parent(app, admin, drinks):
    other = h.category("Lainnya")  # top-level, no sub-categories: only this rule stands in the way
    refused_change(lambda: catalogue.move_category(admin, other, other),
                   "A category cannot be its own parent.", "parent_id")
    assert by_slug("lainnya").parent_id is None


def test_new_parent_must_be_top_level(app, admin, drinks):
    refused_change(lambda: catalogue.move_category(admin, by_slug("roti"), by_slug("kopi")),
                   "Categories have two levels: choose a top-level parent.", "parent_id")
    assert by_slug("roti").parent_id == by_slug("makanan").id


def test_move_refuses_a_name_already_used_there(app, admin, drinks):
    h.category("Teh", parent="Minuman")
    bread_called_tea = by_slug("roti")
    catalogue.rename_category(admin, bread_called_tea, "Teh")
    db.session.commit()
    refused_change(lambda: catalogue.move_category(admin, by_slug("roti"), drinks),
                   "Another category there already uses the name “%(name)s”.", "parent_id")
    assert by_slug("roti").parent_id == by_slug("makanan").id


def test_move_to_the_same_parent_records_nothing(app, admin, drinks):
    before = audit_count()
    assert catalogue.move_category(admin, by_slug("kopi"), drinks) is False
    assert audit_count() == before
    assert level(drinks) == [("kopi", 0), ("teh", 1), ("jus", 2)]


# -- Reorder --------------------------------------------------------------------------------

def test_reorder_swaps_with_the_neighbour(app, admin, drinks):
    juice = by_slug("jus")
    catalogue.reorder_category(admin, juice, "up")
    assert level(drinks) == [("kopi", 0), ("jus", 1), ("teh", 2)]
    catalogue.reorder_category(admin, by_slug("kopi"), "down")
    assert level(drinks) == [("jus", 0), ("kopi", 1), ("teh", 2)]
    [entry] = entries(juice, "category.reordered")
    assert entry.detail_data["direction"] == "up"
    assert (entry.detail_data["old_position"], entry.detail_data["position"]) == (2, 1)


def test_reorder_closes_gaps_left_by_older_data(app, admin, drinks):
    for slug, position in (("kopi", 3), ("teh", 7), ("jus", 12)):
        by_slug(slug).position = position
    db.session.commit()
    catalogue.reorder_category(admin, by_slug("teh"), "down")
    assert level(drinks) == [("kopi", 0), ("jus", 1), ("teh", 2)]


def test_top_level_categories_reorder_too(app, admin, drinks):
    catalogue.reorder_category(admin, by_slug("makanan"), "up")
    assert level(None) == [("makanan", 0), ("minuman", 1)]
    assert [top.slug for top in catalogue.category_tree()] == ["makanan", "minuman"]


def test_first_cannot_move_up_nor_last_down(app, admin, drinks):
    refused_change(lambda: catalogue.reorder_category(admin, by_slug("kopi"), "up"),
                   "“%(name)s” is already first.")
    refused_change(lambda: catalogue.reorder_category(admin, by_slug("jus"), "down"),
                   "“%(name)s” is already last.")
    assert level(drinks) == [("kopi", 0), ("teh", 1), ("jus", 2)]


def test_reorder_knows_only_up_and_down(app, admin, drinks):
    refused_change(lambda: catalogue.reorder_category(admin, by_slug("teh"), "sideways"),
                   "Choose up or down.", "direction")
    assert level(drinks) == [("kopi", 0), ("teh", 1), ("jus", 2)]


# -- Delete ---------------------------------------------------------------------------------

def test_unused_category_is_deleted_and_its_level_stays_dense(app, admin, drinks):
    tea = by_slug("teh")
    tea_id = tea.id
    catalogue.delete_category(admin, tea)
    db.session.commit()
    assert db.session.get(Category, tea_id) is None
    assert level(drinks) == [("kopi", 0), ("jus", 1)]
    [entry] = [e for e in audit.entries_for("categories", tea_id) if e.action == "category.deleted"]
    assert entry.actor_id == admin.id
    assert entry.detail_data == {"name": "Teh", "slug": "teh", "parent_id": drinks.id}
    # The next new category goes last, with no gap.
    catalogue.create_category(admin, "Susu", parent=drinks)
    assert level(drinks) == [("kopi", 0), ("jus", 1), ("susu", 2)]


@pytest.mark.parametrize("state", ["draft", "published", "archived"])
def test_category_with_products_in_any_status_is_not_deleted(app, admin, create_supplier, drinks, state):
    owner = create_supplier(with_document=True)
    coffee = by_slug("kopi")
    product = h.product(owner, admin, cat=coffee, publish=state != "draft")
    h.product(owner, admin, "Kopi Arabika", cat=coffee, publish=False)
    if state == "archived":
        catalogue.archive_product(owner, product)
        db.session.commit()
    error = refused_change(lambda: catalogue.delete_category(admin, by_slug("kopi")),
                           "“%(name)s” cannot be deleted while products use it. Products in this "
                           "category: %(count)d, drafts and archived ones included. Rename or move the "
                           "category instead.")
    assert error.message.variables == {"name": "Kopi", "count": 2}  # says how many products use it
    assert by_slug("kopi") is not None
    assert level(drinks) == [("kopi", 0), ("teh", 1), ("jus", 2)]


def test_category_with_sub_categories_is_not_deleted(app, admin, drinks):
    error = refused_change(lambda: catalogue.delete_category(admin, drinks),
                           "“%(name)s” cannot be deleted while it has sub-categories. Sub-categories: "
                           "%(count)d. Move or delete them first.")
    assert error.message.variables == {"name": "Minuman", "count": 3}  # says how many sub-categories it has
    assert by_slug("minuman") is not None
    assert len(level(by_slug("minuman"))) == 3


# -- Who ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.PENYEDIA, Role.PP, Role.PPK, Role.AUDITOR])
def test_only_admins_manage_categories(app, create_user, create_supplier, drinks, role):
    someone = create_supplier() if role is Role.PENYEDIA else create_user(role)
    for action in (lambda: catalogue.rename_category(someone, by_slug("kopi"), "Kopi Baru", slug="kopi-baru"),
                   lambda: catalogue.move_category(someone, by_slug("kopi"), by_slug("makanan")),
                   lambda: catalogue.reorder_category(someone, by_slug("teh"), "up"),
                   lambda: catalogue.delete_category(someone, by_slug("jus"))):
        before = audit_count()
        with pytest.raises(NotAllowed):
            action()
        db.session.rollback()
        assert audit_count() == before
    assert level(drinks) == [("kopi", 0), ("teh", 1), ("jus", 2)]
    assert by_slug("kopi").name == "Kopi"


@pytest.mark.parametrize("action", ["category.renamed", "category.moved", "category.reordered",
                                    "category.deleted"])
def test_the_audit_trail_names_each_change(app, action):
    from pbj.web.labels import action_label

    assert action_label(action) != action


def test_a_reference_the_counts_did_not_see_refuses_the_delete_cleanly(app, admin, create_supplier, drinks,
                                                                     monkeypatch):
    """E.g. an order item that kept the category, or a product added meanwhile: a DomainError, not a 500."""
    h.product(create_supplier(with_document=True), admin, cat=by_slug("kopi"), publish=False)
    monkeypatch.setattr(catalogue, "product_count", lambda category: 0)
    refused_change(lambda: catalogue.delete_category(admin, by_slug("kopi")),
                   "“%(name)s” cannot be deleted: other records, such as orders, still refer "
                   "to it. Rename or move the category instead.")
    assert by_slug("kopi") is not None
    assert level(drinks) == [("kopi", 0), ("teh", 1), ("jus", 2)]
