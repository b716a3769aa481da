"""The audit trail keeps no person's data of its own (issue 13 §3): the flows that touch people
write references, and the migration scrubs the rows older code wrote."""

from __future__ import annotations

import importlib
import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from buendnis.accounts import services as account_services
from buendnis.accounts.models import PlatformRole, Role
from buendnis.alliances import registration
from buendnis.alliances import services as alliance_services
from buendnis.core.audit import EMAIL_ADDRESS
from buendnis.core.audit_scrub import scrubbed
from buendnis.core.models import AuditEntry
from buendnis.notifications import public_services
from buendnis.office import services as office_services
from tests.factories import OrganisationFactory, ProjectFactory, UserFactory
from tests.office.factories import contact_inquiry

pytestmark = pytest.mark.django_db

NAMES = ("Erika", "Mustermann", "Kontaktine")


def _personal_leftovers() -> list[str]:
    found = []
    for entry in AuditEntry.objects.all():
        text = " ".join(
            [entry.object_repr, json.dumps(entry.changes, ensure_ascii=False), entry.comment]
        )
        if EMAIL_ADDRESS.search(text) or any(name in text for name in NAMES):
            found.append(f"{entry.action}: {text}")
    return found


def test_no_audit_row_of_the_flows_carries_a_name_or_an_address(
    alliance, django_capture_on_commit_callbacks
):
    admin = UserFactory(username="root", email="root@example.org", platform_role=PlatformRole.ADMIN)
    organisation = OrganisationFactory(alliance=alliance)
    with django_capture_on_commit_callbacks(execute=True):
        user = registration.registration_start(
            first_name="Erika",
            last_name="Mustermann",
            email="erika.mustermann@example.org",
            password="lange-genug-2026",
            alliance=alliance,
            organisation=organisation,
            site_url="https://example.org/",
        )
    assert user is not None
    account_services.user_update(actor=admin, user=user, email="erika@example.org", is_active=True)
    account_services.membership_grant(actor=admin, user=user, alliance=alliance, role=Role.STEERING)
    other = account_services.user_create(
        actor=admin, username="erika.m@example.org", email="e@example.org", first_name="Erika"
    )
    account_services.user_delete(actor=admin, user=other)
    alliance_services.person_create(
        actor=admin,
        organisation=organisation,
        first_name="Kontaktine",
        last_name="Mustermann",
        email="k@example.org",
        phone="0531 1",
    )
    ProjectFactory(
        phase__alliance=alliance,
        actor=admin,
        contact_name="Erika Mustermann",
        contact_email="p@example.org",
    )
    inquiry = contact_inquiry(alliance, name="Erika Mustermann", email="frage@example.org")
    office_services.inquiry_erase(actor=admin, inquiry=inquiry)
    with django_capture_on_commit_callbacks(execute=True):
        public_services.public_subscribe(
            alliance=alliance, email="leser@example.org", topics=["meetings"]
        )
    assert AuditEntry.objects.count() >= 10
    assert _personal_leftovers() == []


def test_the_scrub_turns_addresses_into_references_and_drops_names():
    users = {"erika@example.org": 7}
    row = {
        "object_type": "accounts.user",
        "object_id": "7",
        "object_repr": "Erika Mustermann",
        "changes": {
            "email": ["", "erika@example.org"],
            "first_name": ["", "Erika"],
            "is_active": [False, True],
        },
        "comment": "Zugang für erika@example.org, Kopie an fremd@example.org",
    }
    assert scrubbed(row, users) == {
        "object_repr": "Benutzer/in #7",
        "changes": {
            "email": ["", "[entfernt]"],
            "first_name": ["", "[entfernt]"],
            "is_active": [False, True],
        },
        "comment": "Zugang für Benutzer/in #7, Kopie an [entfernt]",
    }
    plain = {
        "object_type": "funding.project",
        "object_id": "3",
        "object_repr": "Vorhaben",
        "changes": {"status": ["a", "b"]},
        "comment": "",
    }
    assert scrubbed(plain, users) == {}
    nested = {**plain, "changes": {"notes": ["mail von ERIKA@example.org"]}}
    assert scrubbed(nested, users) == {"changes": {"notes": ["mail von Benutzer/in #7"]}}


class _SchemaEditor:
    """What the migration's function uses of a schema editor, inside the test's transaction
    (SQLite's real one refuses to open there)."""

    connection = connection

    def quote_name(self, name: str) -> str:
        return connection.ops.quote_name(name)

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_migration_scrubs_old_rows_and_keeps_the_table_append_only():
    user = UserFactory(username="erika@example.org", email="erika@example.org")
    # As older code wrote them (the ORM still lets a new row in).
    old = AuditEntry.objects.create(
        action="user.create",
        object_type="accounts.user",
        object_id=str(user.pk),
        object_repr="erika@example.org",
        changes={"username": [None, "erika@example.org"], "email": [None, "erika@example.org"]},
        comment="Registrierung von erika@example.org",
    )
    kept = AuditEntry.objects.create(
        action="project.submit",
        object_type="funding.project",
        object_id="1",
        object_repr="Vorhaben 1",
    )
    migration = importlib.import_module("buendnis.core.migrations.0005_audit_scrub_personal_data")
    # The models as the migration sees them (no append-only manager, as in a real run).
    state = MigrationLoader(connection).project_state(("core", "0005_audit_scrub_personal_data"))
    migration.scrub(state.apps, _SchemaEditor())
    old.refresh_from_db()
    assert old.object_repr == f"Benutzer/in #{user.pk}"
    assert old.changes == {"username": [None, "[entfernt]"], "email": [None, "[entfernt]"]}
    assert old.comment == f"Registrierung von Benutzer/in #{user.pk}"
    assert AuditEntry.objects.get(pk=kept.pk).object_repr == "Vorhaben 1"
    # The trigger is back: the database refuses a change of the row.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET comment = 'x' WHERE id = %s", [old.pk])
