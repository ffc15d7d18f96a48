#!/usr/bin/env bash
# Render sample documents and turn their pages into PNGs, for a person to look at.
#
#   scripts/render_samples.sh              # into var/samples/
#   scripts/render_samples.sh /tmp/out     # into another folder
#
# A short invoice, a 200-line invoice, a credit note and an SLA compliance report, each in
# Spanish and English: <name>-<es|en>.pdf and <name>-<es|en>-<page>.png (80 dpi).
# The sample data lives in a throwaway SQLite database inside the folder (and the command
# rolls its rows back anyway), so dev data is never touched.
#
# Needs pdftoppm: Debian's poppler-utils (`apt-get install poppler-utils`).
set -euo pipefail

cd "$(dirname "$0")/.."
command -v pdftoppm >/dev/null || {
    echo "pdftoppm not found: install Debian's poppler-utils (apt-get install poppler-utils)" >&2
    exit 1
}
out="${1:-var/samples}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out"/samples.sqlite3* "$out"/*.pdf "$out"/*.png

export DATABASE_URL="sqlite:///$out/samples.sqlite3"
uv run manage.py migrate --verbosity 0
uv run manage.py render_samples "$out"
rm -f "$out"/samples.sqlite3*

for pdf in "$out"/*.pdf; do
    pdftoppm -png -r 80 "$pdf" "${pdf%.pdf}"
done
echo "PDFs and PNGs in $out:"
ls "$out"
