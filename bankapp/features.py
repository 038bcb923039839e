"""The feature packages, in the order their blueprints, nav entries and home sections register."""
import importlib

FEATURES = ("auth", "org", "staff", "rates", "shifts", "cascade", "timesheets", "payroll", "notifications",
            "reports", "audit", "dataprotection", "joining")


def optional_module(name):
    """Import bankapp.<name> if the module exists (a feature may not have it)."""
    try:
        return importlib.import_module(f"bankapp.{name}")
    except ModuleNotFoundError as exc:
        wanted = f"bankapp.{name}"
        if exc.name and wanted.startswith(exc.name):
            return None
        raise
