"""One project through the applicant's pages: create, edit (with a stale form and the
co-financing formset), the sketch after an office-recorded consultation, a revision, the
description, the application with the funding bank, the withdrawal. The office's and the bodies'
steps are taken through the services, as the office workspace would."""

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.alliances.models import BodyKind
from buendnis.core.forms import parse_amount
from buendnis.funding import services
from buendnis.funding.models import CoFinancing, Consultation, Outcome, Project, ProjectDocument
from buendnis.funding.states import Status
from buendnis.office.models import Inquiry, Source
from buendnis.portal.applicant_forms import EDIT_FIELDS
from tests.factories import AllianceStructure, ProjectFactory, advance, body_of, pdf_upload

from .test_applicant_support import *  # noqa: F403 - the shared fixtures

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _url(project: Project, page: str = "") -> str:
    return f"/son/vorhaben/{project.reference}/{page}"


def _html(response: Any) -> str:
    return response.content.decode()


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def edit_data(project: Project, site: AllianceStructure, **overrides: Any) -> dict[str, Any]:
    """A complete edit form as the browser posts it (German amounts, ISO dates)."""
    field = site.fields[0]
    topic = site.topics["Betriebe zur Beschäftigung Geflüchteter beraten"]
    data: dict[str, Any] = {
        "version": project.version,
        "title": "Welcome Center Braunschweig",
        "summary": "Ein Anlaufpunkt für internationale Fachkräfte und ihre Familien.",
        "goals": "Fachkräfte aus dem Ausland gewinnen und in der Region halten.",
        "target_group": "Internationale Fachkräfte, KMU",
        "planned_participants": "120",
        "participant_groups": "80 Fachkräfte, 40 Angehörige",
        "companies_reached": "60",
        "region": "Braunschweig, Wolfsburg",
        "action_field": field.pk,
        "topics": [topic.pk],
        "funding_priority": "structural",
        "contact_name": "Erika Antrag",
        "contact_email": "erika@stadt.example.org",
        "contact_phone": "0531 470-1",
        "starts_on": site.phase.starts_on.isoformat(),
        "ends_on": site.phase.ends_on.isoformat(),
        "eligible_costs": "300.000,00",
        "requested_grant": "",  # the form proposes rate × costs
        "kofi-TOTAL_FORMS": "2",
        "kofi-INITIAL_FORMS": "0",
        "kofi-MIN_NUM_FORMS": "0",
        "kofi-MAX_NUM_FORMS": "30",
        "kofi-0-organisation": site.organisations["city"].pk,
        "kofi-0-name": "",
        "kofi-0-amount": "60.000",
        "kofi-1-organisation": "",
        "kofi-1-name": "Volkswagen Stiftung",
        "kofi-1-amount": "30000,00",
    }
    data.update(overrides)
    return data


