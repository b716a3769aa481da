"""Accounts and roles through their services: German refusals, one audit row per change, and
never the password hash in the audit trail."""

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from buendnis.accounts import services
from buendnis.accounts.models import Membership, PlatformRole, Role, User
from buendnis.core.models import AuditEntry

from ..factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (User, Membership, AuditEntry)}


@contextmanager
def refused(message):
    """The block must raise a ValidationError with this German message and change nothing."""
    before = counts()
    with pytest.raises(ValidationError) as caught:
        yield caught
    assert any(message in text for text in caught.value.messages), caught.value.messages
    assert counts() == before


@pytest.fixture
def admin_user():
    return UserFactory(username="plattform", platform_role=PlatformRole.ADMIN)


# --- Accounts -----------------------------------------------------------------------------------


def test_user_create_writes_one_audit_row_without_the_password(admin_user):
    user = services.user_create(
        actor=admin_user,
        username="erika",
        email="Erika@EXAMPLE.org",
        password="lange-genug-2026",
        first_name="Erika",
    )
    assert user.check_password("lange-genug-2026")
    assert user.email == "Erika@example.org"
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.object_id) == (admin_user, "user.create", str(user.pk))
    # The row says the name and address were set, not what they are (erasure, `core.audit`).
    assert entry.changes["username"] == [None, "[entfernt]"]
    assert entry.changes["email"] == [None, "[entfernt]"]
    assert entry.object_repr == f"Benutzer/in #{user.pk}"
    assert "Erika" not in str(entry.changes) and "example.org" not in str(entry.changes)
    assert "password" not in entry.changes
    assert user.password not in str(entry.changes)


def test_user_create_without_password_cannot_log_in(admin_user):
    user = services.user_create(actor=admin_user, username="erika", email="erika@example.org")
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kurz-1", "Dieses Passwort ist zu kurz. Es muss mindestens 10 Zeichen enthalten."),
        ("1234567890", "Dieses Passwort ist zu üblich."),
        ("erika-mustermann", "Das Passwort ist zu ähnlich"),
    ],
)
def test_user_create_refuses_a_weak_password_in_german(admin_user, password, message):
    with refused(message):
        services.user_create(
            actor=admin_user,
            username="erika-mustermann",
            email="erika@example.org",
            password=password,
        )


def test_user_create_refuses_a_taken_username_in_german(admin_user):
    with refused("Dieser Benutzername ist bereits vergeben."):
        services.user_create(actor=admin_user, username="plattform", email="p@example.org")


def test_user_update_audits_before_and_after(admin_user):
    user = UserFactory(username="erika", first_name="")
    services.user_update(
        actor=admin_user, user=user, first_name="Erika", platform_role=PlatformRole.MINISTRY
    )
    user.refresh_from_db()
    assert (user.first_name, user.platform_role) == ("Erika", PlatformRole.MINISTRY)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action) == (admin_user, "user.update")
    assert entry.changes == {"first_name": ["", "[entfernt]"], "platform_role": ["", "ministry"]}


def test_user_update_without_a_real_change_writes_nothing(admin_user):
    user = UserFactory(username="erika", first_name="Erika")
    services.user_update(actor=admin_user, user=user, first_name="Erika")
    assert not AuditEntry.objects.exists()


def test_user_update_does_not_touch_the_password(admin_user):
    user = UserFactory(username="erika")
    with pytest.raises(TypeError, match="password"):
        services.user_update(actor=admin_user, user=user, password="lange-genug-2026")
    assert not AuditEntry.objects.exists()


def test_user_update_refuses_an_invalid_email_in_german(admin_user):
    user = UserFactory(username="erika")
    with refused("Gib eine gültige E-Mail Adresse an."):
        services.user_update(actor=admin_user, user=user, email="keine-adresse")
    user.refresh_from_db()
    assert user.email == "erika@example.org"


def test_user_deactivate_keeps_roles_and_history(admin_user, alliance):
    user = UserFactory(username="erika")
    Membership.objects.create(user=user, alliance=alliance, role=Role.STEERING)
    services.user_deactivate(actor=admin_user, user=user)
    user.refresh_from_db()
    assert user.is_active is False
    assert user.memberships.count() == 1
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.changes) == ("user.deactivate", {"is_active": [True, False]})
    # A second time changes nothing and writes nothing.
    services.user_deactivate(actor=admin_user, user=user)
    assert AuditEntry.objects.count() == 1


def test_nobody_deactivates_their_own_account(admin_user):
    with refused("Den eigenen Zugang können Sie nicht deaktivieren."):
        services.user_deactivate(actor=admin_user, user=admin_user)
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_user_set_password_audits_that_not_what(admin_user):
    user = UserFactory(username="erika")
    services.user_set_password(actor=admin_user, user=user, password="ein-neues-passwort-9")
    user.refresh_from_db()
    assert user.check_password("ein-neues-passwort-9")
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.changes) == (admin_user, "user.password", {})
    assert user.password not in str(entry.changes)


