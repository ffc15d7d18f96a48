"""Monthly billing run throughput: contracts invoiced per second and queries per contract.

    uv run python bench/billing_run.py                      # SQLite (the embedded default)
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/anything uv run python bench/billing_run.py

Builds its own database (PostgreSQL: `creditdesk_bench_billing` on the server DATABASE_URL
names; SQLite: var/bench-billing.sqlite3), migrates it, creates --contracts active contracts
(bulk_create; each with the Nivel 3 fee, one in ten with an on-site surcharge), then runs
`billing_run` for last month through the service, as `manage.py run_billing` does (batches
of --batch-size contracts, one transaction each; the mails' task rows go to the embedded task
backend, as in production), and runs it a second time to show it issues nothing new. Prints
contracts/s and queries per contract, and the ratio to issue 21's target (1,000/s on SQLite,
500/s on PostgreSQL) as its last line. Dev data is not touched.
"""

import argparse
import os
import time
from datetime import timedelta

from _common import prepare_database, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=None)
    args = parser.parse_args()
    vendor, _url = prepare_database("billing")
    setup_django()
    from django.db import connection
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult
    from djmoney.money import Money

    from billing.models import Invoice, OnsiteCharge
    from billing.services.run import BATCH, Period, billing_run
    from contracts.models import Contract, Customer, Plan

    # The last month over in every time zone, as the scheduler's run at 12:00 UTC on the 1st
    # bills it (the run refuses a month not over for some customer).
    today = timezone.localdate(timezone.now() - timedelta(hours=12))
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    period = Period.parse(f"{last_month:%Y-%m}")

    started = time.perf_counter()
    plan = Plan.objects.create(
        code="nivel-3",
        name="Nivel 3",
        currency="COP",
        monthly_fee=Money("120900", "COP"),
        credit_price=Money("95000", "COP"),
        onsite_surcharge=Money("50000", "COP"),
    )
    customers = Customer.objects.bulk_create(
        Customer(
            legal_name=f"Cliente {n} S.A.S.",
            tax_id=f"900{n:07d}",
            country="CO",
            currency="COP",
            billing_email=f"facturas{n}@cliente.example",
            address="Calle 100 # 10-20, Bogotá",
        )
        for n in range(args.contracts)
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            customer=customer,
            plan=plan,
            status=Contract.Status.ACTIVE,
            starts_on=period.start - timedelta(days=90),
        )
        for customer in customers
    )
    OnsiteCharge.objects.bulk_create(
        OnsiteCharge(
            contract=contract,
            performed_on=period.start + timedelta(days=9),
            description="Visita en sitio",
            amount=Money("50000", "COP"),
        )
        for contract in contracts[::10]
    )
    print(
        f"database: {vendor}; {args.contracts} contracts created in "
        f"{time.perf_counter() - started:.1f} s"
    )

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        load_before = os.getloadavg()[0]
        cpu = time.process_time()
        started = time.perf_counter()
        summary = billing_run(period=period, batch_size=args.batch_size or BATCH)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
    for line in summary.lines()[:1]:
        print(line)
    invoiced = Invoice.objects.filter(period_start=period.start).count()
    numbers = sorted(
        Invoice.objects.filter(period_start=period.start).values_list("number", flat=True)
    )
    gapless = numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else True
    mails = DBTaskResult.objects.filter(task_path="billing.tasks.send_invoice_issued").count()
    print(f"invoices of {period}: {invoiced}, numbers gapless: {gapless}, mail tasks: {mails}")
    rate = args.contracts / elapsed
    per_contract = queries / args.contracts
    print(
        f"run: {elapsed:.1f} s, {rate:.0f} contracts/s, "
        f"{per_contract:.3f} queries per contract ({queries} in all), "
        f"batches of {args.batch_size or BATCH}"
    )
    print(
        f"client CPU: {cpu:.1f} s ({1000 * cpu / args.contracts:.2f} ms per contract); "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )

    started = time.perf_counter()
    again = billing_run(period=period)
    print(
        f"second run: {again.issued} issued, {again.already_invoiced} already invoiced, "
        f"{time.perf_counter() - started:.1f} s"
    )
    target = TARGETS[vendor]
    print(f"target: {target} contracts/s on {vendor}, queries per contract below 2")
    print(f"contracts_per_second: {rate:.0f}")
    print(f"queries_per_contract: {per_contract:.3f}")
    print(f"billing_run_ratio_to_target: {rate / target:.2f}")


# Issue 21, target 2: contracts per second for 10,000 contracts.
TARGETS = {"sqlite": 1000, "postgresql": 500}


if __name__ == "__main__":
    main()
