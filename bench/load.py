"""Load and soak: the production processes under a mixed workload, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x uv run --group bench python bench/load.py
    ... bench/load.py --scale 0.2 --step-seconds 4 --soak-seconds 60     # a quicker look
    ... bench/load.py --reuse                                             # an earlier data set
    ... bench/load.py --reuse --server granian --kinds trivial_view,intake  # another server

Method. The script builds its own database (`creditdesk_bench_load`): `500 * scale`
customers on a prepaid-credits plan with SLA targets, each with a contact (portal session
and API token) and three months of ledger written through `credits.services` (a top-up
every week, and a charge for every closed ticket), and `50,000 * scale` historical tickets
spread over those three months (bulk-inserted, closed, each with the customer's message and
the agent's answer: they make the lists and pages as long as a real installation's, while
the ledger stays the services' own), and `OPEN_PER_CUSTOMER` open tickets per customer
opened by the real intake over the last eight hours, which the queue and the dashboards list.
It then starts what the README calls production:
`gunicorn creditdesk.wsgi` with 2 workers (DEBUG off, static files collected; `--server
granian` starts granian's WSGI server with 2 workers instead, to compare the two), one
`manage.py db_worker`, and an SMTP sink (aiosmtpd) that every acknowledgement goes to, and
waits for the worker to send the tasks already waiting (a new data set's acknowledgements).

Clients are separate processes with keep-alive HTTP connections, driven open-loop: each
sends on a fixed schedule whatever the answers take, so a slow server shows up as latency
instead of quietly lowering the rate. For each kind of request the offered rate doubles
from 4/s until the p99 passes 150 ms or a request fails (each step at least 200 requests,
so that the p99, by nearest rank, is not simply the slowest), then `--refine` steps (2)
halve the gap between the last doubling that held and the first that failed, so the next
rate up is at most a quarter above a figure instead of twice it; the highest rate that held
is the kind's figure. `intake_to_trivial_view` divides intake's figure by the one of a view that
reads one row (`GET /api/v1/plans/<id>/`). Beside each figure, the CPU the servers spent per
request at that rate (`cpu_seconds`: the web server's processes, the db_worker until the step's
tasks are done, PostgreSQL) and the load's own (the clients and the SMTP sink);
`intake_to_trivial_view_by_cpu` is the trivial view's server CPU over intake's, the ratio the
machine's CPU allows between the doubling steps. Then the soak: every kind at once, in
proportion to its figure, at half the rate that mix holds, for `--soak-seconds`, counting
errors, the resident memory of each web worker and of the db_worker at the start and
the end (gunicorn runs with `--max-requests 0` here, so that they are the same processes: a
worker production recycles after about 2,000 requests would hide a leak), running
`verify_ledger`, and checking that every ticket opened during the soak got exactly one
acknowledgement at the sink.
"""

import argparse
import collections
import contextlib
import email
import email.policy
import functools
import http.client
import io
import json
import logging
import math
import multiprocessing
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from typing import NamedTuple

from _common import ROOT, prepare_database, setup_django

P99_LIMIT_MS = 150.0
# A step lasts long enough for its p99 to be one: with 32 requests (8 s at 4/s) the p99 is
# the slowest request, so one hiccup anywhere on the machine failed the step.
MIN_REQUESTS_PER_STEP = 200
# The acknowledgement's first line names the ticket (templates/tickets/email/acknowledgement.*);
# replies and resolutions carry the same subject, so the body tells them apart.
ACKNOWLEDGEMENT = re.compile(r"(?:Recibimos su solicitud|We received your request) (T-\d+-\d+)")
CLIENTS = 4  # client processes per measurement
SERVER_GROUPS = ("web", "worker", "database")  # `cpu_seconds`' groups that serve requests
OPEN_PER_CUSTOMER = 4  # open tickets per customer in the data set: 2,000 at scale 1
HISTORY_CHARGE = 2  # credits charged for each closed ticket of the data set


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- the data set


