"""The month's SLA compliance report, mailed to the customer on the first business day of
the next month, in the customer's calendar, once per contract and month.

The customer's calendar is the business calendar of its plan's SLA policy; a plan without
one, or whose policy runs around the clock (24x7: every day would be "business"), counts
Monday to Friday with the public holidays of the customer's country, in the customer's time
zone. The daily job (`manage.py mail_sla_reports`) enqueues `creditdesk.tasks.send_sla_report`
for each contract whose customer's first business day of the month has come and whose
previous month's report was not mailed yet; a job that was down on that day mails it on its
next run within the month. It lives in the top layer because the report reads tickets, SLA
and credits together; the mail itself goes through `billing.notifications` (recipients,
languages, exactly once, the customer's mail log).
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from background.models import SentMail
from billing.notifications import (
    PDF,
    SLA_REPORT_KIND,
    customer_mail_send,
    mail_about,
)
from contracts.models import Contract, Customer
from contracts.transitions import LIVE
from core.formatting import document_locale, format_date, format_share
from creditdesk.reports.data import month_bounds, sla_report_data
from creditdesk.reports.rendering import sla_report_pdf
from sla.calendars import Calendar
from sla.selectors import calendar_current_version, calendar_value, policy_current_version

OFFICE_HOURS = {weekday: [("09:00", "17:00")] for weekday in range(5)}


def office_calendar(customer: Customer) -> Calendar:
    """Monday to Friday with the public holidays of the customer's country (none where the
    holidays library does not know the country), in the customer's zone."""
    try:
        return Calendar.build(customer.time_zone, OFFICE_HOURS, country=customer.country)
    except ValueError:
        return Calendar.build(customer.time_zone, OFFICE_HOURS)


def customer_calendar(contract: Contract) -> Calendar:
    """The calendar whose business days count for `contract`'s customer (see module)."""
    plan = contract.plan
    version = policy_current_version(plan.sla_policy_id) if plan.sla_policy_id else None
    if version is not None:
        calendar = calendar_value(calendar_current_version(version.calendar))
        if not calendar.always_open:
            return calendar
    return office_calendar(contract.customer)


def first_business_day(calendar: Calendar, month: date) -> date:
    """The first day of `month` on which `calendar` opens (the month's first day if it never
    does: a broken calendar still gets its report)."""
    first, last = month_bounds(month)
    day = first
    while day <= last:
        if calendar.windows_on(day):
            return day
        day += timedelta(days=1)
    return first


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def report_about(contract: Contract, month: date) -> str:
    return mail_about(contract.customer_id, "contract", contract.pk, f"{month:%Y-%m}")


def sla_reports_due(*, now: datetime | None = None) -> list[tuple[int, str]]:
    """(contract, "YYYY-MM") for each live contract that ran during the month before its
    customer's current month, once that customer's first business day of the month has come
    and the report was not mailed yet. One calendar read per plan
    (and customer zone and country)."""
    now = now or timezone.now()
    calendars: dict[tuple[int, str, str], Calendar] = {}
    due: dict[str, tuple[int, str]] = {}
    contracts = Contract.objects.filter(status__in=LIVE).select_related("customer", "plan")
    for contract in contracts.order_by("pk"):
        today = now.astimezone(contract.customer.time_zone_info).date()
        month = previous_month(today)
        _first, last = month_bounds(month)
        if contract.starts_on > last or (contract.ends_on and contract.ends_on < month):
            continue
        key = (contract.plan_id, contract.customer.time_zone, contract.customer.country)
        if key not in calendars:
            calendars[key] = customer_calendar(contract)
        if today < first_business_day(calendars[key], today):
            continue
        due[report_about(contract, month)] = (contract.pk, f"{month:%Y-%m}")
    sent = set(
        SentMail.objects.filter(kind=SLA_REPORT_KIND, about__in=list(due)).values_list(
            "about", flat=True
        )
    )
    return [pair for about, pair in due.items() if about not in sent]


def send_sla_report(contract_id: int, month: str) -> int:
    """Mail `month`'s ("YYYY-MM") SLA compliance report of a contract, its PDF attached in
    each reader's language, to the customer's billing address and authorized contacts. The
    report is computed once; each language's PDF is rendered once, and only for a reader
    still waiting for it. Returns the mails sent now."""
    contract = Contract.objects.select_related("customer", "plan").get(pk=contract_id)
    first, last = month_bounds(month)
    report = sla_report_data(contract=contract, period_start=first, period_end=last)
    overall = report.compliance.overall

    def month_name(language: str) -> str:
        return format_date(first, locale=document_locale(language), pattern="MMMM y")

    def share(value):
        return lambda language: format_share(value, locale=document_locale(language))

    return customer_mail_send(
        customer=contract.customer,
        kind=SLA_REPORT_KIND,
        about=report_about(contract, first),
        subject=(
            f"Informe de cumplimiento del SLA: {month_name('es')}",
            f"SLA compliance report: {month_name('en')}",
        ),
        template="reports/email/sla_report",
        context={
            "contract": contract,
            "plan": contract.plan.name,
            "month": month_name,
            "tickets": overall.tickets,
            "response_share": share(overall.response_share),
            "resolution_share": share(overall.resolution_share),
            "has_response": overall.response_share is not None,
            "has_resolution": overall.resolution_share is not None,
            "breaches": len(report.compliance.breaches),
            "url": settings.SITE_URL + reverse("web:sla-report-pdf", args=[f"{first:%Y-%m}"]),
        },
        attachments=lambda language: [
            (f"SLA-{first:%Y-%m}.pdf", sla_report_pdf(report, language=language), PDF)
        ],
    )
