"""Registering as an applicant, end to end: the form, the mail, the link, the role.

The account stays inactive until the link in the mail is confirmed; then it holds the applicant
role for its organisation (a listed one, or a new one created in the alliance's "other" group).
"""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from buendnis.accounts.models import Membership, Role, User
from buendnis.accounts.services import membership_save
from buendnis.alliances import registration
from buendnis.alliances.models import Alliance, GroupKind, Organisation, OrganisationGroup
from buendnis.core.models import AuditEntry
from tests.factories import AllianceStructure, OrganisationFactory, UserFactory

from .test_applicant_support import *  # noqa: F403 - the shared fixtures

pytestmark = pytest.mark.django_db

PASSWORD = "Fachkraefte-2024!"


def _data(site: AllianceStructure, **overrides: Any) -> dict[str, Any]:
    data = {
        "first_name": "Erika",
        "last_name": "Neumann",
        "email": "Erika.Neumann@awo.example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "alliance": site.alliance.pk,
        "organisation": site.organisations["city"].pk,
        "new_organisation": "",
    }
    data.update(overrides)
    return data


def _register(
    client: Client,
    site: AllianceStructure,
    capture: Callable[..., Any],
    url: str = "/konto/registrieren/",
    **overrides: Any,
) -> Any:
    with capture(execute=True):
        return client.post(url, _data(site, **overrides))


