"""Report workflows: check who asks and what, run the aggregates, shape the figures.

Reports only read. Executives, chief executives and admins see the whole
trust; coordinators and approvers see their own sites' rows (a site outside
their scope simply gives no rows, not a refusal); anyone else is refused.
"""
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from ..auth.permissions import sites_in_scope
from ..dbtypes import hundredths_to_decimal
from ..errors import Forbidden, ValidationFailed
from ..money import hours_str
from ..org.models import Department, Site
from ..rates.services import load_card_book
from ..shifts.pricing import price_estimate
from ..timeutil import elapsed_minutes, format_london, london_date, now_utc
from . import queries, rules
from .db import reports_session

log = logging.getLogger(__name__)

REPORT_ROLES = ("executive", "chief_executive", "admin", "coordinator", "approver")
URGENT_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date
    lo: datetime
    hi: datetime

    @property
    def params(self):
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}


def may_read_reports(user) -> bool:
    return bool(user) and user.has_role(*REPORT_ROLES)


def report_scope(user):
    """Site ids whose rows ``user`` may read (None: the whole trust); Forbidden without a report role."""
    if not may_read_reports(user):
        raise Forbidden("Reports are for executives, administrators, coordinators and approvers.")
    return sites_in_scope(user, *REPORT_ROLES)


def build_period(date_from=None, date_to=None, *, today=None) -> Period:
    """Inclusive London dates → a checked period (422 when reversed or longer than two years)."""
    today = today or london_date(now_utc())
    date_from, date_to = rules.resolve_period(date_from, date_to, today=today)
    errors = rules.period_errors(date_from, date_to)
    if errors:
        raise ValidationFailed("The report period is not valid.", errors=errors)
    lo, hi = rules.period_bounds_utc(date_from, date_to)
    return Period(date_from, date_to, lo, hi)


def check_references(site_id=None, department_id=None):
    """422 naming the field when a site or department does not exist."""
    errors = {}
    if site_id is not None and reports_session().get(Site, site_id) is None:
        errors["site_id"] = [f"There is no site with id {site_id}."]
    if department_id is not None and reports_session().get(Department, department_id) is None:
        errors["department_id"] = [f"There is no department with id {department_id}."]
    if errors:
        raise ValidationFailed("The report filters name something that does not exist.", errors=errors)


# --- breaches ---------------------------------------------------------------------------


def _breach_item(row) -> dict:
    amount = row["amount_over"]
    return {
        "id": f"{row['source']}-{row['id']}", "source": row["source"], "source_type": row["source_type"],
        "source_id": row["source_id"], "type": row["type"], "type_label": rules.BREACH_TYPE_LABELS[row["type"]],
        "status": row["status"], "at": row["at"], "site_id": row["site_id"], "site_code": row["site_code"],
        "site_name": row["site_name"], "department_id": row["department_id"],
        "department_name": row["department_name"], "shift_id": row["shift_id"], "shift_start": row["shift_start"],
        "amount_over": hundredths_to_decimal(amount) if amount is not None else None,
        "approved_by_id": row["approved_by_id"], "approved_by": row["approved_by_name"],
        "decided_by": row["decided_by_name"], "reason": row["reason"], "decision_note": row["decision_note"],
    }


def _breach_after(cursor):
    if cursor is None:
        return None
    try:
        return rules.decode_breach_cursor(cursor)
    except ValueError as exc:
        raise ValidationFailed("The cursor is not valid.", errors={"cursor": [str(exc)]}) from exc


