"""The portal and workspace pages through Django's test client: who sees what, what each
form does, and refusals in the user's language."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from billing.models import AutoTopUpAttempt
from contracts.models import Channel
from contracts.services import contract_change_plan
from credits.models import LedgerEntry
from credits.selectors import ledger_verify
from tests.factories import (
    log_finished_work,
    make_contact,
    make_contract,
    make_customer,
    make_declined_auto_top_up,
    make_finance_user,
    make_plan,
    make_portal_user,
    make_service,
)
from tests.web.conftest import PASSWORD, top_up
from tickets.models import IntakeAttempt, ScheduledSession, Ticket
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return client


def open_ticket(shop, subject="Servidor caído") -> Ticket:
    result = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject=subject)
    assert result.accepted, result.refusal
    return result.ticket


def test_root_sends_each_role_to_its_home(client, shop):
    assert client.get("/").url.startswith(reverse("login"))
    login(client, shop.user)
    assert client.get("/").url == reverse("web:dashboard")
    client.logout()
    login(client, shop.agent)
    assert client.get("/").url == reverse("web:queue")
    assert client.get(reverse("web:dashboard")).status_code == 403


def test_login_page_and_password_reset_by_email(client, shop, django_capture_on_commit_callbacks):
    page = client.get(reverse("login"))
    assert b'<label for="id_username"' in page.content
    with django_capture_on_commit_callbacks(execute=True):  # the mail is a task, on commit
        response = client.post(reverse("password_reset"), {"email": "ana@hotel.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/reset/\S+/", mail.outbox[0].body).group(0)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-long-password-42", "new_password2": "a-new-long-password-42"},
    )
    assert done.status_code == 302
    assert client.login(request=HttpRequest(), username="ana", password="a-new-long-password-42")


def test_language_switch_turns_the_portal_english(client, shop):
    login(client, shop.user)
    assert "Solicitudes abiertas" in client.get(reverse("web:dashboard")).text
    client.post(reverse("set_language"), {"language": "en", "next": "/portal/"})
    page = client.get(reverse("web:dashboard")).text
    assert "Open requests" in page
    assert 'lang="en"' in page


def test_dashboard_shows_credits_forecast_open_tickets_and_low_balance(client, shop):
    top_up(shop.customer, "3")
    ticket = open_ticket(shop)
    login(client, shop.user)
    page = client.get(reverse("web:dashboard")).text
    # 3 bought, 1 held by the open ticket: 2 available, exactly the minimum (Spanish decimals)
    assert re.search(r'data-testid="balance">3,00<', page)
    assert re.search(r'data-testid="available">2,00<', page)
    assert ticket.number in page
    assert "Bogota" in page or "-05" in page
    assert "Recargar créditos" not in page
    open_ticket(shop, "Segundo")
    page = client.get(reverse("web:dashboard")).text
    assert "Tiene 1,00 créditos disponibles y se necesitan 2,00" in page
    assert reverse("web:credits") in page


def test_dashboard_announces_a_scheduled_plan_change_in_the_customer_language(
    client, shop, time_machine
):
    time_machine.move_to("2098-12-15T15:00:00Z")
    premium = make_plan(name="Premium 24x7")
    contract_change_plan(shop.contract, plan=premium, effective_on=date(2099, 3, 1))
    login(client, shop.user)

    page = client.get(reverse("web:dashboard")).text
    assert "Pasa al plan Premium 24x7 el domingo 1 de marzo de 2099." in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("web:dashboard")).text
    assert "Moves to the Premium 24x7 plan on Sunday 1 March 2099." in page


def test_request_form_explains_a_refusal_before_submitting_and_offers_the_fix(client, shop):
    top_up(shop.customer, "1")
    login(client, shop.user)
    page = client.get(reverse("web:ticket-new")).text
    assert "Se necesitan 2,00 créditos disponibles y hay 1,00." in page
    assert "#packs" in page
    # submitting anyway is refused with the same reason, and the attempt is kept
    response = client.post(
        reverse("web:ticket-new"), {"subject": "Ayuda", "impact": "medium", "urgency": "medium"}
    )
    assert response.status_code == 200
    assert "Se necesitan 2,00 créditos disponibles y hay 1,00." in response.text
    assert IntakeAttempt.objects.get(customer=shop.customer).reason == "insufficient_credits"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("web:ticket-new")).text
    assert "2.00 available credits are needed and there are 1.00." in page


def test_opening_a_request_lands_on_its_page_with_due_times(client, shop):
    top_up(shop.customer, "5")
    login(client, shop.user)
    response = client.post(
        reverse("web:ticket-new"),
        {
            "subject": "Correo caído",
            "description": "No sale correo",
            "impact": "high",
            "urgency": "high",
        },
        follow=True,
    )
    ticket = Ticket.objects.get(customer=shop.customer)
    assert response.redirect_chain[-1][0] == reverse("web:ticket", args=[ticket.number])
    assert "No sale correo" in response.text
    assert "Cómo se calcula el vencimiento" in response.text
    assert ticket.channel == Channel.PORTAL


def test_customer_reply_resumes_a_paused_ticket_and_reopen_and_follow_up(client, shop):
    from tickets.services.lifecycle import ticket_agent_reply, ticket_close, ticket_transition

    top_up(shop.customer, "10")
    ticket = open_ticket(shop)
    ticket_agent_reply(ticket, by=shop.agent, body="¿Qué error ve?", asks_for_information=True)
    login(client, shop.user)
    assert (
        "el reloj del SLA está en pausa"
        in client.get(reverse("web:ticket", args=[ticket.number])).text
    )
    client.post(reverse("web:ticket-reply", args=[ticket.number]), {"body": "Error 500"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    ticket_transition(ticket, to_status=Ticket.Status.RESOLVED, by=shop.agent)
    client.post(reverse("web:ticket-reopen", args=[ticket.number]), {"reason": "Sigue fallando"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    ticket_transition(ticket, to_status=Ticket.Status.RESOLVED, by=shop.agent)
    ticket_close(ticket, by=shop.agent)
    response = client.post(
        reverse("web:ticket-follow-up", args=[ticket.number]), {"subject": "Volvió a pasar"}
    )
    follow_up = Ticket.objects.get(follows_up=ticket)
    assert response.url == reverse("web:ticket", args=[follow_up.number])


def test_other_customers_tickets_are_not_found(client, shop):
    top_up(shop.customer, "5")
    ticket = open_ticket(shop)
    other = make_portal_user(
        make_contact(make_contract(make_customer()).customer), password=PASSWORD
    )
    login(client, other)
    assert client.get(reverse("web:ticket", args=[ticket.number])).status_code == 404
    assert client.get(reverse("web:queue")).status_code == 403


def test_queue_sorts_by_nearest_due_time_and_filters(client, shop):
    top_up(shop.customer, "20")
    low = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Baja", impact="low", urgency="low"
    ).ticket
    high = ticket_open(
        channel=Channel.PORTAL,
        requester=shop.contact,
        subject="Alta",
        impact="high",
        urgency="high",
    ).ticket
    login(client, shop.agent)
    page = client.get(reverse("web:queue")).text
    assert page.index(high.number) < page.index(low.number)
    filtered = client.get(reverse("web:queue"), {"priority": low.priority}).text
    assert low.number in filtered
    assert high.number not in filtered
    for label in ("Prioridad", "Cliente", "Estado", "Asignada a"):
        assert f">{label}:</label>" in page


def test_the_queue_finds_a_customer_by_part_of_its_name_or_tax_id(client, shop):
    other = make_customer(legal_name="Clínica del Sur Ltda.", tax_id="800123456")
    make_contract(other, shop.contract.plan)
    other_contact = make_contact(other, email="luis@clinica.example")
    top_up(shop.customer, "10")
    top_up(other, "10")
    hotel = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Wifi").ticket
    clinic = ticket_open(channel=Channel.PORTAL, requester=other_contact, subject="Red").ticket
    login(client, shop.agent)

    for search, shown, hidden in (("andino", hotel, clinic), ("800123", clinic, hotel)):
        page = client.get(reverse("web:queue"), {"customer": search}).text
        assert shown.number in page
        assert hidden.number not in page
    # a search box, whatever the number of customers: the form lists none of them
    form = client.get(reverse("web:queue")).text.split('class="filters"')[1].split("</form>")[0]
    assert '<input type="text" name="customer"' in form
    assert "Clínica" not in form


def test_agent_works_a_ticket_logs_schedules_no_show_and_resolves(client, shop, time_machine):
    top_up(shop.customer, "10")
    ticket = open_ticket(shop)
    # three hours later: the work was done, the session's start has passed
    time_machine.move_to(ticket.opened_at + timedelta(hours=3))
    bogota = shop.customer.time_zone_info
    work_end = (ticket.opened_at + timedelta(minutes=71)).astimezone(bogota)
    session_start = (ticket.opened_at + timedelta(hours=2)).astimezone(bogota)
    login(client, shop.agent)
    url = lambda name, *args: reverse(name, args=[ticket.number, *args])  # noqa: E731
    assert client.get(url("web:work")).status_code == 200
    client.post(url("web:work-reply"), {"body": "Revisando", "kind": "public"})
    client.post(
        url("web:work-log"),
        {
            "ended_at": f"{work_end:%Y-%m-%dT%H:%M}",
            "minutes": "70",
            "note": "diagnóstico",
            "billable": "on",
        },
    )
    client.post(
        url("web:work-session"), {"starts_at": f"{session_start:%Y-%m-%dT%H:%M}", "minutes": "60"}
    )
    session = ScheduledSession.objects.get(ticket=ticket)
    # typed in Bogotá's time, stored in UTC
    assert session.starts_at == session_start.replace(second=0, microsecond=0)
    client.post(url("web:work-no-show", session.pk))
    session.refresh_from_db()
    assert session.status == ScheduledSession.Status.NO_SHOW
    response = client.post(url("web:work-status"), {"to_status": "resolved"}, follow=True)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.billed_credits == Decimal("2.00")  # 70 min: two started hours
    assert "Estado cambiado" in response.text
    kinds = list(
        LedgerEntry.objects.filter(account__customer=shop.customer).values_list("kind", flat=True)
    )
    assert kinds == ["top_up", "no_show", "charge"]
    # an illegal move is refused with the form's message, nothing changes
    response = client.post(url("web:work-status"), {"to_status": "in_progress"})
    assert response.status_code == 200
    assert "errorlist" in response.text


def test_the_work_forms_start_is_counted_in_utc_across_a_change_of_time():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from creditdesk.web.forms import WorkLogForm

    # Madrid moves from 02:00 to 03:00 on 29 March 2026: an hour ending at 03:30 began at
    # 01:30 on the clocks (00:30 UTC), where the wall clock's arithmetic gives a 02:30 that
    # never was
    with timezone.override(ZoneInfo("Europe/Madrid")):
        form = WorkLogForm(data={"ended_at": "2026-03-29T03:30", "minutes": "60"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["started_at"] == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "typed", "ended"),
    [
        # Madrid's clocks go back from 03:00 to 02:00 on 25 October 2026: 00:00-01:00 UTC reads
        # 02:00-03:00 (summer time), and so does 01:00-02:00 UTC (winter time)
        ("2026-10-25T00:40:20Z", "02:40", "2026-10-25T00:40:00Z"),  # now, the first time
        ("2026-10-25T01:40:20Z", "02:40", "2026-10-25T01:40:00Z"),  # now, the second time
        ("2026-10-25T01:40:20Z", "02:50", "2026-10-25T00:50:00Z"),  # the second is to come
        ("2026-10-25T03:00:00Z", "02:10", "2026-10-25T01:10:00Z"),  # both past: the later
    ],
)
def test_work_ended_in_the_hour_the_clocks_repeat_is_the_later_reading_already_past(
    time_machine, now, typed, ended
):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from creditdesk.web.forms import WorkLogForm

    time_machine.move_to(now, tick=False)
    with timezone.override(ZoneInfo("Europe/Madrid")):
        form = WorkLogForm(data={"ended_at": f"2026-10-25T{typed}", "minutes": "30"})
        assert form.is_valid(), form.errors
    started = datetime.fromisoformat(ended).astimezone(UTC) - timedelta(minutes=30)
    assert form.cleaned_data["started_at"] == started


def test_a_time_the_clocks_skip_is_still_refused():
    from zoneinfo import ZoneInfo

    from creditdesk.web.forms import WorkLogForm

    with timezone.override(ZoneInfo("Europe/Madrid")):  # 02:00-03:00 on 29 March never was
        form = WorkLogForm(data={"ended_at": "2026-03-29T02:30", "minutes": "30"})
        assert not form.is_valid()
    assert form.errors["ended_at"] == ["Esa hora no existió: ese día los relojes se adelantaron."]


def test_an_agent_logs_finished_work_by_its_end_never_one_ending_in_the_future(
    client, shop, time_machine
):
    top_up(shop.customer, "10")
    ticket = open_ticket(shop)
    time_machine.move_to(ticket.opened_at + timedelta(hours=3, seconds=25), tick=False)
    bogota = shop.customer.time_zone_info
    login(client, shop.agent)
    url = lambda name, *args: reverse(name, args=[ticket.number, *args])  # noqa: E731
    # the page asks when the work ended, "now" in the customer's time to the minute
    page = client.get(url("web:work")).text
    now_typed = f"{timezone.localtime(timezone=bogota):%Y-%m-%dT%H:%M}"
    assert "Terminó (hora del cliente)" in page
    assert f'name="ended_at" value="{now_typed}"' in page

    # an end in the future is refused on the end's field, in the reader's language
    future = f"{timezone.now().astimezone(bogota) + timedelta(minutes=5):%Y-%m-%dT%H:%M}"
    refused = client.post(url("web:work-log"), {"ended_at": future, "minutes": "30"})
    assert refused.status_code == 200
    assert 'id="id_ended_at_error"' in refused.text
    assert "El trabajo no puede terminar en el futuro." in refused.text
    # so is an end whose start falls before the opening
    early = client.post(url("web:work-log"), {"ended_at": now_typed, "minutes": "240"})
    assert 'id="id_ended_at_error"' in early.text
    assert "El trabajo no puede empezar antes de la apertura de la solicitud." in early.text
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    refused = client.post(url("web:work-log"), {"ended_at": future, "minutes": "30"})
    assert 'id="id_ended_at_error"' in refused.text
    assert "Work cannot end in the future." in refused.text
    assert not ticket.work_logs.exists()

    # the default end with 30 minutes: work that started 30 minutes before
    logged = client.post(url("web:work-log"), {"ended_at": now_typed, "minutes": "30"})
    assert logged.status_code == 302
    log = ticket.work_logs.get()
    ended = timezone.now().replace(second=0, microsecond=0)
    assert (log.started_at, log.minutes) == (ended - timedelta(minutes=30), 30)


def test_finance_reads_a_ticket_but_may_not_work_it(client, shop):
    top_up(shop.customer, "10")
    ticket = open_ticket(shop)
    login(client, make_finance_user(password=PASSWORD))
    url = lambda name, *args: reverse(name, args=[ticket.number, *args])  # noqa: E731

    page = client.get(url("web:work"))

    assert page.status_code == 200
    assert url("web:work-log") not in page.text
    assert url("web:work-status") not in page.text
    for name in ("web:work-reply", "web:work-status", "web:work-log", "web:work-session"):
        assert client.post(url(name), {"body": "x", "to_status": "in_progress"}).status_code == 403
    ticket.refresh_from_db()
    assert (ticket.status, ticket.messages.count()) == (Ticket.Status.ACKNOWLEDGED, 1)


def test_an_account_manager_answers_but_logs_no_work(client, shop):
    top_up(shop.customer, "10")
    ticket = open_ticket(shop)
    login(client, shop.manager)
    url = lambda name, *args: reverse(name, args=[ticket.number, *args])  # noqa: E731

    assert url("web:work-reply") in client.get(url("web:work")).text
    client.post(url("web:work-reply"), {"body": "Lo escalamos", "kind": "public"})
    log = client.post(url("web:work-log"), {"ended_at": "2026-03-02T09:05", "minutes": "5"})

    assert log.status_code == 403
    assert ticket.messages.count() == 2


def test_account_manager_sees_only_own_customers_with_history_and_refusals(client, shop):
    top_up(shop.customer, "1")
    ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Sin saldo")
    stranger = make_customer()
    login(client, shop.manager)
    listing = client.get(reverse("web:customers")).text
    assert shop.customer.legal_name in listing
    assert stranger.legal_name not in listing
    page = client.get(reverse("web:customer", args=[shop.customer.pk])).text
    assert "<polyline" in page
    assert "Se necesitan 2,00 créditos disponibles y hay 1,00." in page
    assert "Cumplimiento del SLA" in page
    assert client.get(reverse("web:customer", args=[stranger.pk])).status_code == 404


def worked_and_resolved(shop, minutes: int) -> None:
    """A request of the shop's customer, worked `minutes` and resolved (charged)."""
    from tickets.services.lifecycle import ticket_resolve, ticket_start_work

    top_up(shop.customer, "5")
    ticket = open_ticket(shop)
    ticket_start_work(ticket, by=shop.agent)
    log_finished_work(ticket, by=shop.agent, started_at=ticket.opened_at, minutes=minutes)
    ticket_resolve(ticket, by=shop.agent)


