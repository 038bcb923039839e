"""Payroll export batches: claim every approved, not yet exported timesheet once.

Race safety: the candidates are read with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so a second export started at the same moment skips the rows the
first one holds (and finds nothing new); then a conditional
``UPDATE … SET exported_batch_id = :batch WHERE id IN (…) AND
exported_batch_id IS NULL`` must touch every candidate, or the whole export is
refused and rolled back. On SQLite writers are serialised and the same
conditional update is the guard. A timesheet is therefore in one batch, ever.
"""
import logging
from decimal import Decimal

from sqlalchemy import or_, update

from ..audit.services import record_audit
from ..errors import Conflict, Forbidden
from ..extensions import db
from ..money import hours_str, money_str
from ..shifts.models import Booking
from ..staff.models import DoctorProfile
from ..timesheets import rules as ts_rules
from ..timesheets.models import Timesheet
from ..timesheets.services import cutoff_settings
from ..timeutil import format_london, london_date, now_utc
from . import csvfiles
from .models import PayrollExport

log = logging.getLogger(__name__)

NOTHING_NEW = "Every approved timesheet has already been exported. Nothing new to export."


def _ready_for_export():
    """Approved, not yet exported: agency ones, and bank ones whose doctor has an ESR number."""
    return (db.select(Timesheet.id)
            .join(Booking, Timesheet.booking_id == Booking.id)
            .outerjoin(DoctorProfile, DoctorProfile.user_id == Timesheet.doctor_id)
            .where(Timesheet.status == "approved", Timesheet.exported_batch_id.is_(None),
                   or_(Booking.source == "agency", DoctorProfile.esr_assignment_number.isnot(None))))


def held_back() -> list[Timesheet]:
    """Approved bank timesheets that cannot go to ESR: the doctor has no ESR assignment number."""
    stmt = (db.select(Timesheet).join(Booking, Timesheet.booking_id == Booking.id)
            .outerjoin(DoctorProfile, DoctorProfile.user_id == Timesheet.doctor_id)
            .where(Timesheet.status == "approved", Timesheet.exported_batch_id.is_(None), Booking.source == "bank",
                   DoctorProfile.esr_assignment_number.is_(None))
            .order_by(Timesheet.id))
    return db.session.execute(stmt).unique().scalars().all()


def pending_count() -> int:
    return len(db.session.execute(_ready_for_export()).scalars().all())


def _claim(ids, batch_id):
    result = db.session.execute(
        update(Timesheet)
        .where(Timesheet.id.in_(ids), Timesheet.exported_batch_id.is_(None), Timesheet.status == "approved")
        .values(exported_batch_id=batch_id)
        .execution_options(synchronize_session=False))
    if result.rowcount != len(ids):
        log.warning("export %s claimed %s of %s timesheets; refused", batch_id, result.rowcount, len(ids))
        raise Conflict("Another payroll export took some of these timesheets at the same moment. "
                       "Nothing was exported; look at the batch history and try again.",
                       title="Export clashed with another export")


def create_export(*, actor) -> PayrollExport:
    """One batch of every approved, not yet exported timesheet, in one transaction (409 if none)."""
    if actor is None or not actor.has_role("payroll"):
        raise Forbidden("Only payroll can export timesheets.")
    ids = db.session.execute(
        _ready_for_export().order_by(Timesheet.id).with_for_update(skip_locked=True, of=Timesheet)
    ).scalars().all()
    if not ids:
        raise Conflict(NOTHING_NEW, title="Nothing new to export", type_slug="nothing-to-export")
    # Counts are filled in below; a placeholder keeps the batch's NOT NULL columns happy until then.
    batch = PayrollExport(created_by_id=actor.id, created_at=now_utc(), timesheet_count=len(ids),
                          total_amount=Decimal(0), esr_csv="", esr_csv_sha256="", agency_csv="",
                          agency_csv_sha256="", late_csv="")
    db.session.add(batch)
    db.session.flush()
    _claim(ids, batch.id)
    timesheets = db.session.execute(
        db.select(Timesheet).where(Timesheet.exported_batch_id == batch.id).order_by(Timesheet.id)
        .execution_options(populate_existing=True)).unique().scalars().all()
    _fill(batch, timesheets)
    db.session.flush()
    record_audit("payroll.exported", "payroll_export", batch.id, actor=actor,
                 after={"timesheet_ids": ids, "timesheet_count": batch.timesheet_count,
                        "total_amount": batch.total_amount, "agency_timesheet_count": batch.agency_timesheet_count,
                        "agency_total_amount": batch.agency_total_amount, "esr_csv_sha256": batch.esr_csv_sha256})
    log.info("payroll export %s: %s timesheets, %s", batch.id, len(ids), batch.total_amount)
    return batch


