"""Failed logins are throttled (django-axes): five wrong passwords for one account from one client,
or five failures of any accounts from one client, lock that client out for 15 minutes. The answer
is the same whether the account exists or not."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/konto/anmelden/"
RIGHT = "geheim-genug-123"
LOCKED = "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in 15 Minuten erneut."


def _fail(client, username, times=5, url=LOGIN, **extra):
    """Wrong passwords; the fifth failure in a row already answers with the lockout."""
    statuses = [
        client.post(url, {"username": username, "password": "falsch"}, **extra).status_code
        for _ in range(times)
    ]
    assert statuses[:4] == [200] * min(times, 4)


def _page(response) -> str:
    """The page without what differs per request (the CSRF token)."""
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_the_right_password_after_five_wrong_ones_is_refused(client):
    UserFactory(username="erika")
    _fail(client, "erika")
    response = client.post(LOGIN, {"username": "erika", "password": RIGHT})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_out_unknown_account_looks_like_a_locked_out_real_one(client):
    UserFactory(username="erika")
    _fail(client, "erika")
    real = client.post(LOGIN, {"username": "erika", "password": RIGHT})
    _fail(client, "niemand", REMOTE_ADDR="10.0.0.9")
    unknown = client.post(LOGIN, {"username": "niemand", "password": RIGHT}, REMOTE_ADDR="10.0.0.9")
    assert (real.status_code, unknown.status_code) == (429, 429)
    assert _page(real) == _page(unknown)
    # The page does not echo the name that was tried.
    assert "niemand" not in unknown.content.decode()


def test_one_client_trying_many_accounts_is_locked_out(client):
    UserFactory(username="erika")
    for name in ["anna", "bernd", "carla", "dieter", "emil"]:
        client.post(LOGIN, {"username": name, "password": "falsch"})
    response = client.post(LOGIN, {"username": "erika", "password": RIGHT})
    assert response.status_code == 429


def test_case_variants_of_a_name_count_as_one_account(client):
    from axes.models import AccessAttempt

    UserFactory(username="erika")
    for name in ["erika", "Erika", "ERIKA ", "eRika"]:
        _fail(client, name, times=1)
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"erika"}


def test_another_client_still_logs_in_while_one_is_locked_out(client):
    UserFactory(username="erika")
    _fail(client, "erika")
    response = client.post(LOGIN, {"username": "erika", "password": RIGHT}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302


def test_the_lockout_ends_after_15_minutes(client):
    from axes.models import AccessAttempt

    UserFactory(username="erika")
    _fail(client, "erika")
    assert client.post(LOGIN, {"username": "erika", "password": RIGHT}).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = client.post(LOGIN, {"username": "erika", "password": RIGHT})
    assert response.status_code == 302


def test_axes_reset_unlocks(client):
    UserFactory(username="erika")
    _fail(client, "erika")
    call_command("axes_reset", verbosity=0)
    response = client.post(LOGIN, {"username": "erika", "password": RIGHT})
    assert response.status_code == 302


def test_the_admin_login_is_throttled_too(client):
    UserFactory(username="erika", is_staff=True, is_superuser=True)
    _fail(client, "erika", url="/admin/login/")
    response = client.post("/admin/login/", {"username": "erika", "password": RIGHT})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_behind_a_trusted_proxy_each_visitor_has_a_lockout_of_their_own(client, settings):
    """Behind nginx every request comes from the proxy's address: the lockout keys on the
    client's address as the trusted proxy reports it, as the forms' rate limits do."""
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="erika")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    _fail(client, "niemand", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    # Another visitor behind the same proxy logs in; a forged entry on the left does not help the
    # locked-out one.
    other = client.post(
        LOGIN,
        {"username": "erika", "password": RIGHT},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
        **proxy,
    )
    assert other.status_code == 302
    client.logout()
    forged = client.post(
        LOGIN,
        {"username": "erika", "password": RIGHT},
        HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.7",
        **proxy,
    )
    assert forged.status_code == 429
