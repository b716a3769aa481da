"""The shared cache (Redis on several app servers) is away: a write that has committed is not
turned into an error page afterwards, public pages are rendered without the cache, and the
public forms' limits are open rather than the forms broken."""

import logging

import pytest
from django.test import Client

from buendnis.alliances import services as alliance_services
from buendnis.alliances.models import Alliance
from buendnis.core.rate_limit import RateLimit

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


def test_public_pages_are_rendered_without_the_cache(alliance, settings, caplog):
    settings.CACHES = UNREACHABLE
    settings.BUENDNIS_PUBLIC_CACHE = True
    with caplog.at_level(logging.WARNING, logger="buendnis.core.public_cache"):
        response = Client().get(f"/{alliance.slug}/")
    assert response.status_code == 200
    assert alliance.name in response.content.decode()
    assert "X-Public-Cache" not in response.headers
    assert "Seiten-Cache nicht erreichbar" in caplog.text


def test_the_contact_forms_limit_is_open_while_the_cache_is_away(settings, caplog):
    settings.CACHES = UNREACHABLE
    limit = RateLimit("test", limit=1, window_seconds=60)
    with caplog.at_level(logging.WARNING, logger="buendnis.core.rate_limit"):
        limit.count("198.51.100.7")
        assert not limit.exceeded("198.51.100.7")
    assert "Cache nicht erreichbar" in caplog.text
