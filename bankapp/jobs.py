"""The one registry of scheduled jobs.

Every job is listed here once, with a stable id (the scheduler and the logs
know it by that id; never rename one), the function to call as
``"module:function"``, and its trigger. A job function takes ``now`` (an
aware datetime) as its only argument, decides for itself what is due at that
moment, works on ids rather than objects, and is safe to run twice. The
runner commits after each job (the SMS sender commits per message itself).

Run them with ``flask --app wsgi bank scheduler`` (one process, APScheduler,
``max_instances=1``, ``coalesce=True``; never inside web workers) or once each
with ``flask --app wsgi bank run-jobs [--now ISO]``.

To add a job, append one ``Job(...)`` line below. ``run-jobs`` runs the
jobs in list order, except the SMS sender, which runs last so that texts the
other jobs queue go out in the same run.

``flask --app wsgi bank jobs`` prints the full list with triggers.

| id                         | what it does                                                  | when              |
|----------------------------|---------------------------------------------------------------|-------------------|
| sms-sender                 | send due outbox texts, retry, recover rows stuck in sending   | every minute      |
| shift-reminders            | remind booked doctors the evening before (18:00-21:00 London) | every 15 minutes  |
| timesheet-chasers          | chase a timesheet 2 h after a bank shift ends without one     | every 30 minutes  |
| approver-cutoff-reminders  | Fri/Sun before the Monday cut-off: approvers with timesheets  | hourly            |
| document-expiry-warnings   | compliance documents expiring in 30 and 7 days                | hourly            |
| cascade-tier2-release      | shifts unfilled by tier 1 agencies after 12 h go to tier 2    | every 5 minutes   |
| seal-audit                 | link new audit events into the tamper-evident hash chain      | every minute      |
| complete-worked-shifts     | booked shifts whose end has passed become completed           | every 15 minutes  |
"""
import importlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Job:
    id: str
    func: str  # "package.module:function", called as function(now=...)
    trigger: str  # "interval" or "cron" (APScheduler trigger names)
    trigger_args: dict = field(default_factory=dict)  # e.g. {"minutes": 5} or {"hour": 18, "minute": 0}
    description: str = ""

    def resolve(self):
        module, _, name = self.func.partition(":")
        return getattr(importlib.import_module(module), name)


JOBS = [
    Job("sms-sender", "bankapp.notifications.sender:send_due_messages", "interval", {"minutes": 1},
        "Send due outbox texts"),
    Job("shift-reminders", "bankapp.notifications.jobs:send_shift_reminders", "interval", {"minutes": 15},
        "Evening-before shift reminders"),
    Job("timesheet-chasers", "bankapp.notifications.jobs:send_timesheet_chasers", "interval", {"minutes": 30},
        "Chase missing timesheets"),
    Job("approver-cutoff-reminders", "bankapp.notifications.jobs:send_approver_reminders", "interval",
        {"hours": 1}, "Remind approvers before the payroll cut-off"),
    Job("document-expiry-warnings", "bankapp.notifications.jobs:send_document_expiry_warnings", "interval",
        {"hours": 1}, "Warn of compliance documents about to expire"),
    Job("cascade-tier2-release", "bankapp.cascade.jobs:escalate_to_tier2", "interval", {"minutes": 5},
        "Release shifts unfilled by tier 1 agencies to tier 2"),
    Job("seal-audit", "bankapp.audit.jobs:seal_audit", "interval", {"minutes": 1},
        "Seal new audit events into the hash chain"),
    Job("complete-worked-shifts", "bankapp.shifts.jobs:complete_worked_shifts", "interval", {"minutes": 15},
        "Mark booked shifts whose end has passed as completed"),
    Job("weekly-breach-digest", "bankapp.notifications.digest:send_weekly_breach_digest", "interval", {"hours": 1},
        "Last week's breach counts to executives by SMS (from Monday 08:00 London, once per week each)"),
]


def job_by_id(job_id: str) -> Job:
    for job in JOBS:
        if job.id == job_id:
            return job
    raise KeyError(job_id)


# run-jobs runs these after all the others, so texts queued in the same run go out in it.
RUN_LAST = ("sms-sender",)


def run_order() -> list[Job]:
    """JOBS in the order ``bank run-jobs`` runs them once each."""
    return sorted(JOBS, key=lambda job: job.id in RUN_LAST)