def breach_report(*, actor, date_from=None, date_to=None, site_id=None, department_id=None, type=None,
                  status=None, cursor=None, limit=None, today=None) -> dict:
    """The period's breaches in scope, with totals by type and by site over the whole period.

    Without ``limit`` every row (pages, CSV); with it one page of at most ``limit`` rows from
    ``cursor``, and ``next``: the cursor of the following page, or None on the last one.
    """
    scope = report_scope(actor)
    period = build_period(date_from, date_to, today=today)
    check_references(site_id, department_id)
    after = _breach_after(cursor)
    filters = {"lo": period.lo, "hi": period.hi, "scope": scope, "site_id": site_id,
               "department_id": department_id, "type_": type, "status": status}
    rows = queries.breach_rows(**filters, after=after, limit=None if limit is None else limit + 1)
    next_cursor = None
    if limit is not None and len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = rules.encode_breach_cursor(last["at"], last["source"], last["id"])
    items = [_breach_item(r) for r in rows]
    totals, by_site = _breach_totals(queries.breach_counts(**filters), queries.site_names(scope))
    return {"period": period, "filters": {"site_id": site_id, "department_id": department_id, "type": type,
                                          "status": status},
            "items": items, "next": next_cursor, "totals": totals, "total": sum(totals.values()),
            "totals_by_site": {str(k): v for k, v in sorted(by_site.items(), key=lambda kv: kv[1]["label"])}}


def _breach_totals(counts, names):
    """Totals per type (every type, zero included) and per site from (type, site_id, n) rows."""
    totals = rules.empty_type_counts()
    by_site = {}
    for type_, site, n in counts:
        totals[type_] += n
        entry = by_site.setdefault(site, {"site_id": site, "label": names.get(site, str(site)), "total": 0,
                                          "by_type": rules.empty_type_counts()})
        entry["by_type"][type_] += n
        entry["total"] += n
    return totals, by_site


# --- fill rates -------------------------------------------------------------------------


def _key_and_label(group_by, row, index=0):
    key = row[f"key{index}"]
    if group_by == "week":
        monday = key if isinstance(key, date) else date.fromisoformat(str(key)[:10])
        return rules.iso_week_key(monday), rules.week_label(monday), monday
    labels = [row[k] for k in row.keys() if k.startswith(f"label{index}_")]
    return key, ", ".join(str(v) for v in labels), None


def _figures(posted, bank, agency, spend=None) -> dict:
    """Counts and fill rate of a group, with its spend and hours delivered (``spend``: SPEND_SUMS, as the
    spend report counts them)."""
    posted, bank, agency = int(posted), int(bank), int(agency)
    spend = spend or dict.fromkeys(SPEND_SUMS, 0)
    return {
        "posted": posted, "filled_bank": bank, "filled_agency": agency, "unfilled": posted - bank - agency,
        "fill_rate": rules.fill_rate(posted, bank + agency),
        "spend_bank": hundredths_to_decimal(spend["bank_pennies"]),
        "spend_agency": hundredths_to_decimal(spend["agency_pennies"]),
        "minutes_delivered": spend["bank_minutes"] + spend["agency_minutes"],
    }


def _sum_groups(rows, names) -> dict:
    """Trust (or filter) totals: every shift is in exactly one group, so the groups add up."""
    return {name: sum(int(row[name] or 0) for row in rows) for name in names}


def _check_group_by(group_by):
    if group_by not in rules.GROUP_BYS:
        raise ValidationFailed("Unknown grouping.",
                               errors={"group_by": [f"Group by one of {', '.join(rules.GROUP_BYS)}."]})


def _in_order(items, group_by):
    """Weeks in time order; sites, departments and grades by name."""
    return sorted(items, key=lambda i: i["key"] if group_by == "week" else (i["label"], i["key"]))


