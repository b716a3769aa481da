"""The inbox's periodic commands: erasure after the retention period, and the mailbox import
without a mailbox (the round trip with a real one is tests/office/test_imap.py)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from buendnis.core.models import AuditEntry
from buendnis.office.models import Inquiry, OfficeSettings, Status
from tests.factories import AllianceStructure

from .factories import stored_inquiry

pytestmark = pytest.mark.django_db


def test_erase_inquiries_command(site: AllianceStructure, other_site: AllianceStructure) -> None:
    OfficeSettings.objects.create(alliance=site.alliance, retention_days=30)
    long_ago = timezone.now() - timedelta(days=200)
    due = stored_inquiry(site.alliance, status=Status.DONE, created_at=long_ago)
    elsewhere = stored_inquiry(other_site.alliance, status=Status.DONE, created_at=long_ago)
    out = io.StringIO()
    call_command("erase_inquiries", stdout=out)
    assert "2 Anfrage(n) gelöscht." in out.getvalue()
    assert f"– {site.alliance.name}: 1" in out.getvalue()
    assert (
        Inquiry.objects.filter(pk__in=[due.pk, elsewhere.pk], erased_at__isnull=False).count() == 2
    )
    assert AuditEntry.objects.filter(action="inquiry.erase").count() == 2
    quiet = io.StringIO()
    call_command("erase_inquiries", verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""


def test_fetch_without_a_mailbox_says_what_to_set(settings: Any) -> None:
    settings.BUENDNIS_INQUIRY_IMAP = {**settings.BUENDNIS_INQUIRY_IMAP, "host": ""}
    with pytest.raises(CommandError, match="BUENDNIS_INQUIRY_IMAP_HOST"):
        call_command("fetch_inquiry_mail")


def test_fetch_without_a_server_is_a_clear_error(settings: Any) -> None:
    settings.BUENDNIS_INQUIRY_IMAP = {
        **settings.BUENDNIS_INQUIRY_IMAP,
        "host": "127.0.0.1",
        "port": 9,  # discard: nobody answers IMAP there
        "security": "none",
    }
    with pytest.raises(CommandError, match="Postfach nicht lesbar: Keine Verbindung"):
        call_command("fetch_inquiry_mail", verbosity=0)
