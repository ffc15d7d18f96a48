"""Set up a local Creditdesk in one command: migrate, demo data, an admin user, serve, with a
task worker beside the server (mail, PDFs and the like run in the background)."""

import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

ADMIN_USERNAME = "admin"
CREDENTIALS_FILE = settings.VAR_DIR / "quickstart-admin.txt"
# Commands later apps provide that fill the demo database; each is idempotent.
DEMO_DATA_COMMANDS = ("load_presets", "load_demo")


class Command(BaseCommand):
    help = (
        "Apply migrations, load demo data, create an admin user and serve on 127.0.0.1:8000 "
        "with a task worker beside the server."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="Do everything except starting the server."
        )
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, no_serve: bool, addrport: str, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        available = get_commands()
        for command in DEMO_DATA_COMMANDS:
            if command in available:
                call_command(command, verbosity=0)
                self.stdout.write(f"Demo data: {command} done.")
        password = ensure_admin()
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin user: {ADMIN_USERNAME}  password: {password}  "
                f"(log in at http://{addrport}/admin/)"
            )
        )
        if not no_serve:
            with worker_beside(self.stdout):
                call_command("runserver", addrport, use_reloader=False)


@contextlib.contextmanager
def worker_beside(stdout) -> Iterator[subprocess.Popen | None]:
    """Run `manage.py db_worker` in a child process while the block runs (nothing when the
    tasks go to another backend, whose workers run elsewhere); stopped on the way out."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        yield None
        return
    worker = subprocess.Popen(  # noqa: S603 - our own manage.py, with this interpreter
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker", "--no-reload"],
        env=os.environ.copy(),
    )
    stdout.write(f"Task worker started (pid {worker.pid}): mail and PDFs leave in the background.")
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def ensure_admin() -> str:
    """Create the admin once; later runs print the password the first run chose."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=ADMIN_USERNAME).first()
    if user is not None and CREDENTIALS_FILE.exists():
        return CREDENTIALS_FILE.read_text().strip()
    password = secrets.token_urlsafe(12)
    if user is None:
        user = user_model.objects.create_superuser(
            ADMIN_USERNAME, email="admin@localhost", password=password
        )
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    CREDENTIALS_FILE.write_text(password + "\n")
    CREDENTIALS_FILE.chmod(0o600)
    return password
