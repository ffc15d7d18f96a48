"""Intake throughput: accepted requests per second through `tickets.services.intake.ticket_open`.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/anything uv run python bench/intake.py
    uv run python bench/intake.py            # SQLite (the embedded default)

8 worker processes open portal requests for --seconds: first each on its own customer, then
all on one shared customer (whose credit account row every intake locks). Every intake runs
the whole path: requester and contract checks, solvency under the account lock, the hold,
the ticket number, two SLA clocks on a business calendar, the event and the message rows
(the acknowledgement is a task row; its mail goes to the locmem backend). The ledger is
verified afterwards. Then the same two phases for the peer, `plain_sql_step`: the same reads
and writes in one transaction on the database driver, no ORM. The last line,
`intake_ratio_to_plain_sql`, is Creditdesk over the peer, the lower of the two phases.
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


# The plain-SQL peer: the same reads and writes as one Creditdesk intake, in one transaction
# on the database driver (sqlite3 / psycopg, no ORM), with what Creditdesk also keeps per
# process (a policy version's matrix and targets, a calendar version's business hours) kept
# the same way. It skips what a hand-written intake would skip: model validation, the
# refusal order's other checks, the event bus. The acknowledgement task's row is written in
# the transaction, as Creditdesk does; after the commit, the reads Creditdesk's receivers
# make: the webhook endpoints (Creditdesk reads them inside the transaction) and whether the
# customer's auto top-up is on (billing's check when available credits change).
_PEER_READS = {
    "contract": """
        SELECT c.id, p.sla_policy_id, c.min_billable_credits, p.min_billable_credits,
               c.min_available_credits, p.min_available_credits
        FROM contracts_contract c JOIN contracts_plan p ON p.id = c.plan_id
        WHERE c.customer_id = %s AND c.status IN ('active', 'suspended')
        ORDER BY c.starts_on DESC, c.id DESC LIMIT 1""",
    "insolvent": """
        SELECT 1 FROM billing_invoice WHERE insolvent_on <= %s AND kind = 'invoice'
        AND status = 'issued' AND customer_id = %s LIMIT 1""",
    "account": """
        SELECT id, balance, held FROM credits_creditaccount WHERE customer_id = %s
        ORDER BY id LIMIT 1{lock}""",
    "policy": """
        SELECT v.id, v.warning_percent, cv.id
        FROM sla_slapolicyversion v JOIN sla_calendarversion cv ON cv.calendar_id = v.calendar_id
        WHERE v.policy_id = %s ORDER BY v.number DESC, cv.number DESC LIMIT 1""",
}
_PEER_WRITES = {
    "ticket": """
        INSERT INTO tickets_ticket (customer_id, contract_id, requester_id, channel, subject,
            description, impact, urgency, priority, priority_override_reason,
            suggested_priority, status, resolution_level, referred_to,
            unanswered_info_requests, billed_minutes, billed_credits, charge_explanation,
            charge_explanation_en, opened_at, outcome, outcome_alternative, outcome_quote_number)
        VALUES (%s, %s, %s, 'portal', 'Bench', '', 'medium', 'medium', %s, '', '',
            'acknowledged', 1, '', 0, 0, 0, '', '', %s, '', '', '') RETURNING id""",
    "hold": """
        INSERT INTO credits_credithold (account_id, credits, status, available_after,
            reference_type, reference_id, created_at)
        VALUES (%s, %s, 'active', %s, 'tickets.ticket', %s, %s) RETURNING id""",
    "held": "UPDATE credits_creditaccount SET held = held + %s WHERE id = %s",
    "number": "UPDATE tickets_ticket SET number = %s, hold_id = %s WHERE id = %s",
    "message": """
        INSERT INTO tickets_message (ticket_id, direction, channel, author_contact_id, body,
            asks_for_information, email_message_id, created_at)
        VALUES (%s, 'inbound', 'portal', %s, 'Bench', %s, '', %s)""",
    "event": """
        INSERT INTO tickets_ticketevent (ticket_id, kind, from_value, to_value, reason,
            reason_en, at)
        VALUES (%s, 'status', 'new', 'acknowledged', 'intake:portal', '', %s)""",
    "clocks": """
        INSERT INTO sla_slaclock (subject, label, kind, priority, policy_version_id,
            calendar_version_id, target, warning_percent, state, started_at, measured_at,
            elapsed, due_at, warn_at, cycle, notify_emails)
        VALUES {rows} RETURNING id""",
    "clock_events": """
        INSERT INTO sla_slaclockevent (clock_id, kind, at, elapsed, due_at, note, created_at)
        VALUES {rows}""",
    "task": """
        INSERT INTO django_tasks_database_dbtaskresult (id, status, enqueued_at, args_kwargs,
            priority, task_path, worker_ids, queue_name, backend_name, run_after,
            exception_class_path, traceback)
        VALUES (%s, 'READY', %s, %s, 0, 'tickets.tasks.send_acknowledgement', '[]',
            'default', 'default', %s, '', '')""",
    "endpoints": "SELECT id, url, events FROM webhooks_webhookendpoint WHERE is_active ORDER BY id",
    "auto_top_up": "SELECT id FROM billing_autotopup WHERE customer_id = %s AND enabled LIMIT 1",
}


def plain_sql_step(contact_id: int):
    """The peer's intake for one contact, on a connection of its own."""
    import json
    import uuid
    from decimal import Decimal

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from contracts.models import Contact
    from sla.calendars import add_business_time
    from sla.models import CalendarVersion, SlaPolicyVersion
    from sla.selectors import calendar_value, policy_rules

    contact = Contact.objects.get(pk=contact_id)
    customer_id = contact.customer_id
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        import sqlite3

        db = sqlite3.connect(
            settings.DATABASES["default"]["NAME"], timeout=20, isolation_level=None
        )
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    else:
        import psycopg

        params = connection.get_connection_params()
        db = psycopg.connect(**params, autocommit=True)
    lock = "" if sqlite else " FOR UPDATE"
    sql = {name: text.format(lock=lock) for name, text in _PEER_READS.items()}
    sql |= _PEER_WRITES
    if sqlite:
        sql = {name: text.replace("%s", "?") for name, text in sql.items()}
    # What Creditdesk keeps per process, kept alike: versions never change once published.
    rules_of: dict[int, tuple] = {}
    calendars: dict[int, object] = {}

    def text(value):
        # Django keeps SQLite times as naive UTC text and durations as microseconds.
        return value.replace(tzinfo=None).isoformat(sep=" ") if sqlite else value

    def span(value: timedelta):
        return value // timedelta(microseconds=1) if sqlite else value

    def step() -> bool:
        now = timezone.now()
        cursor = db.cursor()
        cursor.execute("BEGIN IMMEDIATE" if sqlite else "BEGIN")
        contract_id, policy_id, *minimums = cursor.execute(
            sql["contract"], (customer_id,)
        ).fetchone()
        if cursor.execute(sql["insolvent"], (now.date().isoformat(), customer_id)).fetchone():
            cursor.execute("ROLLBACK")
            return False
        account_id, balance, held = cursor.execute(sql["account"], (customer_id,)).fetchone()
        version_id, warning_percent, calendar_version_id = cursor.execute(
            sql["policy"], (policy_id,)
        ).fetchone()
        if version_id not in rules_of:
            rules = policy_rules(SlaPolicyVersion.objects.get(pk=version_id))
            rules_of[version_id] = (rules.matrix, rules.targets)
            calendars[calendar_version_id] = calendar_value(
                CalendarVersion.objects.get(pk=calendar_version_id)
            )
        matrix, targets = rules_of[version_id]
        calendar = calendars[calendar_version_id]
        priority = matrix.get(("medium", "medium"), "p3")
        billable = Decimal(str(minimums[0] if minimums[0] is not None else minimums[1]))
        needed = max(
            billable, Decimal(str(minimums[2] if minimums[2] is not None else minimums[3]))
        )
        available = Decimal(str(balance)) - Decimal(str(held))
        if available < needed:
            cursor.execute("ROLLBACK")
            return False
        ticket_id = cursor.execute(
            sql["ticket"], (customer_id, contract_id, contact_id, priority, text(now))
        ).fetchone()[0]
        hold_id = cursor.execute(
            sql["hold"],
            (account_id, billable, available - billable, str(ticket_id), text(now)),
        ).fetchone()[0]
        cursor.execute(sql["held"], (billable, account_id))
        number = f"T-{now.year}-{ticket_id:06d}"
        cursor.execute(sql["number"], (number, hold_id, ticket_id))
        cursor.execute(sql["message"], (ticket_id, contact_id, False, text(now)))
        cursor.execute(sql["event"], (ticket_id, text(now)))
        target = targets[priority]
        clocks = []
        for kind, duration in (
            ("response", target.first_response),
            ("resolution", target.resolution),
        ):
            due = add_business_time(now, duration, calendar)
            warn = add_business_time(now, duration * warning_percent // 100, calendar)
            clocks.append((kind, duration, due, warn))
        placeholders = "(" + ", ".join(["%s"] * 16) + ")"
        rows = ", ".join([placeholders] * len(clocks))
        values = []
        for kind, duration, due, warn in clocks:
            values += [f"ticket:{ticket_id}", number, kind, priority, version_id,
                       calendar_version_id, span(duration), warning_percent, "running",
                       text(now), text(now), span(timedelta(0)), text(due), text(warn), 1,
                       "[]"]  # fmt: skip
        query = sql["clocks"].format(rows=rows)
        clock_ids = [row[0] for row in cursor.execute(
            query.replace("%s", "?") if sqlite else query, values
        ).fetchall()]  # fmt: skip
        event_rows = ", ".join(["(%s, 'start', %s, %s, %s, '', %s)"] * len(clocks))
        event_values = []
        for clock_id, (_kind, _duration, due, _warn) in zip(clock_ids, clocks, strict=True):
            event_values += [clock_id, text(now), span(timedelta(0)), text(due), text(now)]
        query = sql["clock_events"].format(rows=event_rows)
        cursor.execute(query.replace("%s", "?") if sqlite else query, event_values)
        # The acknowledgement task's row, in the transaction as Creditdesk writes it.
        task = (uuid.uuid4().hex if sqlite else uuid.uuid4(), text(now),
                json.dumps({"args": [ticket_id], "kwargs": {}}), text(now))  # fmt: skip
        cursor.execute(sql["task"], task)
        cursor.execute("COMMIT")
        cursor.execute(sql["endpoints"]).fetchall()
        cursor.execute(sql["auto_top_up"], (customer_id,)).fetchone()
        return True

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

    peer_distinct = per_second(plain_sql_step, [(c,) for c in contacts], seconds=args.seconds)
    print(f"plain_sql_intakes_per_s_distinct_customers: {peer_distinct:.0f}")
    peer_shared = per_second(plain_sql_step, [(contacts[0],)] * args.workers, seconds=args.seconds)
    print(f"plain_sql_intakes_per_s_shared_customer: {peer_shared:.0f}")
    print(
        f"ratio_distinct: {distinct / peer_distinct:.2f}, ratio_shared: {shared / peer_shared:.2f}"
    )
    # The target's figure: Creditdesk over the plain-SQL peer, the lower of the two phases.
    print(f"intake_ratio_to_plain_sql: {min(distinct / peer_distinct, shared / peer_shared):.2f}")


if __name__ == "__main__":
    main()
