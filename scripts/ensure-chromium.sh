#!/usr/bin/env bash
# Makes sure Debian's chromium is at /usr/bin/chromium for the browser tests
# (test/browser), which drive it with playwright-core. Installs it only when
# that is safe to do unattended: running as root on Debian. Otherwise prints
# what to install and fails, so a missing browser is never silently skipped.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

is_debian() {
  [ -r /etc/os-release ] && grep -Eq '^(ID|ID_LIKE)=.*debian' /etc/os-release
}

if [ "$(id -u)" -eq 0 ] && is_debian && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM missing; installing Debian's chromium package" >&2
  export DEBIAN_FRONTEND=noninteractive
  # The package lists may be absent or stale (e.g. a fresh container): refresh once and retry.
  if ! apt-get install -y chromium; then
    apt-get update
    apt-get install -y chromium
  fi
  if [ -x "$CHROMIUM" ]; then
    exit 0
  fi
  echo "ensure-chromium: installed the chromium package but $CHROMIUM is still missing" >&2
  exit 1
fi

cat >&2 <<MSG
ensure-chromium: $CHROMIUM not found, and this script installs it only as root on Debian.
Install Chromium so that $CHROMIUM exists, e.g. on Debian/Ubuntu:
  sudo apt-get update && sudo apt-get install -y chromium
then re-run the browser tests (npx vitest run test/browser).
MSG
exit 1
