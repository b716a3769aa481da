"""Export and erasure of a person's data (buendnis.privacy): what the export holds and never
holds, what an erasure leaves, its refusals, and the audit rows of both."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from buendnis.accounts import services as account_services
from buendnis.accounts import tokens
from buendnis.accounts.models import ApiToken, Role, User
from buendnis.core.models import AuditEntry
from buendnis.notifications.models import NotificationPreference, PublicSubscription
from buendnis.office.models import Inquiry
from buendnis.privacy import export, selectors, services
from tests.factories import MembershipFactory, PersonFactory, ProjectFactory, UserFactory
from tests.office.factories import contact_inquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def erika(alliance):
    user = UserFactory(
        username="erika", email="erika@example.org", first_name="Erika", last_name="Muster"
    )
    MembershipFactory(user=user, alliance=alliance, role=Role.STEERING)
    return user


@pytest.fixture
def office(alliance):
    user = UserFactory(username="buero")
    MembershipFactory(user=user, alliance=alliance, role=Role.OFFICE)
    return user


def test_the_export_holds_the_account_its_roles_and_records_but_no_secret(alliance, erika, office):
    TOTPDevice.objects.create(user=erika, name="Authenticator-App", confirmed=True)
    token, secret = tokens.token_create(actor=None, user=erika, name="Statistik")
    PersonFactory(organisation__alliance=alliance, user=erika, email="erika@example.org")
    contact_inquiry(alliance, email="ERIKA@example.org")
    account_services.user_update(actor=erika, user=erika, last_name="Mustermann")
    data = selectors.personal_data(account=erika, alliance=alliance)
    text = export.as_json(data, generated_at=timezone.now()).decode()
    document = json.loads(text)
    kinds = {section["art"] for section in document["abschnitte"]}
    assert {
        "account",
        "memberships",
        "two_factor",
        "api_tokens",
        "alliances.person",
        "audit_actor",
    } <= kinds
    assert "office.inquiry:email" in kinds
    assert "Mustermann" in text and token.prefix in text
    erika.refresh_from_db()
    assert erika.password not in text and token.key_hash not in text and secret not in text
    assert TOTPDevice.objects.get(user=erika).key not in text


def test_the_export_of_an_address_without_an_account_stays_in_the_alliance(
    alliance, other_alliance
):
    contact_inquiry(alliance, email="frage@example.org")
    contact_inquiry(other_alliance, email="frage@example.org")
    here = selectors.personal_data(account=None, email="frage@example.org", alliance=alliance)
    everywhere = selectors.personal_data(account=None, email="frage@example.org")
    assert here.counts() == {"office.inquiry:email": 1, "office.inquirymessage:email": 1}
    assert everywhere.counts()["office.inquiry:email"] == 2


def test_the_export_is_audited_by_reference(alliance, erika, office):
    data = selectors.personal_data(account=erika, alliance=alliance)
    services.export_record(actor=office, alliance=alliance, data=data, output="html")
    entry = AuditEntry.objects.get(action="privacy.export")
    assert entry.object_repr == f"Benutzer/in #{erika.pk}" and entry.actor == office
    assert "erika" not in json.dumps(entry.changes).lower()


def test_erasure_pseudonymises_the_account_and_keeps_the_row(alliance, erika, office, client):
    TOTPDevice.objects.create(user=erika, name="Authenticator-App", confirmed=True)
    tokens.token_create(actor=None, user=erika, name="Statistik")
    NotificationPreference.objects.create(user=erika)
    person = PersonFactory(organisation__alliance=alliance, user=erika, email="erika@example.org")
    project = ProjectFactory(
        phase__alliance=alliance, contact_name="Erika Muster", contact_email="erika@example.org"
    )
    inquiry = contact_inquiry(alliance, email="erika@example.org")
    account_services.user_update(
        actor=erika, user=erika, last_name="Mustermann"
    )  # acted: cannot be deleted
    client.force_login(erika)

    erasure = services.account_erase(
        actor=office, account=erika, reason="Auf Verlangen", alliance=alliance
    )

    erika.refresh_from_db()
    assert erasure.pseudonym == f"geloescht-{erika.pk}" == erika.username
    assert (str(erika), erika.email, erika.is_active) == ("Gelöschte Person", "", False)
    assert not erika.has_usable_password()
    assert not erika.check_password("geheim-genug-123")
    assert not TOTPDevice.objects.filter(user=erika).exists()
    assert not ApiToken.objects.filter(user=erika).exists()
    assert not NotificationPreference.objects.filter(user=erika).exists()
    person.refresh_from_db()
    assert (person.full_name, person.email, person.phone) == ("Gelöschte Person", "", "")
    project.refresh_from_db()
    assert (project.contact_name, project.contact_email) == ("", "")
    assert Inquiry.objects.get(pk=inquiry.pk).erased_at is not None
    # The session is gone: the next page asks for the login.
    assert client.get(f"/{alliance.slug}/intern/").status_code == 302
    entry = AuditEntry.objects.get(action="privacy.erase")
    assert entry.object_repr == f"Benutzer/in #{erika.pk}" and entry.comment == "Auf Verlangen"
    assert entry.changes["pseudonym"] == erika.username
    # The old rows about the account show its pseudonym now.
    from buendnis.core.audit import object_label

    update = AuditEntry.objects.filter(action="user.update", object_id=str(erika.pk)).first()
    assert object_label(update) == "Gelöschte Person"


def test_erasure_refuses_the_own_account_the_last_office_and_twice(alliance, erika, office):
    with pytest.raises(ValidationError, match="eigene Konto"):
        services.account_erase(actor=erika, account=erika, reason="x")
    with pytest.raises(ValidationError, match="keine Geschäftsstelle mehr"):
        services.account_erase(actor=None, account=office, reason="x")
    with pytest.raises(ValidationError, match="Grund"):
        services.account_erase(actor=None, account=erika, reason=" ")
    services.account_erase(actor=None, account=erika, reason="x")
    with pytest.raises(ValidationError, match="bereits gelöscht"):
        services.account_erase(actor=None, account=User.objects.get(pk=erika.pk), reason="x")


def test_the_office_handles_only_accounts_of_its_own_alliance_alone(
    alliance, other_alliance, erika, office
):
    MembershipFactory(user=erika, alliance=other_alliance, role=Role.APPLICANT)
    with pytest.raises(ValidationError, match="Plattform-Administration"):
        services.account_erase(actor=office, account=erika, reason="x", alliance=alliance)
    data = selectors.personal_data(account=erika, alliance=alliance)
    with pytest.raises(ValidationError, match="Plattform-Administration"):
        services.export_record(actor=office, alliance=alliance, data=data, output="json")


def test_erasure_of_a_person_without_an_account(alliance, office):
    person = PersonFactory(organisation__alliance=alliance, email="kontakt@example.org")
    PublicSubscription.objects.create(alliance=alliance, email="kontakt@example.org", meetings=True)
    erasure = services.person_erase(
        actor=office, email="Kontakt@example.org", reason="Verlangen", alliance=alliance
    )
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.email) == ("Gelöschte", "Person", "")
    assert not PublicSubscription.objects.exists()
    assert erasure.counts == {"alliances.person": 1, "notifications.publicsubscription": 1}
    entry = AuditEntry.objects.get(action="privacy.erase")
    assert (entry.object_type, entry.alliance_id) == ("privacy.person", alliance.pk)
    assert "@" not in json.dumps(entry.changes) + entry.object_repr + entry.comment
    with pytest.raises(ValidationError, match="keine Daten"):
        services.person_erase(
            actor=office, email="kontakt@example.org", reason="x", alliance=alliance
        )


def test_the_commands_export_and_erase_with_the_system_as_actor(alliance, erika, tmp_path):
    target = tmp_path / "auskunft.json"
    call_command("export_personal_data", "erika@example.org", output=str(target))
    assert json.loads(target.read_text())["konto"] == erika.pk
    with pytest.raises(CommandError, match="--confirm"):
        call_command("erase_personal_data", "erika")
    call_command("erase_personal_data", "erika", confirm=True)
    assert User.objects.get(pk=erika.pk).username == f"geloescht-{erika.pk}"
    rows = AuditEntry.objects.filter(action__startswith="privacy.").order_by("id")
    assert [(row.action, row.actor) for row in rows] == [
        ("privacy.export", None),
        ("privacy.erase", None),
    ]
    with pytest.raises(CommandError, match="Kein Zugang"):
        call_command("erase_personal_data", "niemand", confirm=True)


def _queue_mail(*addresses: str) -> None:
    from django.core.mail import EmailMessage

    for address in addresses:
        EmailMessage(subject="Einladung", body="Text", to=[address]).send()


def test_erasure_deletes_the_queued_copies_of_mail_to_the_address(alliance, erika, office):
    """The tasks' queue keeps whole mails for days: an erasure takes those to the person with it
    (sent and, for an account, still to be sent), and leaves everyone else's."""
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mailers = {
        "default": {"BACKEND": "buendnis.core.mail.TaskMailBackend"},
        "outgoing": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    PersonFactory(organisation__alliance=alliance, email="kontakt@example.org")
    with override_settings(TASKS=queue, MAILERS=mailers):
        _queue_mail(
            "Erika Muster <Erika@example.org>",
            "kontakt@example.org",
            "xerika@example.org",
            "andere@example.org",
        )
        DBTaskResult.objects.filter(args_kwargs__icontains="kontakt@").update(status="SUCCESSFUL")
        assert DBTaskResult.objects.count() == 4

        erased = services.account_erase(actor=office, account=erika, reason="Verlangen")
        assert erased.counts[services.QUEUED_MAIL] == 1
        # An office's erasure leaves the platform's mail queue (other alliances' mail) alone …
        person = services.person_erase(
            actor=office, email="kontakt@example.org", reason="Verlangen", alliance=alliance
        )
        assert services.QUEUED_MAIL not in person.counts
        assert DBTaskResult.objects.filter(args_kwargs__icontains="kontakt@").exists()
        # … the platform's (the command) takes the sent copies everywhere.
        platform = services.person_erase(actor=None, email="kontakt@example.org", reason="x")
        assert platform.counts[services.QUEUED_MAIL] == 1

    left = [row.args_kwargs["args"][0]["recipients"] for row in DBTaskResult.objects.all()]
    assert sorted(left) == [["andere@example.org"], ["xerika@example.org"]]
