"""Writing history: the demo runs a step through the services as of the moment it happened.

The demo's history reaches from 2015 to the present. The services stamp what they write with the
time (`auto_now_add`, a transition's time, a booking's, an invitation's, the audit row's) and
refuse what lies after "today". Run as of its own moment, a step of 2016 is written as it would
have been in 2016: its rows carry that time, and the services' rules hold against that day. The
ledger, the audit trail, strategy versions and the ministry's decisions are append-only (a
database trigger refuses every change), so they cannot be back-dated afterwards; this is the one
way they read their real dates.

`as_of` replaces `django.utils.timezone.now` inside the block, which every `auto_now`/
`auto_now_add` field, `timezone.localdate()` and the services' `timezone.now()` read. Two kinds
of stamp do not read it and are set afterwards, as the inquiries' demo moves an arrival into the
past: a field with `default=timezone.now` holds the original function (`core.models.Timestamped`
and a circulation's `opened_at`), so rows created in the block get their `created_at` set to the
block's moment on the way out.

Only for the demo load (single-threaded, inside one transaction); never in a request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from unittest import mock

from django.apps import apps
from django.db import models
from django.utils import timezone

from buendnis.core.errors import DomainError
from buendnis.core.models import Timestamped


def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """`day` at `hour:minute`, local time (Europe/Berlin)."""
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _timestamped() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, Timestamped) and not model._meta.proxy
    ]


@contextmanager
def as_of(when: datetime, *, restamp: bool = True) -> Iterator[datetime]:
    """Run the block as if it were `when` (an aware moment that is not in the future).

    `restamp=False` skips setting `created_at` of the `Timestamped` rows on the way out (one
    query per such model), for blocks that create none (a project's steps)."""
    if timezone.is_naive(when):
        raise ValueError("as_of needs an aware datetime")
    real_now = timezone.now()
    if when > real_now:
        # A DomainError, so that `load_demo` reports it and the server still starts (a machine
        # whose clock lies before the demo's present).
        raise DomainError(
            f"Die Demo schreibt nichts in die Zukunft: {timezone.localtime(when):%d.%m.%Y %H:%M} "
            "liegt nach der Uhrzeit dieses Rechners."
        )
    with mock.patch.object(timezone, "now", lambda: when):
        yield when
    if not restamp:
        return
    # Rows saved in the block have `updated_at == when`; those created in it still carry the real
    # time as `created_at` (their default is the original `timezone.now`).
    for model in _timestamped():
        model._default_manager.filter(updated_at=when, created_at__gt=when).update(created_at=when)
