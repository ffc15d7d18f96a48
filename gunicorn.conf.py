"""gunicorn's settings for `uv run gunicorn creditdesk.wsgi` (README, "Production").

gunicorn reads this file from the working directory. Each worker is a process with its own
database connection; `WEB_CONCURRENCY` sets how many (gunicorn reads that variable itself),
about two per core.
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request that takes longer than this is a bug or an attack; the worker is replaced.
timeout = 30
graceful_timeout = 30
# Recycling workers now and then bounds what a slow leak can grow to.
max_requests = 2000
max_requests_jitter = 200
# With LOG_FORMAT=json the application logs every request itself, with its request id.
accesslog = None if os.environ.get("LOG_FORMAT") == "json" else "-"
# The proxies whose X-Forwarded-* headers are believed (comma-separated addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
