"""Every mail is a task on the real database queue: a dead SMTP server never fails a request,
the task retries and ends failed (visible in the admin, retried from there), and a task run
twice sends one mail."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from background.mail import mail_once
from background.models import SentMail
from background.queue import RetryScheduled
from contracts.models import Channel
from sla.services import sla_monitor_run
from sla.services.clocks import clock_stop
from tests.factories import make_staff_user
from tests.sla.factories import make_policy
from tests.sla.test_monitor import at
from tests.sla.test_monitor import open_ticket as open_clocks
from tests.web.conftest import PASSWORD, top_up
from tickets import tasks as ticket_tasks
from tickets.models import Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply
from webhooks import tasks as webhook_tasks
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

RETRY_SCHEDULED = f"{RetryScheduled.__module__}.{RetryScheduled.__qualname__}"
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def portal_open(client, shop):
    client.force_login(shop.user)
    return client.post(
        reverse("web:ticket-new"),
        {
            "subject": "Correo caído",
            "description": "No sale correo",
            "impact": "high",
            "urgency": "high",
        },
    )


def test_a_dead_smtp_server_does_not_fail_the_request_and_the_task_retries(
    client,
    shop,
    db_tasks,
    dead_smtp,
    settings,
    django_capture_on_commit_callbacks,
):
    top_up(shop.customer, "5")

    # when a customer opens a request while the SMTP server refuses connections
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_open(client, shop)

    # then the request succeeded without touching SMTP: the acknowledgement waits in the queue
    ticket = Ticket.objects.get(customer=shop.customer)
    assert response.status_code == 302
    assert response.url == reverse("web:ticket", args=[ticket.number])
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.status) == ("tickets.tasks.send_acknowledgement", "READY")
    assert queued.args_kwargs == {"args": [ticket.pk], "kwargs": {}}

    # when the worker runs it: the connection is refused, a retry is scheduled
    db_tasks()
    queued.refresh_from_db()
    assert queued.status == "FAILED"
    assert queued.exception_class_path == RETRY_SCHEDULED
    assert "ConnectionRefusedError" in queued.traceback
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert not SentMail.objects.exists()

    # when the SMTP server is back by the time the retry is due, the mail leaves once
    settings.MAILERS = LOCMEM
    with time_machine.travel(retry.run_after + timedelta(seconds=1)):
        assert db_tasks() == 1
    assert [m.to for m in mail.outbox] == [["ana@hotel.example"]]
    assert SentMail.objects.get().kind == "acknowledgement"


def test_a_password_reset_answers_at_once_while_smtp_is_down(
    client,
    shop,
    db_tasks,
    dead_smtp,
    settings,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "ana@hotel.example"})

    assert response.status_code == 302
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "creditdesk.web.password_reset.send_password_reset"
    assert queued.args_kwargs["kwargs"]["email"] == "ana@hotel.example"

    # the retry, with SMTP back, sends a working link, once however often it runs
    db_tasks()
    settings.MAILERS = LOCMEM
    retry = DBTaskResult.objects.get(status="READY")
    with time_machine.travel(retry.run_after + timedelta(seconds=1)):
        db_tasks()
    (sent,) = mail.outbox
    assert "/reset/" in sent.body
    link = sent.body.split("http://testserver", 1)[1].split()[0]
    assert client.get(link, follow=True).status_code == 200


def test_a_password_reset_does_the_same_work_for_an_unknown_address(
    client, shop, db_tasks, settings, django_capture_on_commit_callbacks
):
    # one task either way, which finds the accounts: the request's time tells nothing
    settings.MAILERS = LOCMEM
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("password_reset"), {"email": "ana@hotel.example"})
        unknown = client.post(reverse("password_reset"), {"email": "nadie@hotel.example"})

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    assert db_tasks() == 2
    assert [m.to for m in mail.outbox] == [["ana@hotel.example"]]
    assert sorted(DBTaskResult.objects.values_list("return_value", flat=True)) == [0, 1]


def test_the_last_failed_attempt_is_listed_in_the_admin_and_retried_from_there(
    client,
    shop,
    db_tasks,
    dead_smtp,
    settings,
):
    settings.TASKS_RETRY_ATTEMPTS = 1
    ticket_tasks.send_mail_refusal.enqueue(
        to="x@example.com",
        subject="Hola",
        reason="Sin contrato",
        language="es",
        in_reply_to="<1@example.com>",
        about="id:1",
    )
    db_tasks()
    failed = DBTaskResult.objects.get()
    assert failed.status == "FAILED"
    assert failed.exception_class_path == "builtins.ConnectionRefusedError"

    admin = make_staff_user(username="root", is_superuser=True, password=PASSWORD)
    client.force_login(admin)
    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    listing = client.get(changelist, {"outcome": "failed"})
    assert listing.status_code == 200
    assert "send_mail_refusal" in listing.text
    assert "fallida: ConnectionRefusedError" in listing.text

    # when the operator retries it after the SMTP server is back
    settings.MAILERS = LOCMEM
    response = client.post(
        changelist, {"action": "retry", "_selected_action": [str(failed.pk)]}, follow=True
    )
    assert "1 tarea encolada de nuevo." in response.text
    assert db_tasks() == 1
    assert [m.subject for m in mail.outbox] == ["No pudimos registrar su solicitud"]


def test_each_mail_task_run_twice_sends_one_mail(shop, db_tasks, sla_policy):
    top_up(shop.customer, "5")

    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caído").ticket
    reply = ticket_agent_reply(ticket, by=shop.agent, body="Lo revisamos")
    for _ in range(2):
        ticket_tasks.send_acknowledgement.enqueue(ticket.pk)
        ticket_tasks.send_agent_message.enqueue(reply.pk)
        ticket_tasks.send_mail_refusal.enqueue(
            to="x@example.com",
            subject="Hola",
            reason="Sin contrato",
            language="en",
            in_reply_to="",
            about="raw:abc",
        )

    # seven runs: intake wrote its own acknowledgement's task row, then each task twice
    assert db_tasks() == 7
    assert sorted(SentMail.objects.values_list("kind", flat=True)) == [
        "acknowledgement",
        "agent_message",
        "mail_refusal",
    ]
    assert len(mail.outbox) == 3


def test_sla_mails_are_tasks_per_clock_sent_once(db_tasks, django_capture_on_commit_callbacks):
    policy = make_policy()
    open_clocks(policy, 1, at(2026, 1, 16, 8), emails=["a@example.com", "am@example.com"])

    with django_capture_on_commit_callbacks(execute=True):
        result = sla_monitor_run(now=at(2026, 1, 19, 11, 30))
        sla_monitor_run(now=at(2026, 1, 19, 11, 31))
    assert result.emails == 2  # response and resolution clocks

    tasks = DBTaskResult.objects.filter(task_path="sla.tasks.send_clock_mail")
    assert tasks.count() == 2
    for row in tasks:  # run each one a second time, as a retry from the admin would
        row.task.enqueue(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
    assert db_tasks() == 4
    assert len(mail.outbox) == 2
    assert {tuple(m.to) for m in mail.outbox} == {("a@example.com", "am@example.com")}
    assert set(SentMail.objects.values_list("kind", flat=True)) == {"sla_breach"}


def test_a_warning_whose_clock_was_met_before_the_mail_left_is_not_sent(
    db_tasks, django_capture_on_commit_callbacks
):
    # a Low ticket's 4 h response target, 3 h 30 in: the monitor warns
    clocks = open_clocks(make_policy(), 1, at(2026, 1, 19, 8))
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_monitor_run(now=at(2026, 1, 19, 11, 30)).warned == 1

    # the agent answers before the worker reaches the warning
    clock_stop(clock=clocks.response, at=at(2026, 1, 19, 11, 31))
    assert db_tasks() == 1

    assert not mail.outbox
    assert DBTaskResult.objects.get().return_value is False


def test_the_mail_of_a_disabled_webhook_retries_while_smtp_is_down(
    shop, db_tasks, dead_smtp, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = True  # nothing is delivered to it here
    endpoint = webhook_endpoint_create(
        owner=shop.manager,
        url="http://127.0.0.1:9/creditdesk",
        events=["ticket.created"],
        customer=shop.customer,
        may_cover_all=False,
    )
    webhook_tasks.send_disabled_mail.enqueue(endpoint.pk)

    db_tasks()

    assert DBTaskResult.objects.get(status="FAILED").exception_class_path == RETRY_SCHEDULED
    retry = DBTaskResult.objects.get(status="READY")
    settings.MAILERS = LOCMEM
    with time_machine.travel(retry.run_after + timedelta(seconds=1)):
        assert db_tasks() == 1
    assert [m.to for m in mail.outbox] == [[shop.manager.email]]


@pytest.mark.django_db
def test_a_mail_subject_is_always_one_line(settings):
    """A subject names what the mail is about (a customer, a product, a request), and a name
    written with a line break anywhere would make the standard library refuse the mail, on
    every retry: every mail leaves through `mail_once`, which writes its subject on one line."""
    settings.MAILERS = LOCMEM
    message = EmailMessage(
        subject="Activación vencida: Hosting\n(Inversiones\r\nCaribe\u2028C.A.)",
        body="…",
        to=["gestora@proveedor.example"],
    )

    assert mail_once(message, kind="test", about=1)
    assert mail.outbox[-1].subject == "Activación vencida: Hosting (Inversiones Caribe C.A.)"
