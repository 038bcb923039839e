"""Staff Bank: the merged trust's medical staff-bank shift marketplace."""
import logging
from pathlib import Path

from sqlalchemy.pool import StaticPool

from . import request_limits, security, templating, transactions
from .audit.anchor import init_anchor
from .audit.chain import check_settings
from .auth.permissions import authenticate_api_first, init_token_touch
from .cli import bank_cli
from .errors import register_error_handlers
from .extensions import api, csrf, db, limiter, login_manager, migrate
from .features import FEATURES, optional_module
from .home import bp as home_bp
from .pwa import bp as pwa_bp
from .reports import db as reports_db
from .transactions import TransactionalFlask

log = logging.getLogger(__name__)


def import_models():
    for feature in FEATURES:
        optional_module(f"{feature}.models")
    for feature in FEATURES:
        optional_module(f"{feature}.subscribers")


def create_app(config=None):
    app = TransactionalFlask(__name__, template_folder="../templates", instance_relative_config=False)
    app.config.from_object(config or "config.Config")
    if app.config["SQLALCHEMY_DATABASE_URI"] in ("sqlite://", "sqlite:///:memory:"):
        # One shared in-memory database for every session of the process.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": StaticPool,
                                                   "connect_args": {"check_same_thread": False}}
    _ensure_instance_dir(app)
    check_settings(app)  # a deployment without its audit key does not start
    request_limits.init_app(app)  # first: sizes and JSON are checked before any hook reads the body
    _trust_proxies(app)
    app.before_request(authenticate_api_first)  # second: who calls and their roles, before CSRF or any input

    import_models()
    db.init_app(app)
    transactions.init_app(app)  # after db.init_app: ends the transaction before the session is removed
    reports_db.init_app(app)  # the reports' read-only session (a replica when REPORTS_DATABASE_URL is set)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    security.init_app(app)

    register_error_handlers(app)
    _register_blueprints(app)
    init_token_touch()
    init_anchor()
    _register_template_helpers(app)

    for feature in FEATURES:  # features add their own `flask bank …` commands
        optional_module(f"{feature}.commands")
    app.cli.add_command(bank_cli)
    _sqlite_pragmas(app)
    return app


def _trust_proxies(app):
    """Behind ``TRUSTED_PROXY_COUNT`` proxies, the client's address and scheme come from the
    X-Forwarded-For/-Proto they set (Werkzeug's ProxyFix); with 0 the headers are ignored."""
    count = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _ensure_instance_dir(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:///:memory:"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def _register_blueprints(app):
    app.register_blueprint(home_bp)
    app.register_blueprint(pwa_bp)  # the manifest, the service worker (at the root: its scope) and the offline page
    for feature in FEATURES:
        api_module = optional_module(f"{feature}.api")
        if api_module is not None:
            for blp in getattr(api_module, "BLUEPRINTS", [api_module.blp]):
                csrf.exempt(blp)
                api.register_blueprint(blp)
        views_module = optional_module(f"{feature}.views")
        if views_module is not None:
            for bp in getattr(views_module, "BLUEPRINTS", [views_module.bp]):
                app.register_blueprint(bp)


def _register_template_helpers(app):
    templating.register(app)


def _sqlite_pragmas(app):
    """Foreign keys on, and a busy timeout so concurrent writers wait."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()
