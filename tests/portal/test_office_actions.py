"""The office's steps through the real forms: the procedure, its refusals, double submissions."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from buendnis.alliances.models import Alliance, BodyKind
from buendnis.budget.selectors import budget_figures, project_balance
from buendnis.funding import services
from buendnis.funding.models import Outcome, Project
from buendnis.funding.states import ACTION_STATES, Status
from buendnis.office.services import inquiry_request_consultation
from buendnis.portal.office_forms import ACTION_FORMS
from tests.factories import (
    AllianceStructure,
    ProjectFactory,
    applicant_of,
    body_of,
    build_alliance_structure,
    pdf_upload,
    project_in_state,
)

BOARD = "/son/intern/vorhaben/"
ZERO = Decimal("0.00")


@pytest.fixture
def structure(alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office(client_as: Callable[[str], Client]) -> Client:
    return client_as("office")


def page(project: Project) -> str:
    return f"{BOARD}{project.reference}/"


def stamp(project: Project) -> dict[str, Any]:
    """What the page shows the form right now: version and number of consultations."""
    fresh = Project.objects.get(pk=project.pk)
    return {"version": fresh.version, "consultations": fresh.consultations.count()}


def act(client: Client, project: Project, action: str, **data: Any) -> Any:
    return client.post(f"{page(project)}aktion/{action}/", {**stamp(project), **data})


def fresh(project: Project) -> Project:
    return Project.objects.get(pk=project.pk)


def today() -> str:
    return timezone.localdate().isoformat()


def done(response: Any, project: Project) -> str:
    """The step succeeded: redirected to the project page, which shows the success message."""
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == page(project)
    return response


# --- The procedure through the forms -------------------------------------------------------------


@pytest.mark.django_db
def test_one_project_from_consultation_to_closed(
    office: Client, structure: AllianceStructure
) -> None:
    phase = structure.phase
    project = ProjectFactory(
        phase=phase, title="Welcome Center", eligible_costs=Decimal("200000.00")
    )
    applicant = applicant_of(project)
    requested = project.requested_grant  # 70 % of 200.000 €
    assert requested == Decimal("140000.00")
    budget = budget_figures(phase).budget

    response = done(
        act(office, project, "record_consultation", held_on=today(), participants="GS, Träger"),
        project,
    )
    assert fresh(project).status == Status.CONSULTATION
    follow = office.get(response["Location"])
    assert "Die Beratung am" in follow.content.decode()

    # The applicant submits in the applicant portal; here through the service.
    services.sketch_submit(actor=applicant, project=project, document=pdf_upload("skizze.pdf"))
    done(act(office, project, "forward", comment="Sitzung im März"), project)
    assert fresh(project).status == Status.SKETCH_SPEAKERS
    done(
        act(
            office,
            project,
            "record_outcome",
            outcome=Outcome.POSITIVE,
            decided_on=today(),
            reference="Sprecherkreis, TOP 2",
        ),
        project,
    )
    assert fresh(project).status == Status.SKETCH_STEERING
    done(
        act(office, project, "record_outcome", outcome=Outcome.POSITIVE, decided_on=today()),
        project,
    )
    project = fresh(project)
    assert project.status == Status.DESCRIPTION_REQUESTED
    assert [o.body.kind for o in project.outcomes.all()] == [BodyKind.SPEAKERS, BodyKind.STEERING]

    services.description_submit(
        actor=applicant, project=project, document=pdf_upload("beschreibung.pdf")
    )
    done(act(office, project, "forward"), project)
    done(
        act(office, project, "record_outcome", outcome=Outcome.POSITIVE, decided_on=today()),
        project,
    )
    assert budget_figures(phase).reserved == ZERO
    done(
        act(office, project, "record_outcome", outcome=Outcome.POSITIVE, decided_on=today()),
        project,
    )
    assert fresh(project).status == Status.ENDORSED
    assert project_balance(project.pk).reserved == requested
    assert budget_figures(phase).available == budget - requested
    assert "140.000,00 €" in office.get(page(project)).content.decode()

    done(
        act(office, project, "file_application", filed_on=today(), reference="NB-2026-4711"),
        project,
    )
    assert fresh(project).application_reference == "NB-2026-4711"
    # The bank grants less than requested: German input, the rest goes back to the budget.
    done(
        act(
            office,
            project,
            "record_bank_decision",
            decision="granted",
            decided_on=today(),
            granted_amount="120.000,00",
        ),
        project,
    )
    project = fresh(project)
    assert (project.status, project.granted_amount) == (Status.GRANTED, Decimal("120000.00"))
    balance = project_balance(project.pk)
    assert (balance.reserved, balance.committed) == (ZERO, Decimal("120000.00"))
    assert budget_figures(phase).available == budget - Decimal("120000.00")

    done(act(office, project, "start", started_on=today()), project)
    assert fresh(project).status == Status.RUNNING
    done(
        act(
            office,
            project,
            "close",
            closed_on=today(),
            final_eligible_costs="160000,00",
            final_grant="112000,00",
            participants_entered="48",
            participants_exited="41",
            final_report=pdf_upload("abschlussbericht.pdf"),
        ),
        project,
    )
    project = fresh(project)
    assert project.status == Status.CLOSED
    assert (project.final_eligible_costs, project.final_grant) == (
        Decimal("160000.00"),
        Decimal("112000.00"),
    )
    assert (project.participants_entered, project.participants_exited) == (48, 41)
    balance = project_balance(project.pk)
    assert (balance.reserved, balance.committed, balance.paid) == (ZERO, ZERO, Decimal("112000.00"))
    figures = budget_figures(phase)
    assert (figures.reserved, figures.committed, figures.paid) == (ZERO, ZERO, Decimal("112000.00"))
    assert figures.available == budget - Decimal("112000.00")
    assert project.documents.filter(kind="final_report").count() == 1
    assert project.transitions.count() == 13  # idea → … → closed
    content = office.get(page(project)).content.decode()
    assert "kein weiterer Schritt möglich" in content
    assert "112.000,00 €" in content


@pytest.mark.django_db
def test_deferred_project_is_resumed(office: Client, structure: AllianceStructure) -> None:
    project = project_in_state(structure, Status.DEFERRED, at=Status.DESCRIPTION_STEERING)
    done(act(office, project, "resume"), project)
    assert fresh(project).status == Status.DESCRIPTION_STEERING


@pytest.mark.django_db
def test_revision_and_rejection_with_reasons(office: Client, structure: AllianceStructure) -> None:
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    done(
        act(
            office,
            project,
            "record_outcome",
            outcome=Outcome.REVISION,
            decided_on=today(),
            reasons="Zielgruppe genauer beschreiben",
        ),
        project,
    )
    assert fresh(project).status == Status.REVISION_REQUESTED
    other = project_in_state(structure, Status.SKETCH_STEERING)
    done(
        act(
            office,
            other,
            "record_outcome",
            outcome=Outcome.NEGATIVE,
            decided_on=today(),
            reasons="Passt nicht zu den Themen",
        ),
        other,
    )
    assert fresh(other).status == Status.REJECTED


@pytest.mark.django_db
def test_bank_declines_and_withdrawal_release_the_budget(
    office: Client, structure: AllianceStructure
) -> None:
    declined = project_in_state(structure, Status.APPLICATION_FILED)
    withdrawn = project_in_state(structure, Status.GRANTED)
    assert budget_figures(structure.phase).distributed > 0
    done(
        act(office, declined, "record_bank_decision", decision="declined", decided_on=today()),
        declined,
    )
    done(
        act(office, withdrawn, "withdraw", reason="Der Träger hat keine Kofinanzierung mehr."),
        withdrawn,
    )
    assert (fresh(declined).status, fresh(withdrawn).status) == (Status.DECLINED, Status.WITHDRAWN)
    assert budget_figures(structure.phase).distributed == ZERO
    assert (
        fresh(withdrawn).transitions.last().comment == "Der Träger hat keine Kofinanzierung mehr."
    )


@pytest.mark.django_db
def test_step_from_the_board_returns_to_the_board(
    office: Client, structure: AllianceStructure
) -> None:
    project = project_in_state(structure, Status.SKETCH_SUBMITTED)
    board = f"{BOARD}?status=sketch_submitted"
    response = act(office, project, "forward", return_to=board)
    assert response.status_code == 302
    assert response["Location"] == board
    assert fresh(project).status == Status.SKETCH_SPEAKERS
    # Elsewhere is not a place to return to.
    other = project_in_state(structure, Status.SKETCH_SUBMITTED)
    response = act(office, other, "forward", return_to="https://example.org/son/intern/vorhaben/")
    assert response["Location"] == page(other)


# --- Refused steps: a German reason, the input kept, nothing changed ------------------------------


def snapshot(project: Project) -> tuple[object, ...]:
    row = fresh(project)
    balance = project_balance(project.pk)
    return (
        row.status,
        row.version,
        row.consultations.count(),
        row.outcomes.count(),
        row.transitions.count(),
        row.documents.count(),
        balance.reserved,
        balance.committed,
        balance.paid,
    )


def refused(response: Any, *messages: str) -> str:
    assert response.status_code == 200
    content = response.content.decode()
    assert "wurde nicht ausgeführt" in content
    for message in messages:
        assert message in content, message
    return content


@pytest.mark.django_db
def test_consultation_in_the_future_is_refused(
    office: Client, structure: AllianceStructure
) -> None:
    project = ProjectFactory(phase=structure.phase)
    before = snapshot(project)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    content = refused(
        act(
            office,
            project,
            "record_consultation",
            held_on=tomorrow,
            participants="Geschäftsstelle und Träger",
            notes="Erstgespräch",
        ),
        "Das Datum der Beratung liegt in der Zukunft: spätestens am "
        f"{timezone.localdate():%d.%m.%Y} (heute).",
    )
    assert 'value="Geschäftsstelle und Träger"' in content  # nothing typed is lost
    assert "Erstgespräch</textarea>" in content
    assert snapshot(project) == before


@pytest.mark.django_db
def test_step_the_state_does_not_allow_is_refused(
    office: Client, structure: AllianceStructure
) -> None:
    project = ProjectFactory(phase=structure.phase)
    before = snapshot(project)
    refused(
        act(
            office,
            project,
            "close",
            closed_on=today(),
            final_eligible_costs="1000",
            final_grant="500",
            final_report=pdf_upload(),
        ),
        "Im Stand „Idee“ ist dieser Schritt nicht möglich.",
    )
    refused(act(office, project, "forward"), "Im Stand „Idee“ ist dieser Schritt nicht möglich.")
    assert snapshot(project) == before


@pytest.mark.django_db
def test_negative_outcome_needs_reasons(office: Client, structure: AllianceStructure) -> None:
    project = project_in_state(structure, Status.SKETCH_STEERING)
    before = snapshot(project)
    content = refused(
        act(
            office,
            project,
            "record_outcome",
            outcome=Outcome.NEGATIVE,
            decided_on=today(),
            reference="Steuerkreis 3/2026",
        ),
        "Bitte begründen Sie das Ergebnis.",
    )
    assert 'value="Steuerkreis 3/2026"' in content
    assert 'value="negative" id="record_outcome-outcome_1" required checked' in content
    assert snapshot(project) == before


@pytest.mark.django_db
def test_missing_body_is_named(office: Client, structure: AllianceStructure) -> None:
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    body_of(structure.alliance, BodyKind.SPEAKERS).delete()
    before = snapshot(project)
    refused(
        act(office, project, "record_outcome", outcome=Outcome.POSITIVE, decided_on=today()),
        "Für dieses Bündnis ist kein Sprecherkreis angelegt.",
    )
    assert snapshot(project) == before


@pytest.mark.django_db
def test_endorsement_beyond_the_budget_is_refused(
    office: Client, structure: AllianceStructure
) -> None:
    phase = structure.phase
    project = project_in_state(structure, Status.DESCRIPTION_STEERING)
    phase.virtual_budget = Decimal("100000.00")  # less than the 140.000 € requested
    phase.save()
    before = snapshot(project)
    refused(
        act(office, project, "record_outcome", outcome=Outcome.POSITIVE, decided_on=today()),
        "Das virtuelle Budget der Förderphase",
        "Es wurde nichts gebucht.",
    )
    assert snapshot(project) == before
    assert budget_figures(phase).reserved == ZERO


@pytest.mark.django_db
def test_bank_grant_needs_an_amount_within_the_reservation(
    office: Client, structure: AllianceStructure
) -> None:
    project = project_in_state(structure, Status.APPLICATION_FILED)
    before = snapshot(project)
    refused(
        act(
            office,
            project,
            "record_bank_decision",
            decision="granted",
            decided_on=today(),
            granted_amount="",
        ),
        "Bitte den bewilligten Zuschuss angeben.",
    )
    content = refused(
        act(
            office,
            project,
            "record_bank_decision",
            decision="granted",
            decided_on=today(),
            granted_amount="150.000,00",
        ),
        "ist höher als die Reservierung aus dem Votum",
    )
    assert 'value="150.000,00"' in content
    assert snapshot(project) == before


@pytest.mark.django_db
def test_closing_rules(office: Client, structure: AllianceStructure) -> None:
    project = project_in_state(structure, Status.RUNNING)
    before = snapshot(project)
    data = {"closed_on": today(), "final_eligible_costs": "100000,00"}
    # More than the rate of the settled costs (70 % of 100.000 €).
    refused(
        act(office, project, "close", final_grant="80000,00", final_report=pdf_upload(), **data),
        "Der abgerechnete Zuschuss darf höchstens den Fördersatz",
    )
    refused(
        act(office, project, "close", final_grant="70000,00", **data),
        "Bitte den Abschlussbericht hochladen.",
    )
    renamed = SimpleUploadedFile(
        "bericht.pdf", b"MZ\x90\x00 kein PDF", content_type="application/pdf"
    )
    refused(
        act(office, project, "close", final_grant="70000,00", final_report=renamed, **data),
        "ist kein erlaubtes Dokument",
    )
    refused(
        act(office, project, "close", final_grant="-5", final_report=pdf_upload(), **data),
        "Abgerechneter Zuschuss (€)",
    )
    assert snapshot(project) == before


@pytest.mark.django_db
def test_withdrawal_needs_a_reason(office: Client, structure: AllianceStructure) -> None:
    project = project_in_state(structure, Status.ENDORSED)
    before = snapshot(project)
    content = refused(act(office, project, "withdraw", reason=""), "Grund")
    # The disclosure with the withdrawal form is open, so its error is seen.
    assert "<details open>" in content
    assert snapshot(project) == before


# --- Double submission and stale pages -------------------------------------------------------------


@pytest.mark.django_db
def test_double_submitted_consultation_is_refused(
    office: Client, structure: AllianceStructure
) -> None:
    project = project_in_state(structure, Status.CONSULTATION)
    form = {**stamp(project), "held_on": today(), "participants": "GS, Träger"}
    url = f"{page(project)}aktion/record_consultation/"
    assert office.post(url, form).status_code == 302
    before = snapshot(project)
    content = refused(office.post(url, form), "bereits geändert")
    assert snapshot(project) == before
    assert fresh(project).consultations.count() == 2  # one from the factory, one from the form
    # The re-rendered form carries the state now seen: sending it again is a deliberate choice.
    assert 'name="consultations" value="2"' in content


@pytest.mark.django_db
def test_double_submitted_step_is_refused(office: Client, structure: AllianceStructure) -> None:
    project = project_in_state(structure, Status.SKETCH_SUBMITTED)
    form = stamp(project)
    url = f"{page(project)}aktion/forward/"
    assert office.post(url, form).status_code == 302
    before = snapshot(project)
    refused(office.post(url, form), "bereits geändert")
    assert snapshot(project) == before
    assert fresh(project).status == Status.SKETCH_SPEAKERS


@pytest.mark.django_db
def test_stale_page_is_refused(office: Client, structure: AllianceStructure) -> None:
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    form = {**stamp(project), "outcome": Outcome.DEFERRED, "decided_on": today()}
    # Someone else records the Sprecherkreis' recommendation while this page is open.
    services.outcome_record(
        actor=None,
        project=project,
        body=body_of(structure.alliance, BodyKind.SPEAKERS),
        outcome=Outcome.POSITIVE,
        decided_on=timezone.localdate(),
    )
    before = snapshot(project)
    refused(office.post(f"{page(project)}aktion/record_outcome/", form), "bereits geändert")
    assert snapshot(project) == before
    assert fresh(project).status == Status.SKETCH_STEERING


@pytest.mark.django_db
def test_statement_link_appears_after_the_votum(
    office: Client, structure: AllianceStructure
) -> None:
    endorsed = project_in_state(structure, Status.ENDORSED)
    html = office.get(f"/son/intern/vorhaben/{endorsed.reference}/").content.decode()
    assert f"/son/intern/vorhaben/{endorsed.reference}/stellungnahme.pdf" in html
    earlier = project_in_state(structure, Status.SKETCH_SUBMITTED)
    html = office.get(f"/son/intern/vorhaben/{earlier.reference}/").content.decode()
    assert "stellungnahme.pdf" not in html


def test_amounts_typed_with_a_decimal_point_are_not_read_as_thousands() -> None:
    from buendnis.portal.office_forms import money_field

    field = money_field("Betrag")
    assert field.clean("85000.50") == Decimal("85000.50")
    assert field.clean("85.000,50") == Decimal("85000.50")
    with pytest.raises(ValidationError) as error:
        field.clean("-5,00")
    assert error.value.messages == ["Beträge dürfen nicht negativ sein."]


@pytest.mark.django_db
def test_more_exits_than_entries_are_refused_on_the_form(
    office: Client, structure: AllianceStructure
) -> None:
    """Exits 30 with entries 5 were accepted once; the form says so at the field."""
    project = project_in_state(structure, Status.RUNNING)
    before = snapshot(project)
    content = refused(
        act(
            office,
            project,
            "close",
            closed_on=today(),
            final_eligible_costs="100000,00",
            final_grant="70000,00",
            participants_entered="5",
            participants_exited="30",
            final_report=pdf_upload(),
        ),
        "Es können nicht mehr Teilnehmende austreten als eingetreten sind: 30 Austritte, aber "
        "5 Eintritte.",
    )
    assert 'href="#close-participants_exited"' in content
    assert snapshot(project) == before


# --- What the workspace offers, and what it shows of the procedure ----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", Status.values)
def test_each_state_offers_the_steps_the_table_allows(
    office: Client, structure: AllianceStructure, status: str
) -> None:
    """Derived from states.STEPS: no „Beratung erfassen“ on granted and running projects, and no
    form for a step the state does not allow."""
    project = project_in_state(structure, status)
    content = office.get(page(project)).content.decode()
    offered = {action for action in ACTION_FORMS if f"/aktion/{action}/" in content}
    assert offered == {
        action for action in ACTION_FORMS if status in ACTION_STATES.get(action, frozenset())
    }
    if status in (Status.GRANTED, Status.RUNNING):
        assert "Beratung erfassen" not in content


@pytest.mark.django_db
def test_no_consultation_is_recorded_after_the_grant(
    office: Client, structure: AllianceStructure
) -> None:
    project = project_in_state(structure, Status.GRANTED)
    before = snapshot(project)
    refused(
        act(office, project, "record_consultation", held_on=today(), participants="GS"),
        "Im Stand „Bewilligt“ ist das Verfahren des Bündnisses vorüber",
    )
    assert snapshot(project) == before


@pytest.mark.django_db
def test_the_office_timeline_starts_with_the_creation(
    office: Client, structure: AllianceStructure
) -> None:
    """As the applicant's: „Vorhaben angelegt“ first, never „Noch kein Statuswechsel“."""
    idea = ProjectFactory(phase=structure.phase)
    content = office.get(page(idea)).content.decode()
    timeline = content[content.index('id="verlauf"') :]
    assert "Vorhaben angelegt" in timeline
    assert "Noch kein Statuswechsel" not in content
    consulted = project_in_state(structure, Status.CONSULTATION)
    timeline = office.get(page(consulted)).content.decode()
    timeline = timeline[timeline.index('id="verlauf"') :]
    assert timeline.index("Vorhaben angelegt") < timeline.index("<strong>Beratung</strong>")


