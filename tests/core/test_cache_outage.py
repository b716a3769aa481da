"""The shared cache (Redis on several app servers) is away: a write that has committed is not
turned into an error page afterwards."""

import logging

import pytest

from buendnis.alliances import services as alliance_services
from buendnis.alliances.models import Alliance

pytestmark = pytest.mark.django_db

UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on port 9
    }
}


def test_a_committed_write_stands_when_the_cache_cannot_be_bumped(
    alliance, settings, caplog, django_capture_on_commit_callbacks
):
    settings.CACHES = UNREACHABLE
    with (
        caplog.at_level(logging.ERROR, logger="buendnis.core.public_cache"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        alliance.name = "Fachkräftebündnis Umbenannt"
        alliance_services.alliance_save(actor=None, instance=alliance)
    assert Alliance.objects.get(pk=alliance.pk).name == "Fachkräftebündnis Umbenannt"
    assert "Seiten-Cache konnte nicht geleert werden" in caplog.text
