"""Password reset by mail is limited per client and per address, the same for every address."""

import pytest
from django.core import mail
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/konto/passwort-vergessen/"
TOO_MANY = "In kurzer Zeit wurden zu viele neue Passwörter angefordert"


def test_resets_are_limited_per_client(client: Client) -> None:
    UserFactory(username="erika", email="erika@example.org")
    for number in range(5):
        assert client.post(URL, {"email": f"p{number}@example.org"}).status_code == 302
    refused = client.post(URL, {"email": "erika@example.org"})
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    assert mail.outbox == []
    assert (
        Client(REMOTE_ADDR="192.0.2.77").post(URL, {"email": "erika@example.org"}).status_code
        == 302
    )
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("email", ["erika@example.org", "niemand@example.org"])
def test_resets_are_limited_per_address_the_same_whether_it_has_an_account(email: str) -> None:
    UserFactory(username="erika", email="erika@example.org")
    answers = [
        Client(REMOTE_ADDR=f"192.0.2.{number}").post(URL, {"email": email}).status_code
        for number in range(4)
    ]
    assert answers == [302, 302, 302, 429]
    assert len(mail.outbox) == (3 if email.startswith("erika") else 0)


def test_the_address_is_counted_without_regard_to_case() -> None:
    for number, email in enumerate(["a@example.org", "A@example.org", "a@EXAMPLE.org"]):
        Client(REMOTE_ADDR=f"192.0.2.{number}").post(URL, {"email": email})
    assert Client(REMOTE_ADDR="192.0.2.9").post(URL, {"email": "a@example.org"}).status_code == 429
