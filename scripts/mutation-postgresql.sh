#!/usr/bin/env bash
# The ledger's PostgreSQL-only mutants, measured by hand: mutmut runs on SQLite, where the
# calls that hand a write to its one-statement PostgreSQL form never run (docs/testing.md,
# note 7). Each mutant below is applied to credits/ledger.py in turn and the ledger's own
# tests run on PostgreSQL; a failing run kills it. The file is restored at the end.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_mutation scripts/mutation-postgresql.sh
set -uo pipefail
cd "$(dirname "$0")/.."
case "${DATABASE_URL:-}" in postgres*) ;; *) echo "set DATABASE_URL to a PostgreSQL server" >&2; exit 2 ;; esac
if ! git diff --quiet -- credits/ledger.py; then
    echo "credits/ledger.py has changes of its own; commit or stash them first" >&2
    exit 2
fi
trap 'git checkout -q -- credits/ledger.py' EXIT

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
    if uv run pytest -q -x -p no:randomly tests/credits/test_ledger.py tests/credits/test_services.py \
        > /dev/null 2>&1; then
        echo "survived: ${mutant#*|        }"
    else
        killed=$((killed + 1))
        echo "killed:   ${mutant#*|        }"
    fi
done
echo "ledger (PostgreSQL only): ${killed}/${#MUTANTS[@]} killed"
