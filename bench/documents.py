"""Documents: invoice PDFs per second, an SLA report of 5,000 tickets, a 100,000-line export.

    uv run python bench/documents.py                      # SQLite (the embedded default)
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/x uv run python bench/documents.py

Builds its own database (PostgreSQL: `creditdesk_bench_documents` on the server DATABASE_URL
names; SQLite: var/bench-documents.sqlite3), so dev data is untouched. Three parts:

(a) --invoices issued one-page invoices (three lines each, made through billing's services)
    rendered through Creditdesk's path -- read the invoice for its snapshot (three queries),
    build the HTML (`invoice_html`), WeasyPrint (`html_to_pdf`); exactly what
    `invoice_pdf_bytes` does, timed in its steps -- and, interleaved invoice by invoice so
    a loaded machine weighs on both alike, WeasyPrint alone on the already-built HTML of the
    same invoice. Prints PDFs per second and the ratio Creditdesk / WeasyPrint alone.
(b) The SLA compliance report (`sla_report_data`, then `sla_report_pdf`) of one contract
    with --tickets tickets opened last month. The tickets and their two SLA clocks each are
    seeded with bulk_create, with figures a month of real work would leave (most targets
    met, some breached after the stop, a few breached or paused while open): opening 5,000
    tickets through intake would take minutes (about 15 intakes/s here, bench/README.md) and
    measure intake, not the report. The report only reads the rows, so the rows are enough;
    the clocks' business times are drawn, not recomputed on the calendar.
(c) The finance export of --export-invoices issued invoices x --lines-per-invoice lines
    (100,000 lines by default) as CSV, then as XLSX: time, then peak Python memory
    (tracemalloc) in a second run, because tracing slows the run it measures, against the
    peak for half of the range: the bench stops with an error if the whole range needs half
    as much again (constant memory). Half, not less: a smaller range does not fill the
    streamed queries' chunks of 2,000 rows, and the chunks are most of the peak.
    Seeded with bulk_create: Invoice.save refuses to change an issued invoice and, on
    PostgreSQL, a trigger refuses lines on a non-draft invoice, so the invoices are
    inserted as drafts with their final amounts and buyer, their lines inserted, and then
    issued by one UPDATE per issue day (status, series, number, dates) -- the fields
    `invoice_issue` sets, without its one transaction per invoice.
"""

import argparse
import io
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from zoneinfo import ZoneInfo

from _common import prepare_database, setup_django

ZONE = ZoneInfo("America/Bogota")


def last_month() -> tuple[date, date]:
    from django.utils import timezone

    first_of_this = timezone.localdate().replace(day=1)
    end = first_of_this - timedelta(days=1)
    return end.replace(day=1), end


def make_customer(n: int):
    from contracts.models import Customer

    return Customer.objects.create(
        legal_name=f"Cliente {n} S.A.S.",
        tax_id=f"900{n:06d}-1",
        country="CO",
        currency="COP",
        time_zone="America/Bogota",
        billing_email=f"facturas{n}@cliente.example",
        address="Calle 100 # 10-20\nBogotá D.C., Colombia",
    )


# --- (a) invoice PDFs ---------------------------------------------------------------------------


def issue_one_page_invoices(count: int) -> list[int]:
    from djmoney.money import Money

    from billing.models import InvoiceLine
    from billing.services import invoice_add_line, invoice_create_draft, invoice_issue

    customer = make_customer(1)
    ids = []
    for n in range(count):
        draft = invoice_create_draft(customer=customer)
        for kind, description, price in (
            (InvoiceLine.Kind.PLAN_FEE, "Plan Nivel 3 - cuota mensual", "120900"),
            (InvoiceLine.Kind.ONSITE, "Recargo por visita en sitio", "50000"),
            (InvoiceLine.Kind.OVERDRAFT, f"Sobregiro de créditos ({n % 4 + 1} h)", "95000"),
        ):
            invoice_add_line(
                invoice=draft,
                kind=kind,
                description=description,
                quantity=1,
                unit_price=Money(price, "COP"),
            )
        ids.append(invoice_issue(draft).pk)
    return ids


