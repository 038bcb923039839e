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

from sqlalchemy import ARRAY, Integer, any_, bindparam, or_, select, update

from ..audit.services import record_audit
from ..auth.models import User
from ..cascade.models import Agency, AgencyOffer
from ..csvout import write_csv
from ..errors import Conflict, Forbidden
from ..extensions import db
from ..money import money_str
from ..org.models import Department, Site
from ..rates.services import day_window
from ..shifts.models import Booking, Shift
from ..staff.models import DoctorProfile
from ..timesheets import rules as ts_rules
from ..timesheets.models import PayLine, Timesheet
from ..timesheets.services import cutoff_settings
from ..timeutil import format_london, london_date, minutes_by_date_and_band, now_utc
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


def _id_in(ids):
    """``Timesheet.id IN ids`` as one array parameter on PostgreSQL (no 65,535-parameter limit)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return Timesheet.id == any_(bindparam("claim_ids", list(ids), type_=ARRAY(Integer)))
    return Timesheet.id.in_(ids)


def _claim(ids, batch_id):
    result = db.session.execute(
        update(Timesheet)
        .where(_id_in(ids), Timesheet.exported_batch_id.is_(None), Timesheet.status == "approved")
        .values(exported_batch_id=batch_id)
        .execution_options(synchronize_session=False))
    if result.rowcount != len(ids):
        log.warning("export %s claimed %s of %s timesheets; refused", batch_id, result.rowcount, len(ids))
        raise Conflict("Another payroll export took some of these timesheets at the same moment. "
                       "Nothing was exported; look at the batch history and try again.",
                       title="Export clashed with another export")
    _expire_claimed(set(ids))


def _expire_claimed(ids):
    """Timesheets already loaded in the session read their new batch id on next access."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Timesheet) and obj.id in ids:
            db.session.expire(obj, ["exported_batch_id"])


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
                          total_amount=Decimal(0), esr_count=len(ids), esr_total=Decimal(0), agency_count=0,
                          agency_total=Decimal(0), esr_csv="", esr_csv_sha256="", agency_csv="",
                          agency_csv_sha256="", late_csv="")
    db.session.add(batch)
    db.session.flush()
    _claim(ids, batch.id)
    _fill(batch, _batch_lines(batch.id))
    db.session.flush()
    record_audit("payroll.exported", "payroll_export", batch.id, actor=actor,
                 after={"timesheet_ids": ids, "timesheet_count": batch.timesheet_count,
                        "total_amount": batch.total_amount, "esr_count": batch.esr_count,
                        "esr_total": batch.esr_total, "agency_count": batch.agency_count,
                        "agency_total": batch.agency_total, "esr_csv_sha256": batch.esr_csv_sha256})
    log.info("payroll export %s: %s timesheets, %s", batch.id, len(ids), batch.total_amount)
    return batch


def _batch_lines(batch_id):
    """Every pay line of the batch with what its CSV rows need, in one query (no ORM objects).

    One row per pay line (a timesheet without lines gives one row with an empty line), ordered by
    timesheet and line position.
    """

    stmt = (select(Timesheet.id.label("timesheet_id"), Timesheet.actual_start, Timesheet.actual_end, Timesheet.late,
                   Timesheet.submitted_at, Timesheet.approved_at, Booking.source, Shift.id.label("shift_id"),
                   Site.code.label("site_code"), Department.cost_centre, User.name.label("doctor_name"),
                   DoctorProfile.esr_assignment_number, PayLine.position, PayLine.band, PayLine.minutes,
                   PayLine.rate, PayLine.amount, Agency.name.label("agency"), AgencyOffer.locum_name,
                   AgencyOffer.gmc_number)
            .select_from(Timesheet)
            .join(Booking, Booking.id == Timesheet.booking_id)
            .join(Shift, Shift.id == Booking.shift_id)
            .join(Site, Site.id == Shift.site_id)
            .join(Department, Department.id == Shift.department_id)
            .outerjoin(User, User.id == Timesheet.doctor_id)
            .outerjoin(DoctorProfile, DoctorProfile.user_id == Timesheet.doctor_id)
            .outerjoin(PayLine, PayLine.timesheet_id == Timesheet.id)
            .outerjoin(AgencyOffer, AgencyOffer.id == Booking.agency_offer_id)
            .outerjoin(Agency, Agency.id == AgencyOffer.agency_id)
            .where(Timesheet.exported_batch_id == batch_id)
            .order_by(Timesheet.id, PayLine.position))
    return db.session.execute(stmt).mappings().all()


