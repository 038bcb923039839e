"""`flask --app wsgi bank …` commands."""
import click
from flask import current_app
from flask.cli import AppGroup

from .extensions import db
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
    from .errors import DomainError
    from .org.models import Site
    from .staff.services import create_person

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
    from .seed import DEMO_PASSWORD, seed_demo

    logins = seed_demo(doctors=doctors, random_seed=random_seed)
    click.echo(f"Demo trust ready. Log in at {current_app.config['PUBLIC_BASE_URL']} with any of these "
               f"(password for all: {DEMO_PASSWORD}):")
    for role, email in logins:
        click.echo(f"  {role:<40} {email}")