def test_the_edit_form_covers_every_field_the_service_takes() -> None:
    assert set(EDIT_FIELDS) - {"topics"} == services.EDITABLE_FIELDS


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12.500,00", Decimal("12500.00")),
        ("12500,5", Decimal("12500.5")),
        ("12500.50", Decimal("12500.50")),
        ("1.500.000", Decimal("1500000")),
        ("300 000 €", Decimal("300000")),
        ("0", Decimal("0")),
    ],
)
def test_amounts_are_read_the_german_way(text: str, amount: Decimal) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["zwölf", "1,2,3", "12,345", "Infinity"])
def test_bad_amounts_are_refused_in_german(text: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        parse_amount(text)
    assert "Betrag" in " ".join(error.value.messages) or "Nachkommastellen" in " ".join(
        error.value.messages
    )


# --- Creating -----------------------------------------------------------------------------------


def test_applicant_creates_a_project_in_the_current_phase(
    login: Callable[[str], Client], site: AllianceStructure, applicant: User
) -> None:
    client = login("applicant")
    page = client.get("/son/vorhaben/neu/")
    html = _html(page)
    assert site.phase.name in html and "70 %" in html
    assert "Stadt Braunschweig" in html  # the owner, fixed for an applicant
    assert 'value="Erika Antrag"' in html  # the contact proposed from the account
    response = client.post(
        "/son/vorhaben/neu/",
        {
            "title": "Pflegekräfte gewinnen",
            "summary": "Kurz gesagt",
            "action_field": site.fields[2].pk,
            "funding_priority": "unemployed",
            "contact_name": "Erika Antrag",
            "contact_email": "erika@example.org",
            "contact_phone": "",
        },
        follow=True,
    )
    project = Project.objects.get(title="Pflegekräfte gewinnen")
    assert response.redirect_chain[-1][0] == _url(project)
    assert (project.phase, project.applicant_organisation, project.created_by) == (
        site.phase,
        site.organisations["city"],
        applicant,
    )
    assert project.status == Status.IDEA
    assert project.reference.startswith("SON-2021-")
    assert any("ist angelegt" in message for message in _messages(response))
    html = _html(response)
    assert "In Vorbereitung" in html  # the public label
    assert "Beratung mit der Geschäftsstelle vereinbaren." in html


def test_create_errors_are_german_and_keep_the_input(
    login: Callable[[str], Client], site: AllianceStructure, applicant: User
) -> None:
    response = login("applicant").post(
        "/son/vorhaben/neu/", {"title": "", "summary": "Meine Idee", "contact_email": "kaputt"}
    )
    html = _html(response)
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihre Eingaben." in html
    assert "Dieses Feld ist zwingend erforderlich." in html
    assert "Gib eine gültige E-Mail Adresse an." in html
    assert "Meine Idee" in html
    assert not Project.objects.filter(summary="Meine Idee").exists()


def test_office_chooses_the_owner(
    login: Callable[[str], Client], site: AllianceStructure, office_user: User
) -> None:
    client = Client()
    client.force_login(office_user)
    assert "Projektträger" in _html(client.get("/son/vorhaben/neu/"))
    client.post(
        "/son/vorhaben/neu/",
        {"title": "Für die IHK", "applicant_organisation": site.organisations["ihk"].pk},
    )
    assert (
        Project.objects.get(title="Für die IHK").applicant_organisation == site.organisations["ihk"]
    )


def test_applicant_without_organisation_is_told_to_ask_the_office(
    client_as: Callable[[str], Client], site: AllianceStructure
) -> None:
    response = client_as("applicant").get("/son/vorhaben/neu/")
    assert "noch keine Organisation zugeordnet" in _html(response)
    assert '<form method="post" class="form"' not in _html(response)


# --- Editing ------------------------------------------------------------------------------------


def test_edit_saves_data_topics_and_cofinancing(
    login: Callable[[str], Client], site: AllianceStructure, project: Project, applicant: User
) -> None:
    client = login("applicant")
    page = _html(client.get(_url(project, "bearbeiten/")))
    assert f'name="version" value="{project.version}"' in page
    assert "Höchstens 70 %" in page  # the rate of the phase, in the help of the grant
    response = client.post(_url(project, "bearbeiten/"), edit_data(project, site))
    assert response.status_code == 302, _html(response)
    project.refresh_from_db()
    assert project.eligible_costs == Decimal("300000.00")
    assert project.requested_grant == Decimal("210000.00")  # proposed: 70 % of the costs
    assert list(project.topics.values_list("title", flat=True)) == [
        "Betriebe zur Beschäftigung Geflüchteter beraten"
    ]
    shares = sorted(
        (share.payer, share.amount) for share in CoFinancing.objects.filter(project=project)
    )
    assert shares == [
        ("Stadt Braunschweig", Decimal("60000.00")),
        ("Volkswagen Stiftung", Decimal("30000.00")),
    ]
    detail = _html(client.get(_url(project)))
    assert "210.000,00 €" in detail and "300.000,00 €" in detail
    assert "Volkswagen Stiftung" in detail
    # Grant + co-financing (300.000) = costs: nothing is missing before the submission.
    assert "Vor dem Einreichen fehlt noch" not in detail


def test_edit_shows_what_the_money_rules_miss(
    login: Callable[[str], Client], site: AllianceStructure, project: Project, applicant: User
) -> None:
    client = login("applicant")
    data = edit_data(project, site, **{"kofi-1-amount": "1.000,00"})
    assert client.post(_url(project, "bearbeiten/"), data).status_code == 302
    detail = _html(client.get(_url(project)))
    assert "Vor dem Einreichen fehlt noch" in detail
    assert "Beides muss übereinstimmen" in detail


def test_a_topic_of_another_field_is_refused(
    login: Callable[[str], Client], site: AllianceStructure, project: Project, applicant: User
) -> None:
    before = Project.objects.get(pk=project.pk).version
    data = edit_data(project, site, topics=[site.topics["Arbeit 4.0"].pk])
    response = login("applicant").post(_url(project, "bearbeiten/"), data)
    assert response.status_code == 200
    assert "gehört nicht zum gewählten Handlungsfeld" in _html(response)
    assert Project.objects.get(pk=project.pk).version == before


def test_a_broken_cofinancing_row_is_explained_and_nothing_saved(
    login: Callable[[str], Client], site: AllianceStructure, project: Project, applicant: User
) -> None:
    before = Project.objects.get(pk=project.pk)
    data = edit_data(project, site, **{"kofi-1-amount": "", "kofi-0-name": "Doppelt"})
    response = login("applicant").post(_url(project, "bearbeiten/"), data)
    html = _html(response)
    assert response.status_code == 200
    assert "Bitte prüfen Sie die Angaben zur Kofinanzierung" in html
    assert "Bitte den Betrag angeben." in html
    assert "nicht beides" in html
    assert 'value="Volkswagen Stiftung"' in html  # the input stays
    after = Project.objects.get(pk=project.pk)
    assert (after.version, after.eligible_costs) == (before.version, before.eligible_costs)


def test_a_stale_form_is_refused_and_the_input_kept(
    login: Callable[[str], Client],
    site: AllianceStructure,
    project: Project,
    applicant: User,
    office_user: User,
) -> None:
    client = login("applicant")
    stale = edit_data(project, site, title="Mein Titel aus dem alten Formular")
    # Meanwhile the office changes the project.
    services.project_update(actor=office_user, project=project, region="Wolfsburg")
    current = Project.objects.get(pk=project.pk).version
    response = client.post(_url(project, "bearbeiten/"), stale)
    html = _html(response)
    assert response.status_code == 200
    assert "inzwischen von jemand anderem geändert" in html
    assert 'value="Mein Titel aus dem alten Formular"' in html
    assert f'name="version" value="{current}"' in html  # a second save is a conscious one
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.title, fresh.region, fresh.version) == (project.title, "Wolfsburg", current)
    assert CoFinancing.objects.filter(project=project, name="Volkswagen Stiftung").count() == 0
    # Saving again on top of the current version goes through.
    again = dict(stale, version=current)
    assert client.post(_url(project, "bearbeiten/"), again).status_code == 302
    assert Project.objects.get(pk=project.pk).title == "Mein Titel aus dem alten Formular"


