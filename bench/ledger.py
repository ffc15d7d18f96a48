"""Ledger throughput: credit charges per second through `credits.services.credits_charge`.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/anything uv run python bench/ledger.py
    uv run python bench/ledger.py            # SQLite (the embedded default)

16 worker processes (as a deployment runs several worker processes; threads would measure
the GIL) charge 1 credit at a time for --seconds, first all on one hot account, then spread
at random over 1,000 accounts. The script builds its own database -- on PostgreSQL
`creditdesk_bench_ledger` on the server DATABASE_URL names, on SQLite
var/bench-ledger.sqlite3 -- migrates it and creates the accounts; dev data is not touched.

On PostgreSQL it then runs pgbench with 16 clients against the same server doing the same
transaction in raw SQL (lock the account row, insert the entry, update the balance), and
prints each Creditdesk figure as a ratio to it. Last, it re-verifies every account's
balance and hash chain. The last line is `hot_account_ratio_to_pgbench: X`.
"""

import argparse
import os
import random
import re
import shutil
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


def run_pgbench(url: str, *, spread: bool, accounts: int, clients: int, seconds: float) -> float:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(PGBENCH_SETUP.format(count=accounts))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--accounts", type=int, default=1000)
    args = parser.parse_args()

    vendor, url = prepare_database("ledger")
    setup_django()
    account_ids = create_accounts(args.accounts)
    where = urlsplit(url)
    print(f"database: {vendor} {where.hostname or ''}:{where.port or ''}{where.path}")
    print(f"workers: {args.workers} processes, {args.seconds:g} s per phase")

    hot = per_second(charge_step, [(account_ids[:1],)] * args.workers, seconds=args.seconds)
    print(f"creditdesk_hot_charges_per_s: {hot:.0f}")
    spread = per_second(charge_step, [(account_ids,)] * args.workers, seconds=args.seconds)
    print(f"creditdesk_spread_charges_per_s: {spread:.0f}")

    from credits.models import LedgerEntry
    from credits.selectors import ledger_verify

    verification = ledger_verify()
    expected_entries = args.accounts + 2 * args.workers + round((hot + spread) * args.seconds)
    entries = LedgerEntry.objects.count()
    print(f"ledger: {verification.summary()}")
    print(f"entries written: {entries} (expected {expected_entries})")
    violations = len(verification.broken) + (entries != expected_entries)
    print(f"invariant_violations: {violations}")

    if vendor != "postgresql":
        print("pgbench: not run (SQLite)")
        print("hot_account_ratio_to_pgbench: n/a")
        return
    common = {"accounts": args.accounts, "clients": args.workers, "seconds": args.seconds}
    pg_hot = run_pgbench(url, spread=False, **common)
    print(f"pgbench_hot_tps: {pg_hot:.0f}")
    pg_spread = run_pgbench(url, spread=True, **common)
    print(f"pgbench_spread_tps: {pg_spread:.0f}")
    print(f"spread_ratio_to_pgbench: {spread / pg_spread:.2f}")
    print(f"hot_account_ratio_to_pgbench: {hot / pg_hot:.2f}")


if __name__ == "__main__":
    main()
