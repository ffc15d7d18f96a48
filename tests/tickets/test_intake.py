from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from contracts.models import Channel, Contract, Customer, Plan
from core.errors import InvalidInput
from credits.allowance import allowance_draw
from credits.exceptions import InsufficientCredits, NoActiveContract
from credits.models import CreditAccount, CreditHold
from credits.solvency import register_insolvency_check, unregister_insolvency_check
from sla.models import SlaClock
from tests.factories import make_contact, make_contract, make_service
from tests.tickets.conftest import top_up
from tickets import tasks
from tickets.exceptions import (
    ChannelNotAllowed,
    OutOfScope,
    PhoneNeedsTicketNumber,
    ServiceChannelNotAllowed,
    UnauthorizedRequester,
    UnknownRequester,
)
from tickets.models import IntakeAttempt, Message, Ticket
from tickets.services.intake import channel_decide, intake_evaluate, scope_check, ticket_open

pytestmark = pytest.mark.django_db


def open_portal(requester, **overrides):
    fields = {"channel": Channel.PORTAL, "requester": requester, "subject": "El sitio no carga"}
    return ticket_open(**(fields | overrides))


def test_an_accepted_request_gets_a_number_a_hold_clocks_and_an_acknowledgement(
    funded, tuesday_morning, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = open_portal(funded, impact="high", urgency="medium")

    ticket = result.ticket
    assert result.accepted
    assert ticket.number == f"T-2026-{ticket.pk:06d}"
    assert ticket.status == Ticket.Status.ACKNOWLEDGED
    assert ticket.priority == "p2"
    account = CreditAccount.objects.get(customer=funded.customer)
    assert (account.balance, account.held, account.available) == (5, 1, 4)
    assert ticket.hold.credits == Decimal("1.00")
    assert {c.kind: c.state for c in SlaClock.objects.filter(subject=ticket.clock_subject)} == {
        "response": "running",
        "resolution": "running",
    }
    assert Message.objects.get(ticket=ticket).body == "El sitio no carga"
    [ack] = mail.outbox
    assert ack.to == ["ana@andino.example"]
    assert ticket.number in ack.subject
    # P2: response 1 h, resolution 4 h of business time from Monday 09:00 Bogota.
    assert "Primera respuesta a más tardar: martes 17 de noviembre de 2026, 10:00" in ack.body
    assert "Resolución a más tardar: martes 17 de noviembre de 2026, 14:00" in ack.body
    assert "(Bogotá (UTC-05:00))" in ack.body  # the zone as people read it, not its id


def test_the_acknowledgement_speaks_the_requesters_language(
    funded, tuesday_morning, django_capture_on_commit_callbacks
):
    funded.language = "en"
    funded.save()

    with django_capture_on_commit_callbacks(execute=True):
        open_portal(funded, impact="low", urgency="low")

    assert "First response due by: Tuesday 17 November 2026, 14:00" in mail.outbox[0].body


def test_numbers_are_unique_and_never_reused(funded, tuesday_morning):
    first = open_portal(funded).ticket
    second = open_portal(funded).ticket

    assert first.number != second.number
    assert int(second.number[-6:]) > int(first.number[-6:])


def refused(result, code):
    assert not result.accepted
    assert result.refusal.code == code
    attempt = IntakeAttempt.objects.get()
    assert attempt.reason == code
    assert (attempt.message, attempt.message_en) == (
        result.refusal.message("es"),
        result.refusal.message("en"),
    )
    assert not Ticket.objects.exists()
    assert not CreditHold.objects.exists()
    return attempt


def test_unknown_requester(contract, tuesday_morning):
    result = ticket_open(
        channel=Channel.EMAIL, requester_address="intruso@otro.example", subject="Ayuda"
    )

    attempt = refused(result, "unknown_requester")
    assert attempt.requester_address == "intruso@otro.example"
    assert attempt.customer is None


def test_unauthorized_requester(contract, tuesday_morning):
    contact = make_contact(customer=contract.customer, can_request=False)
    top_up(contract.customer, 5)

    attempt = refused(open_portal(contact), "unauthorized_requester")
    assert attempt.customer == contract.customer


def test_free_membership(funded, tuesday_morning):
    Customer.objects.filter(pk=funded.customer_id).update(membership="free")
    funded.refresh_from_db()

    refused(open_portal(funded), "free_membership")


def test_no_active_contract(funded, contract, tuesday_morning):
    Contract.objects.filter(pk=contract.pk).update(status="cancelled")

    refused(open_portal(funded), "no_active_contract")


def test_channel_not_allowed(funded, tuesday_morning):
    refused(open_portal(funded, channel=Channel.WHATSAPP), "channel_not_allowed")


def test_phone_only_with_an_existing_ticket_number(funded, plan, tuesday_morning):
    plan.phone_requires_ticket_number = True
    plan.save()

    refused(open_portal(funded, channel=Channel.PHONE), "channel_not_allowed")
    IntakeAttempt.objects.all().delete()
    first = open_portal(funded).ticket
    by_phone = open_portal(funded, channel=Channel.PHONE, existing_ticket_number=first.number)

    assert by_phone.accepted
    assert by_phone.ticket.follows_up == first


def test_out_of_scope(funded, contract, tuesday_morning):
    covered, other = make_service(), make_service()
    contract.services.set([covered])

    assert open_portal(funded, service=covered).accepted
    result = open_portal(funded, service=other)

    assert result.refusal.code == "out_of_scope"
    assert IntakeAttempt.objects.get().reason == "out_of_scope"


def test_contract_suspended(funded, contract, tuesday_morning):
    Contract.objects.filter(pk=contract.pk).update(status="suspended")

    refused(open_portal(funded), "contract_suspended")


def test_administratively_insolvent(funded, tuesday_morning):
    def overdue(customer):
        return customer.pk == funded.customer_id

    register_insolvency_check(overdue)
    try:
        refused(open_portal(funded), "administratively_insolvent")
    finally:
        unregister_insolvency_check(overdue)


def test_insufficient_credits_names_available_and_required(requester, tuesday_morning):
    top_up(requester.customer, 1)
    requester.language = "en"
    requester.save()

    attempt = refused(open_portal(requester), "insufficient_credits")
    assert attempt.message_en == "2.00 available credits are needed and there are 1.00."
    assert attempt.message == "Se necesitan 2,00 créditos disponibles y hay 1,00."
    # the account manager reads it in their own language, whatever the requester's
    with translation.override("es"):
        assert attempt.message_shown == attempt.message
    with translation.override("en"):
        assert attempt.message_shown == attempt.message_en


def test_the_first_failing_reason_is_named(requester, contract, tuesday_morning):
    # No credits, suspended and on a channel the plan does not take: the channel comes first.
    Contract.objects.filter(pk=contract.pk).update(status="suspended")

    refused(open_portal(requester, channel=Channel.WHATSAPP), "channel_not_allowed")


def test_bad_input_names_the_field_and_writes_nothing(funded):
    with pytest.raises(InvalidInput) as error:
        open_portal(funded, subject="  ", channel="fax")

    assert set(error.value.fields) == {"subject", "channel"}
    assert error.value.fields_in("es") == {
        "channel": ["«fax» no es un canal conocido."],
        "subject": ["Indique el asunto de la solicitud."],
    }
    assert error.value.fields_in("en") == {
        "channel": ["“fax” is not a known channel."],
        "subject": ["Enter the request's subject."],
    }
    assert not Ticket.objects.exists()
    assert not IntakeAttempt.objects.exists()


def test_unknown_impact_and_urgency_and_a_long_subject_are_refused_in_both_languages(funded):
    with pytest.raises(InvalidInput) as error:
        open_portal(funded, subject="x" * 201, impact="enorme", urgency="ya")

    assert error.value.fields_in("es") == {
        "subject": ["El asunto admite hasta 200 caracteres."],
        "impact": ["«enorme» no es un impacto conocido."],
        "urgency": ["«ya» no es una urgencia conocida."],
    }
    assert error.value.fields_in("en") == {
        "subject": ["The subject can be at most 200 characters long."],
        "impact": ["“enorme” is not a known impact."],
        "urgency": ["“ya” is not a known urgency."],
    }
    assert error.value.message("en").startswith("The input is not valid: subject: The subject")
    assert not Ticket.objects.exists()
    assert not IntakeAttempt.objects.exists()
    assert not CreditHold.objects.exists()


def test_a_subject_is_one_line_and_its_acknowledgement_leaves(funded, tuesday_morning):
    """A subject becomes the subject line of every mail about its ticket, where a line break
    is refused (the acknowledgement failed for good): line breaks pasted into it (the API, a
    crafted form) join into spaces, as mail intake does with its headers."""
    pasted = "Correo\ncaído\r\n en\u2028todas las cuentas"
    result = open_portal(funded, subject=pasted)

    assert result.ticket.subject == "Correo caído en todas las cuentas"
    tasks.send_acknowledgement.call(result.ticket.pk)
    assert mail.outbox[-1].subject.endswith("Correo caído en todas las cuentas")


@pytest.mark.parametrize("subject", ["Correo\x00caído", "Correo\x1bcaído", "\x07"])
def test_a_subject_with_control_characters_is_refused_naming_it(funded, subject):
    with pytest.raises(InvalidInput) as error:
        open_portal(funded, subject=subject)

    assert error.value.fields_in("en") == {
        "subject": ["The subject holds invisible control characters; type it again."]
    }
    assert not Ticket.objects.exists()


def test_staff_open_on_behalf_of_a_customer(funded, agent, plan, tuesday_morning):
    plan.allowed_channels = [Channel.EMAIL]
    plan.save()

    result = open_portal(funded, channel=Channel.STAFF, by=agent)

    assert result.accepted
    assert result.ticket.opened_by == agent


# The decision itself (intake_evaluate, channel_decide, scope_check), without opening.


@pytest.mark.parametrize(
    ("entry", "requested", "by_staff", "channel"),
    [
        (Channel.PORTAL, None, False, Channel.PORTAL),
        (Channel.EMAIL, "", False, Channel.EMAIL),
        (Channel.PORTAL, None, True, Channel.STAFF),
        (Channel.API, "", True, Channel.STAFF),
        (Channel.PORTAL, Channel.PORTAL, False, Channel.PORTAL),
        (Channel.PORTAL, Channel.PHONE, True, Channel.PHONE),
        (Channel.API, Channel.WHATSAPP, True, Channel.WHATSAPP),
        (Channel.PORTAL, Channel.STAFF, True, Channel.STAFF),
    ],
)
def test_the_entry_point_or_staff_decide_the_channel(entry, requested, by_staff, channel):
    assert channel_decide(entry=entry, requested=requested, by_staff=by_staff) == channel


@pytest.mark.parametrize(
    ("entry", "requested", "by_staff"),
    [
        (Channel.PORTAL, Channel.EMAIL, False),
        (Channel.PORTAL, Channel.PHONE, False),
        (Channel.PORTAL, Channel.PORTAL, True),
        (Channel.API, Channel.EMAIL, True),
    ],
)
def test_a_channel_nobody_may_choose_is_refused_naming_the_field(entry, requested, by_staff):
    with pytest.raises(InvalidInput) as refused:
        channel_decide(entry=entry, requested=requested, by_staff=by_staff)

    assert refused.value.field == "channel"
    [message] = refused.value.fields_in("es")["channel"]
    assert message.startswith(f"No se puede indicar el canal «{requested}» aquí")
    assert f"llegan por {entry};" in message


def test_an_unknown_requester_is_named_by_address_or_a_question_mark(contract):
    with pytest.raises(UnknownRequester) as unknown:
        intake_evaluate(requester=None, channel=Channel.EMAIL, requester_address="x@y.example")
    assert unknown.value.message("en") == ("We do not recognise x@y.example as a customer contact.")

    with pytest.raises(UnknownRequester) as nobody:
        intake_evaluate(requester=None, channel=Channel.EMAIL)
    assert nobody.value.message("en") == "We do not recognise ? as a customer contact."


def test_an_unauthorized_requester_is_named_with_the_customer(contract):
    contact = make_contact(
        customer=contract.customer, can_request=False, email="eva@andino.example"
    )

    with pytest.raises(UnauthorizedRequester) as refused:
        intake_evaluate(requester=contact, channel=Channel.PORTAL)

    assert refused.value.message("en") == (
        f"{contract.customer.legal_name} has not authorised eva@andino.example to open requests."
    )


def test_an_accepted_decision_writes_nothing(funded, contract, tuesday_morning):
    decision, follows_up = intake_evaluate(requester=funded, channel=Channel.PORTAL)

    assert decision.ok
    assert decision.contract == contract
    assert follows_up is None
    assert not IntakeAttempt.objects.exists()
    assert not CreditHold.objects.exists()


def test_the_decision_reads_the_included_hours_of_the_month_asked_about(requester, contract):
    Plan.objects.filter(pk=contract.plan_id).update(
        support_model=Plan.SupportModel.INCLUDED_HOURS_THEN_CREDITS, included_hours=Decimal("1")
    )
    contract.refresh_from_db()
    used_up = datetime(2026, 3, 17, 15, tzinfo=UTC)  # a Tuesday, inside business hours
    allowance_draw(
        contract=contract, reference_type="ticket", reference_id="1", minutes=60, at=used_up
    )
    next_month = datetime(2026, 4, 14, 15, tzinfo=UTC)

    with pytest.raises(InsufficientCredits):  # the hour is used: credits are asked for
        intake_evaluate(requester=requester, channel=Channel.PORTAL, at=used_up)
    decision, _ = intake_evaluate(requester=requester, channel=Channel.PORTAL, at=next_month)
    assert decision.ok
    assert decision.rule is None  # April's hour is still there: no credit gate


def test_no_active_contract_is_refused_before_the_channel(funded, contract, tuesday_morning):
    Contract.objects.filter(pk=contract.pk).update(status="cancelled")

    with pytest.raises(NoActiveContract):
        intake_evaluate(requester=funded, channel=Channel.WHATSAPP)


def test_credits_are_refused_after_the_channel_and_the_scope(requester, contract):
    covered, other = make_service(), make_service(name="Redes")
    contract.services.set([covered])

    with pytest.raises(OutOfScope) as refused:
        intake_evaluate(requester=requester, channel=Channel.PORTAL, service=other)
    assert refused.value.message("en") == "The service “Redes” is not covered by your contract."
    assert refused.value.field == "service"
    with pytest.raises(InsufficientCredits):
        intake_evaluate(requester=requester, channel=Channel.PORTAL, service=covered)
    with pytest.raises(InsufficientCredits):
        intake_evaluate(requester=requester, channel=Channel.PORTAL)


def test_scope_check_takes_no_service_and_a_covered_one(contract):
    covered = make_service()
    contract.services.set([covered])

    scope_check(contract, None)
    scope_check(contract, covered)
    with pytest.raises(OutOfScope):
        scope_check(contract, make_service())


def test_a_channel_the_plan_does_not_take_names_plan_and_channel(funded, plan):
    with pytest.raises(ChannelNotAllowed) as refused:
        intake_evaluate(requester=funded, channel=Channel.WHATSAPP)

    assert refused.value.field == "channel"
    assert refused.value.message("en") == (
        f"The {plan.name} plan does not take requests by WhatsApp."
    )


def test_a_service_that_takes_fewer_channels_names_them(funded, contract):
    service = make_service(name="Hosting", allowed_channels=[Channel.PORTAL, Channel.API])
    contract.services.set([service])

    with pytest.raises(ServiceChannelNotAllowed) as refused:
        intake_evaluate(requester=funded, channel=Channel.EMAIL, service=service)

    assert refused.value.field == "channel"
    assert refused.value.message("en") == (
        "Requests about “Hosting” are taken only by Portal, API, not by Email."
    )


def test_a_phone_call_follows_up_the_number_given_of_the_customers_own_ticket(
    funded, plan, tuesday_morning
):
    plan.phone_requires_ticket_number = True
    plan.allowed_channels = [Channel.PORTAL, Channel.EMAIL, Channel.API, Channel.PHONE]
    plan.save()
    first = open_portal(funded).ticket
    second = open_portal(funded).ticket
    stranger = make_contact(customer=make_contract(plan=plan).customer)
    top_up(stranger.customer, 5)
    theirs = open_portal(stranger).ticket

    _decision, follows_up = intake_evaluate(
        requester=funded, channel=Channel.PHONE, existing_ticket_number=first.number
    )
    assert follows_up == first
    _decision, follows_up = intake_evaluate(
        requester=funded,
        channel=Channel.PHONE,
        existing_ticket_number=first.number,
        follows_up=second,
    )
    assert follows_up == second
    with pytest.raises(PhoneNeedsTicketNumber) as refused:
        intake_evaluate(
            requester=funded, channel=Channel.PHONE, existing_ticket_number=theirs.number
        )
    assert refused.value.field == "existing_ticket_number"
    assert refused.value.message("en").startswith(f"The {plan.name} plan takes phone calls")


def test_a_phone_call_without_the_rule_needs_no_number(funded, plan, tuesday_morning):
    plan.allowed_channels = [Channel.PORTAL, Channel.PHONE]
    plan.save()

    decision, follows_up = intake_evaluate(requester=funded, channel=Channel.PHONE)

    assert (decision.ok, follows_up) == (True, None)


def test_a_service_the_provider_does_not_bill_needs_no_credits(requester, contract):
    service = make_service(billed=False)
    contract.services.set([service])

    decision, _follows_up = intake_evaluate(
        requester=requester, channel=Channel.PORTAL, service=service
    )

    assert decision.ok