def bench_invoice_pdfs(ids: list[int]) -> None:
    from billing.documents.snapshot import invoice_snapshot, invoices_for_snapshot
    from billing.pdf import html_to_pdf, invoice_html

    def creditdesk(pk: int) -> tuple[float, float, float, str, bytes]:
        started = time.perf_counter()
        snapshot = invoice_snapshot(invoices_for_snapshot().get(pk=pk))
        read = time.perf_counter()
        html = invoice_html(snapshot, language="es")
        built = time.perf_counter()
        pdf = html_to_pdf(html)
        done = time.perf_counter()
        return read - started, built - read, done - built, html, pdf

    # Warm up both paths: fonts, templates, the first connection.
    html_to_pdf(creditdesk(ids[0])[3])
    htmls = {
        pk: invoice_html(invoice_snapshot(invoices_for_snapshot().get(pk=pk)), language="es")
        for pk in ids
    }
    reads, builds, weasy_in_path, alone = [], [], [], []
    pdf = b""

    def weasyprint_alone(pk: int) -> None:
        started = time.perf_counter()
        html_to_pdf(htmls[pk])
        alone.append(time.perf_counter() - started)

    for index, pk in enumerate(ids):
        # Each document's second rendering finds it warm (WeasyPrint's caches, the CPU's):
        # the two paths take turns going first, so neither always gets the warm one.
        if index % 2:
            weasyprint_alone(pk)
        read, build, render, _html, pdf = creditdesk(pk)
        reads.append(read)
        builds.append(build)
        weasy_in_path.append(render)
        if not index % 2:
            weasyprint_alone(pk)
    total = sum(reads) + sum(builds) + sum(weasy_in_path)
    per_invoice = _sums(reads, builds, weasy_in_path)
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"(a) {len(ids)} issued invoices of three lines ({pages} page each), Spanish")
    print(
        f"    Creditdesk (snapshot -> html -> PDF): {total:.2f} s, "
        f"{len(ids) / total:.2f} PDFs/s, median {statistics.median(per_invoice) * 1000:.0f} ms"
    )
    print(
        f"    WeasyPrint alone on the same HTML:    {sum(alone):.2f} s, "
        f"{len(ids) / sum(alone):.2f} PDFs/s, median {statistics.median(alone) * 1000:.0f} ms"
    )
    # The medians' ratio too: one slow rendering (the machine's, not ours) moves the totals'.
    print(
        f"    ratio Creditdesk / WeasyPrint alone: {total / sum(alone):.3f}, of the medians "
        f"{statistics.median(per_invoice) / statistics.median(alone):.3f} "
        "(target <= 1.1, issue 21)"
    )
    print(
        f"    shares of Creditdesk's time: snapshot read {sum(reads) / total:.1%}, "
        f"HTML build {sum(builds) / total:.1%}, WeasyPrint {sum(weasy_in_path) / total:.1%} "
        f"(snapshot {statistics.median(reads) * 1000:.1f} ms, "
        f"HTML {statistics.median(builds) * 1000:.1f} ms median)"
    )


def _sums(*columns: list[float]) -> list[float]:
    return [sum(values) for values in zip(*columns, strict=True)]


# --- (b) SLA report -----------------------------------------------------------------------------