def fill_rate_report(*, actor, date_from=None, date_to=None, group_by="site", site_id=None, department_id=None,
                     today=None) -> dict:
    """Posted, filled by bank and agency, unfilled and fill rate per group; spend and hours delivered."""
    _check_group_by(group_by)
    scope = report_scope(actor)
    period = build_period(date_from, date_to, today=today)
    check_references(site_id, department_id)
    where = {"lo": period.lo, "hi": period.hi, "scope": scope, "site_id": site_id, "department_id": department_id}
    rows = queries.fill_counts(groupings=(group_by,), **where)
    spend = _spend_sums(group_by, where)
    items = []
    for row in rows:
        key, label, monday = _key_and_label(group_by, row)
        item = {"key": key, "label": label,
                **_figures(row["posted"], row["filled_bank"], row["filled_agency"], spend.get(key))}
        if monday:
            item["week_start"] = monday
        items.append(item)
    items = _in_order(items, group_by)
    total = _sum_groups(rows, ("posted", "filled_bank", "filled_agency"))
    totals = _figures(total["posted"], total["filled_bank"], total["filled_agency"],
                      _sum_groups(spend.values(), SPEND_SUMS))
    return {"period": period, "group_by": group_by, "filters": {"site_id": site_id, "department_id": department_id},
            "items": items, "totals": totals,
            "spend": {"bank": totals["spend_bank"], "agency": totals["spend_agency"]},
            "hours_delivered": hours_str(totals["minutes_delivered"])}


def fill_trend(*, actor, period: Period, site_id=None, department_id=None) -> dict:
    """Fill rate by London week for each site in scope: {weeks: [...], sites: [{label, rates: [...]}]}."""
    scope = report_scope(actor)
    rows = queries.fill_counts(lo=period.lo, hi=period.hi, groupings=("week", "site"), scope=scope,
                               site_id=site_id, department_id=department_id)
    weeks, sites, cells = set(), {}, {}
    for row in rows:
        key, _, monday = _key_and_label("week", row, 0)
        weeks.add((key, monday))
        sites[row["key1"]] = row["label1_0"]
        cells[(key, row["key1"])] = rules.fill_rate(int(row["posted"]), int(row["filled_bank"]) +
                                                    int(row["filled_agency"]))
    ordered = sorted(weeks)
    series = [{"site_id": sid, "label": label, "rates": [cells.get((key, sid)) for key, _ in ordered]}
              for sid, label in sorted(sites.items(), key=lambda kv: kv[1])]
    return {"weeks": [{"key": key, "label": rules.week_label(monday)} for key, monday in ordered],
            "sites": series}


# --- spend ------------------------------------------------------------------------------

# What the settled-spend query sums per group; the estimates add to them and to their own sum.
SETTLED_SUMS = ("bank_pennies", "bank_minutes", "agency_pennies", "agency_minutes", "off_card_pennies")
SPEND_SUMS = (*SETTLED_SUMS, "estimated_pennies")


def _estimate(row, card_book, priced):
    """(pence, minutes) of a worked booking without an approved timesheet: the booked times priced as
    the timesheet would be (an agency locum at the agreed charge; a bank doctor at the shift's flat rate,
    else the card), with no break. Unpriceable (no card, no charge): its minutes, no pence.
    ``card_book()`` gives every card's rates, loaded on first use."""
    agency = row["source"] == "agency"
    flat = row["charge_rate"] if agency else row["hourly_rate"]
    breakdown = None
    if flat is not None or not agency:
        breakdown = price_estimate(row["start_at"], row["end_at"], grade_id=row["grade_id"], flat_rate=flat,
                                   book=None if flat is not None else card_book(),
                                   priced=priced, what=f"shift {row['shift_id']}")
    if breakdown is None:
        return 0, elapsed_minutes(row["start_at"], row["end_at"])
    return int(breakdown.total * 100), breakdown.minutes


