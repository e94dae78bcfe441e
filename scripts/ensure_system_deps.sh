#!/usr/bin/env bash
# Install the machine packages the test suite drives: Debian's chromium (Playwright
# cannot download its own browser here), a CJK font and a colour emoji font (so Chinese
# pages, reactions and icons render in screenshots instead of boxes) and the PostgreSQL
# server (the suite runs on it too). Does nothing, quickly, when all are present.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v xgettext >/dev/null || missing+=(gettext)  # makemessages, for the catalogue completeness test
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  missing+=(fonts-noto-cjk)
fi
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
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
