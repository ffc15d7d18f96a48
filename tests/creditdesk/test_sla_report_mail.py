"""The month's SLA compliance report mailed on the customer's first business day of the next
month: which day that is (holidays, closures, zones), once per contract and month, its PDF
in each reader's language."""

import io
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from billing.documents.store import pdf_text
from billing.notifications import SLA_REPORT_KIND, billing_mails_of
from creditdesk.reports.mailing import (
    customer_calendar,
    first_business_day,
    send_sla_report,
    sla_reports_due,
)
from sla.calendars import Calendar
from tests.factories import make_contact, make_contract, make_customer, make_plan
from tests.sla.factories import BOGOTA_HOURS, make_calendar, make_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel("2026-12-20T15:00:00Z", tick=False) as traveller:
        yield traveller


def mail_reports(capture) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("mail_sla_reports", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        ("2027-01-01T15:00:00Z", False),  # New Year's Day, a holiday in Colombia (a Friday)
        ("2027-01-03T15:00:00Z", False),  # Sunday
        ("2027-01-04T04:59:00Z", False),  # still Sunday 23:59 in Bogotá
        ("2027-01-04T05:00:00Z", True),  # Monday 00:00 in Bogotá: the first business day
        ("2027-01-20T15:00:00Z", True),  # a job down that day mails it later in the month
    ],
)
def test_the_report_is_due_from_the_first_business_day_of_the_customers_month(clock, moment, due):
    contract = make_contract(starts_on=date(2026, 11, 1))  # no SLA policy: office calendar
    clock.move_to(moment)

    assert sla_reports_due() == ([(contract.pk, "2026-12")] if due else [])


def test_the_first_business_day_follows_the_policy_calendar_and_its_closures(clock):
    # given the plan's SLA calendar closes the office on Monday 4 January 2027
    closed = Calendar.build(
        "America/Bogota", BOGOTA_HOURS, country="CO", closures=[(date(2027, 1, 4), "Inventario")]
    )
    policy = make_policy(calendar=make_calendar("cierre", calendar=closed)).policy
    contract = make_contract(plan=make_plan(sla_policy=policy), starts_on=date(2026, 11, 1))

    assert first_business_day(customer_calendar(contract), date(2027, 1, 1)) == date(2027, 1, 5)
    clock.move_to("2027-01-04T15:00:00Z")
    assert sla_reports_due() == []
    clock.move_to("2027-01-05T15:00:00Z")
    assert sla_reports_due() == [(contract.pk, "2026-12")]


def test_a_24x7_policy_counts_office_days_of_the_customers_country(clock):
    # calendar values are cached by version id and creation time: a moment of its own
    clock.move_to("2026-12-21T10:00:00Z")
    always = Calendar.build("America/Bogota", always_open=True)
    policy = make_policy(slug="nocturna", calendar=make_calendar("24x7", calendar=always)).policy
    contract = make_contract(plan=make_plan(sla_policy=policy))

    assert first_business_day(customer_calendar(contract), date(2027, 1, 1)) == date(2027, 1, 4)


def test_the_customers_zone_decides_the_day(clock):
    # 2 February 2027 is a Tuesday; at 23:30 UTC on the 1st it is already the 2nd in Tokyo
    tokyo = make_contract(
        make_customer(time_zone="Asia/Tokyo", country="JP"), starts_on=date(2026, 1, 1)
    )
    bogota = make_contract(starts_on=date(2026, 1, 1))
    clock.move_to("2027-02-01T23:30:00Z")

    assert sla_reports_due() == [(tokyo.pk, "2027-01"), (bogota.pk, "2027-01")]


def test_no_report_for_a_month_the_contract_did_not_run(clock):
    make_contract(starts_on=date(2027, 1, 2))
    make_contract(starts_on=date(2026, 1, 1), ends_on=date(2026, 11, 30))
    clock.move_to("2027-01-04T15:00:00Z")

    assert sla_reports_due() == []


@pytest.mark.parametrize(
    ("language", "subject", "lines", "title"),
    [
        (
            "es",
            "Informe de cumplimiento del SLA: diciembre 2026",
            [
                "Le enviamos el informe de cumplimiento del SLA de diciembre 2026",
                "Incumplimientos: 0.",
            ],
            "Informe de cumplimiento de SLA",
        ),
        (
            "en",
            "SLA compliance report: December 2026",
            ["Attached is the SLA compliance report for December 2026", "Breaches: 0."],
            "SLA compliance report",
        ),
    ],
)
def test_the_report_mail_in_each_language_with_its_pdf_once(
    clock, django_capture_on_commit_callbacks, language, subject, lines, title
):
    customer = make_customer(language=language, legal_name="Andina S.A.S.")
    contract = make_contract(customer, plan=make_plan(name="Nivel 2"), starts_on=date(2026, 1, 1))
    clock.move_to("2027-01-04T15:00:00Z")

    assert "1 reports enqueued" in mail_reports(django_capture_on_commit_callbacks)
    assert "0 reports enqueued" in mail_reports(django_capture_on_commit_callbacks)
    assert send_sla_report(contract.pk, "2026-12") == 0  # the task again

    (message,) = mail.outbox
    assert message.to == [customer.billing_email]
    assert message.subject == subject
    for line in lines:
        assert line in message.body
    assert "/portal/sla-reports/2026-12/pdf/" in message.body
    ((name, data, mimetype),) = message.attachments
    assert (name, mimetype) == ("SLA-2026-12.pdf", "application/pdf")
    text = pdf_text(data)
    assert title in text
    assert "Andina S.A.S." in text


def test_each_contact_gets_the_pdf_in_their_language_and_the_mail_is_listed(
    clock, django_capture_on_commit_callbacks
):
    customer = make_customer()
    make_contact(customer, email="cto@cliente.example", language="en")
    contract = make_contract(customer, starts_on=date(2026, 1, 1))
    clock.move_to("2027-01-04T15:00:00Z")

    assert send_sla_report(contract.pk, "2026-12") == 2

    titles = {message.to[0]: pdf_text(message.attachments[0][1]) for message in mail.outbox}
    assert "SLA compliance report" in titles["cto@cliente.example"]
    assert "Informe de cumplimiento de SLA" in titles[customer.billing_email]
    listed = billing_mails_of(customer=customer)
    assert {(m.kind, m.month, m.recipient) for m in listed} == {
        (SLA_REPORT_KIND, date(2026, 12, 1), "cto@cliente.example"),
        (SLA_REPORT_KIND, date(2026, 12, 1), customer.billing_email),
    }
    assert listed[0].what == "Informe de cumplimiento del SLA de diciembre 2026"
