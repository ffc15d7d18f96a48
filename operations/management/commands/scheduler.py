"""`manage.py scheduler`: the one process that enqueues the periodic jobs (run one or more;
two never enqueue the same run). Workers (`db_worker`) run what it enqueues."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from operations.scheduler import scheduler_tick

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Enqueue each periodic job of operations.schedule.JOBS once per run slot (the "
        "README's table lists them; ingest_mail only when IMAP_URL is set); --once ticks "
        "once and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one tick, then exit")
        parser.add_argument(
            "--interval", type=float, default=20.0, help="seconds between ticks (default 20)"
        )

    def handle(self, *args, once: bool, interval: float, **options):
        self._running = True
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        while self._running:
            try:
                for run in scheduler_tick(now=timezone.now()):
                    self.stdout.write(f"enqueued {run}")
            except Exception:  # the database gone for a moment: the next tick catches up
                if once:
                    raise
                logger.exception("scheduler tick failed")
            if once:
                return
            time.sleep(interval)
            close_old_connections()  # as a request would: drop a connection gone stale

    def _stop(self, signum, frame):
        self._running = False
