"""What a generated trust is made of, as plain values: the generator's input and its output rows."""
import random
from dataclasses import dataclass, field
from datetime import datetime

# The shape of the history ``year.build`` makes; a caller's ``scale`` overrides any of these.
SCALE_DEFAULTS = {
    "shifts": 100_000,      # about this many shifts over the whole span
    "open_future": 3000,    # shifts ahead of now left open
    "unexported": 10_000,   # newest approved timesheets left out of the payroll batches
    "days_back": 335,       # the span: from this many days ago …
    "days_ahead": 30,       # … to this many ahead
    "unfilled": 0.09,       # share of past shifts nobody filled (released to agencies in vain)
    "agency": 0.06,         # share of shifts an agency locum filled
    "queried": 0.0,         # share of timesheets an approver queried back to the doctor
    "rejected": 0.0,        # … and rejected
}


@dataclass
class Trust:
    """Everything generated, as plain rows keyed for the loaders (ids assigned here)."""

    rng: random.Random
    now: datetime
    scale: dict
    sites: list = field(default_factory=list)          # (id, code, name, created_at)
    departments: list = field(default_factory=list)    # (id, site_id, name, specialty, cost_centre, created_at)
    grades: dict = field(default_factory=dict)         # code -> (id, rank, name)
    agencies: list = field(default_factory=list)       # (id, name, tier, on_framework, created_at)
    users: list = field(default_factory=list)
    roles: list = field(default_factory=list)
    user_sites: list = field(default_factory=list)
    profiles: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    doctors: dict = field(default_factory=dict)        # grade code -> [user id]
    doctor_info: dict = field(default_factory=dict)    # user id -> (name, esr)
    doctor_sites: dict = field(default_factory=dict)   # user id -> site ids they may work at (absent: every site)
    staff: dict = field(default_factory=dict)          # label -> user id (coordinator:<site id> etc.)
    card_id: int = 1
    card_rates: dict = field(default_factory=dict)     # grade id -> {band: Decimal}
    caps: dict = field(default_factory=dict)           # grade id -> Decimal
    approver_max_percent: dict = field(default_factory=dict)  # site id -> its threshold (absent: the default)
    id_base: dict = field(default_factory=dict)        # table -> highest id already in it (new rows follow)
    rows: dict = field(default_factory=dict)           # table -> list of tuples (year.py)

    def setting(self, name):
        return self.scale.get(name, SCALE_DEFAULTS[name])