@pytest.mark.django_db
def test_an_open_consultation_request_shows_with_a_link_to_the_inquiry(
    office: Client, structure: AllianceStructure, client_as: Callable[[str], Client]
) -> None:
    project = ProjectFactory(phase=structure.phase)
    result = inquiry_request_consultation(
        actor=applicant_of(project), project=project, message="Bitte um einen Termin"
    )
    day = timezone.localdate(result.inquiry.created_at).strftime("%d.%m.%Y")
    content = office.get(page(project)).content.decode()
    assert f"Beratung angefragt am {day}" in content
    assert f'href="/son/intern/anfragen/{result.inquiry.pk}/"' in content
    # The internal circle reads that it was asked for; the inbox is the office's.
    member = client_as("member").get(page(project)).content.decode()
    assert f"Beratung angefragt am {day}" in member
    assert f"/son/intern/anfragen/{result.inquiry.pk}/" not in member
    # Once the office has recorded the consultation, the request is done and gone from the page.
    act(office, project, "record_consultation", held_on=today(), participants="GS, Träger")
    assert "Beratung angefragt am" not in office.get(page(project)).content.decode()


@pytest.mark.django_db
def test_the_start_form_proposes_a_day_the_rule_accepts(structure: AllianceStructure) -> None:
    """The planned start, or the grant's day if the bank decided later; never after today."""
    from buendnis.portal.office_forms import StartForm

    project = project_in_state(structure, Status.GRANTED)
    assert project.starts_on < timezone.localdate() == project.bank_decided_on
    assert StartForm(project=project).initial["started_on"] == project.bank_decided_on
    project.bank_decided_on = project.starts_on - timedelta(days=3)
    assert StartForm(project=project).initial["started_on"] == project.starts_on
