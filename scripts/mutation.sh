#!/usr/bin/env bash
# Mutation testing of the core rules with mutmut, one module at a time, each against its own
# tests, and the score of each. Run it before changing a core module (it is not a CI step):
#
#   scripts/mutation.sh                    # every module below, one after the other
#   scripts/mutation.sh tax business_days  # just these
#   scripts/mutation.sh --list             # the modules, their mutants and their tests
#
# Prints per module: killed / total (score), survived, no tests, timeout, suspicious, and the
# names of the mutants that were not killed; `uv run mutmut show <name>` shows one as a diff
# (until the next module's run replaces the results). docs/testing.md explains how to read
# the results and lists the surviving mutants that change no behaviour (equivalent mutants).
#
# One worker (--max-children 1): parallel workers share one SQLite test database (its name
# is fixed when the settings are imported, before mutmut forks) and report false kills.
# The shared settings are [tool.mutmut] in pyproject.toml; this script narrows the mutants
# to the module's functions and the tests to the module's own files. mutmut works in
# mutants/ (ignored by git): each module starts from a fresh copy of the project there.
set -euo pipefail
cd "$(dirname "$0")/.."

# The calendars' property tests against the minute-stepping oracle take about three minutes
# under mutmut, and a mutant that survives runs all of them: they are left out, so the
# calendars' score is what the worked examples and edge tests kill (a lower bound).
CALENDAR_PROPERTIES="$(printf -- '--deselect=tests/sla/test_calendars.py::%s ' \
    test_add_matches_the_minute_oracle test_between_matches_the_minute_oracle \
    test_add_and_between_are_inverses test_batch_matches_scalar_on_random_calendars)"

# The ledger's state machine (hypothesis, 18 s) and the API and admin flow tests of
# test_bounds.py would run for nearly every mutant of the ledger and its services; they are
# left out like the calendars' properties: the scores are what the module-level tests kill.
LEDGER_FLOWS="--deselect=tests/credits/test_ledger_state_machine.py::test_random_operation_sequences_keep_the_ledger_invariants $(printf -- '--deselect=tests/credits/test_bounds.py::%s ' \
    test_the_api_answers_400_naming_the_field_and_writes_nothing \
    test_the_admin_adjustment_form_shows_the_refusal_and_writes_nothing)"

# The ledger's functions that run on SQLite, where the mutation run is: the chain's format,
# the Python path of each write and the refusals. The one-statement PostgreSQL writes
# (`_append_postgresql`, `_place_hold_postgresql`, `_release_hold_postgresql`, the helpers that
# run their statements, and the `_is_postgresql` switch) are never called there, and
# `_pg_append_sql` runs once at import, before a mutant is chosen. The PostgreSQL run of
# tests/credits/test_ledger.py is what tests them (docs/testing.md).
LEDGER_SQLITE="$(printf -- '*.x_%s__mutmut_* ' credits_text timestamp_text chain_hash \
    entry_content block_content balance_fits refusal append_entry _append_generic place_hold \
    _place_hold_on release_hold) *.xǁNewEntryǁ*__mutmut_* *.xǁAccountStateǁ*__mutmut_*"

# name | file mutated | its mutants (globs; empty: every function in the file) | own tests
MODULES=(
    "ledger|credits/ledger.py|$LEDGER_SQLITE|tests/credits/test_ledger.py tests/credits/test_services.py tests/credits/test_ledger_state_machine.py tests/credits/test_verify_ledger.py tests/credits/test_bounds.py $LEDGER_FLOWS"
    "ledger_services|credits/services.py||tests/credits/test_services.py tests/credits/test_blocks.py tests/credits/test_bounds.py $LEDGER_FLOWS"
    "rules|credits/rules.py||tests/credits/test_rules.py"
    "solvency|credits/solvency.py||tests/credits/test_solvency.py"
    "money|core/money.py||tests/billing/test_money.py"
    "tax|billing/tax.py||tests/billing/test_tax.py"
    "calendars|sla/calendars.py||tests/sla/test_calendars*.py $CALENDAR_PROPERTIES"
    "business_days|sla/business_days.py||tests/sla/test_business_days.py"
    "intake_decision|tickets/services/intake.py|*.x_intake_evaluate__mutmut_* *.x__check_*__mutmut_* *.x_channel_decide__mutmut_* *.x_scope_check__mutmut_*|tests/tickets/test_intake.py tests/tickets/test_channel_hours.py"
    "invoice_numbering|billing/services/invoices.py|*.x_issue_locked__mutmut_*|tests/billing/test_invoices.py"
)

