"""A web worker warms up before its first request: gunicorn.conf.py's hook and bankapp.warmup."""
import importlib.util
from pathlib import Path
from types import SimpleNamespace

from bankapp.warmup import warm_up

ROOT = Path(__file__).resolve().parent.parent


def _gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_warm_up_compiles_every_page_template(app):
    app.jinja_env.cache.clear()
    done = warm_up(app)
    pages = [n for n in app.jinja_env.list_templates() if n.endswith(".html")]
    assert done["templates"] == len(pages) > 50
    cached = {key[1] for key in app.jinja_env.cache.keys()}
    assert {"reports/fill_rates.html", "reports/_parts.html", "_macros.html", "base.html"} <= cached


def test_gunicorn_hook_warms_this_app_only(app, monkeypatch):
    calls = []
    monkeypatch.setattr("bankapp.warmup.warm_up", calls.append)
    hook = _gunicorn_conf().post_worker_init
    hook(SimpleNamespace(wsgi=app))
    hook(SimpleNamespace(wsgi=lambda environ, start_response: None))  # the bench's floor app
    assert calls == [app]
