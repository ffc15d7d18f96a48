"""Canned replies: known placeholders only (checked at save, naming the field), filled in
from the ticket, the due time in the customer's zone and language."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.test import RequestFactory

from core.errors import InvalidInput
from tickets.canned import due_text, expand, placeholder_errors, placeholders_in
from tickets.models import CannedReply, Ticket
from tickets.selectors import canned_replies_active, canned_reply_text
from tickets.services.canned import canned_reply_save
from tickets.services.intake import ticket_open

BODY_ES = "Hola {cliente}: su solicitud {ticket} vence el {vence}."
BODY_EN = "Hello {customer}: ticket {ticket} is due {due}."


def test_placeholders_are_found_and_unknown_ones_named():
    assert placeholders_in(BODY_ES) == ["cliente", "ticket", "vence"]
    assert placeholder_errors(BODY_ES) is None
    assert placeholder_errors(BODY_EN) is None
    error = placeholder_errors("Hola {clinte} y {nombre}, {ticket}")
    assert error.code == "unknown_placeholder"
    assert error.params["unknown"] == "{clinte}, {nombre}"


def test_an_unknown_placeholder_is_refused_at_save_naming_the_field(db):
    with pytest.raises(InvalidInput) as refused:
        canned_reply_save(CannedReply(title="Cierre", body="Estimado {clinte}", language="es"))
    assert list(refused.value.fields_in("es")) == ["body"]
    assert "{clinte}" in refused.value.fields_in("es")["body"][0]
    assert "Marcador desconocido" in refused.value.fields_in("es")["body"][0]
    assert not CannedReply.objects.exists()
    with pytest.raises(InvalidInput) as in_title:
        canned_reply_save(CannedReply(title="Para {quien}", body="Hola", language="es"))
    assert list(in_title.value.fields_in("es")) == ["title"]


def test_the_admin_form_shows_the_unknown_placeholder_on_the_body(db, admin_user):
    admin = site._registry[CannedReply]
    request = RequestFactory().get("/")
    request.user = admin_user
    form_class = admin.get_form(request)
    form = form_class(
        data={"title": "Cierre", "language": "es", "body": "Hola {clinte}", "active": "on"}
    )
    assert not form.is_valid()
    assert "{clinte}" in form.errors["body"][0]
    assert "{vence}" in str(form_class.base_fields["body"].help_text)


def test_text_without_placeholders_and_stray_braces_stay_as_written():
    values = {"customer": "Hotel", "ticket": "T-1", "due": "mañana"}
    assert expand("JSON {\n} sin marcadores", values) == "JSON {\n} sin marcadores"
    assert expand("{ticket}{ticket}", values) == "T-1T-1"


@pytest.fixture
def spanish_ticket(funded, tuesday_morning):
    customer = funded.customer
    customer.time_zone = "America/Caracas"
    customer.legal_name = "Hotel Andino S.A.S."
    customer.save()
    return ticket_open(channel="portal", subject="Caída", requester=funded, impact="high").ticket


def test_spanish_reply_filled_in_the_customers_zone_and_language(spanish_ticket):
    reply = canned_reply_save(CannedReply(title="Acuse", body=BODY_ES, language="es"))
    due = Ticket.objects.get(pk=spanish_ticket.pk).next_due_at
    assert due is not None
    text = canned_reply_text(reply, spanish_ticket)
    local = due.astimezone(spanish_ticket.customer.time_zone_info)
    assert text.startswith(
        f"Hola Hotel Andino S.A.S.: su solicitud {spanish_ticket.number} vence el "
    )
    assert text.endswith(f" de noviembre, {local:%H:%M} (hora de Caracas).")
    assert any(day in text for day in ("martes", "miércoles", "jueves"))


def test_english_aliases_in_an_english_customers_language(spanish_ticket):
    contact = spanish_ticket.requester
    contact.language = "en"
    contact.save()
    reply = canned_reply_save(CannedReply(title="Ack", body=BODY_EN, language="en"))
    text = canned_reply_text(reply, Ticket.objects.get(pk=spanish_ticket.pk))
    assert text.startswith(f"Hello Hotel Andino S.A.S.: ticket {spanish_ticket.number} is due ")
    assert text.endswith(" (Caracas time).")
    assert " November, " in text


@time_machine.travel("2026-11-17T14:00:00Z", tick=False)
def test_no_running_clock_reads_as_no_due_time_in_either_language():
    zone = ZoneInfo("America/Caracas")
    assert due_text(None, zone=zone, language="es") == "sin plazo pendiente"
    assert due_text(None, zone=zone, language="en") == "no pending due time"
    due = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert (
        due_text(due, zone=zone, language="es") == "jueves 3 de diciembre, 10:00 (hora de Caracas)"
    )
    assert due_text(due, zone=zone, language="en") == "Thursday 3 December, 10:00 (Caracas time)"


def test_only_active_replies_are_offered(db):
    canned_reply_save(CannedReply(title="A", body="a", language="es"))
    canned_reply_save(CannedReply(title="B", body="b", language="en"))
    canned_reply_save(CannedReply(title="C", body="c", language="es", active=False))
    assert [r.title for r in canned_replies_active()] == ["B", "A"]
    assert [r.title for r in canned_replies_active(language="es")] == ["A"]