def test_user_set_password_refuses_a_weak_one_in_german(admin_user):
    user = UserFactory(username="erika")
    with refused("Dieses Passwort ist zu kurz."):
        services.user_set_password(actor=admin_user, user=user, password="12345678")
    user.refresh_from_db()
    assert user.check_password("geheim-genug-123")


def test_user_set_password_none_switches_password_login_off(admin_user):
    user = UserFactory(username="erika")
    services.user_set_password(actor=admin_user, user=user, password=None)
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert AuditEntry.objects.get().comment == "Anmeldung mit Passwort abgeschaltet."


def test_user_that_never_acted_is_deleted_with_an_audit_row(admin_user, alliance):
    user = UserFactory(username="eirka")
    Membership.objects.create(user=user, alliance=alliance, role=Role.STEERING)
    services.user_delete(actor=admin_user, user=user)
    assert not User.objects.filter(username="eirka").exists()
    assert not Membership.objects.exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.changes["username"]) == ("user.delete", "[entfernt]")
    assert "password" not in entry.changes


def test_user_that_acted_is_not_deleted(admin_user, alliance):
    user = UserFactory(username="erika")
    services.membership_grant(
        actor=user, user=UserFactory(username="max"), alliance=alliance, role=Role.STEERING
    )
    with refused(
        "Der Zugang „erika“ steht im Protokoll und kann nicht gelöscht werden. Deaktivieren Sie ihn stattdessen."
    ):
        services.user_delete(actor=admin_user, user=user)
    assert User.objects.filter(username="erika").exists()


def test_nobody_deletes_their_own_account(admin_user):
    # Not in the audit trail yet; the delete row itself would name it as the actor.
    with refused("Der Zugang „plattform“ steht im Protokoll"):
        services.user_delete(actor=admin_user, user=admin_user)


# --- Roles --------------------------------------------------------------------------------------


def test_membership_grant_writes_one_audit_row(admin_user, alliance):
    user = UserFactory(username="erika")
    membership = services.membership_grant(
        actor=admin_user, user=user, alliance=alliance, role=Role.STEERING
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, entry.alliance_id) == (
        "membership.create",
        str(membership.pk),
        alliance.pk,
    )
    user.refresh_from_db()
    assert user.is_staff is False


def test_office_role_makes_the_account_staff_in_the_same_transaction(admin_user, alliance):
    user = UserFactory(username="erika")
    services.membership_grant(actor=admin_user, user=user, alliance=alliance, role=Role.OFFICE)
    assert user.is_staff is True
    user.refresh_from_db()
    assert user.is_staff is True
    staff = AuditEntry.objects.get(action="user.update")
    assert (staff.actor, staff.object_id, staff.alliance_id) == (
        admin_user,
        str(user.pk),
        alliance.pk,
    )
    assert staff.changes == {"is_staff": [False, True]}
    assert staff.comment == "Rolle Geschäftsstelle erteilt: Zugang zur Verwaltung."
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "membership.create",
        "user.update",
    ]


def test_office_role_for_staff_writes_no_second_row(admin_user, alliance):
    user = UserFactory(username="erika", is_staff=True)
    services.membership_grant(actor=admin_user, user=user, alliance=alliance, role=Role.OFFICE)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["membership.create"]


def test_refused_office_role_leaves_the_account_as_it_was(admin_user, alliance, other_alliance):
    user = UserFactory(username="erika")
    stranger = OrganisationFactory(alliance=other_alliance, name="Stadt Hannover")
    with refused("„Stadt Hannover“ gehört zu einem anderen Bündnis."):
        services.membership_grant(
            actor=admin_user, user=user, alliance=alliance, role=Role.OFFICE, organisation=stranger
        )
    user.refresh_from_db()
    assert user.is_staff is False


def test_role_changed_to_office_makes_the_account_staff(admin_user, alliance):
    user = UserFactory(username="erika")
    membership = services.membership_grant(
        actor=admin_user, user=user, alliance=alliance, role=Role.STEERING
    )
    membership.role = Role.OFFICE
    services.membership_save(actor=admin_user, instance=membership)
    user.refresh_from_db()
    assert user.is_staff is True
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "membership.create",
        "membership.update",
        "user.update",
    ]


def test_membership_services_are_still_reachable_from_the_alliances():
    from buendnis.alliances import services as alliance_services

    assert alliance_services.membership_grant is services.membership_grant
    assert alliance_services.membership_save is services.membership_save


def test_accounts_services_import_without_the_alliances_first():
    """`alliances.services` imports this module; importing it first must not go round in a circle."""
    script = "import django; django.setup(); import buendnis.accounts.services; import buendnis.alliances.services"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
