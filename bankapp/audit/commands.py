"""`flask bank seal-audit` and `flask bank verify-audit`."""
import click

from ..cli import bank_cli
from ..transactions import transactional
from .chain import seal_audit_chain, verify_audit_chain


@bank_cli.command("seal-audit")
@transactional
def seal_audit_command():
    """Link new audit events into the hash chain (the job does this every minute)."""
    sealed = seal_audit_chain()
    click.echo(f"Sealed {sealed} audit event(s).")


@bank_cli.command("verify-audit")
def verify_audit_command():
    """Seal, then check the whole chain; exit 1 if any event was edited or deleted."""
    transactional(seal_audit_chain)()
    report = verify_audit_chain()  # reads only
    if report.ok:
        click.echo(f"Audit trail intact: {report.count} event(s), head seq {report.head_seq} hash {report.head_hash}.")
        return
    click.echo(f"Audit trail BROKEN: first broken seq {report.first_broken_seq}; "
               f"{len(report.problems)} problem(s) in {report.count} event(s).", err=True)
    for problem in report.problems:
        click.echo(f"  seq {problem.seq}: {problem.kind}: {problem.message}", err=True)
    raise click.exceptions.Exit(1)
