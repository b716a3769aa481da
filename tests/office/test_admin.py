"""The inbox's settings, categories and reply templates in the admin: who enters, tenant
separation, writes through the services (German errors, audit rows)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from buendnis.core.models import AuditEntry
from buendnis.office.models import InquiryCategory, OfficeSettings, ReplyTemplate
from tests.conftest import PERSONAS

from .factories import category, reply_template

pytestmark = pytest.mark.django_db

MODELS = ["officesettings", "inquirycategory", "replytemplate"]
ENTERS = {"office", "ministry", "admin", "outsider"}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_changelists_per_persona(
    client_as: Callable[[str], Client], persona: str, model: str, alliance, other_alliance
) -> None:
    category(alliance, name="Nur hier")
    response = client_as(persona).get(reverse(f"admin:office_{model}_changelist"))
    if persona in ENTERS:
        assert response.status_code == 200
        if model == "inquirycategory":
            # The office of the other alliance does not see this alliance's categories.
            assert ("Nur hier" in response.content.decode()) == (persona != "outsider")
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_inquiries_themselves_are_not_in_the_admin(client_as: Callable[[str], Client], db) -> None:
    page = client_as("admin").get("/admin/").content.decode()
    assert "Antwortvorlagen" in page and "Kategorien von Anfragen" in page
    assert "/admin/office/inquiry/" not in page


def test_office_adds_a_template_through_the_service(
    client_as: Callable[[str], Client], alliance
) -> None:
    client = client_as("office")
    url = reverse("admin:office_replytemplate_add")
    refused = client.post(
        url,
        {"alliance": alliance.pk, "name": "Dank", "body": "Hallo {Name}", "position": 0},
    )
    assert refused.status_code == 200
    assert "Unbekannte Platzhalter: {Name}" in refused.content.decode()
    assert ReplyTemplate.objects.count() == 0
    saved = client.post(
        url,
        {
            "alliance": alliance.pk,
            "name": "Dank",
            "body": "Hallo {name}",
            "position": 0,
            "is_active": "on",
        },
    )
    assert saved.status_code == 302
    assert ReplyTemplate.objects.get().body == "Hallo {name}"
    assert AuditEntry.objects.filter(action="reply_template.create").count() == 1


def test_office_keeps_its_settings(client_as: Callable[[str], Client], alliance) -> None:
    client = client_as("office")
    url = reverse("admin:office_officesettings_add")
    refused = client.post(url, {"alliance": alliance.pk, "response_days": 0, "retention_days": 10})
    assert refused.status_code == 200
    assert OfficeSettings.objects.count() == 0
    client.post(url, {"alliance": alliance.pk, "response_days": 3, "retention_days": 90})
    settings = OfficeSettings.objects.get()
    assert (settings.response_days, settings.retention_days) == (3, 90)
    assert AuditEntry.objects.filter(action="office_settings.create").count() == 1


def test_ministry_reads_but_does_not_change(client_as: Callable[[str], Client], alliance) -> None:
    template = reply_template(alliance)
    client = client_as("ministry")
    change = reverse("admin:office_replytemplate_change", args=[template.pk])
    assert client.get(change).status_code == 200
    client.post(change, {"alliance": alliance.pk, "name": "Neu", "body": "x", "position": 0})
    assert ReplyTemplate.objects.get().name == "Eingangsbestätigung"
    assert client.get(reverse("admin:office_replytemplate_add")).status_code == 403
    assert InquiryCategory.objects.count() == 0
