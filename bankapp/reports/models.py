"""Indexes the report aggregates need, on other features' tables.

Reports own no tables. These filtered (partial) indexes are declared here,
bound to the columns of the tables they index, so the feature that reads
through them documents why they exist. They are created by ``create_all``
and picked up by migration autogenerate like any other index.
"""
from ..audit.models import Breach
from ..extensions import db
from ..shifts.models import Booking, Shift
from ..timesheets.models import Timesheet

# Posted shifts of a period (fill rates, dashboard): cancelled shifts are never reported.
ix_shifts_posted_start = db.Index(
    "ix_reports_shifts_posted_start", Shift.start_at, Shift.site_id,
    postgresql_where=Shift.status != "cancelled", sqlite_where=Shift.status != "cancelled")

# Live bookings with their source, so filled-by-bank/agency is read from the index alone.
ix_bookings_live_source = db.Index(
    "ix_reports_bookings_live_source", Booking.shift_id, Booking.source,
    postgresql_where=Booking.status != "cancelled", sqlite_where=Booking.status != "cancelled")

# Approved timesheets (spend and hours delivered).
ix_timesheets_approved = db.Index(
    "ix_reports_timesheets_approved", Timesheet.booking_id,
    postgresql_where=Timesheet.status == "approved", sqlite_where=Timesheet.status == "approved")

# Breaches of one site in a period (a coordinator's or a site filter).
ix_breaches_site_at = db.Index("ix_reports_breaches_site_at", Breach.site_id, Breach.at)