def seed_sla_month(tickets: int, month_start: date, month_end: date):
    """A contract on a business-hours policy with `tickets` tickets opened in the month and
    their response and resolution clocks, inserted directly (see the module docstring)."""
    from contracts.models import Channel, Contract, Plan
    from credits.services import credit_account_get_or_create, credits_top_up
    from sla.calendars import Calendar
    from sla.choices import Impact, Priority, Urgency
    from sla.models import SlaClock, SlaTarget
    from sla.selectors import calendar_current_version
    from sla.services.setup import TargetSpec, calendar_publish, policy_publish
    from tickets.models import Ticket

    hours = {day: [("08:00", "12:00"), ("13:00", "17:00")] for day in range(5)}
    calendar = calendar_publish(
        slug="bench-documents",
        name="Bogotá hábil",
        calendar=Calendar.build("America/Bogota", hours, country="CO"),
    ).calendar
    hour = timedelta(hours=1)
    version = policy_publish(
        slug="bench-documents",
        name="Nivel 3",
        calendar=calendar,
        targets={
            Priority.P1: TargetSpec(hour / 2, 4 * hour),
            Priority.P2: TargetSpec(hour, 8 * hour),
            Priority.P3: TargetSpec(2 * hour, 16 * hour),
            Priority.P4: TargetSpec(4 * hour, 24 * hour),
        },
    )
    calendar_version = calendar_current_version(calendar)
    targets = {
        (row.priority, kind): getattr(row, field)
        for row in SlaTarget.objects.filter(policy_version=version)
        for kind, field in (("response", "first_response"), ("resolution", "resolution"))
    }
    plan = Plan.objects.create(
        code="bench-documents", name="Soporte Nivel 3", currency="COP", sla_policy=version.policy
    )
    customer = make_customer(2)
    contract = Contract.objects.create(
        customer=customer, plan=plan, status=Contract.Status.ACTIVE, starts_on=date(2025, 1, 1)
    )
    credits_top_up(account=credit_account_get_or_create(customer=customer), credits="500")

    rng = random.Random(7)
    workdays = [
        month_start + timedelta(days=n)
        for n in range((month_end - month_start).days + 1)
        if (month_start + timedelta(days=n)).weekday() < 5
    ]
    priorities = rng.choices(
        [Priority.P1, Priority.P2, Priority.P3, Priority.P4], weights=[5, 20, 45, 30], k=tickets
    )
    rows = []
    for n, priority in enumerate(priorities):
        day = rng.choice(workdays)
        opened_at = datetime.combine(day, clock_time(8), tzinfo=ZONE) + timedelta(
            minutes=rng.randrange(0, 8 * 60)
        )
        rows.append(
            Ticket(
                number=f"T-BENCH-{n + 1:06d}",
                customer=customer,
                contract=contract,
                channel=Channel.PORTAL,
                subject=f"Solicitud {n + 1}",
                impact=Impact.MEDIUM,
                urgency=Urgency.MEDIUM,
                priority=priority,
                status=Ticket.Status.IN_PROGRESS,
                opened_at=opened_at,
            )
        )
    tickets_made = Ticket.objects.bulk_create(rows, batch_size=1000)

    clocks = []
    status_by_ticket = {}
    for ticket in tickets_made:
        for kind, outcomes in (
            ("response", [("met", 93), ("late", 5), ("open_breached", 2)]),
            ("resolution", [("met", 85), ("late", 8), ("open_breached", 4), ("paused", 3)]),
        ):
            target = targets[(ticket.priority, kind)]
            outcome = rng.choices([o for o, _ in outcomes], weights=[w for _, w in outcomes])[0]
            clocks.append(_clock(ticket, kind, target, outcome, version, calendar_version, rng))
            if kind == "resolution":
                status_by_ticket[ticket.pk] = outcome
    SlaClock.objects.bulk_create(clocks, batch_size=1000)
    for outcome, status in (
        ("met", Ticket.Status.RESOLVED),
        ("late", Ticket.Status.CLOSED),
        ("paused", Ticket.Status.WAITING_ON_CUSTOMER),
    ):
        chosen = [pk for pk, value in status_by_ticket.items() if value == outcome]
        # in slices: a statement's parameters, bound on the server, number at most 65,535
        for first in range(0, len(chosen), 10_000):
            Ticket.objects.filter(pk__in=chosen[first : first + 10_000]).update(status=status)
    return contract


def _clock(ticket, kind, target, outcome, version, calendar_version, rng):
    from sla.models import SlaClock

    state = SlaClock.State
    started = ticket.opened_at
    due = started + target
    clock = SlaClock(
        subject=f"ticket:{ticket.pk}",
        label=ticket.number,
        kind=kind,
        priority=ticket.priority,
        policy_version=version,
        calendar_version=calendar_version,
        target=target,
        warning_percent=version.warning_percent,
        started_at=started,
        measured_at=started,
        elapsed=timedelta(0),
        due_at=due,
        warn_at=started + target * version.warning_percent / 100,
    )
    if outcome in ("met", "late"):
        share = rng.uniform(0.05, 0.95) if outcome == "met" else rng.uniform(1.05, 3.0)
        elapsed = timedelta(seconds=round(target.total_seconds() * share))
        clock.state = state.MET if outcome == "met" else state.BREACHED
        clock.elapsed = clock.first_elapsed = elapsed
        clock.stopped_at = clock.first_stopped_at = clock.measured_at = started + elapsed
        clock.first_met = outcome == "met"
        if outcome == "late":
            clock.breached_at = due
    elif outcome == "open_breached":
        clock.state = state.BREACHED
        clock.breached_at = due
        clock.measured_at = due
        clock.elapsed = target
    else:  # paused, waiting on the customer
        clock.state = state.PAUSED
        clock.elapsed = target / 3
        clock.paused_at = clock.measured_at = started + target / 3
    return clock