def _link(message: Any) -> str:
    match = re.search(r"https?://[^/\s]+(/konto/bestaetigen/[^\s]+/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_registration_page_is_german(client: Client, site: AllianceStructure) -> None:
    response = client.get("/konto/registrieren/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Als Projektträger registrieren" in html
    # Organisations grouped by alliance, since no alliance was chosen yet.
    assert f'<optgroup label="{site.alliance.name}">' in html
    assert 'autocomplete="new-password"' in html


def test_the_link_from_an_alliance_fixes_it(client: Client, site: AllianceStructure) -> None:
    other = OrganisationFactory(
        alliance=Alliance.objects.get(slug="leine-weser"), name="Anderswo e. V."
    )
    html = client.get("/konto/registrieren/?buendnis=son").content.decode()
    assert site.alliance.name in html
    assert 'type="hidden" name="alliance"' in html
    assert "Stadt Braunschweig" in html
    assert other.name not in html


def test_register_confirm_and_apply(
    client: Client, site: AllianceStructure, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    response = _register(client, site, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/konto/registrieren/gesendet/"
    user = User.objects.get(email="Erika.Neumann@awo.example.org")
    assert (user.username, user.is_active, user.get_full_name()) == (
        "Erika.Neumann@awo.example.org",
        False,
        "Erika Neumann",
    )
    assert not Membership.objects.filter(user=user).exists()
    assert "Fast geschafft" in client.get(response["Location"]).content.decode()

    # The mail, in German, with the link.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Erika.Neumann@awo.example.org"]
    assert message.subject == "Bündnisportal: Bitte bestätigen Sie Ihren Zugang"
    assert site.alliance.name in message.body
    link = _link(message)

    # Inactive until confirmed: the login refuses.
    login = client.post("/konto/anmelden/", {"username": user.username, "password": PASSWORD})
    assert login.status_code == 200
    assert "_auth_user_id" not in client.session

    # The link shows what it confirms; a GET changes nothing (mail scanners follow links).
    page = client.get(link)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Stadt Braunschweig" in html and "Zugang bestätigen" in html
    assert not User.objects.get(pk=user.pk).is_active

    site.alliance.office_email = "gs@example.org"
    site.alliance.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, follow=True)
    assert response.redirect_chain[0][0] == "/konto/anmelden/?next=%2Fson%2Fvorhaben%2F"
    html = response.content.decode()
    assert "Ihr Zugang ist bestätigt." in html
    # A listed organisation's projects are not opened to whoever names it: the office confirms.
    assert "Die Geschäftsstelle bestätigt" in html
    user.refresh_from_db()
    assert user.is_active
    membership = Membership.objects.get(user=user)
    assert (membership.alliance, membership.role, membership.organisation) == (
        site.alliance,
        Role.APPLICANT,
        None,
    )
    office_mail = mail.outbox[-1]
    assert office_mail.to == ["gs@example.org"]
    assert "Stadt Braunschweig" in office_mail.subject
    # The office checks and links the account to the organisation.
    membership.organisation = site.organisations["city"]
    membership_save(actor=None, instance=membership)
    # Audited, as every change of accounts and roles.
    actions = set(
        AuditEntry.objects.filter(object_id=str(user.pk)).values_list("action", flat=True)
    )
    assert {"user.create", "user.update"} <= actions
    assert AuditEntry.objects.filter(action="membership.create", actor=user).exists()

    # Logged in, the applicant finds the portal.
    response = client.post(
        "/konto/anmelden/",
        {
            "username": "Erika.Neumann@awo.example.org",
            "password": PASSWORD,
            "next": "/son/vorhaben/",
        },
    )
    assert response["Location"] == "/son/vorhaben/"
    assert "Neues Vorhaben anlegen" in client.get("/son/vorhaben/").content.decode()

    # The link works once.
    again = client.post(link)
    assert again.status_code == 400
    assert "bereits bestätigt" in again.content.decode()
    assert Membership.objects.filter(user=user).count() == 1


def test_a_new_organisation_is_created_in_the_other_group(
    client: Client, site: AllianceStructure, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _register(
        client,
        site,
        django_capture_on_commit_callbacks,
        organisation="",
        new_organisation="AWO Kreisverband Braunschweig",
    )
    # Nothing is created before the confirmation.
    assert not Organisation.objects.filter(name="AWO Kreisverband Braunschweig").exists()
    client.post(_link(mail.outbox[0]))
    organisation = Organisation.objects.get(name="AWO Kreisverband Braunschweig")
    assert organisation.alliance == site.alliance
    assert organisation.group == site.groups["other"]
    assert Membership.objects.get(role=Role.APPLICANT).organisation == organisation


def test_the_other_group_is_created_when_missing(
    client: Client, alliance: Alliance, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    assert not OrganisationGroup.objects.filter(alliance=alliance).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/konto/registrieren/",
            {
                "first_name": "Ali",
                "last_name": "Neu",
                "email": "ali@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "alliance": alliance.pk,
                "organisation": "",
                "new_organisation": "Verein Neu",
            },
        )
    client.post(_link(mail.outbox[0]))
    group = OrganisationGroup.objects.get(alliance=alliance)
    assert (group.name, group.kind) == ("Sonstige", GroupKind.OTHER)
    assert Organisation.objects.get(name="Verein Neu").group == group


def test_a_listed_name_typed_as_new_is_that_organisation(
    client: Client, site: AllianceStructure, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _register(
        client,
        site,
        django_capture_on_commit_callbacks,
        organisation="",
        new_organisation="stadt braunschweig",
    )
    client.post(_link(mail.outbox[0]))
    # The listed organisation, not a copy; linked only once the office confirms.
    assert Membership.objects.get(role=Role.APPLICANT).organisation is None
    assert Organisation.objects.filter(name__iexact="stadt braunschweig").count() == 1


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("/konto/bestaetigen/xx/kaputt/", "ungültig"),
        ("/konto/bestaetigen/{uid}/{token}x/", "ungültig"),
        ("/konto/bestaetigen/MTIzNDU2/{token}/", "ungültig"),  # someone else's number
    ],
)
def test_a_wrong_link_is_refused_in_german(
    client: Client,
    site: AllianceStructure,
    django_capture_on_commit_callbacks: Callable[..., Any],
    link: str,
    message: str,
) -> None:
    _register(client, site, django_capture_on_commit_callbacks)
    uid, token = _link(mail.outbox[0]).strip("/").split("/")[-2:]
    url = link.format(uid=uid, token=token)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not User.objects.get(email__iexact="erika.neumann@awo.example.org").is_active


def test_an_expired_link_is_refused_in_german(
    client: Client,
    site: AllianceStructure,
    django_capture_on_commit_callbacks: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _register(client, site, django_capture_on_commit_callbacks)
    monkeypatch.setattr(registration, "MAX_AGE", timedelta(seconds=-1))
    response = client.post(_link(mail.outbox[0]))
    assert response.status_code == 400
    assert "abgelaufen" in response.content.decode()
    assert not User.objects.get(email__iexact="erika.neumann@awo.example.org").is_active


def test_a_link_for_another_account_state_is_refused(
    client: Client, site: AllianceStructure, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """The token holds a hash of the account: a changed password (say, an admin reset it)
    voids the old link."""
    _register(client, site, django_capture_on_commit_callbacks)
    user = User.objects.get(email__iexact="erika.neumann@awo.example.org")
    user.set_password("ganz-anders-2024")
    user.save()
    response = client.post(_link(mail.outbox[0]))
    assert response.status_code == 400
    assert "ungültig" in response.content.decode()


@pytest.mark.parametrize("email", ["erika@example.org", "ERIKA@example.org"])
def test_a_taken_email_is_answered_like_a_new_one_and_its_owner_told_by_mail(
    client: Client,
    site: AllianceStructure,
    django_capture_on_commit_callbacks: Callable[..., Any],
    email: str,
) -> None:
    """The page must not tell whether an address has an account (account enumeration): the
    owner hears of the attempt by mail instead, with the way back in."""
    UserFactory(username="erika", email="erika@example.org", first_name="Erika")
    response = _register(client, site, django_capture_on_commit_callbacks, email=email)
    assert response.status_code == 302
    assert response["Location"] == "/konto/registrieren/gesendet/"
    assert User.objects.count() == 1
    [message] = mail.outbox
    assert message.to == ["erika@example.org"]
    assert message.subject == "Bündnisportal: Jemand wollte mit Ihrer Adresse einen Zugang anlegen"
    assert "Jemand wollte mit Ihrer Adresse einen Zugang anlegen" in message.body
    assert "http://testserver/konto/passwort-vergessen/" in message.body
    assert "/konto/bestaetigen/" not in message.body
    assert PASSWORD not in message.body


def test_a_taken_email_with_a_weak_password_is_refused_like_a_new_one(
    client: Client, site: AllianceStructure, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    UserFactory(username="erika", email="erika@example.org")
    taken = _register(
        client,
        site,
        django_capture_on_commit_callbacks,
        email="erika@example.org",
        password1="kurz",
        password2="kurz",
    )
    new = _register(
        client,
        site,
        django_capture_on_commit_callbacks,
        email="neu@example.org",
        password1="kurz",
        password2="kurz",
    )
    assert (taken.status_code, new.status_code) == (200, 200)
    assert "Dieses Passwort ist zu kurz." in taken.content.decode()
    assert "Dieses Passwort ist zu kurz." in new.content.decode()
    assert mail.outbox == []


TOO_MANY = "In kurzer Zeit gab es zu viele Registrierungen"


def test_registrations_are_limited_per_client(
    client: Client, site: AllianceStructure, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    for number in range(5):
        response = _register(
            client, site, django_capture_on_commit_callbacks, email=f"p{number}@example.org"
        )
        assert response.status_code == 302
    refused = _register(client, site, django_capture_on_commit_callbacks, email="p9@example.org")
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    assert 'value="Neumann"' in refused.content.decode()  # the input is kept
    assert len(mail.outbox) == 5
    other = Client(REMOTE_ADDR="192.0.2.77")
    response = _register(other, site, django_capture_on_commit_callbacks, email="p9@example.org")
    assert response.status_code == 302


@pytest.mark.parametrize("taken", [True, False])
def test_registrations_are_limited_per_address_the_same_whether_taken_or_not(
    site: AllianceStructure,
    django_capture_on_commit_callbacks: Callable[..., Any],
    taken: bool,
) -> None:
    if taken:
        UserFactory(username="erika", email="erika@example.org")
    answers = [
        _register(
            Client(REMOTE_ADDR=f"192.0.2.{number}"),
            site,
            django_capture_on_commit_callbacks,
            email="erika@example.org",
        ).status_code
        for number in range(4)
    ]
    assert answers == [302, 302, 302, 429]
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "etwas-anderes-99"}, "Die beiden Passwörter stimmen nicht überein."),
        ({"password1": "kurz", "password2": "kurz"}, "Dieses Passwort ist zu kurz."),
        ({"password1": "12345678901", "password2": "12345678901"}, "komplett numerisch"),
        ({"organisation": ""}, "Bitte Ihre Organisation wählen"),
        ({"new_organisation": "Noch eine"}, "nicht beides"),
        ({"email": "kein-mail"}, "Gib eine gültige E-Mail Adresse an."),
        ({"first_name": ""}, "Dieses Feld ist zwingend erforderlich."),
    ],
)
def test_bad_input_is_explained_in_german_and_nothing_created(
    client: Client,
    site: AllianceStructure,
    django_capture_on_commit_callbacks: Callable[..., Any],
    overrides: dict[str, Any],
    message: str,
) -> None:
    response = _register(client, site, django_capture_on_commit_callbacks, **overrides)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihre Eingaben." in html
    assert message in html
    assert not User.objects.exists()
    assert mail.outbox == []


def test_an_organisation_of_another_alliance_is_refused(
    client: Client,
    site: AllianceStructure,
    other_alliance: Alliance,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    foreign = OrganisationFactory(alliance=other_alliance, name="Fremd GmbH")
    response = _register(client, site, django_capture_on_commit_callbacks, organisation=foreign.pk)
    assert "gehört nicht zum gewählten Bündnis" in response.content.decode()
    assert not User.objects.exists()