def build_data(scale: float) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from contracts.models import Contact, Contract, Customer, Plan
    from credits.services import credit_account_get_or_create, credits_charge, credits_top_up
    from sla.calendars import Calendar
    from sla.choices import Priority
    from sla.services.setup import TargetSpec, calendar_publish, policy_publish
    from tickets.models import Message, Ticket
    from tickets.services.intake import ticket_open

    started = time.perf_counter()
    customers = max(1, round(500 * scale))
    tickets = max(10, round(50_000 * scale))
    hours = {day: [("00:00", "23:59")] for day in range(7)}
    calendar = calendar_publish(
        slug="load", name="Load", calendar=Calendar.build("America/Bogota", hours, country="CO")
    ).calendar
    targets = {p: TargetSpec(timedelta(hours=4), timedelta(hours=24)) for p in Priority.values}
    policy = policy_publish(slug="load", name="Load", calendar=calendar, targets=targets).policy
    plan = Plan.objects.create(
        code="load",
        name="Load",
        currency="COP",
        sla_policy=policy,
        allowed_channels=["portal", "api", "email"],
    )
    agent = get_user_model().objects.create_user("load-agent", is_staff=True)
    from django.contrib.auth.models import Group

    agent.groups.add(Group.objects.get_or_create(name="agents")[0])
    Token.objects.create(user=agent)
    now = timezone.now()
    contacts = []
    for n in range(customers):
        customer = Customer.objects.create(
            legal_name=f"Carga {n} S.A.S.",
            tax_id=f"L{n:06d}",
            country="CO",
            currency="COP",
            billing_email=f"load{n}@example.com",
            time_zone="America/Bogota",
        )
        contract = Contract.objects.create(
            customer=customer,
            plan=plan,
            status="active",
            starts_on=(now - timedelta(days=95)).date(),
        )
        user = get_user_model().objects.create_user(f"load-contact-{n}")
        contact = Contact.objects.create(
            customer=customer,
            name=f"Contacto {n}",
            email=f"contact{n}@load.example",
            can_request=True,
            user=user,
        )
        Token.objects.create(user=user)
        account = credit_account_get_or_create(customer=customer)
        for week in range(13):  # three months of weekly top-ups, in the ledger's own way
            credits_top_up(account=account, credits="200", idempotency_key=f"load:{n}:{week}")
        per_customer = tickets // customers
        history = Ticket.objects.bulk_create(
            Ticket(
                customer=customer,
                contract=contract,
                channel="portal",
                subject=f"Histórico {i}",
                status=Ticket.Status.CLOSED,
                priority=Priority.P3,
                number=f"H-{n:04d}-{i:05d}",
                opened_at=now - timedelta(days=90 * i / per_customer),
                requester=contact,
                billed_credits=HISTORY_CHARGE,
            )
            for i in range(per_customer)
        )
        # Each closed ticket as its life left it: the customer's message, the agent's
        # answer, and its charge in the ledger, written by the ledger's own service.
        Message.objects.bulk_create(
            message
            for ticket in history
            for message in (
                Message(
                    ticket=ticket,
                    direction=Message.Direction.INBOUND,
                    channel="portal",
                    author_contact=contact,
                    body="No funciona el correo desde esta mañana.",
                    created_at=ticket.opened_at,
                ),
                Message(
                    ticket=ticket,
                    direction=Message.Direction.OUTBOUND,
                    channel="portal",
                    author_user=agent,
                    body="Quedó resuelto: el buzón estaba lleno.",
                    created_at=ticket.opened_at + timedelta(hours=2),
                ),
            )
        )
        for ticket in history:
            credits_charge(
                account=account,
                credits=HISTORY_CHARGE,
                reason="2 horas iniciadas",
                idempotency_key=f"ticket:{ticket.pk}:billed:{HISTORY_CHARGE}",
                reference_type="tickets.ticket",
                reference_id=str(ticket.pk),
            )
        contacts.append(contact)
    # The open tickets an installation has at any moment, opened by the real intake (clocks,
    # holds, an acknowledgement each) over the last eight hours: the queue and the dashboards
    # list them, some breached, some near their due time, most running.
    for n in range(OPEN_PER_CUSTOMER):
        for contact in contacts:
            opened = ticket_open(
                channel="portal",
                requester=contact,
                subject=f"Abierta {n}",
                at=now - timedelta(hours=random.uniform(0, 8)),
            )
            assert opened.accepted, opened.refusal  # noqa: S101
    print(
        f"data: {customers} customers, {Ticket.objects.count()} tickets "
        f"({Ticket.objects.open().count()} open), loaded in "
        f"{time.perf_counter() - started:.0f} s"
    )