def bench_sla_report(tickets: int) -> None:
    from weasyprint import HTML

    from creditdesk.reports.data import sla_report_data
    from creditdesk.reports.rendering import sla_report_csv, sla_report_html, sla_report_pdf

    month_start, month_end = last_month()
    started = time.perf_counter()
    contract = seed_sla_month(tickets, month_start, month_end)
    seeded = time.perf_counter() - started

    started = time.perf_counter()
    report = sla_report_data(contract=contract, period_start=month_start)
    data = time.perf_counter() - started
    figures, peer, with_breaches = _compliance_times(contract, month_start, month_end)
    started = time.perf_counter()
    sla_report_csv(report)
    csv_time = time.perf_counter() - started
    # The PDF through Creditdesk (HTML built from the data, then WeasyPrint) and WeasyPrint
    # alone on the same HTML, alternated three times; the best of each.
    html = sla_report_html(report, language="es")
    ours, alone = [], []
    for _ in range(3):
        started = time.perf_counter()
        pdf = sla_report_pdf(report, language="es")
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        HTML(string=html).write_pdf()
        alone.append(time.perf_counter() - started)

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    overall = report.compliance.overall
    print(
        f"(b) SLA report of {month_start:%Y-%m}, one contract, {tickets} tickets "
        f"(seeded in {seeded:.1f} s)"
    )
    print(
        f"    data {data:.3f} s (target 0.25 s); CSV {csv_time:.2f} s with "
        f"{len(report.compliance.breaches)} breaches; {overall.tickets} tickets, response met "
        f"{overall.response_met}/{overall.response_decided}"
    )
    print(
        f"    compliance figures (counts and shares, one query) {figures:.3f} s, the same "
        f"figures in one plain SQL statement (peer) {peer:.3f} s; "
        f"sla_figures_ratio_to_plain_sql: {peer / figures:.2f}; "
        f"sla_figures_ratio_to_target_0_5s: {0.5 / figures:.2f} (target 0.5 s for 100,000 "
        f"tickets on PostgreSQL); with percentiles by priority and every breach "
        f"{with_breaches:.3f} s"
    )
    print(
        f"    PDF {min(ours):.2f} s, WeasyPrint alone on the same HTML {min(alone):.2f} s, "
        f"{pages} pages; sla_pdf_ratio_to_weasyprint: {min(ours) / min(alone):.2f} "
        "(target at most 1.10)"
    )


