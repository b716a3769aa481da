"""Platform pages that every role reaches alike: health check, login, password reset."""

import pytest

from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", PERSONAS)
def test_healthz_for_every_role(persona, client_as):
    response = client_as(persona).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", ["/konto/anmelden/", "/konto/passwort-vergessen/"])
def test_account_pages_for_every_role(persona, path, client_as):
    response = client_as(persona).get(path)
    assert response.status_code == 200
    assert 'lang="de"' in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_schema_for_every_role(persona, client_as):
    response = client_as(persona).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content
