"""The address a request came from, the key of every per-client rate limit.

Behind the documented set-up (nginx → gunicorn, README "Deploying") REMOTE_ADDR is the proxy's
address for every visitor; gunicorn does not rewrite it. The client's address is in
X-Forwarded-For, but only the entries the trusted proxies appended can be believed: a client may
send the header itself, and nginx's `$proxy_add_x_forwarded_for` appends to what it received. So
with N trusted proxies the N-th entry from the right is the address the outermost proxy saw;
everything left of it came from the client. Settings: TRUSTED_PROXY_COUNT (environment
BUENDNIS_TRUSTED_PROXIES); DRF's NUM_PROXIES follows it (config/settings/base.py).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# Every request without a readable address shares this one key: a limit still holds for them.
UNKNOWN = "unbekannt"


def _ip(value: str) -> str | None:
    """`value` as a normalised IP address, or None when it is none."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, as the trusted proxies (TRUSTED_PROXY_COUNT) report it.

    0 proxies (the default, `make run`): REMOTE_ADDR; X-Forwarded-For is ignored. N proxies: the
    N-th address from the right of X-Forwarded-For. A header with fewer entries, or an entry that
    is no IP address, did not pass all the proxies: then REMOTE_ADDR."""
    remote = _ip(str(request.META.get("REMOTE_ADDR") or "")) or UNKNOWN
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).strip()
    # Empty entries are kept: dropping one would move a client's own entry into the counted place.
    forwarded = header.split(",") if header else []
    if len(forwarded) < proxies:
        return remote
    return _ip(forwarded[-proxies]) or remote
