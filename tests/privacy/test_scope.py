"""What an export shows of records that only point at the person, what an erasure reaches
(the account's own records, never a namesake's), /admin/'s history and django-axes' rows, the
dry run, the account lookup and the locks of the erasure's safety checks."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from buendnis.accounts.models import Role, User
from buendnis.alliances.models import FundingPhase
from buendnis.funding.models import Project
from buendnis.office.models import Channel, Direction, Inquiry, InquiryMessage
from buendnis.privacy import export, selectors, services
from tests.factories import MembershipFactory, PersonFactory, ProjectFactory, UserFactory
from tests.office.factories import contact_inquiry, stored_inquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def erika(alliance) -> User:
    user = UserFactory(
        username="erika", email="erika@example.org", first_name="Erika", last_name="Muster"
    )
    MembershipFactory(user=user, alliance=alliance, role=Role.OFFICE)
    return user


@pytest.fixture
def office(alliance) -> User:
    user = UserFactory(username="buero")
    MembershipFactory(user=user, alliance=alliance, role=Role.OFFICE)
    return user


def _project(alliance, **fields: object) -> Project:
    """A project with these fields set in the database (the factory's service knows no
    `created_by`); one phase per alliance."""
    phase = FundingPhase.objects.filter(alliance=alliance).first()
    project = ProjectFactory(phase=phase) if phase else ProjectFactory(phase__alliance=alliance)
    Project.objects.filter(pk=project.pk).update(**fields)
    return Project.objects.get(pk=project.pk)


def _text(data: selectors.PersonalData) -> str:
    return export.as_json(data, generated_at=timezone.now()).decode()


def test_the_export_names_assigned_records_but_not_the_other_people_in_them(alliance, erika):
    assigned = stored_inquiry(
        alliance, asker_name="Olaf Fremd", asker_email="olaf@example.org", assigned_to=erika
    )
    Inquiry.objects.filter(pk=assigned.pk).update(asker_phone="0511 999")
    _project(
        alliance,
        created_by=erika,
        contact_name="Paula Kontakt",
        contact_email="paula@example.org",
    )
    asked = stored_inquiry(
        alliance, asker_name="Erika Muster", asker_email="alt@example.org", asker_user=erika
    )
    own_contact = _project(
        alliance,
        created_by=erika,
        contact_name="Erika Muster",
        contact_email="ERIKA@example.org",
    )
    text = _text(selectors.personal_data(account=erika, alliance=alliance))
    assert "Olaf" not in text and "olaf@" not in text and "0511 999" not in text
    assert "Paula" not in text and "paula@" not in text
    document = json.loads(text)
    rows = {
        (section["art"], row.get("Nr.")): row
        for section in document["abschnitte"]
        for row in section["eintraege"]
    }
    # The assigned inquiry is there: kind, title, role, date — nothing of its asker.
    row = rows[("office.inquiry", assigned.pk)]
    assert row["Eintrag"] == f"Anfrage #{assigned.pk}" and row["Bezug"] == "Zuständig"
    assert row["Datum"] and "Name" not in json.dumps(list(row))
    # Her own inquiry (asked from her account) and her own contact entry show her data.
    assert rows[("office.inquiry", asked.pk)]["E-Mail-Adresse"] == "alt@example.org"
    assert rows[("funding.project", own_contact.pk)]["Ansprechperson"] == "Erika Muster"


def test_erasure_takes_the_accounts_own_records_and_spares_namesakes(alliance, erika, office):
    asked = stored_inquiry(
        alliance, asker_name="Erika M.", asker_email="alt@example.org", asker_user=erika
    )
    answer = InquiryMessage.objects.create(
        inquiry=contact_inquiry(alliance),
        direction=Direction.OUT,
        channel=Channel.EMAIL,
        author=erika,
        author_name="Erika Muster (Geschäftsstelle)",
        author_email="buero@example.org",
        body="Antwort",
    )
    namesake = _project(alliance, contact_name="Erika Muster", contact_email="erika2@example.org")
    unnamed = _project(alliance, contact_name="Erika Muster", contact_email="")
    MembershipFactory(user=UserFactory(), alliance=alliance, role=Role.OFFICE)

    services.account_erase(actor=office, account=erika, reason="Verlangen", alliance=alliance)

    assert Inquiry.objects.get(pk=asked.pk).erased_at is not None
    assert Inquiry.objects.get(pk=asked.pk).asker_email == ""
    answer.refresh_from_db()
    assert (answer.author_name, answer.author_email, answer.body) == ("", "", "Antwort")
    namesake.refresh_from_db()
    assert (namesake.contact_name, namesake.contact_email) == (
        "Erika Muster",
        "erika2@example.org",
    )
    assert Project.objects.get(pk=unnamed.pk).contact_name == services.PSEUDONYM_NAME


def _attempt(model: type, username: str) -> None:
    model.objects.create(
        username=username,
        ip_address="10.1.2.3",
        user_agent="Testbrowser/1.0",
        attempt_time=timezone.now(),
        http_accept="*/*",
        path_info="/anmelden/",
        **(
            {"get_data": "", "post_data": "", "failures_since_start": 1}
            if model is AccessAttempt
            else {}
        ),
    )


def test_admin_history_and_login_attempts_are_exported_and_erased(alliance, erika, office):
    person = PersonFactory(organisation__alliance=alliance, user=erika, first_name="Erika")
    root = UserFactory(username="root", platform_role="admin", is_superuser=True)
    for instance, label in ((erika, "Erika Muster"), (person, "Erika Muster (Person)")):
        LogEntry.objects.create(
            user=root,
            content_type=ContentType.objects.get_for_model(instance),
            object_id=str(instance.pk),
            object_repr=label,
            action_flag=CHANGE,
        )
    _attempt(AccessAttempt, "erika")
    _attempt(AccessLog, "Erika@example.org")
    _attempt(AccessLog, "jemand")
    MembershipFactory(user=UserFactory(), alliance=alliance, role=Role.OFFICE)

    text = _text(selectors.personal_data(account=erika, alliance=alliance))
    assert "Erika Muster (Person)" in text and "10.1.2.3" in text and "Testbrowser" in text
    assert "jemand" not in text

    services.account_erase(actor=office, account=erika, reason="Verlangen", alliance=alliance)

    assert set(LogEntry.objects.values_list("object_repr", flat=True)) == {"Gelöschte Person"}
    assert not AccessAttempt.objects.exists()
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["jemand"]


def test_find_account_never_guesses_between_spellings():
    upper = UserFactory(username="Erika", email="e1@example.org")
    lower = UserFactory(username="erika", email="E2@example.org")
    only = UserFactory(username="hans", email="h@example.org")
    assert selectors.find_account("Erika") == upper
    assert selectors.find_account("erika") == lower
    assert selectors.find_account("ERIKA") is None
    assert selectors.find_account("HANS") == only
    assert selectors.find_account("e2@example.org") == lower
    UserFactory(username="zwei", email="h@EXAMPLE.org")
    assert selectors.find_account("h@example.org") == only
    assert selectors.find_account("H@example.org") is None


def test_the_preview_counts_what_the_erasure_changes_and_changes_nothing(alliance, erika, office):
    PersonFactory(organisation__alliance=alliance, user=erika, email="erika@example.org")
    _project(alliance, created_by=erika, contact_email="x@example.org")
    contact_inquiry(alliance, email="erika@example.org")
    preview = services.erasure_preview(actor=office, account=erika, alliance=alliance)
    assert User.objects.get(pk=erika.pk).username == "erika"
    assert "funding.project" not in preview.counts  # created by her, not hers: stays
    with pytest.raises(CommandError, match="--confirm"):
        call_command("erase_personal_data", "erika")
    erasure = services.account_erase(
        actor=office, account=erika, reason="Verlangen", alliance=alliance
    )
    assert preview.counts == erasure.counts
    assert dict(services.erasure_rows(erasure))["Personen"] == 1


def test_the_preview_refuses_what_the_erasure_refuses(alliance, erika):
    with pytest.raises(ValidationError, match="keine Geschäftsstelle mehr"):
        services.erasure_preview(actor=None, account=erika)


def test_the_safety_check_runs_after_the_locks(alliance, erika, office, monkeypatch):
    calls: list[str] = []
    lock, check = services._lock_guards, services.erase_check
    monkeypatch.setattr(
        services, "_lock_guards", lambda account: calls.append("lock") or lock(account)
    )
    monkeypatch.setattr(services, "erase_check", lambda **kw: calls.append("check") or check(**kw))
    monkeypatch.setattr(services, "_check", lambda *args: calls.append("scope"))
    services.account_erase(actor=office, account=erika, reason="x", alliance=alliance)
    assert calls == ["scope", "lock", "scope", "check"]


def test_a_platform_admin_erases_an_address_everywhere(alliance, other_alliance):
    contact_inquiry(alliance, email="frage@example.org")
    elsewhere = contact_inquiry(other_alliance, email="frage@example.org")
    admin = UserFactory(username="root", platform_role="admin")
    services.person_erase(
        actor=admin, email="frage@example.org", reason="Verlangen", alliance=alliance
    )
    assert Inquiry.objects.get(pk=elsewhere.pk).erased_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_last_offices_erasing_each_other_at_once_leave_one(alliance):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Das Rennen braucht PostgreSQL (Zeilensperren); Aufruf: scripts/with_postgres.py -- "
            ".venv/bin/python -m pytest tests/privacy"
        )
    first, second = UserFactory(username="eins"), UserFactory(username="zwei")
    for user in (first, second):
        MembershipFactory(user=user, alliance=alliance, role=Role.OFFICE)
    barrier = threading.Barrier(2)

    def erase(pair: tuple[int, int]) -> str:
        try:
            actor, account = User.objects.get(pk=pair[0]), User.objects.get(pk=pair[1])
            barrier.wait(timeout=30)
            services.account_erase(actor=actor, account=account, reason="x", alliance=alliance)
            return "ok"
        except ValidationError as error:
            return " ".join(error.messages)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(erase, [(first.pk, second.pk), (second.pk, first.pk)]))
    assert sorted(results)[0] == "ok" and results.count("ok") == 1, results
    assert "keine Geschäftsstelle mehr" in " ".join(results)
    assert User.objects.filter(is_active=True, username__in=["eins", "zwei"]).count() == 1