def _compliance_times(contract, month_start: date, month_end: date) -> tuple[float, float, float]:
    """The month's compliance of the contract, best of three: the counted figures alone (what
    the portal chart and the workspace list read), the same figures from one hand-written
    statement (the peer: a join of the month's tickets to their clocks on the clock's ticket
    number, no ORM), then `sla_compliance` in full."""
    from django.db import connection

    from sla.selectors import sla_compliance, sla_compliance_of_periods
    from tickets.selectors import contract_clocks

    opened_from = datetime.combine(month_start, clock_time(0), tzinfo=ZONE)
    opened_before = datetime.combine(month_end + timedelta(days=1), clock_time(0), tzinfo=ZONE)
    window = (opened_from, opened_before)
    figures, peer, full = [], [], []
    for _ in range(3):
        started = time.perf_counter()
        sla_compliance_of_periods(
            clocks=[contract_clocks(contract, opened_from=opened_from, opened_before=opened_before)]
        )
        figures.append(time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            bounds = [connection.ops.adapt_datetimefield_value(at) for at in window]
            cursor.execute(PEER_FIGURES_SQL, [contract.pk, *bounds])
            cursor.fetchall()
        peer.append(time.perf_counter() - started)
        started = time.perf_counter()
        sla_compliance(
            clocks=contract_clocks(contract, opened_from=opened_from, opened_before=opened_before)
        )
        full.append(time.perf_counter() - started)
    return min(figures), min(peer), min(full)


# The counted figures of one contract's month (`sla_compliance_of_periods`), written by hand.
PEER_FIGURES_SQL = """
SELECT COUNT(DISTINCT c.subject_number),
       COUNT(*) FILTER (WHERE c.kind = 'response' AND c.state IN ('met', 'breached')),
       COUNT(*) FILTER (WHERE c.kind = 'response' AND c.state = 'met'),
       COUNT(*) FILTER (WHERE c.kind = 'resolution' AND c.state IN ('met', 'breached')),
       COUNT(*) FILTER (WHERE c.kind = 'resolution' AND c.state = 'met'),
       COUNT(*) FILTER (WHERE c.kind = 'resolution' AND c.first_elapsed <= c.target)
FROM sla_slaclock c JOIN tickets_ticket t ON t.id = c.subject_number
WHERE substr(c.subject, 1, 7) = 'ticket:' AND c.state <> 'untimed'
  AND t.contract_id = %s AND t.opened_at >= %s AND t.opened_at < %s
"""


def bench_parallel_pdfs(count: int) -> None:
    """(d) `render_pending_pdfs` after a run: `count` issued invoices rendered by one
    process, then again (their PDFs deleted) by one process per core."""
    import os

    from billing.documents.store import invoice_pdfs_render_parallel
    from billing.models import InvoicePdf

    ids = issue_one_page_invoices(count)
    cores = os.cpu_count() or 1
    timings = {}
    for processes in (1, cores):
        for row in InvoicePdf.objects.filter(invoice_id__in=ids):
            row.file.delete(save=False)
            row.delete()
        started = time.perf_counter()
        rendered = sum(invoice_pdfs_render_parallel(processes=processes))
        timings[processes] = time.perf_counter() - started
        if rendered != count:
            raise SystemExit(f"rendered {rendered} of {count}")
    print(
        f"(d) {count} pending invoice PDFs: one process {timings[1]:.1f} s "
        f"({count / timings[1]:.1f}/s), {cores} processes {timings[cores]:.1f} s "
        f"({count / timings[cores]:.1f}/s); "
        f"pdf_parallel_speedup: {timings[1] / timings[cores]:.2f} (target at least 1.8 on 2 cores)"
    )


# --- (c) finance export -------------------------------------------------------------------------


def seed_export(invoices: int, lines_per_invoice: int, month_start: date, month_end: date) -> None:
    """Issued invoices with their lines, inserted directly (see the module docstring)."""
    from django.db.models import F, Max
    from django.utils import timezone
    from djmoney.money import Money

    from billing.models import Invoice, InvoiceLine, InvoiceSeries
    from billing.services import line_amounts

    customers = [make_customer(100 + n) for n in range(100)]
    prices = [Money(value, "COP") for value in ("120900", "50000", "95000", "15000", "250000")]
    kinds = [
        InvoiceLine.Kind.PLAN_FEE,
        InvoiceLine.Kind.ONSITE,
        InvoiceLine.Kind.OVERDRAFT,
        InvoiceLine.Kind.OTHER,
        InvoiceLine.Kind.CREDIT_PACK,
    ]
    rate = Decimal("19")
    amounts = [line_amounts(quantity=Decimal(1), unit_price=p, tax_rate=rate) for p in prices]
    days = [month_start + timedelta(days=n) for n in range((month_end - month_start).days + 1)]
    fv = InvoiceSeries.objects.get(code="FV")
    chunk = 1000
    for offset in range(0, invoices, chunk):
        count = min(chunk, invoices - offset)
        drafts = []
        plans = []
        for n in range(offset, offset + count):
            customer = customers[n % len(customers)]
            plan = [(n + position) % len(prices) for position in range(lines_per_invoice)]
            plans.append(plan)
            drafts.append(
                Invoice(
                    customer=customer,
                    currency="COP",
                    buyer_legal_name=customer.legal_name,
                    buyer_tax_id=customer.tax_id,
                    buyer_address=customer.address,
                    buyer_country=customer.country,
                    buyer_email=customer.billing_email,
                    subtotal=sum((amounts[i].subtotal for i in plan), Money(0, "COP")),
                    tax=sum((amounts[i].tax for i in plan), Money(0, "COP")),
                    total=sum((amounts[i].total for i in plan), Money(0, "COP")),
                )
            )
        drafts = Invoice.objects.bulk_create(drafts)
        InvoiceLine.objects.bulk_create(
            (
                InvoiceLine(
                    invoice=draft,
                    position=position,
                    kind=kinds[index],
                    description=f"Servicio {position}: {kinds[index]}",
                    quantity=Decimal(1),
                    currency="COP",
                    unit_price=prices[index],
                    tax_rate=rate,
                    subtotal=amounts[index].subtotal,
                    tax=amounts[index].tax,
                    total=amounts[index].total,
                )
                for draft, plan in zip(drafts, plans, strict=True)
                for position, index in enumerate(plan, start=1)
            ),
            batch_size=5000,
        )
        by_day: dict[date, list[int]] = {}
        for n, draft in enumerate(drafts, start=offset):
            by_day.setdefault(days[n % len(days)], []).append(draft.pk)
        for day, pks in by_day.items():
            # Numbers are the primary keys: unique in the series, no counter to contend on.
            Invoice.objects.filter(pk__in=pks).update(
                status=Invoice.Status.ISSUED,
                series=fv,
                number=F("id"),
                issued_on=day,
                due_on=day + timedelta(days=15),
                issued_at=timezone.now(),
            )
    last = Invoice.objects.aggregate(last=Max("number"))["last"] or 0
    InvoiceSeries.objects.filter(pk=fv.pk).update(next_number=last + 1)


def _csv(export) -> int:
    from billing.exports import finance_export_csv

    size = 0
    with tempfile.TemporaryFile("w", encoding="utf-8", newline="") as handle:
        for piece in finance_export_csv(export):
            size += handle.write(piece)
    return size


def _xlsx(export) -> int:
    from billing.exports import finance_export_xlsx

    with tempfile.TemporaryFile() as handle:
        finance_export_xlsx(export, handle)
        return handle.tell()


def _timed(function, export) -> tuple[float, int]:
    started = time.perf_counter()
    size = function(export)
    return time.perf_counter() - started, size


def _peak(function, export) -> int:
    tracemalloc.start()
    try:
        function(export)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _constant_peak(name: str, function, export, half) -> tuple[int, int]:
    """The peaks of the whole range and of its half; an error if the whole needs 1.5 times
    the half's memory or more (a held row per line would double it)."""
    whole_peak, half_peak = _peak(function, export), _peak(function, half)
    if whole_peak >= 1.5 * half_peak:
        raise SystemExit(
            f"{name}: peak {whole_peak / 1e6:.2f} MB for the range against "
            f"{half_peak / 1e6:.2f} MB for its half: memory grows with the lines"
        )
    return whole_peak, half_peak


def _plain_sql_csv(export) -> int:
    """The peer: the export's lines with their documents' cells, read by one plain SQL
    statement on the DB-API cursor (no ORM), written by Python's csv module -- what a
    hand-written export of the same rows costs on the same database."""
    import csv
    import io

    from django.db import connection

    sqlite = connection.vendor == "sqlite"

    def text(column: str, places: int = 2) -> str:
        return f"printf('%.{places}f', {column})" if sqlite else f"CAST({column} AS text)"

    # The columns are this function's own constants; the dates are parameters.
    sql = f"""
        SELECT i.kind, s.prefix, i.number, i.status, CAST(i.issued_on AS text),
               CAST(i.due_on AS text), i.customer_id, i.buyer_legal_name, i.buyer_tax_id,
               i.buyer_country, i.currency, {text("i.subtotal")}, {text("i.tax")},
               {text("i.total")}, l.position, l.kind, l.description, {text("l.quantity", 4)},
               {text("l.unit_price")}, {text("l.tax_rate")}, {text("l.subtotal")},
               {text("l.tax")}, {text("l.total")}
        FROM billing_invoiceline l
        JOIN billing_invoice i ON i.id = l.invoice_id
        JOIN billing_invoiceseries s ON s.id = i.series_id
        WHERE i.issued_on BETWEEN %s AND %s AND i.status <> 'draft'
        ORDER BY i.issued_on, s.code, i.number, l.position
    """  # noqa: S608
    size = 0
    with tempfile.TemporaryFile("w", encoding="utf-8", newline="") as handle:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        with connection.cursor() as cursor:
            cursor.execute(sql, [export.date_from, export.date_to])
            while rows := cursor.fetchmany(2000):
                writer.writerows(rows)
                size += handle.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
    return size


def bench_export(invoices: int, lines_per_invoice: int) -> None:
    from billing.exports import finance_export_get
    from billing.models import InvoiceLine

    month_start, month_end = last_month()
    started = time.perf_counter()
    seed_export(invoices, lines_per_invoice, month_start, month_end)
    seeded = time.perf_counter() - started
    export = finance_export_get(
        filters={"date_from": month_start.isoformat(), "date_to": month_end.isoformat()}
    )
    lines = InvoiceLine.objects.filter(invoice__in=export.invoices).count()
    half_end = month_start + timedelta(days=(month_end - month_start).days // 2)
    half = finance_export_get(
        filters={"date_from": month_start.isoformat(), "date_to": half_end.isoformat()}
    )
    half_lines = InvoiceLine.objects.filter(invoice__in=half.invoices).count()
    print(f"(c) finance export of {invoices} invoices, {lines} lines (seeded in {seeded:.1f} s)")
    peer_time, _peer_size = _timed(_plain_sql_csv, export)
    csv_time, csv_size = _timed(_csv, export)
    csv_peak = _constant_peak("CSV", _csv, export, half)
    print(
        f"    CSV:  {csv_time:.2f} s, {lines / csv_time:,.0f} lines/s, {csv_size / 1e6:.1f} MB; "
        f"peak {csv_peak[0] / 1e6:.2f} MB traced ({half_lines} lines: {csv_peak[1] / 1e6:.2f} MB)"
    )
    print(
        f"    plain SQL + csv (peer): {peer_time:.2f} s, {lines / peer_time:,.0f} lines/s; "
        f"csv_ratio_to_plain_sql: {peer_time / csv_time:.2f}; "
        f"csv_ratio_to_target_200k: {lines / csv_time / 200_000:.2f}"
    )
    xlsx_time, xlsx_size = _timed(_xlsx, export)
    xlsx_peak = _constant_peak("XLSX", _xlsx, export, half)
    print(
        f"    XLSX: {xlsx_time:.2f} s, {lines / xlsx_time:,.0f} lines/s, {xlsx_size / 1e6:.1f} MB; "
        f"peak {xlsx_peak[0] / 1e6:.2f} MB traced ({half_lines} lines: "
        f"{xlsx_peak[1] / 1e6:.2f} MB); "
        f"xlsx_ratio_to_target_50k: {lines / xlsx_time / 50_000:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=30, help="one-page invoices for (a)")
    parser.add_argument("--tickets", type=int, default=5000, help="tickets in the month for (b)")
    parser.add_argument("--export-invoices", type=int, default=10_000)
    parser.add_argument("--lines-per-invoice", type=int, default=10)
    parser.add_argument("--parallel-invoices", type=int, default=40, help="invoices for (d)")
    parser.add_argument(
        "--only",
        choices=["pdfs", "report", "export", "parallel"],
        help="run one part, not all four",
    )
    args = parser.parse_args()
    vendor, _url = prepare_database("documents")
    setup_django()
    print(f"database: {vendor}")
    if args.only in (None, "pdfs"):
        bench_invoice_pdfs(issue_one_page_invoices(args.invoices))
    if args.only in (None, "report"):
        bench_sla_report(args.tickets)
    if args.only in (None, "export"):
        bench_export(args.export_invoices, args.lines_per_invoice)
    if args.only in (None, "parallel"):
        bench_parallel_pdfs(args.parallel_invoices)


if __name__ == "__main__":
    main()
