"""Intake throughput: accepted requests per second through `tickets.services.intake.ticket_open`.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/anything uv run python bench/intake.py
    uv run python bench/intake.py            # SQLite (the embedded default)

8 worker processes open portal requests for --seconds: first each on its own customer, then
all on one shared customer (whose credit account row every intake locks). Every intake runs
the whole path: requester and contract checks, solvency under the account lock, the hold,
the ticket number, two SLA clocks on a business calendar, the event and the message rows
(the acknowledgement mail goes to the locmem backend). The ledger is verified afterwards.
"""

import argparse
from datetime import timedelta
from urllib.parse import urlsplit

from _common import per_second, prepare_database, setup_django


def create_customers(count: int) -> list[int]:
    """Customers on a seed-001-like plan, each with an authorized contact and ample credits."""
    from django.utils import timezone

    from contracts.models import Contact, Contract, Customer, Plan
    from credits.services import credit_account_get_or_create, credits_top_up
    from sla.calendars import Calendar
    from sla.choices import Priority
    from sla.services.setup import TargetSpec, calendar_publish, policy_publish

    hours = {day: [("08:00", "12:00"), ("13:00", "16:30")] for day in range(5)}
    calendar = calendar_publish(
        slug="bench", name="Bench", calendar=Calendar.build("America/Bogota", hours, country="CO")
    ).calendar
    targets = {p: TargetSpec(timedelta(hours=2), timedelta(hours=8)) for p in Priority.values}
    policy = policy_publish(slug="bench", name="Bench", calendar=calendar, targets=targets)
    plan = Plan.objects.create(code="bench", name="Bench", currency="COP", sla_policy=policy.policy)
    contact_ids = []
    for n in range(count):
        customer = Customer.objects.create(
            legal_name=f"Bench {n}",
            tax_id=f"B{n:06d}",
            country="CO",
            currency="COP",
            billing_email=f"bench{n}@example.com",
        )
        Contract.objects.create(
            customer=customer, plan=plan, status="active", starts_on=timezone.localdate()
        )
        contact = Contact.objects.create(
            customer=customer, name=f"Bench {n}", email=f"c{n}@example.com", can_request=True
        )
        credits_top_up(account=credit_account_get_or_create(customer=customer), credits="900000")
        contact_ids.append(contact.pk)
    return contact_ids


def intake_step(contact_id: int):
    from django.conf import settings

    from contracts.models import Contact
    from tickets.services.intake import ticket_open

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    contact = Contact.objects.select_related("customer").get(pk=contact_id)

    def step() -> bool:
        return ticket_open(channel="portal", requester=contact, subject="Bench").accepted

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    vendor, url = prepare_database("intake")
    setup_django()
    contacts = create_customers(args.workers)
    where = urlsplit(url)
    print(f"database: {vendor} {where.hostname or ''}:{where.port or ''}{where.path}")
    print(f"workers: {args.workers} processes, {args.seconds:g} s per phase")

    distinct = per_second(intake_step, [(c,) for c in contacts], seconds=args.seconds)
    print(f"accepted_intakes_per_s_distinct_customers: {distinct:.0f}")
    shared = per_second(intake_step, [(contacts[0],)] * args.workers, seconds=args.seconds)
    print(f"accepted_intakes_per_s_shared_customer: {shared:.0f}")

    from credits.selectors import ledger_verify
    from tickets.models import IntakeAttempt, Ticket

    print(f"tickets: {Ticket.objects.count()}, refusals: {IntakeAttempt.objects.count()}")
    verification = ledger_verify()
    print(f"ledger: {verification.summary()}")
    print(f"shared_to_distinct_ratio: {shared / distinct:.2f}")


if __name__ == "__main__":
    main()
