"""`flask --app wsgi bank …` commands: users, the demo trust and the scheduled jobs."""
import click
from flask import current_app
from flask.cli import AppGroup

from .errors import DomainError
from .extensions import db
from .icons import write_icons
from .jobrunner import run_job, run_scheduler
from .jobs import JOBS, run_order
from .org.models import Site
from .seed import DEMO_PASSWORD, seed_demo
from .staff.services import create_person
from .timeutil import TimeInputError, format_london, now_utc, parse_datetime
from .transactions import transactional

bank_cli = AppGroup("bank", help="Staff Bank commands.")


@bank_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--name", default=None)
@click.option("--site", "sites", multiple=True, help="Site code (repeatable) for site-scoped roles.")
@click.option("--grade", default=None, help="Grade code, for doctors.")
@transactional
def create_user_command(email, password, roles, name, sites, grade):
    """Create a user (e.g. the first admin)."""
    site_ids = []
    for code in sites:
        site = db.session.execute(db.select(Site).filter_by(code=code)).scalar_one_or_none()
        if site is None:
            raise click.BadParameter(f"unknown site code {code}", param_hint="--site")
        site_ids.append(site.id)
    try:
        user = create_person(email=email, password=password, roles=list(roles), name=name or email.split("@")[0],
                             site_ids=site_ids, grade=grade, actor=None)
    except DomainError as exc:
        details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in (exc.errors or {}).items())
        raise click.ClickException(f"{exc.detail} {details}".strip()) from None
    click.echo(f"Created {user.email} ({', '.join(user.role_names)}).")


@bank_cli.command("seed-demo")
@click.option("--doctors", default=300, show_default=True, help="How many bank doctors.")
@click.option("--seed", "random_seed", default=2026, show_default=True)
@transactional
def seed_demo_command(doctors, random_seed):
    """Build the demo merged trust and print its logins."""
    logins = seed_demo(doctors=doctors, random_seed=random_seed)
    click.echo(f"Demo trust ready. Log in at {current_app.config['PUBLIC_BASE_URL']} with any of these "
               f"(password for all: {DEMO_PASSWORD}):")
    for role, email in logins:
        click.echo(f"  {role:<40} {email}")


@bank_cli.command("draw-icons")
def draw_icons_command():
    """Draw the home-screen icons again into bankapp/static/icons (bankapp/icons.py)."""
    for path in write_icons():
        click.echo(f"Wrote {path}")


# --- scheduled jobs (bankapp/jobs.py, run by bankapp/jobrunner.py) ---------------------------------------


@bank_cli.command("scheduler")
@click.option("--poll", default=30, show_default=True, help="Seconds between tries while another scheduler runs.")
def scheduler_command(poll):
    """Run every scheduled job under APScheduler, in this one process."""
    click.echo("Scheduler starting (Ctrl+C to stop).")
    run_scheduler(current_app._get_current_object(), poll_seconds=poll)


@bank_cli.command("run-jobs")
@click.option("--now", "now_text", default=None, help="Clock to use, ISO 8601 (London time without an offset).")
@click.option("--job", "job_ids", multiple=True, help="Only this job id (repeatable).")
def run_jobs_command(now_text, job_ids):
    """Run every due job once (each decides what is due at --now) and commit per job."""
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

    for job in JOBS:
        every = ", ".join(f"{k}={v}" for k, v in job.trigger_args.items())
        click.echo(f"{job.id:<28} {job.trigger}({every}) {job.description}")
