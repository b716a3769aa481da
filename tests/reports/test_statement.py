"""The Stellungnahme: a real PDF with the key data, only after the Votum, only for those who may
see the project."""

import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buendnis.demo.clock import as_of, moment
from buendnis.funding import services
from buendnis.funding.models import Outcome, Project
from buendnis.funding.states import Status
from buendnis.reports import statement as statement_module

from ..factories import (
    AllianceStructure,
    ProjectFactory,
    UserFactory,
    advance,
    applicant_of,
    body_of,
    pdf_upload,
    project_in_state,
)
from .story import half_funded

PDFTOTEXT = shutil.which("pdftotext")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext reads it, whitespace folded."""
    if PDFTOTEXT is None:
        pytest.skip("pdftotext fehlt (Debian: poppler-utils; scripts/ensure-test-deps.sh)")
    source = tmp_path / "stellungnahme.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own file
        [PDFTOTEXT, "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def url_of(project: Project) -> str:
    return reverse("statement:pdf", args=[project.alliance.slug, project.reference])


@pytest.fixture
def endorsed(structure: AllianceStructure) -> Project:
    """An endorsed project with two named co-financing shares: one partner, one outside payer."""
    project = ProjectFactory(
        phase=structure.phase,
        cofinancing=False,
        applicant_organisation=structure.organisations["host"],
        region="Stadt Braunschweig, Landkreis Wolfenbüttel",
        planned_participants=40,
        **half_funded(structure, 0, "1500000.00", title="Welcome Center"),
    )
    services.project_update(actor=None, project=project, topics=[structure.topics["nested"]])
    services.cofinancing_set(
        actor=None,
        project=project,
        shares=[
            services.Share(
                amount=Decimal("500000.00"), organisation=structure.organisations["city"]
            ),
            services.Share(amount=Decimal("250000.00"), name="Volkswagen Stiftung"),
        ],
    )
    return advance(project, Status.ENDORSED)


def test_url_sits_among_the_office_project_pages(endorsed: Project) -> None:
    assert url_of(endorsed) == f"/son/intern/vorhaben/{endorsed.reference}/stellungnahme.pdf"


def test_pdf_with_the_key_data(
    client_as: Callable[[str], Client], endorsed: Project, tmp_path: Path
) -> None:
    response = client_as("office").get(url_of(endorsed))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="Stellungnahme-{endorsed.reference}.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    today = timezone.localdate().strftime("%d.%m.%Y")
    expected = [
        # Letterhead and addressee
        "Fachkräftebündnis SüdOstNiedersachsen",
        "Allianz für die Region Braunschweig GmbH",
        "Frankfurter Straße 2",
        "geschaeftsstelle@son.example.org",
        "An die Förderbank",
        f"Datum: {today}",
        # The project
        endorsed.reference,
        "Welcome Center",
        "Stellungnahme des Fachkräftebündnisses SüdOstNiedersachsen zum Vorhaben",
        f"{endorsed.phase.starts_on:%d.%m.%Y} – {endorsed.phase.ends_on:%d.%m.%Y}",
        "Beratungsinfrastruktur",
        "Nonformale Kompetenzen Geflüchteter nutzbar machen",
        "Strukturprojekt",
        # Costs, German style
        "1.500.000,00 €",
        "750.000,00 €",
        "50 %",
        "Kofinanzierung: Stadt Braunschweig 500.000,00 €",
        "Kofinanzierung: Volkswagen Stiftung 250.000,00 €",
        "höchstens 70 %",
        # The Votum
        f"Datum des Votums {today}",
        "Sitzung 1, TOP 3",
        "Der Steuerkreis des Fachkräftebündnisses SüdOstNiedersachsen hat am",
        "befürwortet das Vorhaben einvernehmlich",
        # Signature: the speaker agreed to be named
        "Dr. Helene Brandt",
        "Sprecher/in des Bündnisses, IHK Braunschweig",
        "Seite 1 von",
    ]
    missing = [snippet for snippet in expected if snippet not in text]
    assert not missing, (missing, text)


def test_application_reference_and_unnamed_speaker(
    client_as: Callable[[str], Client],
    endorsed: Project,
    structure: AllianceStructure,
    tmp_path: Path,
) -> None:
    advance(endorsed, Status.APPLICATION_FILED)
    speaker = structure.people["speaker"]
    speaker.show_name_publicly = False
    speaker.save()
    text = pdf_text(client_as("office").get(url_of(endorsed)).content, tmp_path)
    assert "Förderantrag NB-2024-0815" in text
    assert "Helene" not in text
    assert "Sprecher/in des Bündnisses, IHK Braunschweig" in text


def test_the_procedure_is_listed_in_the_order_of_its_dates(
    client_as: Callable[[str], Client], structure: AllianceStructure, tmp_path: Path
) -> None:
    """Every step is dated in order now; a further consultation recorded after the bodies may
    still lie between them: the statement follows the dates, not the order of recording."""
    today = timezone.localdate()

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    with as_of(moment(ago(60), 10), restamp=False):
        project = ProjectFactory(phase=structure.phase, title="Brücken bauen")
        services.consultation_record(
            actor=None, project=project, held_on=ago(60), participants="GS"
        )
        services.sketch_submit(actor=None, project=project, document=pdf_upload())
        services.project_forward(actor=None, project=project)
    for days, kind in ((50, "speakers"), (40, "steering")):
        with as_of(moment(ago(days), 10), restamp=False):
            services.outcome_record(
                actor=None,
                project=project,
                body=body_of(structure.alliance, kind),
                outcome=Outcome.POSITIVE,
                decided_on=ago(days),
                reference=f"TOP {days}",
            )
    with as_of(moment(ago(30), 10), restamp=False):
        services.description_submit(actor=None, project=project, document=pdf_upload())
        services.project_forward(actor=None, project=project)
    for days, kind in ((20, "speakers"), (10, "steering")):
        with as_of(moment(ago(days), 10), restamp=False):
            services.outcome_record(
                actor=None,
                project=project,
                body=body_of(structure.alliance, kind),
                outcome=Outcome.POSITIVE,
                decided_on=ago(days),
                reference=f"TOP {days}",
            )
    # Recorded last, held between the Steuerkreis on the sketch and the description.
    services.consultation_record(
        actor=None, project=project, held_on=ago(35), participants="GS, Träger"
    )
    data = statement_module.statement_data(project)
    assert [step.day for step in data.steps] == [
        ago(60),
        ago(50),
        ago(40),
        ago(35),
        ago(20),
        ago(10),
    ]
    assert data.steps[3].text == "Beratung durch die Geschäftsstelle"
    assert data.steps[1].text == "Kurzskizze – Sprecherkreis: befürwortet (TOP 50)"
    text = pdf_text(client_as("office").get(url_of(project)).content, tmp_path)
    listed = [text.index(f"{day:%d.%m.%Y}: ") for day in (ago(60), ago(50), ago(40), ago(35))]
    listed += [text.index(f"{ago(20):%d.%m.%Y}: Projektbeschreibung")]
    listed += [text.index(f"{ago(10):%d.%m.%Y}: Projektbeschreibung")]
    assert listed == sorted(listed), text


# --- Access and states (the PDF itself replaced by a stand-in: rendering is tested above) ------


@pytest.fixture
def fake_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "buendnis.reports.views.render_statement_pdf", lambda data: b"%PDF-stand-in"
    )


ACCESS = [
    ("public", 302),
    ("office", 200),
    ("speaker", 200),
    ("member", 200),
    ("advisory", 200),
    ("ministry", 200),
    ("admin", 200),
    ("applicant", 404),  # an applicant of the alliance, but not of this project
    ("outsider", 404),
]


@pytest.mark.parametrize(("persona", "status"), ACCESS)
def test_access_per_persona(
    client_as: Callable[[str], Client], endorsed: Project, fake_pdf: None, persona: str, status: int
) -> None:
    response = client_as(persona).get(url_of(endorsed))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/konto/anmelden/?next=/son/intern/vorhaben/")
    if status == 200:
        assert response.content == b"%PDF-stand-in"


def test_the_projects_applicant_gets_it(endorsed: Project, fake_pdf: None) -> None:
    client = Client()
    client.force_login(applicant_of(endorsed))
    assert client.get(url_of(endorsed)).status_code == 200


def test_the_applicant_finds_it_on_the_project_page(endorsed: Project, fake_pdf: None) -> None:
    """They need it for the bank: the applicant portal links it once it exists (after the
    Votum), and the link opens."""
    client = Client()
    client.force_login(applicant_of(endorsed))
    page = client.get(f"/son/vorhaben/{endorsed.reference}/").content.decode()
    assert page.count(f'href="{url_of(endorsed)}"') == 2  # the next step and the documents
    assert "Stellungnahme des Bündnisses für die Förderbank (PDF)" in page
    assert client.get(url_of(endorsed)).status_code == 200
    advance(endorsed, Status.APPLICATION_FILED)
    page = client.get(f"/son/vorhaben/{endorsed.reference}/").content.decode()
    assert page.count(f'href="{url_of(endorsed)}"') == 1  # the documents keep it


def test_before_the_votum_the_applicant_page_has_no_link(structure: AllianceStructure) -> None:
    project = project_in_state(structure, Status.DESCRIPTION_STEERING)
    client = Client()
    client.force_login(applicant_of(project))
    assert (
        "stellungnahme.pdf"
        not in client.get(f"/son/vorhaben/{project.reference}/").content.decode()
    )


def test_applicant_of_another_project_does_not(
    endorsed: Project, structure: AllianceStructure, fake_pdf: None
) -> None:
    other = ProjectFactory(phase=structure.phase)
    client = Client()
    client.force_login(applicant_of(other))
    assert client.get(url_of(endorsed)).status_code == 404


@pytest.mark.parametrize(
    "state",
    [
        Status.ENDORSED,
        Status.APPLICATION_FILED,
        Status.GRANTED,
        Status.DECLINED,
        Status.RUNNING,
        Status.CLOSED,
    ],
)
def test_after_the_votum(
    client_as: Callable[[str], Client], structure: AllianceStructure, fake_pdf: None, state: str
) -> None:
    project = project_in_state(structure, state)
    assert client_as("office").get(url_of(project)).status_code == 200


@pytest.mark.parametrize(
    ("state", "at"),
    [
        (Status.IDEA, None),
        (Status.SKETCH_STEERING, None),
        (Status.DESCRIPTION_STEERING, None),
        (Status.REJECTED, Status.DESCRIPTION_STEERING),
        (Status.REVISION_REQUESTED, Status.DESCRIPTION_STEERING),
    ],
)
def test_before_the_votum_there_is_none(
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    fake_pdf: None,
    state: str,
    at: str | None,
) -> None:
    project = project_in_state(structure, state, at=at)
    response = client_as("office").get(url_of(project))
    assert response.status_code == 404
    text = response.content.decode()
    assert "Für dieses Vorhaben gibt es keine Stellungnahme" in text
    assert "erst nach dem positiven Votum des Steuerkreises" in text


def test_withdrawn_after_the_votum_has_none(
    client_as: Callable[[str], Client], endorsed: Project, fake_pdf: None
) -> None:
    advance(endorsed, Status.WITHDRAWN)
    response = client_as("office").get(url_of(endorsed))
    assert response.status_code == 404
    assert "Das Vorhaben wurde zurückgezogen" in response.content.decode()


def test_unknown_reference_and_other_alliance(
    client_as: Callable[[str], Client], endorsed: Project, other_alliance: object, fake_pdf: None
) -> None:
    from ..factories import build_alliance_structure

    build_alliance_structure(other_alliance, place="Hameln")  # type: ignore[arg-type]
    client = client_as("office")
    assert client.get("/son/intern/vorhaben/SON-1999-001/stellungnahme.pdf").status_code == 404
    # The project's reference under another alliance's address: not found there.
    assert (
        client.get(
            f"/leine-weser/intern/vorhaben/{endorsed.reference}/stellungnahme.pdf"
        ).status_code
        == 404
    )


def test_post_is_not_allowed(client_as: Callable[[str], Client], endorsed: Project) -> None:
    assert client_as("office").post(url_of(endorsed)).status_code == 405


def test_missing_weasyprint_gives_a_german_page(
    client_as: Callable[[str], Client], endorsed: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import now fails like a missing library
    response = client_as("office").get(url_of(endorsed))
    assert response.status_code == 503
    assert "kann gerade nicht als PDF erzeugt werden" in response.content.decode()


def test_rendering_never_fetches_from_the_network(endorsed: Project) -> None:
    """The fetcher reads the statement's own files and refuses everything else."""
    pytest.importorskip("weasyprint")
    fetcher = statement_module._local_fetcher()
    css = fetcher.fetch((statement_module.ASSETS / "statement.css").as_uri())
    assert b"@page" in css.read()
    for url in ("https://example.org/x.css", "http://localhost/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="Nur lokale Dateien|Keine Datei der Stellungnahme"):
            fetcher.fetch(url)


def test_statement_text_for_a_user_without_permission_is_never_rendered(
    endorsed: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    monkeypatch.setattr("buendnis.reports.views.render_statement_pdf", calls.append)
    client = Client()
    client.force_login(UserFactory(username="fremd"))
    assert client.get(url_of(endorsed)).status_code == 404
    assert calls == []


def test_alliance_name_in_the_genitive() -> None:
    genitive = statement_module.alliance_genitive
    assert genitive("Fachkräftebündnis Leine-Weser") == "des Fachkräftebündnisses Leine-Weser"
    assert genitive("Allianz Nordwest") == "des Bündnisses „Allianz Nordwest“"
