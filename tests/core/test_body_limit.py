"""Too large a request body is refused before it is read (core/middleware.py,
RequestBodyLimitMiddleware): 413 with a German page, JSON on the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from buendnis.core.middleware import RequestBodyLimitMiddleware
from buendnis.office.models import Inquiry

SIXTY_MB = str(60 * 1024 * 1024)


def _never_called(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the view ran")


@pytest.mark.django_db
@pytest.mark.usefixtures("alliance")
def test_a_huge_body_is_refused_before_the_view_reads_it() -> None:
    # The test client's payload is small; the header announces a 60 MB upload, as a browser's
    # would. Read, the body would fail (the client refuses reads past its payload).
    response = Client().generic(
        "POST",
        "/son/kontakt/",
        data=b"--grenze\r\n",
        content_type="multipart/form-data; boundary=grenze",
        CONTENT_LENGTH=SIXTY_MB,
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "Die gesendeten Daten sind zu groß" in text
    assert "Eine Datei darf höchstens 10,0\xa0MB groß sein." in text
    assert '<html lang="de">' in text
    assert Inquiry.objects.count() == 0


def test_the_middleware_refuses_without_calling_the_view(settings: Any) -> None:
    settings.MAX_REQUEST_BODY_BYTES = 1000
    request = RequestFactory().post("/son/kontakt/", CONTENT_LENGTH="1001")
    response = RequestBodyLimitMiddleware(_never_called)(request)
    assert response.status_code == 413


def test_the_api_is_answered_in_json() -> None:
    request = RequestFactory().post(
        "/api/v1/projects/", data=b"{}", content_type="application/json", CONTENT_LENGTH=SIXTY_MB
    )
    response = RequestBodyLimitMiddleware(_never_called)(request)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "zu groß" in json.loads(response.content)["detail"]


def test_the_page_speaks_the_chosen_language() -> None:
    request = RequestFactory().post("/son/kontakt/", CONTENT_LENGTH=SIXTY_MB)
    request.COOKIES["django_language"] = "en"
    response = RequestBodyLimitMiddleware(_never_called)(request)
    text = response.content.decode()
    assert '<html lang="en">' in text
    assert "The data sent is too large" in text


@pytest.mark.parametrize("length", ["", "0", "1000", "nonsense"])
def test_a_body_within_the_limit_goes_on(settings: Any, length: str) -> None:
    settings.MAX_REQUEST_BODY_BYTES = 1000
    request = RequestFactory().post("/son/kontakt/", CONTENT_LENGTH=length)
    response = RequestBodyLimitMiddleware(lambda request: HttpResponse("ok"))(request)
    assert response.content == b"ok"


def test_the_limit_leaves_room_for_the_largest_upload_and_its_form(settings: Any) -> None:
    assert settings.MAX_REQUEST_BODY_BYTES >= (
        settings.MAX_UPLOAD_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )
