"""Ledger throughput: credit charges per second through `credits.services.credits_charge`.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/anything uv run python bench/ledger.py
    uv run python bench/ledger.py            # SQLite (the embedded default)

16 worker processes (as a deployment runs several worker processes; threads would measure
the GIL) charge 1 credit at a time for --seconds, first all on one hot account, then spread
at random over 1,000 accounts. The script builds its own database -- on PostgreSQL
`creditdesk_bench_ledger` on the server DATABASE_URL names, on SQLite
var/bench-ledger.sqlite3 -- migrates it and creates the accounts; dev data is not touched.

On PostgreSQL two peers do the same transaction in raw SQL (lock the account row, insert
the entry, update the balance) against the same server with 16 clients: pgbench, and a
plain psycopg client in 16 processes (what Python does with no framework at all). Host
noise on a shared machine moves every figure by tens of percent from one minute to the
next, so the phases run in --rounds rounds, each Creditdesk phase right beside its peers',
and the ratios printed are the medians of the per-round ratios. Last, the script
re-verifies every account's balance and hash chain. The last line is
`hot_account_ratio_to_pgbench: X`.
"""

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from _common import per_second, prepare_database, setup_django

ONE = Decimal("1")


def create_accounts(count: int) -> list[int]:
    from contracts.models import Customer
    from credits.models import CreditAccount
    from credits.services import credits_top_up

    customers = Customer.objects.bulk_create(
        Customer(
            legal_name=f"Bench {n}",
            tax_id=f"B{n:06d}",
            country="CO",
            currency="COP",
            billing_email=f"bench{n}@example.com",
        )
        for n in range(count)
    )
    accounts = CreditAccount.objects.bulk_create(CreditAccount(customer=c) for c in customers)
    for account in accounts:
        credits_top_up(account=account, credits="100000", idempotency_key="bench-opening")
    return [account.pk for account in accounts]


def charge_step(account_ids: list[int]):
    from credits.models import CreditAccount
    from credits.services import credits_charge

    accounts = [CreditAccount(pk=pk) for pk in account_ids]
    choose = random.Random(os.getpid()).choice

    def step() -> bool:
        credits_charge(account=choose(accounts), credits=ONE, reference_type="bench")
        return True

    return step


PGBENCH_SETUP = """
DROP TABLE IF EXISTS pgbench_credit_entry, pgbench_credit_account;
CREATE TABLE pgbench_credit_account (id integer PRIMARY KEY, balance numeric(12, 2) NOT NULL);
CREATE TABLE pgbench_credit_entry (
    id bigserial PRIMARY KEY,
    account_id integer NOT NULL REFERENCES pgbench_credit_account,
    credits numeric(12, 2) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO pgbench_credit_account SELECT n, 100000 FROM generate_series(1, {count}) AS n;
"""

PGBENCH_SCRIPT = """{choose}
BEGIN;
SELECT balance FROM pgbench_credit_account WHERE id = :aid FOR UPDATE;
INSERT INTO pgbench_credit_entry (account_id, credits) VALUES (:aid, -1);
UPDATE pgbench_credit_account SET balance = balance - 1 WHERE id = :aid;
END;
"""


def pgbench_binary() -> str:
    found = shutil.which("pgbench")
    candidates = [
        os.environ.get("PGBIN", "") + "/pgbench",
        *sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True),
    ]
    for candidate in [found, *map(str, candidates)]:
        if candidate and Path(candidate).is_file():
            return candidate
    raise SystemExit("pgbench not found: set PGBIN to PostgreSQL's bin directory")


def create_peer_tables(url: str, accounts: int) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(PGBENCH_SETUP.format(count=accounts))


def run_pgbench(url: str, *, spread: bool, accounts: int, clients: int, seconds: float) -> float:
    parts = urlsplit(url)
    choose = f"\\set aid random(1, {accounts})" if spread else "\\set aid 1"
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT.format(choose=choose))
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    command = [
        pgbench_binary(),
        "-n",
        f"--client={clients}",
        "--jobs=2",
        f"--time={int(seconds)}",
        f"--file={script.name}",
        f"--host={parts.hostname}",
        f"--port={parts.port or 5432}",
        f"--username={parts.username}",
        parts.path.lstrip("/"),
    ]
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    Path(script.name).unlink()
    match = re.search(r"tps = ([\d.]+)", output)
    if match is None:
        raise SystemExit(f"could not read pgbench's tps:\n{output}")
    return float(match.group(1))


def psycopg_step(url: str, accounts: int):
    """The pgbench transaction from Python: psycopg, no ORM, three statements."""
    import psycopg

    conn = psycopg.connect(url)
    choose = random.Random(os.getpid()).randint

    def step() -> bool:
        account_id = choose(1, accounts)
        with conn.transaction():
            conn.execute(
                "SELECT balance FROM pgbench_credit_account WHERE id = %s FOR UPDATE",
                (account_id,),
            )
            conn.execute(
                "INSERT INTO pgbench_credit_entry (account_id, credits) VALUES (%s, -1)",
                (account_id,),
            )
            conn.execute(
                "UPDATE pgbench_credit_account SET balance = balance - 1 WHERE id = %s",
                (account_id,),
            )
        return True

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--accounts", type=int, default=1000)
    args = parser.parse_args()

    vendor, url = prepare_database("ledger")
    setup_django()
    account_ids = create_accounts(args.accounts)
    where = urlsplit(url)
    print(f"database: {vendor} {where.hostname or ''}:{where.port or ''}{where.path}")
    print(f"workers: {args.workers} processes, {args.seconds:g} s per phase, {args.rounds} rounds")
    on_postgresql = vendor == "postgresql"
    if on_postgresql:
        create_peer_tables(url, args.accounts)

    def creditdesk(accounts: list[int]) -> float:
        return per_second(charge_step, [(accounts,)] * args.workers, seconds=args.seconds)

    def pgbench(*, spread: bool) -> float:
        return run_pgbench(
            url, spread=spread, accounts=args.accounts, clients=args.workers, seconds=args.seconds
        )

    def raw_psycopg(accounts: int) -> float:
        return per_second(psycopg_step, [(url, accounts)] * args.workers, seconds=args.seconds)

    phases = {"creditdesk_hot": lambda: creditdesk(account_ids[:1])}
    if on_postgresql:
        phases |= {
            "pgbench_hot": lambda: pgbench(spread=False),
            "psycopg_hot": lambda: raw_psycopg(1),
        }
    phases["creditdesk_spread"] = lambda: creditdesk(account_ids)
    if on_postgresql:
        phases |= {
            "pgbench_spread": lambda: pgbench(spread=True),
            "psycopg_spread": lambda: raw_psycopg(args.accounts),
        }
    figures: dict[str, list[float]] = {name: [] for name in phases}
    charges = 0.0
    for number in range(1, args.rounds + 1):
        # Every other round runs backwards, so a drift of the host's speed favours nobody.
        for name in list(phases) if number % 2 else reversed(phases):
            figures[name].append(phases[name]())
        charges += (figures["creditdesk_hot"][-1] + figures["creditdesk_spread"][-1]) * args.seconds
        print(f"round {number}: " + ", ".join(f"{n} {v[-1]:.0f}" for n, v in figures.items()))

    print(f"creditdesk_hot_charges_per_s: {statistics.median(figures['creditdesk_hot']):.0f}")
    print(f"creditdesk_spread_charges_per_s: {statistics.median(figures['creditdesk_spread']):.0f}")

    from credits.models import LedgerEntry
    from credits.selectors import ledger_verify

    verification = ledger_verify()
    expected_entries = args.accounts + 2 * args.workers * args.rounds + round(charges)
    entries = LedgerEntry.objects.count()
    print(f"ledger: {verification.summary()}")
    print(f"entries written: {entries} (expected {expected_entries})")
    violations = len(verification.broken) + (entries != expected_entries)
    print(f"invariant_violations: {violations}")

    if not on_postgresql:
        print("pgbench: not run (SQLite)")
        print("hot_account_ratio_to_pgbench: n/a")
        return

    def ratio(ours: str, peer: str) -> float:
        return statistics.median([a / b for a, b in zip(figures[ours], figures[peer], strict=True)])

    for peer in ("pgbench", "psycopg"):
        print(f"{peer}_hot_tps: {statistics.median(figures[f'{peer}_hot']):.0f}")
        print(f"{peer}_spread_tps: {statistics.median(figures[f'{peer}_spread']):.0f}")
    print(f"spread_ratio_to_psycopg: {ratio('creditdesk_spread', 'psycopg_spread'):.2f}")
    print(f"hot_ratio_to_psycopg: {ratio('creditdesk_hot', 'psycopg_hot'):.2f}")
    print(f"spread_ratio_to_pgbench: {ratio('creditdesk_spread', 'pgbench_spread'):.2f}")
    print(f"hot_account_ratio_to_pgbench: {ratio('creditdesk_hot', 'pgbench_hot'):.2f}")


if __name__ == "__main__":
    main()
