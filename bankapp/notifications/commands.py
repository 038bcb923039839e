"""`flask --app wsgi bank scheduler` and `flask --app wsgi bank run-jobs`."""
import click
from flask import current_app

from ..cli import bank_cli


@bank_cli.command("scheduler")
@click.option("--poll", default=30, show_default=True, help="Seconds between tries while another scheduler runs.")
def scheduler_command(poll):
    """Run every scheduled job under APScheduler, in this one process."""
    from .scheduler import run_scheduler

    click.echo("Scheduler starting (Ctrl+C to stop).")
    run_scheduler(current_app._get_current_object(), poll_seconds=poll)


@bank_cli.command("run-jobs")
@click.option("--now", "now_text", default=None, help="Clock to use, ISO 8601 (London time without an offset).")
@click.option("--job", "job_ids", multiple=True, help="Only this job id (repeatable).")
def run_jobs_command(now_text, job_ids):
    """Run every due job once (each decides what is due at --now) and commit per job."""
    from ..jobs import JOBS, run_order
    from ..timeutil import TimeInputError, format_london, now_utc, parse_datetime
    from .scheduler import run_job

    try:
        now = parse_datetime(now_text) if now_text else now_utc()
    except TimeInputError as exc:
        raise click.BadParameter(exc.message, param_hint="--now") from None
    known = {job.id for job in JOBS}
    unknown = sorted(set(job_ids) - known)
    if unknown:
        raise click.BadParameter(f"unknown job id(s): {', '.join(unknown)}", param_hint="--job")
    failed = 0
    click.echo(f"Running jobs at {format_london(now)}")
    for job in run_order():
        if job_ids and job.id not in job_ids:
            continue
        try:
            result = run_job(job.id, now)
        except Exception as exc:  # noqa: BLE001 - reported, the next job still runs
            failed += 1
            click.echo(f"  {job.id:<28} FAILED: {exc}", err=True)
        else:
            click.echo(f"  {job.id:<28} {_summary(result)}")
    if failed:
        raise SystemExit(1)


def _summary(result):
    if isinstance(result, dict):
        return ", ".join(f"{k} {v}" for k, v in result.items() if v) or "nothing due"
    return f"{result} queued" if result else "nothing due"


@bank_cli.command("jobs")
def list_jobs_command():
    """List every scheduled job: id, trigger and what it does."""
    from ..jobs import JOBS

    for job in JOBS:
        every = ", ".join(f"{k}={v}" for k, v in job.trigger_args.items())
        click.echo(f"{job.id:<28} {job.trigger}({every}) {job.description}")
