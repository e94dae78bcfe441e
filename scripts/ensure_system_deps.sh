#!/usr/bin/env bash
# Install the machine packages the test suite drives: Debian's chromium (Playwright
# cannot download its own browser here), a CJK font and a colour emoji font (so Chinese
# pages, reactions and icons render in screenshots instead of boxes, and report PDFs
# in Chinese), Pango (WeasyPrint lays out the report PDFs with it), poppler-utils (the
# export tests read those PDFs back with pdftotext, pdftoppm and pdfimages) and the
# PostgreSQL server (the suite runs on it too). Does nothing, quickly, when all are
# present.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v xgettext >/dev/null || missing+=(gettext)  # makemessages, for the catalogue completeness test
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  missing+=(fonts-noto-cjk)
fi
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
# WeasyPrint (the report PDF export) loads Pango and HarfBuzz's subsetter at run time.
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
for tool in pdftotext pdftoppm pdfimages; do
  command -v "$tool" >/dev/null || { missing+=(poppler-utils); break; }
done
# The server binaries, and the system user that scripts/with_postgres.py runs them as
# (PostgreSQL refuses root); Debian's postgresql package brings both.
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || ! id postgres >/dev/null 2>&1; then
  missing+=(postgresql)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing system packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" fontconfig
