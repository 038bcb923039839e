"""A coordinator's "Book a doctor": a search over the doctors who could take a shift, those who can first.

Each candidate comes with what an assignment would answer now (``eligibility.ShiftView``: the claim's own
checks, worded about the doctor by name) and what tells two doctors of the same name apart: grade, home
site, GMC number and the last shift they worked. Order: those who can be booked, then those who can be
booked only by overriding working-time limits (with a written reason), then the others, each group in the
search's order (the shift's grade and site first, then by name). A constant number of statements whatever
the number of doctors.
"""
from dataclasses import dataclass
from datetime import datetime

from ..org.services import all_sites
from . import queries, rules
from .eligibility import ShiftView

SHOWN = 50  # candidates listed at once: a search narrows them


@dataclass(frozen=True)
class Candidate:
    doctor: object  # the User, with profile and grade
    reasons: list
    home_site: str | None
    last_worked: datetime | None
    last_worked_site: str | None

    @property
    def can_assign(self) -> bool:
        return not self.reasons

    @property
    def can_override(self) -> bool:
        """Bookable with a written reason: every reason is a working-time one."""
        return rules.overridable(self.reasons)

    @property
    def grade_code(self) -> str | None:
        profile = self.doctor.doctor_profile
        return profile.grade.code if profile is not None and profile.grade is not None else None

    @property
    def gmc_number(self) -> str | None:
        profile = self.doctor.doctor_profile
        return profile.gmc_number if profile is not None else None


def _home_and_last(history, doctor, site_names) -> tuple[str | None, datetime | None, str | None]:
    """Home site: where they have worked most (the latest on a tie), else their one site; and the last shift."""
    if history:
        site_id, _, _ = max(history, key=lambda row: (row[1], row[2]))
        last_site, _, last = max(history, key=lambda row: row[2])
        return site_names.get(site_id), last, site_names.get(last_site)
    sites = doctor.site_ids
    return (site_names.get(sites[0]) if len(sites) == 1 else None), None, None


def candidates_for(shift, *, q=None, limit=SHOWN) -> list[Candidate]:
    """The doctors to offer for ``shift`` (matching ``q``), those who can take it first; at most ``limit``."""
    doctors = queries.candidate_doctors(shift, q=q)
    view = ShiftView(shift, doctors)
    history = queries.work_history([d.id for d in doctors])
    site_names = {site.id: site.name for site in all_sites()}
    found = []
    for doctor in doctors:
        reasons = view.reasons(doctor.id)
        home, last, last_site = _home_and_last(history.get(doctor.id), doctor, site_names)
        found.append(Candidate(doctor, reasons, home, last, last_site))
    found.sort(key=lambda c: 0 if c.can_assign else 1 if c.can_override else 2)  # stable: keeps the search order
    return found[:limit]
