"""Warm a web worker up before it takes its first request.

A fresh worker process pays once for what every later request reuses: configuring the ORM's mappers,
compiling every Jinja template (the report pages import half a dozen macro files), loading the bank
holiday calendar and opening a database connection. Left to the first request, that is most of a
second on top of the page (the fill-rate report's "first load"). ``gunicorn.conf.py`` calls
``warm_up`` in each worker after it loads the app and before it accepts connections; tests, the CLI
and ``flask run`` skip it.
"""
import logging
import time

from sqlalchemy import text
from sqlalchemy.orm import configure_mappers

from .extensions import db
from .timeutil import bank_holidays, now_utc

log = logging.getLogger(__name__)


def warm_up(app) -> dict:
    """Do the once-per-process work now; returns what was done (templates compiled, seconds)."""
    started = time.perf_counter()
    configure_mappers()
    templates = [name for name in app.jinja_env.list_templates() if name.endswith(".html")]
    for name in templates:
        app.jinja_env.get_template(name)
    year = now_utc().year
    for each in (year - 1, year, year + 1):
        bank_holidays(each)
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
        finally:
            db.session.remove()
    seconds = time.perf_counter() - started
    log.info("worker warmed up: %d templates in %.2f s", len(templates), seconds)
    return {"templates": len(templates), "seconds": seconds}