usage() {
    echo "usage: scripts/mutation.sh [--list] [module ...]; modules:" >&2
    for row in "${MODULES[@]}"; do echo "  ${row%%|*}" >&2; done
    exit 2
}

find_row() {
    local row
    for row in "${MODULES[@]}"; do
        if [ "${row%%|*}" = "$1" ]; then
            echo "$row"
            return 0
        fi
    done
    return 1
}

if [ "${1:-}" = "--list" ]; then
    for row in "${MODULES[@]}"; do
        IFS='|' read -r name file globs tests <<<"$row"
        printf '%-18s %s %s\n%-18s tests: %s\n' "$name" "$file" "${globs:+($globs)}" "" "$tests"
    done
    exit 0
fi

selected=("$@")
if [ ${#selected[@]} -eq 0 ]; then
    for row in "${MODULES[@]}"; do selected+=("${row%%|*}"); done
fi
for name in "${selected[@]}"; do find_row "$name" >/dev/null || usage; done

# mutmut's spinner frames and its own line per mutant (the summary below lists the ones
# not killed): the rest is worth reading.
QUIET='^(⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏)|^\S+ [[:alnum:]_.ǁ]+__mutmut_[0-9]+$|^ *$'
summary=()
failed=0
for name in "${selected[@]}"; do
    IFS='|' read -r _ file globs tests <<<"$(find_row "$name")"
    # shellcheck disable=SC2086  # the test list may hold globs (tests/sla/test_calendars*.py)
    tests="$(printf '%s ' $tests)"
    echo "== $name: $file against $tests"
    log="$(mktemp)"
    # A fresh copy each time: mutmut refreshes the mutated files but keeps stale copies of
    # the rest (templates, translations), and its results belong to one test selection.
    rm -rf mutants
    set +e
    MUTATION_FILE="$file" MUTATION_GLOBS="$globs" MUTATION_TESTS="$tests" \
        uv run python - 2>&1 <<'PY' | tr '\r' '\n' | grep --line-buffered -v -E "$QUIET" | tee "$log"
import fnmatch
import os
import sys
from pathlib import Path

from mutmut.configuration import config

file, tests = os.environ["MUTATION_FILE"], os.environ["MUTATION_TESTS"].split()
cfg = config()
if not any(fnmatch.fnmatch(file, pattern) for pattern in cfg.only_mutate):
    sys.exit(f"{file} is not in [tool.mutmut] only_mutate in pyproject.toml")
# The module's own tests only: a mutant that only another module's tests kill survives here.
cfg.pytest_add_cli_args_test_selection = tests
# Every app of ours is copied, also one added since source_paths was last written.
apps = sorted(p.parent for p in Path().glob("*/__init__.py") if p.parent.name != "tests")
cfg.source_paths += [app for app in apps if app not in cfg.source_paths]
cfg.resolved_mutated_source_paths = [Path.cwd() / "mutants" / p for p in cfg.source_paths]

from mutmut.__main__ import cli  # noqa: E402  (reads the configuration above)

module = file.removesuffix(".py").replace("/", ".")
globs = os.environ["MUTATION_GLOBS"].split() or ["*"]
names = [f"{module}.{glob.removeprefix('*.')}" for glob in globs]
try:
    cli(["run", "--max-children", "1", *names], standalone_mode=False)
except SystemExit as stop:
    if stop.code:
        raise

import json  # noqa: E402
from collections import Counter  # noqa: E402

from mutmut.stats import status_by_exit_code  # noqa: E402

with open(f"mutants/{file}.meta") as meta:
    exit_codes = json.load(meta)["exit_code_by_key"]
ours = {
    key: status_by_exit_code[code]
    for key, code in exit_codes.items()
    if any(fnmatch.fnmatch(key, name) for name in names)
}
count = Counter(ours.values())
total = len(ours)
caught = count["killed"] + count["timeout"]
print()
for key, status in sorted(ours.items()):
    if status not in ("killed", "timeout"):
        print(f"    {key}: {status}")
print(
    f"SCORE {module}: {caught}/{total} killed ({100 * caught / max(total, 1):.1f} %), "
    f"{count['survived']} survived, {count['no tests']} no tests, {count['timeout']} timeout, "
    f"{count['suspicious'] + count['segfault']} suspicious, {count['not checked']} not checked"
)
PY
    status=${PIPESTATUS[0]}
    set -e
    [ "$status" -eq 0 ] || failed=1
    line="$(grep '^SCORE ' "$log" || true)"
    rm -f "$log"
    summary+=("${line:-SCORE $name: the run failed (exit $status), see above}")
done

echo
echo "== mutation scores"
printf '%s\n' "${summary[@]#SCORE }"
exit "$failed"
