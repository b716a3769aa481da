"""The demo (every flow of the platform once) leaves no person's data in the audit trail: before
issue 13 §3, 137 of its rows carried e-mail addresses."""

from __future__ import annotations

import json

import pytest

from buendnis.core.audit import EMAIL_ADDRESS
from buendnis.core.models import AuditEntry
from buendnis.demo.load import load_demo

pytestmark = pytest.mark.django_db


def test_the_demos_audit_rows_carry_no_address() -> None:
    load_demo()
    leftovers = [
        f"{entry.action} #{entry.pk}"
        for entry in AuditEntry.objects.all()
        if EMAIL_ADDRESS.search(
            " ".join([entry.object_repr, json.dumps(entry.changes), entry.comment])
        )
    ]
    assert AuditEntry.objects.count() > 100
    assert leftovers == []
