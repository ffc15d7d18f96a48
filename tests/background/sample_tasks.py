"""Tasks the queue tests enqueue (a task must live at module level to be found by path)."""

from django.core.mail import EmailMessage

from background.mail import mail_once
from background.queue import background_task


@background_task
def always_fails(label: str) -> None:
    raise ValueError(f"{label} cannot be done")


@background_task
def greet(address: str) -> bool:
    return mail_once(EmailMessage("Hola", "Hola", to=[address]), kind="greeting", about=address)


@background_task
def note_run(path: str, number: int) -> None:
    """Append `number` to the file at `path` (one short O_APPEND write: lines never mix)."""
    with open(path, "a") as notes:
        notes.write(f"{number}\n")