# ------------------------------------------------------------- the processes


class SmtpSink:
    """aiosmtpd on loopback, keeping every message it accepts; `acknowledged()` reads them."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        # Read only when counted: parsed as they came, the messages took this process's
        # CPU from the servers under measurement on the same cores.
        self.received: list[bytes] = []
        received = self.received

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                received.append(envelope.content)
                return "250 OK"

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # one line per connection
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def acknowledged(self, start: int, stop: int) -> list[str]:
        """The ticket numbers of the acknowledgements among messages `start` to `stop`."""
        numbers = []
        for content in self.received[start:stop]:
            message = email.message_from_bytes(content, policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",)).get_content()
            numbers += ACKNOWLEDGEMENT.findall(body)
        return numbers


def web_command(server: str, env: dict) -> list[str]:
    """The web server's command line: 2 processes, each serving one request at a time."""
    if server == "granian":
        # One blocking thread, as a gunicorn sync worker, and its access log on as gunicorn's
        # is (the README's production logs every request).
        return [
            *(sys.executable, "-m", "granian", "--interface", "wsgi", "--no-ws"),
            *("--host", env["HOST"], "--port", env["PORT"], "--workers", env["WEB_CONCURRENCY"]),
            *("--blocking-threads", "1", "--access-log", "creditdesk.wsgi:application"),
        ]
    # Production replaces a worker after about 2,000 requests (gunicorn.conf.py), which bounds
    # a slow leak but would also hide one: the soak measures each process's own memory, so
    # the workers it starts with must be the ones it ends with.
    return [sys.executable, "-m", "gunicorn", "creditdesk.wsgi", "--max-requests", "0"]