def _fill(batch, lines):
    """Counts, totals and the three CSV files of the batch from its pay lines.

    ``timesheet_count``/``total_amount`` cover every timesheet of the batch;
    ``esr_*`` the ESR file (bank doctors), ``agency_*`` the agency file. Each
    total is the exact sum of its file's ``amount`` column.
    """
    bank_ids, agency_ids, late = set(), set(), {}
    esr_rows, agency_rows = [], []
    worked = _WorkedByDay()
    for line in lines:
        agency = line["source"] == "agency"
        (agency_ids if agency else bank_ids).add(line["timesheet_id"])
        if not agency and line["late"]:
            late.setdefault(line["timesheet_id"], line)
        if line["position"] is None:
            continue
        common = _agency_fields(line) if agency else _esr_fields(line)
        (agency_rows if agency else esr_rows).extend(
            csvfiles.line_rows(common, band=line["band"], minutes=line["minutes"], amount=line["amount"],
                               worked=worked.of(line), fallback=london_date(line["actual_start"])))
    esr_rows.sort(key=_esr_order)
    agency_rows.sort(key=_agency_order)
    batch.esr_count, batch.agency_count, batch.late_count = len(bank_ids), len(agency_ids), len(late)
    batch.esr_total = sum((Decimal(row["amount"]) for row in esr_rows), Decimal(0))
    batch.agency_total = sum((Decimal(row["amount"]) for row in agency_rows), Decimal(0))
    batch.timesheet_count = batch.esr_count + batch.agency_count
    batch.total_amount = batch.esr_total + batch.agency_total
    batch.esr_csv = write_csv(csvfiles.ESR_HEADER, esr_rows)
    batch.esr_csv_sha256 = csvfiles.sha256(batch.esr_csv)
    batch.agency_csv = write_csv(csvfiles.AGENCY_HEADER, agency_rows)
    batch.agency_csv_sha256 = csvfiles.sha256(batch.agency_csv)
    settings = cutoff_settings()
    batch.late_csv = write_csv(csvfiles.LATE_HEADER,
                                        [_late_row(late[ts_id], settings) for ts_id in sorted(late)])


class _WorkedByDay:
    """Minutes worked per (London date, band) of each timesheet's actual times, worked out once per timesheet.

    The batch's lines come in timesheet order, so only the current timesheet's figures are kept.
    """

    def __init__(self):
        self._seen, self._window = {}, day_window()

    def of(self, line) -> dict:
        ts_id = line["timesheet_id"]
        if ts_id not in self._seen:
            self._seen = {ts_id: minutes_by_date_and_band(line["actual_start"], line["actual_end"],
                                                          day_start=self._window[0], day_end=self._window[1])}
        return self._seen[ts_id]


def _common(line) -> dict:
    return {"site_code": line["site_code"], "cost_centre": line["cost_centre"], "shift_id": line["shift_id"],
            "timesheet_id": line["timesheet_id"], "_position": line["position"]}


def _esr_fields(line) -> dict:
    return {**_common(line), "esr_assignment_number": line["esr_assignment_number"],
            "doctor_name": line["doctor_name"], "rate": money_str(line["rate"])}


def _esr_order(row):
    return (row["esr_assignment_number"], row["work_date"], row["shift_id"], row["timesheet_id"], row["_position"])


def _agency_fields(line) -> dict:
    return {**_common(line), "agency": line["agency"] or "", "locum_name": line["locum_name"] or "",
            "gmc_number": line["gmc_number"] or "", "charge_rate": money_str(line["rate"])}


def _agency_order(row):
    return (row["agency"], row["work_date"], row["shift_id"], row["timesheet_id"], row["_position"])


def _late_row(line, settings) -> dict:
    return {"timesheet_id": line["timesheet_id"], "esr_assignment_number": line["esr_assignment_number"],
            "doctor_name": line["doctor_name"], "site_code": line["site_code"], "shift_id": line["shift_id"],
            "submitted_at": format_london(line["submitted_at"]),
            "due_cutoff": format_london(ts_rules.due_cutoff(line["submitted_at"], **settings)),
            "approved_at": format_london(line["approved_at"])}


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