def test_credits_page_filters_the_ledger(client, shop):
    worked_and_resolved(shop, 30)
    login(client, shop.user)
    page = client.get(reverse("web:credits")).text
    assert "Recarga" in page
    assert "Cobro" in page
    assert shop.pack.name in page
    only = client.get(reverse("web:credits"), {"kind": "charge"}).text
    assert 'data-label="Tipo">Recarga</td>' not in only
    assert 'data-label="Tipo">Cobro</td>' in only


def test_a_charge_reads_in_the_readers_language_on_the_credits_page(client, shop):
    worked_and_resolved(shop, 45)
    login(client, shop.user)

    spanish = client.get(reverse("web:credits"), HTTP_ACCEPT_LANGUAGE="es").text
    english = client.get(reverse("web:credits"), HTTP_ACCEPT_LANGUAGE="en").text

    charge = LedgerEntry.objects.get(kind="charge")
    assert charge.reason.startswith("45 min:")
    assert charge.reason_en.startswith("45 min:")
    assert charge.reason != charge.reason_en
    assert charge.reason in spanish
    assert charge.reason_en in english
    assert charge.reason not in english
    assert ledger_verify().ok  # the English copy is outside the chain's content


def test_list_pages_keep_a_query_budget(client, shop, django_assert_max_num_queries):
    top_up(shop.customer, "30")
    for n in range(8):
        open_ticket(shop, f"Solicitud {n}")
    login(client, shop.agent)
    with django_assert_max_num_queries(12):
        client.get(reverse("web:queue"))


