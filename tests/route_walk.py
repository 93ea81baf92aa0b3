"""The walk over every GET page that the page-wide tests share (hostile text in
tests/web/test_payload_corpus.py, words in tests/web/test_words_pages.py): which
endpoints are not pages, the ids of the demo world's newer objects, and the URLs."""
from __future__ import annotations

import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.catalogue import ProductRevision
from pbj.models.holidays import Holiday
from pbj.models.orders import Order

# Files, and tokens that are not object ids.
NOT_WALKED = {"static", "htmx_js", "catalogue.image", "orders.handover_photo", "supplier.document_file",
              "auth.reset_password", "supplier.accept_invitation"}


def register_arguments(opd_id: int) -> dict[str, list]:
    """Ids of a few holidays, product revisions and the OPD's packages."""
    return {
        "holiday_id": db.session.scalars(sa.select(Holiday.id).order_by(Holiday.day).limit(2)).all(),
        "revision_id": db.session.scalars(sa.select(ProductRevision.id).order_by(ProductRevision.id)
                                          .limit(2)).all(),
        "package_id": db.session.scalars(sa.select(Order.package_id).where(Order.opd_id == opd_id,
                                                                           Order.package_id.is_not(None))
                                         .distinct().limit(2)).all(),
    }


def page_urls(app, arguments: dict[str, list]) -> list[str]:
    """Every GET route with every combination of the given ids. A route whose argument
    has no ids is a test that forgot a new kind of object: it fails here, by name."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_WALKED:
            continue
        missing = sorted(set(rule.arguments) - set(arguments))
        assert not missing, f"{rule.endpoint}: the walk has no ids for {missing}"
        combos = [{}]
        for name in sorted(rule.arguments):
            combos = [{**c, name: value} for c in combos for value in arguments[name]]
        urls += [app.url_for(rule.endpoint, **values) for values in combos]
    return urls
