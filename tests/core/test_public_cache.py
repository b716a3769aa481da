"""The shared cache of public pages (buendnis/core/public_cache.py), on LocMem."""

import pytest
from django.core.cache import cache
from django.test import Client

from buendnis.alliances import services as alliance_services
from buendnis.core import public_cache

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def visitor(**kwargs):
    """An anonymous visitor without cookies (public pages set none: a first visit is cached)."""
    return Client(**kwargs)


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.BUENDNIS_PUBLIC_CACHE = True
    cache.clear()
    yield
    cache.clear()


def test_second_anonymous_get_is_a_hit_with_the_same_page(alliance):
    client = visitor()
    first = client.get("/son/")
    second = client.get("/son/")
    assert first.status_code == second.status_code == 200
    assert first[public_cache.HEADER] == "miss"
    assert second[public_cache.HEADER] == "hit"
    assert second.content.decode().count(alliance.name) == first.content.decode().count(
        alliance.name
    )


def test_a_hit_needs_no_database_query(alliance, django_assert_num_queries):
    visitor().get("/son/")
    with django_assert_num_queries(0):
        response = visitor().get("/son/")
    assert response[public_cache.HEADER] == "hit"


def test_a_first_visit_is_stored_and_served_without_cookies(alliance):
    first = Client(enforce_csrf_checks=True).get("/son/")
    assert first[public_cache.HEADER] == "miss"
    assert "public" in first["Cache-Control"] and "private" not in first["Cache-Control"]
    assert not first.cookies
    newcomer = Client(enforce_csrf_checks=True)
    response = newcomer.get("/son/")
    assert response[public_cache.HEADER] == "hit"
    assert not response.cookies and "Set-Cookie" not in response
    assert "csrfmiddlewaretoken" not in response.content.decode()
    # The language switch on the cached page works for this visitor: a link, no token.
    answer = newcomer.get("/sprache/en/?next=/son/")
    assert answer.status_code == 302
    assert newcomer.get("/son/")["Content-Language"] == "en"


def test_a_returning_visitor_with_a_csrf_cookie_gets_the_same_page(alliance):
    visitor().get("/son/")
    client = Client()
    client.cookies["csrftoken"] = "a" * 32
    response = client.get("/son/")
    assert response[public_cache.HEADER] == "hit"
    assert not response.cookies


def test_a_page_that_renders_a_csrf_token_is_not_stored(alliance, rf, settings):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    def view(request):
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    middleware = public_cache.PublicCacheMiddleware(view)
    for _ in range(2):
        response = middleware(rf.get("/son/"))
        assert public_cache.HEADER not in response


def test_key_includes_query_and_language(alliance):
    client = visitor()
    client.get("/son/")
    assert client.get("/son/?x=1")[public_cache.HEADER] == "miss"
    client.cookies["django_language"] = "en"
    english = client.get("/son/")
    assert english[public_cache.HEADER] == "miss"
    assert english["Content-Language"] == "en"


def test_service_write_invalidates_after_commit(alliance, django_capture_on_commit_callbacks):
    client = visitor()
    client.get("/son/")
    assert client.get("/son/")[public_cache.HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        alliance.name = "Fachkräftebündnis Umbenannt"
        alliance_services.alliance_save(actor=None, instance=alliance)
    fresh = client.get("/son/")
    assert fresh[public_cache.HEADER] == "miss"
    assert "Fachkräftebündnis Umbenannt" in fresh.content.decode()


def test_write_does_not_invalidate_before_commit(alliance, django_capture_on_commit_callbacks):
    client = visitor()
    client.get("/son/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alliance_services.alliance_save(actor=None, instance=alliance)
        assert client.get("/son/")[public_cache.HEADER] == "hit"
    assert callbacks  # the bump waits for the commit


def test_never_for_logged_in_users(alliance):
    client = visitor()
    client.get("/son/")
    client.force_login(UserFactory(username="someone"))
    response = client.get("/son/")
    assert public_cache.HEADER not in response


def test_never_for_bearer_tokens_or_htmx(alliance):
    client = visitor()
    client.get("/api/v1/alliances/son/")
    assert public_cache.HEADER not in client.get(
        "/api/v1/alliances/son/", HTTP_AUTHORIZATION="Bearer x"
    )
    assert public_cache.HEADER not in client.get("/son/", HTTP_HX_REQUEST="true")


def test_never_for_post(alliance):
    client = visitor()
    response = client.post("/son/")
    assert public_cache.HEADER not in response


def test_never_internal_pages_or_probes(alliance):
    client = visitor()
    for path in ("/son/intern/", "/konto/anmelden/", "/healthz", "/ping", "/admin/"):
        client.get(path)
        assert public_cache.HEADER not in client.get(path), path


def test_an_answer_that_sets_a_cookie_is_not_stored(alliance):
    from django.http import HttpResponse
    from django.test import RequestFactory

    def view(request):
        response = HttpResponse("hallo")
        response.set_cookie("etwas", "wert")
        return response

    middleware = public_cache.PublicCacheMiddleware(view)
    for _ in range(2):
        assert public_cache.HEADER not in middleware(RequestFactory().get("/son/"))


def test_not_found_answers_are_not_stored(alliance):
    client = visitor()
    client.get("/gibt-es-nicht/")
    assert public_cache.HEADER not in client.get("/gibt-es-nicht/")


def test_open_data_is_cached(alliance):
    client = visitor()
    client.get("/api/v1/alliances/son/")
    hit = client.get("/api/v1/alliances/son/")
    assert hit[public_cache.HEADER] == "hit"
    assert hit.json()["slug"] == "son"


def test_bump_changes_the_version():
    before = public_cache.data_version()
    public_cache.bump_data_version()
    assert public_cache.data_version() != before


def test_off_switch(alliance, settings):
    settings.BUENDNIS_PUBLIC_CACHE = False
    client = visitor()
    client.get("/son/")
    assert public_cache.HEADER not in client.get("/son/")
