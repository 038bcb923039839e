"""The bank utilisation report: how many bank doctors can (and do) work at more than one site.

Per site, and a trust total row (the whole trust, whatever the filter):
- ``active_doctors``: active doctors who may work at the site (a doctor with
  no site links may work at every site);
- ``eligible_1`` / ``eligible_2`` / ``eligible_3_plus``: those of them who may
  work at 1, 2, or 3 or more sites;
- ``multi_site_workers``: doctors who worked a bank shift at this site in the
  period and at another site too (shifts that started in the period, before
  now, booked or completed);
- ``applications``: applications made in the period asking for the site, by
  status;
- ``median_days_to_approval``: days from applying to approval, for
  applications approved in the period (median, one decimal).

Read through ``reports.db.reports_session()`` (a replica when configured);
four grouped queries whatever the size of the trust.
"""
from collections import Counter, defaultdict

from sqlalchemy import and_, or_, select

from ..auth.models import User, UserRole, UserSite
from ..auth.permissions import sites_in_scope
from ..org.models import Site
from ..reports.db import reports_session
from ..reports.services import build_period
from ..shifts.models import Booking, Shift
from ..timeutil import now_utc
from . import rules
from .models import Application, ApplicationSite

REPORT_ROLES = ("executive", "staffing", "admin")
COLUMNS = ("site_id", "site", "active_doctors", "eligible_1", "eligible_2", "eligible_3_plus", "multi_site_workers",
           *(f"applications_{s}" for s in rules.APPLICATION_STATUSES), "median_days_to_approval")


def _doctor_sites(session, all_sites):
    """doctor id → the set of sites they may work at."""
    rows = session.execute(
        select(User.id, UserSite.site_id).outerjoin(UserSite, UserSite.user_id == User.id)
        .where(User.active.is_(True), User.roles.any(UserRole.role == "doctor"))).all()
    links = defaultdict(set)
    for user_id, site_id in rows:
        links[user_id].update([site_id] if site_id is not None else [])
    return {user_id: (sites or set(all_sites)) for user_id, sites in links.items()}


def _worked_sites(session, period):
    rows = session.execute(
        select(Booking.doctor_id, Shift.site_id).join(Shift, Shift.id == Booking.shift_id)
        .where(Booking.doctor_id.is_not(None), Booking.source == "bank", Booking.status.in_(("booked", "completed")),
               Shift.start_at >= period.lo, Shift.start_at < min(period.hi, now_utc())).distinct()).all()
    worked = defaultdict(set)
    for doctor_id, site_id in rows:
        worked[doctor_id].add(site_id)
    return worked


def _applications(session, period):
    """(per site Counter of statuses, trust Counter), and (per site, trust) lists of (applied, approved)."""
    rows = session.execute(
        select(Application.id, Application.status, Application.created_at, Application.decided_at,
               ApplicationSite.site_id).join(ApplicationSite, ApplicationSite.application_id == Application.id)
        .where(or_(and_(Application.created_at >= period.lo, Application.created_at < period.hi),
                   and_(Application.decided_at >= period.lo, Application.decided_at < period.hi)))).all()
    by_site, trust, seen = defaultdict(Counter), Counter(), {}
    approvals, trust_approvals = defaultdict(list), {}
    for app_id, status, created_at, decided_at, site_id in rows:
        if period.lo <= created_at < period.hi:
            by_site[site_id][status] += 1
            seen[app_id] = status
        if status == "approved" and decided_at is not None and period.lo <= decided_at < period.hi:
            approvals[site_id].append((created_at, decided_at))
            trust_approvals[app_id] = (created_at, decided_at)
    trust.update(seen.values())
    return by_site, trust, approvals, list(trust_approvals.values())


def _row(key, label, *, doctors, worked, statuses, approvals):
    bands = Counter(rules.eligibility_band(len(sites)) for sites in doctors.values())
    return {"site_id": key, "site": label, "active_doctors": len(doctors), "eligible_1": bands["1"],
            "eligible_2": bands["2"], "eligible_3_plus": bands["3+"], "multi_site_workers": worked,
            "applications": {s: statuses.get(s, 0) for s in rules.APPLICATION_STATUSES},
            "median_days_to_approval": rules.median_days(approvals)}


def utilisation_report(*, actor, date_from=None, date_to=None, site_id=None, **_ignored) -> dict:
    period = build_period(date_from, date_to)
    session = reports_session()
    sites = session.execute(select(Site.id, Site.name).order_by(Site.name)).all()
    all_sites = [s for s, _ in sites]
    scope = sites_in_scope(actor, *REPORT_ROLES)
    doctor_sites = _doctor_sites(session, all_sites)
    worked = _worked_sites(session, period)
    multi = {d: s for d, s in worked.items() if len(s) > 1}
    by_site, trust_statuses, approvals, trust_approvals = _applications(session, period)
    items = []
    for sid, name in sites:
        if (site_id and sid != site_id) or (scope is not None and sid not in scope):
            continue
        here = {d: s for d, s in doctor_sites.items() if sid in s}
        items.append(_row(sid, name, doctors=here, worked=sum(1 for s in multi.values() if sid in s),
                          statuses=by_site[sid], approvals=approvals[sid]))
    total = _row(None, "Trust total", doctors=doctor_sites, worked=len(multi), statuses=trust_statuses,
                 approvals=trust_approvals)
    return {"period": period, "filters": {"site_id": site_id}, "items": items, "total": total}


def csv_rows(report) -> list[list]:
    """The table as CSV rows (one per site, then the trust total), header first."""
    out = [list(COLUMNS)]
    for item in [*report["items"], report["total"]]:
        median = item["median_days_to_approval"]
        out.append([item["site_id"] or "", item["site"], item["active_doctors"], item["eligible_1"],
                    item["eligible_2"], item["eligible_3_plus"], item["multi_site_workers"],
                    *(item["applications"][s] for s in rules.APPLICATION_STATUSES),
                    "" if median is None else f"{median:.1f}"])
    return out


def chart(report) -> dict:
    """Doctors eligible at 1, 2 and 3+ sites, per site (static/reports.js draws it; the table is beside it)."""
    items = report["items"]
    return {"id": "chart-utilisation", "type": "bar", "unit": "count", "stacked": True,
            "title": "Active doctors by how many sites they may work at",
            "labels": [i["site"] for i in items],
            "datasets": [{"label": "1 site", "data": [i["eligible_1"] for i in items]},
                         {"label": "2 sites", "data": [i["eligible_2"] for i in items]},
                         {"label": "3 or more sites", "data": [i["eligible_3_plus"] for i in items]}]}