def _spend_sums(group_by, where) -> dict:
    """Key → {key, label, week_start?, and the SPEND_SUMS}: the settled pay lines plus the estimates."""
    settled = queries.settled_spend(group_by=group_by, **where)
    unsettled = queries.unsettled_delivered(group_by=group_by, **where)
    groups = {}

    def group(row):
        key, label, monday = _key_and_label(group_by, row)
        entry = groups.setdefault(key, {"key": key, "label": label, **dict.fromkeys(SPEND_SUMS, 0)})
        if monday:
            entry["week_start"] = monday
        return entry

    for row in settled:
        entry = group(row)
        for name in SETTLED_SUMS:
            entry[name] += int(row[name] or 0)
    card_book, priced = cache(lambda: load_card_book(reports_session())), {}
    for row in unsettled:
        entry = group(row)
        pennies, minutes = _estimate(row, card_book, priced)
        side = "agency" if row["source"] == "agency" else "bank"
        entry[f"{side}_pennies"] += pennies
        entry[f"{side}_minutes"] += minutes
        entry["estimated_pennies"] += pennies
        if side == "bank" and row["hourly_rate"] is not None:
            entry["off_card_pennies"] += pennies
    return groups


def _spend_figures(sums) -> dict:
    bank, agency = hundredths_to_decimal(sums["bank_pennies"]), hundredths_to_decimal(sums["agency_pennies"])
    return {"bank_minutes": sums["bank_minutes"], "bank_spend": bank, "agency_minutes": sums["agency_minutes"],
            "agency_spend": agency, "agency_share": rules.agency_share(bank, agency),
            "off_card_spend": hundredths_to_decimal(sums["off_card_pennies"]),
            "estimated_spend": hundredths_to_decimal(sums["estimated_pennies"])}


def spend_report(*, actor, date_from=None, date_to=None, group_by="site", site_id=None, department_id=None,
                 today=None) -> dict:
    """Bank and agency hours and spend of delivered work, agency share and off-card spend, per group.

    Delivered work: approved timesheets (their pay lines), or worked shifts still without one (an
    estimate from the booked times; see ``_estimate``). A shift counts in the group and period of its
    London start, like the fill rates; the totals are the sum of the groups.
    """
    _check_group_by(group_by)
    scope = report_scope(actor)
    period = build_period(date_from, date_to, today=today)
    check_references(site_id, department_id)
    where = {"lo": period.lo, "hi": period.hi, "scope": scope, "site_id": site_id, "department_id": department_id}
    groups = _spend_sums(group_by, where)
    items = _in_order([{**{k: v for k, v in g.items() if k not in SPEND_SUMS}, **_spend_figures(g)}
                       for g in groups.values()], group_by)
    return {"period": period, "group_by": group_by, "filters": {"site_id": site_id, "department_id": department_id},
            "items": items, "totals": _spend_figures(_sum_groups(groups.values(), SPEND_SUMS))}


# --- executive dashboard ----------------------------------------------------------------


def dashboard(user, *, now=None) -> dict:
    """This week's fill rate, urgent unfilled shifts, pending approvals and breaches, for the home page.

    The fill rate counts this week's shifts that have already ended: a shift still ahead may yet be filled.
    """
    scope = report_scope(user)
    now = now or now_utc()
    today = london_date(now)
    monday, sunday = rules.this_week(today)
    week = build_period(monday, sunday, today=today)
    counts = queries.fill_counts(lo=week.lo, hi=week.hi, scope=scope, ended_by=now)[0]
    filled = int(counts["filled_bank"]) + int(counts["filled_agency"])
    cascade = queries.pending_cascade_counts(scope)
    rates_pending = queries.pending_rate_violations(scope)
    breaches = sum(n for _, _, n in queries.breach_counts(lo=week.lo, hi=week.hi, scope=scope))
    return {
        "week": week, "week_label": rules.week_label(monday),
        "posted": int(counts["posted"]), "filled": filled,
        "fill_rate": rules.fill_rate(int(counts["posted"]), filled),
        "fill_rate_text": rules.percent_text(rules.fill_rate(int(counts["posted"]), filled)),
        "urgent_unfilled": queries.urgent_unfilled_count(now=now, until=now + URGENT_WITHIN, scope=scope),
        "pending": {"rate_violations": rates_pending, **cascade,
                    "total": rates_pending + sum(cascade.values())},
        "breaches": breaches,
        "generated_at": format_london(now),
    }
