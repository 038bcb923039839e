"""gunicorn settings read from this directory (``gunicorn wsgi:app`` finds this file by itself).

Only a hook: each worker warms the app up (``bankapp/warmup.py``) before it accepts connections, so
the first person a new worker serves does not wait for template compilation and the ORM's set-up.
Workers, threads and binding stay on the command line (README, bench/servers.py).
"""


def post_worker_init(worker):
    app = getattr(worker, "wsgi", None)
    if getattr(app, "import_name", None) != "bankapp":
        return  # another WSGI app (bench/floor_app.py) run from this directory
    from bankapp.warmup import warm_up

    warm_up(app)
