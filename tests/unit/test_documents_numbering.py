"""Document numbers from DOCUMENT_NUMBER_FORMATS: checked at start-up, gapless per OPD,
kind and year (issue 11)."""
from __future__ import annotations

import pytest

from pbj import ConfigurationError
from pbj.config import DOCUMENT_NUMBER_FORMATS
from pbj.models.orders import OrderDocumentKind
from pbj.services.orders.numbering import check_formats, format_number

DEFAULT = dict(DOCUMENT_NUMBER_FORMATS)


def test_default_formats_and_the_tagihan_prefix():
    assert check_formats(DEFAULT) == DEFAULT
    # Worked by hand.
    assert format_number(DEFAULT["sp"], "DISDIK", 2026, 7) == "SP/DISDIK/2026/0007"
    assert format_number(DEFAULT["bast"], "DISDIK", 2026, 12) == "BAST/DISDIK/2026/0012"
    assert format_number(DEFAULT["invoice"], "DISDIK", 2027, 1) == "TAG/DISDIK/2027/0001"
    assert format_number("{seq:03d}/PBJ/{opd}/{year}", "RSUD", 2026, 45) == "045/PBJ/RSUD/2026"


@pytest.mark.parametrize("formats, says", [
    ({**DEFAULT, "sp": "SP/{opd}/{tahun}/{seq}"}, "unknown placeholder(s) {tahun}"),
    ({**DEFAULT, "sp": "SP/{opd}/{year}"}, "must contain {seq}"),
    ({**DEFAULT, "sp": "SP/{opd/{seq}"}, "not valid"),
    ({**DEFAULT, "sp": "SP/{seq:xyz}"}, "cannot be filled in"),
    ({**DEFAULT, "sp": "S" * 50 + "/{opd}/{seq}"}, "longer than 60"),
    ({"sp": DEFAULT["sp"], "bast": DEFAULT["bast"]}, "no format for ['invoice']"),
    ({**DEFAULT, "faktur": "F/{seq}"}, "unknown document kind"),
    ("SP/{seq}", "a mapping"),
])
def test_bad_formats_are_refused_with_a_clear_error(formats, says):
    with pytest.raises(ValueError) as refused:
        check_formats(formats)
    assert says in str(refused.value)


def test_the_app_refuses_to_start_with_an_unknown_placeholder(make_app):
    with pytest.raises(ConfigurationError, match=r"DOCUMENT_NUMBER_FORMATS: .*\{nomor\}"):
        make_app(DOCUMENT_NUMBER_FORMATS={**DEFAULT, "bast": "BA/{nomor}/{seq}"})


def test_configured_format_is_used_and_stays_gapless(make_app):
    app = make_app(DOCUMENT_NUMBER_FORMATS={**DEFAULT, "sp": "{seq:03d}/SP-EKAT/{opd}/{year}"})
    with app.app_context():
        from pbj.extensions import db
        from pbj.models.accounts import Organisation, OrgKind
        from pbj.models.orders import Order
        from pbj.services.orders.numbering import _document_number
        from datetime import date

        opd = Organisation(kind=OrgKind.OPD, name="Dinas Kesehatan", code="DINKES")
        other = Organisation(kind=OrgKind.OPD, name="RSUD", code="RSUD")
        db.session.add_all([opd, other])
        db.session.flush()
        day = date(2026, 3, 2)
        numbers = [_document_number(Order(opd_id=opd.id, opd=opd), OrderDocumentKind.SURAT_PESANAN, day)
                   for _ in range(3)]
        assert numbers == ["001/SP-EKAT/DINKES/2026", "002/SP-EKAT/DINKES/2026", "003/SP-EKAT/DINKES/2026"]
        # Another OPD, another kind, another year: each starts at 1.
        assert _document_number(Order(opd_id=other.id, opd=other), OrderDocumentKind.SURAT_PESANAN,
                                day) == "001/SP-EKAT/RSUD/2026"
        assert _document_number(Order(opd_id=opd.id, opd=opd), OrderDocumentKind.INVOICE,
                                day) == "TAG/DINKES/2026/0001"
        assert _document_number(Order(opd_id=opd.id, opd=opd), OrderDocumentKind.SURAT_PESANAN,
                                date(2027, 1, 4)) == "001/SP-EKAT/DINKES/2027"
        db.session.rollback()
