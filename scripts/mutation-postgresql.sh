#!/usr/bin/env bash
# The ledger's PostgreSQL-only mutants, measured by hand: mutmut runs on SQLite, where the
# calls that hand a write to its one-statement PostgreSQL form never run (docs/testing.md,
# note 7). Each mutant below is applied to credits/ledger.py in turn and the ledger's own
# tests run on PostgreSQL; a run with failing tests (pytest's exit code 1) kills it. The
# unmutated code must pass first, and any other exit code (no database, an import error, an
# interrupted run) stops the script with pytest's output instead of counting as a kill.
# The file is restored at the end.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_mutation scripts/mutation-postgresql.sh
set -uo pipefail
cd "$(dirname "$0")/.."
case "${DATABASE_URL:-}" in postgres*) ;; *) echo "set DATABASE_URL to a PostgreSQL server" >&2; exit 2 ;; esac
if ! git diff --quiet -- credits/ledger.py; then
    echo "credits/ledger.py has changes of its own; commit or stash them first" >&2
    exit 2
fi

APPEND='        return _append_postgresql(new)'
HOLD='        return _place_hold_postgresql(hold, needed=needed, tracked=tracked)'
RELEASE='        return _release_hold_postgresql(hold_id=hold_id, closed_at=closed_at)'
MUTANTS=(
    "$APPEND|        return _append_postgresql(None)"
    "$HOLD|        return _place_hold_postgresql(None, needed=needed, tracked=tracked)"
    "$HOLD|        return _place_hold_postgresql(needed=needed, tracked=tracked)"
    "$HOLD|        return _place_hold_postgresql(hold, needed=None, tracked=tracked)"
    "$HOLD|        return _place_hold_postgresql(hold, tracked=tracked)"
    "$HOLD|        return _place_hold_postgresql(hold, needed=needed, tracked=None)"
    "$HOLD|        return _place_hold_postgresql(hold, needed=needed)"
    "$RELEASE|        return _release_hold_postgresql(hold_id=None, closed_at=closed_at)"
    "$RELEASE|        return _release_hold_postgresql(closed_at=closed_at)"
    "$RELEASE|        return _release_hold_postgresql(hold_id=hold_id, closed_at=None)"
    "$RELEASE|        return _release_hold_postgresql(hold_id=hold_id)"
)
run_ledger_tests() {
    uv run pytest -q -x -p no:randomly tests/credits/test_ledger.py tests/credits/test_services.py \
        > "$output" 2>&1
}
output=$(mktemp)
trap 'git checkout -q -- credits/ledger.py; rm -f "$output"' EXIT

if ! run_ledger_tests; then
    echo "the ledger's tests fail on the unmutated code; nothing measured:" >&2
    tail -n 30 "$output" >&2
    exit 2
fi
killed=0
for mutant in "${MUTANTS[@]}"; do
    git checkout -q -- credits/ledger.py
    ORIGINAL="${mutant%%|*}" MUTATED="${mutant#*|}" python3 - <<'PY' || exit 2
import os
from pathlib import Path

path = Path("credits/ledger.py")
text, original = path.read_text(), os.environ["ORIGINAL"]
if text.count(original) != 1:
    raise SystemExit(f"not found once in credits/ledger.py: {original.strip()}")
path.write_text(text.replace(original, os.environ["MUTATED"]))
PY
    status=0
    run_ledger_tests || status=$?
    case $status in
        0) echo "survived: ${mutant#*|        }" ;;
        1) killed=$((killed + 1)); echo "killed:   ${mutant#*|        }" ;;
        *) echo "pytest stopped with exit code $status on: ${mutant#*|        }" >&2
           tail -n 30 "$output" >&2
           exit 2 ;;
    esac
done
echo "ledger (PostgreSQL only): ${killed}/${#MUTANTS[@]} killed"
