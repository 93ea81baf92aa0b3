"""OPD budgets: entered by admins, imported from CSV all or nothing, audited."""
from datetime import datetime

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role
from pbj.models.audit import AuditEntry
from pbj.services import budgets
from pbj.services.errors import DomainError, NotAllowed

NOW = datetime(2026, 1, 5, 3)


def test_set_and_change_a_budget_is_audited_with_the_old_amount(app, create_org, create_user):
    opd, admin = create_org(OrgKind.OPD, code="DINKES"), create_user(Role.ADMIN)
    budgets.set_budget(admin, opd, 2026, "12.500.000.000", NOW)
    budgets.set_budget(admin, opd, "2026", 13_000_000_000, NOW)
    db.session.commit()
    assert budgets.for_year(2026) == {opd.id: 13_000_000_000}
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "budget.set"
    assert entry.detail_data == {"year": 2026, "value": 13_000_000_000, "before": 12_500_000_000}


def test_only_admins_and_only_sane_amounts(app, create_org, create_user):
    opd = create_org(OrgKind.OPD)
    with pytest.raises(NotAllowed):
        budgets.set_budget(create_user(Role.PPK, org=opd), opd, 2026, 1_000, NOW)
    admin = create_user(Role.ADMIN)
    for year, amount in ((2026, "0"), (2026, "-5"), (2026, "satu juta"), (26, "1.000"), (3000, "1.000")):
        with pytest.raises(DomainError):
            budgets.set_budget(admin, opd, year, amount, NOW)


def test_csv_import_is_all_or_nothing_with_every_bad_row_listed(app, create_org, create_user):
    create_org(OrgKind.OPD, code="DINKES")
    create_org(OrgKind.OPD, code="DISDIK")
    admin = create_user(Role.ADMIN)
    bad = ("kode_opd;tahun;anggaran\nDINKES;2026;12.500.000.000\nNOSUCH;2026;1.000\nDISDIK;20x6;1.000\n"
           "DINKES;2026;1\n").encode()
    with pytest.raises(budgets.BadRows) as refused:
        budgets.import_csv(admin, bad, NOW)
    assert [line for line, _message in refused.value.rows] == [3, 4, 5]
    db.session.rollback()
    assert budgets.for_year(2026) == {}
    good = "\ufeffkode_opd;tahun;anggaran\ndinkes;2026;Rp 12.500.000.000\nDISDIK;2026;7,000,000,000\n".encode()
    result = budgets.import_csv(admin, good, NOW)
    assert (result.added, result.changed, result.unchanged) == (2, 0, 0)
    assert sorted(budgets.for_year(2026).values()) == [7_000_000_000, 12_500_000_000]
    again = budgets.import_csv(admin, good, NOW)
    assert (again.added, again.unchanged) == (0, 2)