def _fill(batch, timesheets):
    bank = [ts for ts in timesheets if not ts.is_agency]
    agency = [ts for ts in timesheets if ts.is_agency]
    esr_rows = sorted((row for ts in bank for row in _esr_rows(ts)), key=_esr_order)
    agency_rows = sorted((row for ts in agency for row in _agency_rows(ts)), key=_agency_order)
    late = [ts for ts in bank if ts.late]
    batch.timesheet_count, batch.agency_timesheet_count, batch.late_count = len(bank), len(agency), len(late)
    batch.total_amount = sum((Decimal(row["amount"]) for row in esr_rows), Decimal(0))
    batch.agency_total_amount = sum((Decimal(row["amount"]) for row in agency_rows), Decimal(0))
    batch.esr_csv = csvfiles.write_csv(csvfiles.ESR_HEADER, esr_rows)
    batch.esr_csv_sha256 = csvfiles.sha256(batch.esr_csv)
    batch.agency_csv = csvfiles.write_csv(csvfiles.AGENCY_HEADER, agency_rows)
    batch.agency_csv_sha256 = csvfiles.sha256(batch.agency_csv)
    batch.late_csv = csvfiles.write_csv(csvfiles.LATE_HEADER, [_late_row(ts) for ts in late])


def _common(ts, line) -> dict:
    shift = ts.booking.shift
    return {"site_code": shift.site.code, "cost_centre": shift.department.cost_centre, "shift_id": shift.id,
            "timesheet_id": ts.id, "work_date": london_date(ts.actual_start).isoformat(), "band": line.band,
            "hours": hours_str(line.minutes), "amount": money_str(line.amount), "_position": line.position}


def _esr_rows(ts):
    profile = ts.doctor.doctor_profile
    for line in ts.pay_lines:
        yield {**_common(ts, line), "esr_assignment_number": profile.esr_assignment_number,
               "doctor_name": ts.doctor.name, "rate": money_str(line.rate)}


def _esr_order(row):
    return (row["esr_assignment_number"], row["work_date"], row["shift_id"], row["timesheet_id"], row["_position"])


def _agency_rows(ts):
    from ..cascade.models import AgencyOffer

    offer = db.session.get(AgencyOffer, ts.booking.agency_offer_id) if ts.booking.agency_offer_id else None
    for line in ts.pay_lines:
        yield {**_common(ts, line), "agency": offer.agency.name if offer else "",
               "locum_name": offer.locum_name if offer else "", "gmc_number": offer.gmc_number if offer else "",
               "charge_rate": money_str(line.rate)}


def _agency_order(row):
    return (row["agency"], row["work_date"], row["shift_id"], row["timesheet_id"], row["_position"])


def _late_row(ts) -> dict:
    return {"timesheet_id": ts.id, "esr_assignment_number": ts.doctor.doctor_profile.esr_assignment_number,
            "doctor_name": ts.doctor.name, "site_code": ts.booking.shift.site.code,
            "shift_id": ts.booking.shift_id, "submitted_at": format_london(ts.submitted_at),
            "due_cutoff": format_london(ts_rules.due_cutoff(ts.submitted_at, **cutoff_settings())),
            "approved_at": format_london(ts.approved_at)}


# --- reading -------------------------------------------------------------------


def export_csv(batch: PayrollExport) -> bytes:
    """The ESR file exactly as generated when the batch was created."""
    return batch.esr_csv.encode("utf-8")


def agency_csv(batch: PayrollExport) -> bytes:
    """The agency invoice-reconciliation file of the batch."""
    return batch.agency_csv.encode("utf-8")


def late_csv(batch: PayrollExport) -> bytes:
    """Timesheets of the ESR file that were approved after their pay-run cut-off."""
    return batch.late_csv.encode("utf-8")


def late_timesheet_ids(batch: PayrollExport) -> list[int]:
    return db.session.execute(
        db.select(Timesheet.id).join(Booking, Timesheet.booking_id == Booking.id)
        .where(Timesheet.exported_batch_id == batch.id, Timesheet.late.is_(True), Booking.source == "bank")
        .order_by(Timesheet.id)).scalars().all()


def history(limit=100) -> list[PayrollExport]:
    return db.session.execute(
        db.select(PayrollExport).order_by(PayrollExport.id.desc()).limit(limit)).unique().scalars().all()