def test_invoice_pdf_downloads_for_its_own_customer_only(client, shop):
    from tests.factories import make_invoice

    own = make_invoice(shop.customer, issue=True)
    other = make_invoice(make_customer(), issue=True)
    login(client, shop.user)
    assert own.display_number in client.get(reverse("web:invoices")).text
    response = client.get(reverse("web:invoice-pdf", args=[own.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("web:invoice-pdf", args=[other.pk])).status_code == 404


def test_sla_report_pdf_of_a_month(client, shop):
    top_up(shop.customer, "5")
    open_ticket(shop)
    login(client, shop.user)
    month = timezone.localtime(timezone=shop.customer.time_zone_info).strftime("%Y-%m")
    assert reverse("web:sla-report-pdf", args=[month]) in client.get(reverse("web:invoices")).text
    response = client.get(reverse("web:sla-report-pdf", args=[month]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(reverse("web:sla-report-pdf", args=["2026-13"])).status_code == 404


def test_an_agent_changes_the_request_type_with_a_reason(client, shop):
    from tickets.models import TicketEvent

    advice = make_service(name="SLA 1: Asesoramiento", description="Consultas de uso")
    maintenance = make_service(name="SLA 2: Mantenimiento")
    top_up(shop.customer, "10")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Copias", service=maintenance
    ).ticket
    login(client, shop.agent)
    url = reverse("web:work-reclassify", args=[ticket.number])

    page = client.get(reverse("web:work", args=[ticket.number])).text
    assert "SLA 1: Asesoramiento: Consultas de uso" in page
    missing = client.post(url, {"service": advice.pk, "reason": ""})
    assert missing.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).service == maintenance

    done = client.post(url, {"service": advice.pk, "reason": "Consulta de uso"}, follow=True)

    assert "Ahora es «SLA 1: Asesoramiento»" in done.text
    assert Ticket.objects.get(pk=ticket.pk).service == advice
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.SERVICE)
    assert (event.from_value, event.to_value, event.reason, event.by) == (
        maintenance.code,
        advice.code,
        "Consulta de uso",
        shop.agent,
    )


def test_a_no_show_under_included_support_is_recorded_not_said_charged(client, shop, time_machine):
    from contracts.models import Plan

    Plan.objects.filter(pk=shop.contract.plan_id).update(support_model=Plan.SupportModel.INCLUDED)
    ticket = open_ticket(shop)
    time_machine.move_to(ticket.opened_at + timedelta(hours=3))
    starts = (ticket.opened_at + timedelta(hours=2)).astimezone(shop.customer.time_zone_info)
    login(client, shop.agent)
    client.post(
        reverse("web:work-session", args=[ticket.number]),
        {"starts_at": f"{starts:%Y-%m-%dT%H:%M}", "minutes": "60"},
    )
    session = ScheduledSession.objects.get(ticket=ticket)

    page = client.post(
        reverse("web:work-no-show", args=[ticket.number, session.pk]), follow=True
    ).text

    assert "Inasistencia registrada." in page
    assert "cobrada" not in page
    assert not LedgerEntry.objects.exists()


def test_an_agent_sees_the_levels_time_and_refers_level_3_to_a_vendor(client, shop, sla_policy):
    from sla.services.clocks import clocks_reapply
    from tests.tickets.conftest import publish_with_levels
    from tickets.models import TicketEvent

    publish_with_levels(sla_policy)
    top_up(shop.customer, "10")
    ticket = open_ticket(shop)
    clocks_reapply(at=timezone.now(), policies=[sla_policy])
    login(client, shop.agent)
    url = reverse("web:work-escalate", args=[ticket.number])

    page = client.get(reverse("web:work", args=[ticket.number])).text
    assert "Primer contacto:" in page
    assert "usadas de 2 h 00 min hábiles del nivel" in page
    assert "3. Proveedor o comité" in page
    unnamed = client.post(url, {"to_level": "3", "reason": "Falla de hardware"})
    assert "Indique el proveedor, fabricante o comité que lo atiende." in unnamed.text
    assert Ticket.objects.get(pk=ticket.pk).resolution_level == 1

    done = client.post(
        url,
        {"to_level": "3", "reason": "Falla de hardware", "referred_to": "Dell EMC"},
        follow=True,
    )

    assert "Ahora está en el nivel 3." in done.text
    assert "derivada a Dell EMC" in done.text
    assert "<strong>Escalamiento</strong>: 1 → 3 · Falla de hardware → Dell EMC" in done.text
    assert "<strong>Estado</strong>: Nuevo → Recibido" in done.text
    assert "este nivel no tiene tiempo propio" in done.text
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.ESCALATION)
    assert (event.to_value, event.by) == ("3", shop.agent)


