"""gunicorn's settings for `uv run gunicorn creditdesk.wsgi` (README, "Production").

gunicorn reads this file from the working directory. Each worker is a process with its own
database connection; `WEB_CONCURRENCY` sets how many (gunicorn reads that variable itself),
about two per core.
"""

import gc
import logging
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request that takes longer than this is a bug or an attack; the worker is replaced.
timeout = 30
graceful_timeout = 30
# Recycling workers now and then bounds what a slow leak can grow to.
max_requests = 2000
max_requests_jitter = 200
# The application is imported once, in the master, and every worker is a fork of it. Without
# this a recycled worker imported Django and every app again, 3.6 s of CPU on the 2-core
# development VM, while its share of requests waited. A new release therefore
# needs a restart of the master (README, "Production processes"), not a HUP.
preload_app = True
# With LOG_FORMAT=json the application logs every request itself, with its request id.
accesslog = None if os.environ.get("LOG_FORMAT") == "json" else "-"
# The proxies whose X-Forwarded-* headers are believed (comma-separated addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server) -> None:
    """Load in the master what every new worker would otherwise load on its first requests
    (URL configurations, templates, translation catalogues: `creditdesk.warmup`)."""
    # The warm-up only saves time: a worker that starts cold still serves every page.
    try:
        from creditdesk import warmup

        warmup.warm_up()
    except Exception:
        logging.getLogger("gunicorn.error").exception("warm-up failed; workers start cold")


def pre_fork(server, worker) -> None:
    """Nothing the master opened is shared with a worker: Django opens a database connection
    per process on first use. Freezing what the master built keeps the garbage collector of
    every worker from walking (and copying, page by page) the application's own objects."""
    from django.db import connections

    connections.close_all()
    gc.freeze()
