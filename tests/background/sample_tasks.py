"""Tasks the queue tests enqueue (a task must live at module level to be found by path)."""

from django.core.mail import EmailMessage

from background.mail import mail_once
from background.models import SentMail
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


@background_task
def has_a_bug(label: str) -> None:
    raise TypeError(f"{label}: a bug inside the task, which a fix and a retry mend")


@background_task(about_one_row=False)
def reads_many_rows(sent_mail_id: int) -> int:
    """A task through many rows: one missing midway may be a run's not yet committed."""
    return SentMail.objects.get(pk=sent_mail_id).pk
