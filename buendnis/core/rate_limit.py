"""A fixed-window counter in the shared cache, for forms anyone can send (per client address) and
for mail they cause (per recipient): the contact form, the public subscriptions, registration and
password reset. Failed logins are counted by django-axes instead (config/settings/base.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache


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
        """Has `who` used the allowance of the current window?"""
        return int(cache.get(self._key(who), 0)) >= self.limit

    def count(self, who: str) -> None:
        """Count one event of `who`."""
        key = self._key(who)
        if cache.add(key, 1, timeout=self.window_seconds):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.window_seconds)
