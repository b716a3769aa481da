#!/usr/bin/env bash
# Test prerequisites from Debian's packages: chromium for the browser tests, PostgreSQL for the
# second pass of the suite, dovecot for the inbox's IMAP import, redis-server for the shared
# cache. As root they are installed; otherwise we say what to install.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# WeasyPrint (the Stellungnahme PDF) draws text with Pango.
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
# The Stellungnahme's tests read the PDF's text (pdftotext) and draw it as PNG (pdftoppm).
command -v pdftotext >/dev/null || missing+=(poppler-utils)
# The inbox's mailbox import is tested against a real IMAP server that the test starts itself,
# unprivileged, in a temporary folder (tests/office/test_imap.py); the package's own service is
# not used.
[ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null || missing+=(dovecot-imapd)
# Redis for the test of two app servers sharing one cache (tests/deploy/test_two_servers.py),
# started by the test itself on a free port; the package's own service is not used.
command -v redis-server >/dev/null || missing+=(redis-server)
if [ -z "${DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null; then
  missing+=(postgresql)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installiere ${missing[*]} (Debian-Pakete) …"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null
  # The cluster that the postgresql package may start is not ours: the tests start their own.
else
  echo "Für die Tests fehlen: ${missing[*]}. Bitte installieren: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
