"""Rota upload: a CSV of shifts, posted all or nothing with line-numbered errors.

Columns (header row required, any order, case-insensitive):
``department`` (name or id), ``grade`` (code), ``start``, ``end`` (ISO 8601,
London time when there is no offset), ``hourly_rate`` (optional flat rate),
and optionally ``site`` (site code, to pick a department name used at several
of your sites) and ``reason``. Line 1 is the header, so the first shift is
line 2. If any line is bad, nothing is imported and every problem of every
line is listed (a line that names an unknown grade is still checked for an end
before its start). ``template_csv`` is a file to start from; cells the CSV
writer kept as text (a leading apostrophe before ``=``, ``-`` …) are read back
as they were.
"""
import csv
import io
from datetime import date, timedelta

from ..auth.permissions import sites_in_scope
from ..csvout import csv_text, read_cell
from ..errors import ValidationFailed
from ..extensions import db
from ..money import parse_money
from ..org.models import Department, Grade, Site
from ..timeutil import TimeInputError, london_date, now_utc, parse_datetime
from . import services

REQUIRED_COLUMNS = ("department", "grade", "start", "end")
OPTIONAL_COLUMNS = ("hourly_rate", "site", "reason")
MAX_ROWS = 2000


def _departments(actor):
    scope = sites_in_scope(actor, "coordinator", "admin")
    stmt = db.select(Department)
    if scope is not None:
        stmt = stmt.where(Department.site_id.in_(scope or [-1]))
    return db.session.execute(stmt).scalars().all()


def _find_department(value, site_code, departments, problems):
    value = (value or "").strip()
    if not value:
        problems.append("department: enter the department name or id.")
        return None
    if value.isdigit():
        found = [d for d in departments if d.id == int(value)]
    else:
        found = [d for d in departments if d.name.lower() == value.lower()]
    if site_code:
        found = [d for d in found if d.site.code.lower() == site_code.lower()]
    if not found:
        problems.append(f"department: no department {value!r} at your sites.")
        return None
    if len(found) > 1:
        sites = ", ".join(sorted(d.site.code for d in found))
        problems.append(f"department: {value!r} is at several of your sites ({sites}); add a site column "
                        "or give the department id.")
        return None
    return found[0]


def _parse_time(row, column, problems):
    text = (row.get(column) or "").strip()
    if not text:
        problems.append(f"{column}: enter a date and time.")
        return None
    try:
        return parse_datetime(text)
    except TimeInputError as exc:
        problems.append(f"{column}: {exc.message}")
        return None


def _parse_row(line, row, departments, grades, problems):
    department = _find_department(row.get("department"), (row.get("site") or "").strip(), departments, problems)
    code = (row.get("grade") or "").strip()
    grade = grades.get(code.upper())
    if grade is None:
        problems.append(f"grade: unknown grade {code!r}; use one of {', '.join(sorted(grades))}." if code
                        else "grade: enter the grade code.")
    start, end = _parse_time(row, "start", problems), _parse_time(row, "end", problems)
    rate = None
    if (row.get("hourly_rate") or "").strip():
        try:
            rate = parse_money(row["hourly_rate"].strip())
            if rate <= 0:
                problems.append("hourly_rate: must be more than £0.00.")
        except ValueError as exc:
            problems.append(f"hourly_rate: {exc}")
    return {"line": line, "department": department, "grade": grade, "start": start, "end": end,
            "hourly_rate": rate, "reason": (row.get("reason") or "").strip() or None}


def parse_rota(text, *, actor):
    """Every row of the file, in order, each with the ``problems`` found while reading it."""
    try:
        return _parse_rota(text, actor=actor)
    except csv.Error as exc:  # a cell longer than the csv module's limit, a NUL byte
        raise ValidationFailed("The file is not a CSV file we can read.",
                               errors={"file": [f"Save the rota as CSV (UTF-8): {exc}."]}) from None


def _parse_rota(text, *, actor):
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed("The file's first line must name the columns.",
                               errors={"file": [f"Missing column(s): {', '.join(missing)}. Columns are "
                                                f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}."]})
    reader.fieldnames = header
    departments = _departments(actor)
    grades = {g.code.upper(): g for g in db.session.execute(db.select(Grade)).scalars()}
    rows = []
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for k, v in row.items() if k):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationFailed("The file is too long.", errors={"file": [f"Upload at most {MAX_ROWS} shifts."]})
        problems = []
        row = {key: read_cell(value) if isinstance(value, str) else value for key, value in row.items()}
        rows.append({**_parse_row(line, row, departments, grades, problems), "problems": problems})
    if not rows:
        raise ValidationFailed("The file has no shifts.", errors={"file": ["The file has no shifts after the header."]})
    return rows


def import_rota(text, *, actor):
    """Parse and post a rota CSV: every problem of every line is reported at once, and then nothing is posted."""
    rows = parse_rota(text, actor=actor)
    errors = services.rota_errors(rows, actor=actor)
    if errors:
        raise ValidationFailed(f"{len(errors)} line(s) are not valid; nothing was imported.", errors=errors)
    return services.post_rota(rows, actor=actor)


def site_codes():
    return [s.code for s in db.session.execute(db.select(Site).order_by(Site.code)).scalars()]


def template_csv(actor, today: date | None = None) -> str:
    """A rota file to start from: the header and three example lines at one of ``actor``'s departments.

    The examples are next week's (a day, a night into the next morning, and a
    flat rate with its reason), so the file uploads as it is; edit or delete them.
    """
    today = today or london_date(now_utc())
    monday = today + timedelta(days=7 - today.weekday())
    department = next(iter(sorted(_departments(actor), key=lambda d: (d.site.code, d.name))), None)
    name, site = (department.name, department.site.code) if department else ("Emergency Department", "")
    codes = db.session.execute(db.select(Grade.code).order_by(Grade.rank)).scalars().all() or ["ST3"]
    junior, senior = codes[0], codes[len(codes) // 2]
    day = monday.isoformat()
    tuesday, wednesday = (monday + timedelta(days=1)).isoformat(), (monday + timedelta(days=2)).isoformat()
    examples = [
        [name, senior, f"{day}T08:00", f"{day}T17:00", "", site, ""],
        [name, junior, f"{day}T20:00", f"{tuesday}T08:00", "", site, "Night cover"],
        [name, senior, f"{wednesday}T08:00", f"{wednesday}T20:00", "95.00", site,
         "Winter pressures: no claims at card rate"],
    ]
    return csv_text([list(REQUIRED_COLUMNS + OPTIONAL_COLUMNS), *examples])