def start_processes(env: dict, server: str) -> tuple[subprocess.Popen, subprocess.Popen]:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    web = subprocess.Popen(
        web_command(server, env),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", int(env["PORT"]), timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return web, worker
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{server} did not start")


def drain_tasks(limit_seconds: float = 600, *, quiet: bool = False) -> None:
    """Wait for the worker to finish the tasks waiting before the run (a new data set's
    acknowledgements), so that none of that work falls into a measured step."""
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    started = time.perf_counter()
    while DBTaskResult.objects.ready().exists():
        if time.perf_counter() - started > limit_seconds:
            raise SystemExit(f"the worker left tasks waiting after {limit_seconds:.0f} s")
        time.sleep(0.2 if quiet else 1)
    connections.close_all()  # the client processes are forks: never share a connection
    if not quiet:
        print(f"tasks waiting before the run: done in {time.perf_counter() - started:.0f} s")


def rss_mb(pids: list[int]) -> dict[int, float]:
    """Each process's resident memory, MB."""
    import psutil

    return {pid: psutil.Process(pid).memory_info().rss / 2**20 for pid in pids}


def web_workers(master: subprocess.Popen) -> list[int]:
    import psutil

    return [child.pid for child in psutil.Process(master.pid).children()]


# ------------------------------------------------------------------ requests


def identities() -> dict:
    """Sessions and tokens for the clients, made directly in the database."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from contracts.models import Plan
    from tickets.models import Ticket

    def session(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    contacts = list(
        Token.objects.filter(user__username__startswith="load-contact-").select_related("user")[
            :200
        ]
    )
    agent = Token.objects.select_related("user").get(user__username="load-agent")
    tickets = list(
        Ticket.objects.filter(customer__contacts__user=contacts[0].user).values_list(
            "number", flat=True
        )[:20]
    )
    # Work is logged once done, so on requests opened well before the half hour it lasted.
    worked_on = list(
        Ticket.objects.open()
        .filter(opened_at__lte=timezone.now() - timedelta(hours=1))
        .values_list("pk", flat=True)[:200]
    )
    return {
        "contacts": [(token.key, session(token.user)) for token in contacts],
        "agent": (agent.key, session(agent.user)),
        "ticket_numbers": tickets,
        "worked_on": worked_on,
        "plan": Plan.objects.get(code="load").pk,
    }


def request_for(kind: str, ids: dict, state: dict) -> tuple[str, str, dict, bytes | None]:
    """(method, path, headers, body) of one request of `kind`."""
    token, sessionid = random.choice(ids["contacts"])
    agent_token, agent_session = ids["agent"]
    contact_api = {"Authorization": f"Token {token}"}
    agent_api = {"Authorization": f"Token {agent_token}", "Content-Type": "application/json"}
    if kind == "portal_dashboard":
        return "GET", "/portal/", {"Cookie": f"sessionid={sessionid}"}, None
    if kind == "portal_ticket":
        number = random.choice(ids["ticket_numbers"])
        token, sessionid = ids["contacts"][0]
        return "GET", f"/portal/tickets/{number}/", {"Cookie": f"sessionid={sessionid}"}, None
    if kind == "workspace_queue":
        return "GET", "/workspace/", {"Cookie": f"sessionid={agent_session}"}, None
    if kind == "api_ticket_list":
        return "GET", "/api/v1/tickets/", contact_api, None
    if kind == "trivial_view":
        return "GET", f"/api/v1/plans/{ids['plan']}/", contact_api, None
    if kind == "intake":
        body = json.dumps({"subject": "Carga", "description": "Prueba de carga"}).encode()
        return "POST", "/api/v1/tickets/", {**contact_api, "Content-Type": "application/json"}, body
    if kind == "work_log":  # half an hour that ended this minute
        ticket = random.choice(ids["worked_on"])
        started = time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(time.time() - 30 * 60))
        body = json.dumps({"started_at": started, "minutes": 30}).encode()
        return "POST", f"/api/v1/tickets/{ticket}/work-logs/", agent_api, body
    # An agent answers a ticket this client opened (which puts it in progress), else one of
    # the data set's open ones, and resolves an answered ticket this client opened. With
    # nothing answered yet, a resolution answers first, and with nothing open, opens one: a
    # step of resolutions alone is a third each of intakes, replies and resolutions.
    if kind == "resolution" and state["answered"]:
        ticket = state["answered"].pop()
        body = json.dumps({"to_status": "resolved", "reason": "listo"}).encode()
        return "POST", f"/api/v1/tickets/{ticket}/transitions/", agent_api, body
    if kind == "reply" or (kind == "resolution" and state["open"]):
        if state["open"]:
            ticket = state["open"].pop()
            state["answered"].append(ticket)
        else:
            ticket = random.choice(ids["worked_on"])
        body = json.dumps({"body": "Revisando."}).encode()
        return "POST", f"/api/v1/tickets/{ticket}/messages/", agent_api, body
    return request_for("intake", ids, state)


def client(port, kinds, rate, seconds, ids, step_start, offset, results) -> None:
    """One open-loop client: sends at `rate`/s on a fixed schedule starting `offset` seconds
    into the step, records latencies and when (seconds into the step) each request was due."""
    random.seed(os.getpid())
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    state: dict[str, list] = {"open": [], "answered": []}
    latencies, errors, opened = [], 0, []
    first_error = None
    start_at = step_start + offset
    while time.time() < start_at:
        time.sleep(0.001)
    total = max(1, int(rate * seconds))
    for i in range(total):
        due = start_at + i / rate
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        kind = kinds[i % len(kinds)]
        method, path, headers, body = request_for(kind, ids, state)
        sent = due  # open loop: latency counts from when the request was due
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            ok = 200 <= response.status < 300  # a redirect to the login page is a failure
            if not ok and first_error is None:
                first_error = f"{method} {path} -> {response.status} {payload[:120]!r}"
            if ok and method == "POST" and path == "/api/v1/tickets/":
                created = json.loads(payload)
                state["open"].append(created["id"])
                opened.append(created["number"])
        except (OSError, http.client.HTTPException, ValueError) as error:
            ok = False
            first_error = first_error or f"{method} {path} -> {error!r}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(((time.time() - sent) * 1000, due - step_start))
        errors += 0 if ok else 1
    results.put((latencies, errors, opened, first_error))


class Step(NamedTuple):
    p50: float
    p99: float
    errors: int
    opened: list[str]  # the numbers of the tickets opened
    first_error: str
    slowest: list[tuple[float, float]]  # (ms, seconds into the step) of the slowest three
    cpu_ms: dict[str, float]  # CPU per request by group of processes (`cpu_seconds`)


def _process_seconds(process, *, with_children: bool) -> float:
    times = process.cpu_times()
    own = times.user + times.system
    return own + (times.children_user + times.children_system if with_children else 0.0)


@functools.cache
def _postmasters() -> list:
    """PostgreSQL's main processes on this machine (the database under test among them)."""
    import psutil

    found = []
    for process in psutil.process_iter(["name"]):
        with contextlib.suppress(psutil.NoSuchProcess):  # a backend that just exited
            parent = process.parent()
            top = parent is None or parent.name() != "postgres"
            if process.info["name"] == "postgres" and top:
                found.append(process)
    return found


def cpu_seconds(web: subprocess.Popen, worker: subprocess.Popen) -> dict[str, float]:
    """CPU seconds used so far by each group of processes on the machine: the web server's
    master and workers (a recycled worker's time is in its master's children's), the
    db_worker, PostgreSQL (the postmaster, its live backends and its exited ones), and the
    load's side: the client processes of the steps that ended (this script's children) and
    this script itself, whose thread is the SMTP sink."""
    import resource

    import psutil

    master = psutil.Process(web.pid)
    database = 0.0
    for postmaster in _postmasters():
        database += _process_seconds(postmaster, with_children=True)
        for backend in postmaster.children():
            with contextlib.suppress(psutil.NoSuchProcess):
                database += _process_seconds(backend, with_children=False)
    clients = resource.getrusage(resource.RUSAGE_CHILDREN)
    sink = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "web": _process_seconds(master, with_children=True)
        + sum(_process_seconds(child, with_children=False) for child in master.children()),
        "worker": _process_seconds(psutil.Process(worker.pid), with_children=False),
        "database": database,
        "load": clients.ru_utime + clients.ru_stime + sink.ru_utime + sink.ru_stime,
    }


