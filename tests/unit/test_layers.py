"""The domain does not reach into the web layer; order events read the same everywhere."""
import ast
from pathlib import Path

import pytest

import pbj
from pbj.services import notifications
from pbj.services.events import ORDER_EVENT_LABELS

PACKAGE = Path(pbj.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "services").glob("*.py")) + [PACKAGE / "clock.py", PACKAGE / "urls.py"],
                         ids=lambda p: p.name)
def test_domain_modules_do_not_import_the_web_layer(path):
    web = {m for m in _imported_modules(path) if m == "pbj.web" or m.startswith(("pbj.web.", "pbj.blueprints"))}
    assert not web


def test_every_order_event_the_services_write_has_a_label():
    modules = sorted((PACKAGE / "services" / "orders").glob("*.py"))
    written = {node.value for path in modules for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)
               and node.value.startswith("order.") and " " not in node.value}
    assert len(modules) > 5 and {"order.approved", "order.expired", "order.paid"} <= written
    assert written <= set(ORDER_EVENT_LABELS), written - set(ORDER_EVENT_LABELS)


def test_pages_and_mails_read_an_order_event_the_same_way(app):
    from pbj.web.labels import action_label

    with app.test_request_context():
        page = action_label("order.approved")
    subject, _body = notifications.message_for(7, "order.approved")
    assert page == "Pesanan disetujui, Surat Pesanan diterbitkan"
    assert subject == f"Pesanan #7: {page}"
    assert action_label("category.deleted") != "category.deleted"  # other audit actions keep theirs


def test_only_the_clock_reads_the_time_of_day_or_the_city_zone():
    # Session idle timers use epoch seconds (time.time) and are not a date; everything
    # with a date or a zone goes through pbj.clock, so tests can pin it in one place.
    readers = [path.relative_to(PACKAGE).as_posix() for path in sorted(PACKAGE.rglob("*.py"))
               if path.name != "clock.py"
               and any(call in path.read_text(encoding="utf-8")
                       for call in ("datetime.now(", "date.today(", "ZoneInfo(", "utcnow = "))]
    assert readers == []