@pytest.mark.parametrize(
    ("failure_code", "note", "spanish", "english"),
    [
        # a reason we have words for, in the reader's language
        (
            "insufficient_funds",
            "Your card has insufficient funds.",
            "El pago no se completó. La tarjeta no tiene fondos suficientes. Pruebe con otra "
            "tarjeta.",
            "The payment did not go through. The card has insufficient funds. Try another card.",
        ),
        # a code we have no words for: Stripe's own, marked as English
        (
            "some_future_code",
            "Your card was declined.",
            'El pago no se completó. Detalle (en inglés): <q lang="en">Your card was declined.</q>',
            'The payment did not go through. Details: <q lang="en">Your card was declined.</q>',
        ),
    ],
)
def test_a_failed_card_payment_says_why_in_the_readers_language(
    client, shop, failure_code, note, spanish, english
):
    payment = make_declined_auto_top_up(
        shop.customer, shop.pack, failure_code=failure_code, failure_message=note
    ).payment
    login(client, shop.user)
    status = reverse("web:payment", args=[payment.pk]) + "?fragment=status"

    assert spanish in client.get(status).text
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert english in client.get(status).text


def test_a_declined_automatic_top_up_says_why_in_the_customers_language(client, shop):
    attempt = make_declined_auto_top_up(
        shop.customer, shop.pack, failure_message="Your card was declined."
    )
    login(client, shop.user)
    page = reverse("web:auto-top-up-attempt", args=[attempt.pk])

    spanish = client.get(page).text
    assert (
        "<strong>Rechazado.</strong> Su banco rechazó el pago sin dar el motivo. "
        "Pruebe con otra tarjeta o consulte a su banco." in spanish
    )
    assert "Your card was declined" not in spanish
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(page).text
    assert (
        "<strong>Declined.</strong> Your bank declined the payment without giving a reason."
        in english
    )


def test_an_automatic_top_up_never_charged_says_why_on_its_page(client, shop):
    # the mail about it links here: the page says why, as the payment's page does
    attempt = make_declined_auto_top_up(shop.customer, shop.pack, failure_code="not_charged")
    AutoTopUpAttempt.objects.filter(pk=attempt.pk).update(status=AutoTopUpAttempt.Status.FAILED)
    login(client, shop.user)
    page = client.get(reverse("web:auto-top-up-attempt", args=[attempt.pk])).text
    assert "No se hizo el cobro: la recarga automática se desactivó" in page
