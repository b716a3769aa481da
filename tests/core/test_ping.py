"""/ping: the process answers, without database, session or cookie."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@pytest.mark.django_db
def test_ping_answers_ok_as_plain_text_without_database():
    with CaptureQueriesContext(connection) as captured:
        response = Client().get("/ping")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert len(captured) == 0  # no database, not even a session lookup
    assert not response.cookies
