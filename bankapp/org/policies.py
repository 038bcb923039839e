"""Site policies: each site's approval threshold and windows, null meaning the trust default (the setting).

Every rule that has such a number reads it here for the shift's site:

| field | trust default (setting) | read by |
|---|---|---|
| ``approver_max_percent`` | ``RATE_VIOLATION_APPROVER_MAX_PERCENT`` | who approves an off-card rate |
| ``bank_only_window_hours`` | ``BANK_ONLY_WINDOW_HOURS`` | when agency cover may be asked for |
| ``cascade_urgent_within_hours`` | ``CASCADE_URGENT_WITHIN_HOURS`` | …unless the shift starts this soon |
| ``tier1_window_hours`` | ``TIER1_WINDOW_HOURS`` | when tier 2 agencies see it |
| ``doctor_cancel_cutoff_hours`` | ``DOCTOR_CANCEL_CUTOFF_HOURS`` | until when a doctor cancels online |
"""
from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from flask import current_app

from ..audit.services import record_audit
from ..errors import NotFound
from ..extensions import db
from .models import Site, SitePolicy

SETTINGS = {
    "approver_max_percent": "RATE_VIOLATION_APPROVER_MAX_PERCENT",
    "bank_only_window_hours": "BANK_ONLY_WINDOW_HOURS",
    "cascade_urgent_within_hours": "CASCADE_URGENT_WITHIN_HOURS",
    "tier1_window_hours": "TIER1_WINDOW_HOURS",
    "doctor_cancel_cutoff_hours": "DOCTOR_CANCEL_CUTOFF_HOURS",
}
POLICY_FIELDS = tuple(SETTINGS)
LABELS = {
    "approver_max_percent": "Approvers decide off-card rates up to this % over the card (executives above)",
    "bank_only_window_hours": "Bank-only hours before agency cover may be asked for",
    "cascade_urgent_within_hours": "…unless the shift starts within this many hours",
    "tier1_window_hours": "Hours a shift stays with tier 1 agencies before tier 2",
    "doctor_cancel_cutoff_hours": "Doctors may cancel online until this many hours before the start",
}

# What each value does, in the words of the coordinators and approvers it affects ({value}: the value in force).
EXPLANATIONS = {
    "approver_max_percent": (
        "When a coordinator posts a shift at a flat rate that costs more than the rate card, the shift waits for "
        "approval before doctors can book it. Up to {value}% over the card an approver of this site decides; "
        "above that, an executive (the medical director). The coordinator who posted it never decides it."),
    "bank_only_window_hours": (
        "Bank first: for {value} hours after a shift opens to bank doctors (when it is posted, or when its "
        "off-card rate is approved) the coordinator cannot ask for agency cover. The shift's page says when "
        "the window ends."),
    "cascade_urgent_within_hours": (
        "A shift that starts within {value} hours is urgent: the coordinator may ask for agency cover at once, "
        "bank-only window or not. An approver of the site still has to agree."),
    "tier1_window_hours": (
        "Once an approver agrees to agency cover, tier 1 agencies have the shift to themselves for {value} "
        "hours; if none of them fills it, tier 2 agencies see it too. Bank doctors can claim it throughout."),
    "doctor_cancel_cutoff_hours": (
        "A doctor may cancel their own booking online until {value} hours before it starts, and is warned "
        "before claiming a shift that starts sooner. After that only the coordinator can cancel it, with a "
        "reason."),
}


def explanation(name, value) -> str:
    return EXPLANATIONS[name].format(value=value)


@dataclass(frozen=True)
class Policy:
    """The numbers in force at one site (its own where set, else the trust's)."""

    approver_max_percent: Decimal
    bank_only_window_hours: int
    cascade_urgent_within_hours: int
    tier1_window_hours: int
    doctor_cancel_cutoff_hours: int


def trust_defaults() -> Policy:
    config = current_app.config
    return Policy(approver_max_percent=Decimal(str(config["RATE_VIOLATION_APPROVER_MAX_PERCENT"])),
                  **{name: int(config[SETTINGS[name]]) for name in POLICY_FIELDS[1:]})


def _row(site):
    """The site's SitePolicy row (or None): from a loaded Site without a statement, else by its id."""
    if isinstance(site, Site):
        return site.policy
    return db.session.get(SitePolicy, site)


def overrides_for(site) -> dict:
    """The site's own values: field → value or None (the trust default). ``site``: a Site or its id."""
    row = _row(site)
    return {name: getattr(row, name) if row is not None else None for name in POLICY_FIELDS}


def policy_for(site) -> Policy:
    """What the rules use at ``site`` (a Site, e.g. ``shift.site``, which costs no statement, or a site id)."""
    defaults = trust_defaults()
    own = overrides_for(site)
    return Policy(**{f.name: own[f.name] if own[f.name] is not None else getattr(defaults, f.name)
                     for f in fields(Policy)})


def policies_by_site() -> dict[int, Policy]:
    """Every site's policy in one query (for set-based jobs)."""
    defaults = trust_defaults()
    rows = {row.site_id: row for row in db.session.execute(db.select(SitePolicy)).scalars()}
    out = {}
    for site_id in db.session.execute(db.select(Site.id)).scalars():
        row = rows.get(site_id)
        out[site_id] = Policy(**{f.name: getattr(row, f.name) if row is not None and getattr(row, f.name) is not None
                                 else getattr(defaults, f.name) for f in fields(Policy)})
    return out


def describe(site_id) -> dict:
    """The site's own values, the trust defaults and what is in force, for the API and the page."""
    if db.session.get(Site, site_id) is None:
        raise NotFound("No such site.")
    return {"site_id": site_id, **overrides_for(site_id), "defaults": asdict(trust_defaults()),
            "effective": asdict(policy_for(site_id))}


def update_policy(site_id, changes: dict, *, actor) -> dict:
    """Set some of a site's values (None: back to the trust default); audited with before and after."""
    site = db.session.get(Site, site_id)
    if site is None:
        raise NotFound("No such site.")
    row = db.session.get(SitePolicy, site_id)
    if row is None:
        row = SitePolicy(site_id=site_id)
        db.session.add(row)
    before = {name: getattr(row, name) for name in POLICY_FIELDS}
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_by_id = actor.id
    db.session.flush()
    db.session.expire(site, ["policy"])  # loaded sites read their joined policy again
    after = {name: getattr(row, name) for name in POLICY_FIELDS}
    changed = {name for name in POLICY_FIELDS if before[name] != after[name]}
    if changed:
        record_audit("site.policy_changed", "site", site_id, actor=actor,
                     before={k: before[k] for k in sorted(changed)}, after={k: after[k] for k in sorted(changed)})
    return after
