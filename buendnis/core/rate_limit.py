"""A fixed-window counter in the shared cache, for forms anyone can send (per client address) and
for mail they cause (per recipient): the contact form, the public subscriptions, registration and
password reset. Failed logins are counted by django-axes instead (config/settings/base.py).

When the shared cache (Redis) is away, the limits are open rather than the forms broken: the
outage shows in /healthz and the log, and the logins' lockout lives in the database anyway."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimit:
    """`limit` events per `window_seconds` and `who`; the window starts with the first event (the
    key expires `window_seconds` after it was set)."""

    name: str
    limit: int
    window_seconds: int

    def _key(self, who: str) -> str:
        # Hashed: an address in a cache key would be personal data in the cache's files.
        digest = hashlib.sha256(who.encode()).hexdigest()[:32]
        return f"buendnis:rate:{self.name}:{digest}"

    def exceeded(self, who: str) -> bool:
        """Has `who` used the allowance of the current window? (No, if the cache is away.)"""
        try:
            return int(cache.get(self._key(who), 0)) >= self.limit
        except Exception:
            log.warning("Limit %s nicht prüfbar: Cache nicht erreichbar", self.name, exc_info=True)
            return False

    def count(self, who: str) -> None:
        """Count one event of `who` (not at all if the cache is away)."""
        key = self._key(who)
        try:
            if cache.add(key, 1, timeout=self.window_seconds):
                return
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=self.window_seconds)
        except Exception:
            log.warning("Limit %s nicht gezählt: Cache nicht erreichbar", self.name, exc_info=True)