def test_edit_is_locked_while_the_bodies_have_it(
    login: Callable[[str], Client], site: AllianceStructure, project: Project, applicant: User
) -> None:
    advance(project, Status.SKETCH_SPEAKERS)
    client = login("applicant")
    response = client.get(_url(project, "bearbeiten/"))
    assert response.status_code == 200
    assert "lassen sich nicht" in _html(response)
    version = Project.objects.get(pk=project.pk).version
    client.post(_url(project, "bearbeiten/"), edit_data(project, site, title="Heimlich"))
    assert Project.objects.get(pk=project.pk).version == version


# --- The sketch ---------------------------------------------------------------------------------


def test_no_sketch_before_a_consultation_is_explained(
    login: Callable[[str], Client], project: Project, applicant: User
) -> None:
    client = login("applicant")
    html = _html(client.get(_url(project, "kurzskizze/")))
    assert "Zuerst eine Beratung" in html
    assert "mindestens eine Beratung" in html
    assert 'type="file"' not in html
    response = client.post(_url(project, "kurzskizze/"), {"document": pdf_upload()})
    assert response.status_code == 200
    assert ProjectDocument.objects.filter(project=project).count() == 0
    assert Project.objects.get(pk=project.pk).status == Status.IDEA


BAD_UPLOADS = {
    "renamed_executable": (
        SimpleUploadedFile("skizze.pdf", b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run"),
        "ist kein erlaubtes Dokument",
    ),
    "empty": (SimpleUploadedFile("skizze.pdf", b""), "Die übermittelte Datei ist leer."),
    "pdf_named_exe": (SimpleUploadedFile("skizze.exe", PDF), "ist kein erlaubtes Dokument"),
}


@pytest.mark.parametrize("kind", [*BAD_UPLOADS, "oversize"])
def test_bad_uploads_show_the_german_message_and_store_nothing(
    login: Callable[[str], Client],
    project: Project,
    applicant: User,
    office_user: User,
    settings: Any,
    kind: str,
) -> None:
    services.consultation_record(
        actor=office_user, project=project, held_on=timezone.localdate(), participants="GS, Stadt"
    )
    if kind == "oversize":
        settings.MAX_UPLOAD_BYTES = 20
        upload, message = SimpleUploadedFile("skizze.pdf", PDF), "erlaubt sind höchstens 20"
    else:
        upload, message = BAD_UPLOADS[kind]
    response = login("applicant").post(_url(project, "kurzskizze/"), {"document": upload})
    html = _html(response)
    assert response.status_code == 200
    assert message in html.replace("\xa0", " "), html
    assert "Bitte prüfen Sie Ihre Eingaben." in html
    assert ProjectDocument.objects.filter(project=project).count() == 0
    assert Project.objects.get(pk=project.pk).status == Status.CONSULTATION


def test_an_incomplete_project_lists_what_is_missing_before_the_upload(
    login: Callable[[str], Client], site: AllianceStructure, applicant: User, office_user: User
) -> None:
    project = ProjectFactory(
        phase=site.phase,
        applicant_organisation=site.organisations["city"],
        summary="",
        cofinancing=False,
    )
    services.consultation_record(
        actor=office_user, project=project, held_on=timezone.localdate(), participants="GS"
    )
    html = _html(login("applicant").get(_url(project, "kurzskizze/")))
    assert "Vor dem Einreichen fehlt noch" in html
    assert "Kurzbeschreibung: Bitte ausfüllen." in html
    assert "Kofinanzierung:" in html
    assert 'type="file"' not in html


# --- The whole way ------------------------------------------------------------------------------


def test_the_applicant_walks_the_procedure(
    login: Callable[[str], Client],
    site: AllianceStructure,
    project: Project,
    applicant: User,
    office_user: User,
) -> None:
    client = login("applicant")
    today = timezone.localdate()
    assert client.post(_url(project, "bearbeiten/"), edit_data(project, site)).status_code == 302

    # The office records the obligatory consultation; then the sketch goes in.
    services.consultation_record(
        actor=office_user, project=project, held_on=today, participants="Geschäftsstelle, Stadt"
    )
    page = _html(client.get(_url(project, "kurzskizze/")))
    assert 'type="file"' in page and 'accept=".pdf,.docx,.odt' in page
    response = client.post(
        _url(project, "kurzskizze/"), {"document": pdf_upload("skizze.pdf")}, follow=True
    )
    assert any("Kurzskizze ist eingereicht" in message for message in _messages(response))
    project.refresh_from_db()
    assert project.status == Status.SKETCH_SUBMITTED
    # A second submission of the same form is refused in German, nothing added.
    again = client.post(_url(project, "kurzskizze/"), {"document": pdf_upload("skizze.pdf")})
    assert "ist dieser Schritt nicht möglich" in _html(again)
    assert ProjectDocument.objects.filter(project=project).count() == 1

    # The Sprecherkreis sends it back with reasons.
    services.project_forward(actor=office_user, project=project)
    services.outcome_record(
        actor=office_user,
        project=project,
        body=body_of(site.alliance, BodyKind.SPEAKERS),
        outcome=Outcome.REVISION,
        decided_on=today,
        reasons="Bitte die Zielgruppe genauer beschreiben.",
    )
    detail = _html(client.get(_url(project)))
    assert "Bitte die Zielgruppe genauer beschreiben." in detail
    assert "In Überarbeitung" in detail
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', detail, re.S).group(1)
    labels = re.findall(r'<span class="timeline-label">(.*?)</span>', timeline)
    assert labels == [
        "Vorhaben angelegt",
        "In Vorbereitung",
        "Kurzskizze in Beratung",
        "In Überarbeitung",
    ]
    assert today.strftime("%d.%m.%Y") in timeline

    # The answer: edit (allowed again), then a new version of the sketch.
    assert (
        client.post(
            _url(project, "bearbeiten/"),
            edit_data(
                Project.objects.get(pk=project.pk), site, target_group="Internationale Pflegekräfte"
            ),
        ).status_code
        == 302
    )
    revision = _html(client.get(_url(project, "ueberarbeitung/")))
    assert "Bitte die Zielgruppe genauer beschreiben." in revision
    response = client.post(_url(project, "ueberarbeitung/"), {"document": pdf_upload("v2.pdf")})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.SKETCH_SUBMITTED
    versions = list(
        ProjectDocument.objects.filter(project=project, kind="sketch").values_list(
            "version", flat=True
        )
    )
    assert sorted(versions) == [1, 2]
    assert "Version 2" in _html(client.get(_url(project)))

    # Both bodies say yes: the description is due.
    advance(project, Status.DESCRIPTION_REQUESTED, actor=office_user)
    detail = _html(client.get(_url(project)))
    assert "Projektbeschreibung hochladen und einreichen." in detail
    response = client.post(_url(project, "beschreibung/"), {"document": pdf_upload("pb.pdf")})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.DESCRIPTION_SUBMITTED

    # The Votum; then the formal application with the funding bank.
    advance(project, Status.ENDORSED, actor=office_user)
    assert "Vom Bündnis befürwortet" in _html(client.get(_url(project)))
    response = client.post(
        _url(project, "antrag-gestellt/"),
        {"filed_on": today.isoformat(), "reference": "NB-2025-4711"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.application_reference) == (
        Status.APPLICATION_FILED,
        "NB-2025-4711",
    )

    # Withdrawn after all: the reason, a confirmation, then the step.
    confirm = client.post(_url(project, "zurueckziehen/"), {"reason": "Träger aufgelöst"})
    assert "Wirklich zurückziehen?" in _html(confirm)
    assert Project.objects.get(pk=project.pk).status == Status.APPLICATION_FILED
    response = client.post(
        _url(project, "zurueckziehen/"),
        {"reason": "Träger aufgelöst", "confirmed": "1"},
        follow=True,
    )
    assert any("zurückgezogen" in message for message in _messages(response))
    project.refresh_from_db()
    assert project.status == Status.WITHDRAWN
    html = _html(response)
    assert "Träger aufgelöst" in html
    assert "Keiner: das Verfahren ist abgeschlossen." in html
    assert "Vorhaben zurückziehen" not in html


def test_application_date_in_the_future_is_refused(
    login: Callable[[str], Client], project: Project, applicant: User
) -> None:
    advance(project, Status.ENDORSED)
    response = login("applicant").post(
        _url(project, "antrag-gestellt/"),
        {"filed_on": date(2999, 1, 1).isoformat(), "reference": "NB-1"},
    )
    assert "Das Datum des Förderantrags liegt in der Zukunft" in _html(response)
    assert Project.objects.get(pk=project.pk).status == Status.ENDORSED


def test_withdraw_needs_a_reason(
    login: Callable[[str], Client], project: Project, applicant: User
) -> None:
    response = login("applicant").post(
        _url(project, "zurueckziehen/"), {"reason": "", "confirmed": "1"}
    )
    assert "Dieses Feld ist zwingend erforderlich." in _html(response)
    assert Project.objects.get(pk=project.pk).status == Status.IDEA


@pytest.mark.parametrize(
    ("page", "status", "text"),
    [
        ("beschreibung/", Status.IDEA, "ist dieser Schritt nicht möglich"),
        ("ueberarbeitung/", Status.CONSULTATION, "ist dieser Schritt nicht möglich"),
        ("antrag-gestellt/", Status.CONSULTATION, "sobald das Bündnis sein Votum erteilt hat"),
        ("zurueckziehen/", Status.REJECTED, "nicht mehr zurückziehen"),
        ("kurzskizze/", Status.SKETCH_STEERING, "ist dieser Schritt nicht möglich"),
        ("beschreibung/", Status.REVISION_REQUESTED, "Überarbeitung einreichen"),
    ],
)
def test_steps_out_of_turn_are_explained(
    login: Callable[[str], Client],
    project: Project,
    applicant: User,
    page: str,
    status: str,
    text: str,
) -> None:
    advance(project, status)
    html = _html(login("applicant").get(_url(project, page)))
    assert text in html
    assert 'type="file"' not in html


# --- Asking for a consultation ------------------------------------------------------------------


def test_consultation_request_goes_into_the_inbox_and_mails_the_office(
    login: Callable[[str], Client],
    site: AllianceStructure,
    project: Project,
    applicant: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = login("applicant")
    version = Project.objects.get(pk=project.pk).version
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(project, "beratung/"),
            {
                "message": "Wir möchten über die Zielgruppe sprechen.",
                "availability": "dienstags",
                "phone": "0531 4711",
            },
            follow=True,
        )
    assert any("bei der Geschäftsstelle eingegangen" in text for text in _messages(response))
    inquiry = Inquiry.objects.get()
    assert inquiry.source == Source.CONSULTATION
    assert inquiry.project == project
    assert inquiry.organisation == project.applicant_organisation
    assert inquiry.assigned_to is None and inquiry.status == "new"
    assert inquiry.asker_user == applicant and inquiry.asker_phone == "0531 4711"
    assert "Wir möchten über die Zielgruppe sprechen." in inquiry.messages.get().body
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [site.alliance.office_email]
    assert message.reply_to == [applicant.email]
    assert project.reference in message.subject
    assert "Wir möchten über die Zielgruppe sprechen." in message.body
    assert "dienstags" in message.body
    assert f"/son/intern/anfragen/{inquiry.pk}/" in message.body
    # The project itself records nothing: the office records the consultation once held.
    assert Consultation.objects.filter(project=project).count() == 0
    assert Project.objects.get(pk=project.pk).version == version
    # The project page says so while the request is open, in the German date format.
    day = timezone.localdate(inquiry.created_at).strftime("%d.%m.%Y")
    assert f"Beratung angefragt am {day}" in _html(response)


def test_a_second_request_joins_the_open_one(
    login: Callable[[str], Client],
    project: Project,
    applicant: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = login("applicant")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(project, "beratung/"), {"message": "Erste Bitte"})
        response = client.post(
            _url(project, "beratung/"), {"message": "Noch eine Frage"}, follow=True
        )
    inquiry = Inquiry.objects.get()
    assert [m.body for m in inquiry.messages.order_by("id")] == ["Erste Bitte", "Noch eine Frage"]
    assert any("offenen Beratungsanfrage vom" in text for text in _messages(response))
    assert len(mail.outbox) == 2
    assert "erneut" in mail.outbox[1].body
    # Once the office closed it, a new request opens a new inquiry.
    Inquiry.objects.filter(pk=inquiry.pk).update(status="done")
    assert "Beratung angefragt am" not in _html(client.get(_url(project, "")))
    client.post(_url(project, "beratung/"), {"message": "Neue Bitte"})
    assert Inquiry.objects.count() == 2


def test_the_project_page_waits_for_the_office_once_asked(
    login: Callable[[str], Client], project: Project, applicant: User
) -> None:
    """„Beratung angefragt am …“ and the next step accordingly: the office's proposal of a date,
    not another request."""
    client = login("applicant")
    before = _html(client.get(_url(project)))
    assert "Beratung mit der Geschäftsstelle vereinbaren." in before
    assert "Beratung angefragt am" not in before
    client.post(_url(project, "beratung/"), {"message": "Bitte um einen Termin"})
    day = timezone.localdate(Inquiry.objects.get().created_at).strftime("%d.%m.%Y")
    after = _html(client.get(_url(project)))
    assert f"Beratung angefragt am {day}" in after
    assert "Abwarten: Die Geschäftsstelle meldet sich mit einem Terminvorschlag" in after
    assert "Beratung mit der Geschäftsstelle vereinbaren." not in after
    assert "Nachricht zur Beratungsanfrage" in after


def test_the_same_request_sent_twice_is_kept_once(
    login: Callable[[str], Client],
    project: Project,
    applicant: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """The back button or a double click sends the form again: no second request, no second
    message, no second mail; the page says it was already requested."""
    client = login("applicant")
    form = {"message": "Bitte um einen Termin", "availability": "montags"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(project, "beratung/"), form)
        response = client.post(_url(project, "beratung/"), form, follow=True)
    inquiry = Inquiry.objects.get()
    assert inquiry.messages.count() == 1
    assert len(mail.outbox) == 1
    day = timezone.localdate(inquiry.created_at).strftime("%d.%m.%Y")
    assert _messages(response)[-1] == (
        f"Die Beratung ist bereits angefragt, am {day}; Ihre Nachricht liegt der "
        "Geschäftsstelle schon vor. Sie meldet sich mit einem Terminvorschlag."
    )
    assert f"Beratung angefragt am {day}" in _html(response)
    # The request page says so before anything is sent.
    page = _html(client.get(_url(project, "beratung/")))
    assert f"Beratung angefragt am {day}" in page


def test_no_consultation_request_after_the_grant(
    login: Callable[[str], Client], project: Project, applicant: User
) -> None:
    """Where the office records no consultation (granted, running, ended), none is asked for."""
    advance(project, Status.GRANTED)
    client = login("applicant")
    assert "Beratung anfragen" not in _html(client.get(_url(project)))
    response = client.post(_url(project, "beratung/"), {"message": "Eine Frage"})
    assert response.status_code == 200
    assert "ist das Verfahren des Bündnisses vorüber" in _html(response)
    assert not Inquiry.objects.exists()


def test_consultation_request_without_office_mail_is_stored(
    login: Callable[[str], Client],
    site: AllianceStructure,
    project: Project,
    applicant: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    site.alliance.office_email = ""
    site.alliance.save()
    client = login("applicant")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_url(project, "beratung/"), {"message": "Hallo"}).status_code == 302
    assert Inquiry.objects.filter(project=project).count() == 1
    assert mail.outbox == []


def test_consultation_request_needs_a_message(
    login: Callable[[str], Client], project: Project, applicant: User
) -> None:
    response = login("applicant").post(_url(project, "beratung/"), {"message": ""})
    assert "Dieses Feld ist zwingend erforderlich." in _html(response)
    assert mail.outbox == []


def test_a_new_project_can_go_into_the_next_recognised_phase_but_not_a_draft(
    login: Callable[[str], Client], site: AllianceStructure, applicant: User
) -> None:
    from buendnis.alliances.models import ActionField, RecognitionStatus
    from tests.factories import PhaseFactory

    after = site.phase.ends_on
    draft = PhaseFactory(
        alliance=site.alliance,
        name="Nächste",
        starts_on=date(after.year, after.month, after.day) + timezone.timedelta(days=1),
        ends_on=date(after.year + 3, after.month, after.day),
        recognition_status=RecognitionStatus.DRAFT,
    )
    client = login("applicant")
    page = _html(client.get("/son/vorhaben/neu/"))
    assert "Nächste" not in page  # a draft takes no projects and is not offered
    assert client.get(f"/son/vorhaben/neu/?phase={draft.pk}").status_code == 404

    draft.recognition_status = RecognitionStatus.RECOGNISED
    draft.save()
    field = ActionField.objects.create(
        alliance=site.alliance, phase=draft, title="Neu", is_open=True
    )
    page = _html(client.get("/son/vorhaben/neu/"))
    assert f'href="?phase={draft.pk}"' in page
    response = client.post(
        f"/son/vorhaben/neu/?phase={draft.pk}",
        {
            "title": "Im nächsten Abschnitt",
            "summary": "Kurz",
            "action_field": field.pk,
            "funding_priority": "unemployed",
            "contact_name": "Erika Antrag",
            "contact_email": "erika@example.org",
            "contact_phone": "",
        },
    )
    assert response.status_code == 302
    assert Project.objects.get(title="Im nächsten Abschnitt").phase == draft