def measure(port, kinds, rate, seconds, ids, servers=None) -> Step:
    """Offer `rate` requests/s of `kinds` for `seconds`. With `servers` (web, worker), also
    the CPU each group of processes spent per request, counted until the tasks the step
    enqueued (acknowledgements, replies' mail) are done."""
    before = cpu_seconds(*servers) if servers else {}
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    step_start = time.time() + 0.5
    # Client k starts k / rate later, so that together they send one request every 1 / rate
    # seconds; started together, each period began with a burst of CLIENTS requests at once.
    processes = [
        context.Process(
            target=client,
            args=(port, kinds, rate / CLIENTS, seconds, ids, step_start, k / rate, results),
        )
        for k in range(CLIENTS)
    ]
    for process in processes:
        process.start()
    latencies, errors, opened, first_errors = [], 0, [], []
    for _ in processes:
        got, failed, numbers, first_error = results.get()
        latencies += got
        errors += failed
        opened += numbers
        first_errors += [first_error] if first_error else []
    for process in processes:
        process.join()
    cpu_ms = {}
    if servers:
        drain_tasks(quiet=True)
        after = cpu_seconds(*servers)
        cpu_ms = {group: (after[group] - before[group]) * 1000 / len(latencies) for group in after}
    latencies.sort()
    p50 = latencies[len(latencies) // 2][0]
    p99 = latencies[math.ceil(len(latencies) * 0.99) - 1][0]  # nearest rank
    return Step(p50, p99, errors, opened, (first_errors or [""])[0], latencies[:-4:-1], cpu_ms)


HIGHEST_RATE = 1024  # requests/s; two cores' clients cannot offer much more


def _held(port, kind, rate, seconds, ids, servers) -> Step | None:
    """The step at `rate` if it held p99 <= 150 ms with no error; else None, saying why."""
    measured = measure(port, [kind], rate, max(seconds, MIN_REQUESTS_PER_STEP / rate), ids, servers)
    if measured.p99 <= P99_LIMIT_MS and not measured.errors:
        return measured
    why = (
        f"{measured.errors} errors, first: {measured.first_error}"
        if measured.errors
        else f"p99 {measured.p99:.0f} ms; slowest "
        + ", ".join(f"{ms:.0f} ms at {at:.1f} s" for ms, at in measured.slowest)
    )
    print(f"  ({kind} at {rate:.0f}/s: {why})", flush=True)
    return None


def highest_rate(
    port, kind, seconds, ids, servers, refine: int
) -> tuple[float, float, float, dict]:
    """(rate, p50, p99, CPU ms per request by group) of the highest rate that held p99 <=
    150 ms, no error: doublings of 4/s, then `refine` halvings of the gap between the last
    doubling that held and the first that did not (2: the next rate up is at most 25 % more)."""
    best: tuple[float, float, float, dict] = (0.0, 0.0, 0.0, {})
    rate = 4.0
    while rate <= HIGHEST_RATE:
        held = _held(port, kind, rate, seconds, ids, servers)
        if held is None:
            break
        best = (rate, held.p50, held.p99, held.cpu_ms)
        rate *= 2
    if rate > HIGHEST_RATE or not best[0]:
        return best  # every step held, or not even the first
    low, high = best[0], rate
    for _ in range(refine):
        middle = (low + high) / 2
        held = _held(port, kind, middle, seconds, ids, servers)
        if held is None:
            high = middle
        else:
            low, best = middle, (middle, held.p50, held.p99, held.cpu_ms)
    return best


# ---------------------------------------------------------------------- main

KINDS = (
    "trivial_view",
    "portal_dashboard",
    "portal_ticket",
    "workspace_queue",
    "api_ticket_list",
    "intake",
    "reply",
    "work_log",
    "resolution",
)


LOADED_DATABASE = "creditdesk_bench_load"  # what `prepare_database("load")` names it


def loaded_database_exists() -> bool:
    """Whether a previous run left its data set (`--reuse`): a new machine has none."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres"))) as server:
        found = server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [LOADED_DATABASE]
        ).fetchone()
    return found is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--step-seconds", type=float, default=8)
    parser.add_argument("--soak-seconds", type=float, default=600)
    parser.add_argument(
        "--refine",
        type=int,
        default=2,
        help="steps that halve the gap between the last doubling held and the first failed",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="use the data set a previous run loaded, if any"
    )
    parser.add_argument("--server", choices=("gunicorn", "granian"), default="gunicorn")
    parser.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help="the kinds to measure, comma-separated; the soak needs them all",
    )
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"--kinds: no such kind {', '.join(sorted(unknown))}")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench/load.py runs on PostgreSQL: set DATABASE_URL=postgres://...")

    if args.reuse and loaded_database_exists():
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(os.environ["DATABASE_URL"])
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{LOADED_DATABASE}"))
        setup_django()
    else:
        prepare_database("load")
        setup_django()
        build_data(args.scale)

    sink = SmtpSink()
    port = free_port()
    static = tempfile.mkdtemp(prefix="creditdesk-load-static-")
    env = {
        **os.environ,
        "DEBUG": "0",
        # The same key as this process: the sessions made here must hold in the server.
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "TASKS_BACKEND": "database",
        "STATIC_ROOT": static,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "CONN_MAX_AGE": "60",
        "API_INTAKE_RATE": "1000000/min",  # the per-customer limit would cap the bench
    }
    web, worker = start_processes(env, args.server)
    servers = (web, worker)
    try:
        ids = identities()
        print(f"{args.server}: 2 workers on :{port}; db_worker; SMTP sink on :{sink.port}")
        drain_tasks()
        # Warm up every kind (templates, calendars, connections) before anything counts.
        measure(port, list(KINDS), 8, 5, ids)
        print(
            f"{'kind':<18} {'rate/s':>8} {'p50 ms':>8} {'p99 ms':>8}   CPU ms per request at that "
            "rate: web + worker + database = servers (clients and SMTP sink)"
        )
        figures, costs = {}, {}
        for kind in kinds:
            rate, p50, p99, cpu_ms = highest_rate(
                port, kind, args.step_seconds, ids, servers, args.refine
            )
            figures[kind] = rate
            costs[kind] = sum(cpu_ms.get(group, 0.0) for group in SERVER_GROUPS)
            cost = " + ".join(f"{cpu_ms[group]:.1f}" for group in SERVER_GROUPS) if cpu_ms else ""
            if cpu_ms:
                cost += f" = {costs[kind]:.1f} ({cpu_ms['load']:.1f})"
            print(f"{kind:<18} {rate:>8.0f} {p50:>8.1f} {p99:>8.1f}   {cost}", flush=True)
        if not {"intake", "trivial_view"} <= set(figures):
            return
        ratio = figures["intake"] / figures["trivial_view"] if figures["trivial_view"] else 0
        print(f"intake_to_trivial_view: {ratio:.2f} (target >= 0.5)")
        if costs["intake"]:
            # What the machine's CPU allows, rate steps aside: the trivial view's servers'
            # cost over intake's (its request, its acknowledgement, their queries).
            print(
                "intake_to_trivial_view_by_cpu: "
                f"{costs['trivial_view'] / costs['intake']:.2f} ({costs['trivial_view']:.1f} "
                f"ms against {costs['intake']:.1f} ms of server CPU per request)"
            )

        if set(figures) == set(KINDS) and args.soak_seconds:
            soak(port, figures, args.soak_seconds, ids, web, worker, sink, ratio)
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        sink.controller.stop()


def soak(port, figures, seconds, ids, web, worker, sink, ratio) -> None:
    from django.core.management import CommandError, call_command

    # Each kind takes a share of the mix in proportion to its figure (at least one slot);
    # the mix then holds about 1 / sum(share / figure) requests/s, and the soak runs at half.
    weights = {kind: max(1, round(figures[kind] / 4)) for kind in KINDS}
    total = sum(weights.values())
    capacity = 1 / sum(weights[kind] / total / max(figures[kind], 2) for kind in KINDS)
    mixed = capacity / 2
    kinds = [kind for kind in KINDS for _ in range(weights[kind])]
    print(f"soak: {mixed:.0f} requests/s (half of the mix's rate) for {seconds:.0f} s")
    warm = measure(port, kinds, mixed, min(10.0, seconds / 10), ids)
    before = rss_mb([*web_workers(web), worker.pid])
    sink_before = len(sink.received)
    soaked = measure(port, kinds, mixed, seconds, ids)
    p50, p99, errors, opened, first_error = soaked[:5]
    after = rss_mb([*web_workers(web), worker.pid])
    same_processes = set(after) == set(before)
    growth = {pid: (after[pid] - before[pid]) / before[pid] * 100 for pid in before if pid in after}
    deadline = time.time() + 120
    acknowledged, numbers, read = {}, collections.Counter(), sink_before
    while time.time() < deadline:
        arrived = len(sink.received)
        numbers.update(sink.acknowledged(read, arrived))
        read = arrived
        acknowledged = {n: numbers[n] for n in opened}
        if all(count >= 1 for count in acknowledged.values()):
            break
        time.sleep(1)
    once = all(count == 1 for count in acknowledged.values())
    missing = sum(count == 0 for count in acknowledged.values())
    repeated = sum(count > 1 for count in acknowledged.values())
    print(
        f"soak: p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {errors} (warm-up errors {warm.errors})"
    )
    if first_error:
        print(f"soak: first error: {first_error}")
    for pid in before:
        name = "db_worker" if pid == worker.pid else "web worker"
        change = f"{after[pid]:.0f} MB ({growth[pid]:+.1f} %)" if pid in after else "gone"
        print(f"soak: memory of {name} {pid}: {before[pid]:.0f} MB -> {change}")
    print(
        f"soak: {len(opened)} tickets opened, each acknowledged exactly once: {once} "
        f"({missing} not acknowledged, {repeated} more than once)"
    )
    try:
        call_command("verify_ledger", stdout=io.StringIO())
        ledger_ok = True
    except CommandError:  # the command names each broken account
        ledger_ok = False
    print(f"soak: verify_ledger {'passed' if ledger_ok else 'FAILED'}")
    checks = {
        "intake_to_trivial_view >= 0.5": ratio >= 0.5,
        "soak errors == 0": errors == 0,
        "the same processes throughout": same_processes,
        "each process's memory growth <= 10 %": same_processes and max(growth.values()) <= 10,
        "verify_ledger": ledger_ok,
        "acknowledgements exactly once": once,
    }
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'} {name}")


if __name__ == "__main__":
    threading.excepthook = lambda args: None  # aiosmtpd's loop thread on shutdown
    main()
