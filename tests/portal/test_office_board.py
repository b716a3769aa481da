"""The pipeline board: sections by state with counts, filters, who is next, time in the state."""

from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from buendnis.alliances.models import Alliance
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from tests.factories import (
    AllianceStructure,
    ProjectFactory,
    build_alliance_structure,
    project_in_state,
)

BOARD = "/son/intern/vorhaben/"


@pytest.fixture
def structure(alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def projects(structure: AllianceStructure, other_alliance: Alliance) -> dict[str, Project]:
    orgs = structure.organisations
    fields = structure.fields
    welcome = ProjectFactory(
        phase=structure.phase,
        title="Welcome Center",
        applicant_organisation=orgs["city"],
        action_field=fields[0],
    )
    reserve = project_in_state(
        structure,
        Status.SKETCH_SPEAKERS,
        title="Stille Reserve",
        applicant_organisation=orgs["union"],
        action_field=fields[1],
    )
    steering = project_in_state(
        structure,
        Status.DESCRIPTION_STEERING,
        title="Pflegekräfte gewinnen",
        action_field=fields[2],
    )
    submitted = project_in_state(
        structure, Status.SKETCH_SUBMITTED, title="Zweitbewerber-Börse", action_field=fields[2]
    )
    # The previous phase: not on the board unless asked for.
    old = ProjectFactory(
        phase=structure.previous_phase,
        title="AWO-Praktikumsbörse für Migrantinnen und Migranten",
        applicant_organisation=orgs["host"],
    )
    # Another alliance's project never shows up.
    build_alliance_structure(other_alliance, place="Hameln")
    foreign = ProjectFactory(
        phase=other_alliance.phases.order_by("-starts_on").first(),
        title="Fremdes Vorhaben in Hameln",
    )
    return {
        "welcome": welcome,
        "reserve": reserve,
        "steering": steering,
        "submitted": submitted,
        "old": old,
        "foreign": foreign,
    }


def titles(client: Client, query: str = "") -> set[str]:
    response = client.get(f"{BOARD}{query}")
    assert response.status_code == 200
    content = response.content.decode()
    known = [
        "Welcome Center",
        "Stille Reserve",
        "Pflegekräfte gewinnen",
        "Zweitbewerber-Börse",
        "AWO-Praktikumsbörse für Migrantinnen und Migranten",
        "Fremdes Vorhaben in Hameln",
    ]
    return {title for title in known if title in content}


CURRENT = {"Welcome Center", "Stille Reserve", "Pflegekräfte gewinnen", "Zweitbewerber-Börse"}


@pytest.mark.django_db
def test_board_shows_the_running_phase_by_default(
    client_as: Callable[[str], Client], projects: dict[str, Project]
) -> None:
    client = client_as("speaker")
    assert titles(client) == CURRENT
    assert titles(client, "?phase=") == CURRENT | {
        "AWO-Praktikumsbörse für Migrantinnen und Migranten"
    }
    old_phase = projects["old"].phase_id
    assert titles(client, f"?phase={old_phase}") == {
        "AWO-Praktikumsbörse für Migrantinnen und Migranten"
    }


@pytest.mark.django_db
def test_filters(
    client_as: Callable[[str], Client], projects: dict[str, Project], structure: AllianceStructure
) -> None:
    client = client_as("member")
    assert titles(client, "?status=sketch_speakers") == {"Stille Reserve"}
    assert titles(client, f"?action_field={structure.fields[0].pk}") == {"Welcome Center"}
    union = structure.organisations["union"].pk
    assert titles(client, f"?applicant_organisation={union}") == {"Stille Reserve"}
    assert titles(client, "?q=stille") == {"Stille Reserve"}
    assert titles(client, f"?q={projects['welcome'].reference.lower()}") == {"Welcome Center"}
    assert titles(client, "?q=gibt+es+nicht") == set()
    assert (
        "Keine Vorhaben für diese Auswahl."
        in client.get(f"{BOARD}?q=gibt+es+nicht").content.decode()
    )
    # Filters combine.
    assert titles(client, f"?applicant_organisation={union}&status=idea") == set()


@pytest.mark.django_db
def test_values_of_another_alliance_are_not_offered(
    client_as: Callable[[str], Client], projects: dict[str, Project]
) -> None:
    client = client_as("office")
    foreign = projects["foreign"]
    response = client.get(f"{BOARD}?phase={foreign.phase_id}")
    content = response.content.decode()
    assert "gültige Auswahl" in content
    assert "Fremdes Vorhaben in Hameln" not in content
    assert (
        "Hameln" not in response.context["board_filter"].form["applicant_organisation"].as_widget()
    )


@pytest.mark.django_db
def test_sections_in_procedure_order_with_counts(
    client_as: Callable[[str], Client], projects: dict[str, Project]
) -> None:
    response = client_as("advisory").get(BOARD)
    columns = response.context["columns"]
    assert [column.status for column in columns] == list(Status.values)
    counts = {column.status: column.count for column in columns if column.count}
    assert counts == {
        Status.IDEA: 1,
        Status.SKETCH_SUBMITTED: 1,
        Status.SKETCH_SPEAKERS: 1,
        Status.DESCRIPTION_STEERING: 1,
    }
    content = response.content.decode()
    assert (
        content.index('id="stand-idea"')
        < content.index('id="stand-sketch_submitted"')
        < (content.index('id="stand-sketch_speakers"'))
        < content.index('id="stand-description_steering"')
    )
    assert "4 Vorhaben gefunden" in content


def section(content: str, key: str) -> str:
    start = content.index(f'class="waiting waiting-{key}"')
    return content[start : content.index("</li>\n    \n", start)]


@pytest.mark.django_db
def test_who_is_next(client_as: Callable[[str], Client], projects: dict[str, Project]) -> None:
    content = client_as("ministry").get(BOARD).content.decode()
    assert "Stille Reserve" in section(content, "speakers")
    assert "Pflegekräfte gewinnen" in section(content, "steering")
    office = section(content, "office")
    assert "Zweitbewerber-Börse" in office  # submitted: the office forwards it
    assert "Welcome Center" in office  # an idea waits for its consultation
    assert "Stille Reserve" not in office


@pytest.mark.django_db
def test_time_in_state(client_as: Callable[[str], Client], projects: dict[str, Project]) -> None:
    # Noon, local time: "now - 100 days" counts 99 calendar days late in the evening, when the
    # day 100 days ago was in summer time.
    def days_ago(days: int) -> datetime:
        return timezone.make_aware(
            datetime.combine(timezone.localdate() - timedelta(days=days), time(12))
        )

    Project.objects.filter(pk=projects["reserve"].pk).update(status_changed_at=days_ago(100))
    Project.objects.filter(pk=projects["steering"].pk).update(status_changed_at=days_ago(1))
    content = client_as("office").get(BOARD).content.decode()
    assert "(100 Tage)" in content
    assert "(1 Tag)" in content
    assert content.count("länger als 90 Tage") == 1
    flagged = [row for row in content.split("<tr")[1:] if row.startswith(' class="waits-long"')]
    assert len(flagged) == 1 and "Stille Reserve" in flagged[0]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["speaker", "member", "advisory", "ministry"])
def test_board_buttons_only_for_the_office(
    persona: str, client_as: Callable[[str], Client], projects: dict[str, Project]
) -> None:
    content = client_as(persona).get(BOARD).content.decode()
    assert "/aktion/" not in content
    assert "Nächster Schritt" not in content
    assert "Schritte im Verfahren erfasst die Geschäftsstelle" in content


@pytest.mark.django_db
def test_office_forwards_from_the_board(
    client_as: Callable[[str], Client], projects: dict[str, Project]
) -> None:
    client = client_as("office")
    content = client.get(BOARD).content.decode()
    submitted = projects["submitted"]
    assert f"{BOARD}{submitted.reference}/aktion/forward/" in content
    response = client.post(
        f"{BOARD}{submitted.reference}/aktion/forward/",
        {"version": submitted.version, "return_to": f"{BOARD}?q=B%C3%B6rse"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{BOARD}?q=B%C3%B6rse"
    assert "Neuer Stand: Kurzskizze im Sprecherkreis." in response.content.decode()
    assert Project.objects.get(pk=submitted.pk).status == Status.SKETCH_SPEAKERS


def test_next_deadlines_show_phase_end_and_projects_that_end_soon(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    from buendnis.funding.selectors import upcoming_deadlines
    from tests.factories import project_in_state

    today = timezone.localdate()
    running = project_in_state(structure, Status.RUNNING)
    Project.objects.filter(pk=running.pk).update(ends_on=today + timedelta(days=30))
    running.refresh_from_db()
    deadlines = upcoming_deadlines([running], structure.phase, today=today)
    labels = [str(deadline.label) for deadline in deadlines]
    assert "Laufzeitende: Abschlussbericht und Abrechnung" in labels
    assert f"Ende der Förderphase {structure.phase.name}" in labels
    assert [deadline.day for deadline in deadlines] == sorted(
        deadline.day for deadline in deadlines
    )
    # Past its end without closing: overdue.
    late = upcoming_deadlines([running], None, today=today + timedelta(days=31))
    assert late[0].overdue
    html = client_as("office").get("/son/intern/vorhaben/").content.decode()
    assert "Nächste Fristen" in html
    assert running.title in html.split("Nächste Fristen")[1].split("</section>")[0]


# --- A board with more projects than it shows ------------------------------------------------------

LIST = "/son/intern/vorhaben/liste/"


@pytest.fixture
def small_board(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three cards per state and five rows per list page, so that few projects overflow them."""
    from buendnis.portal import office_views

    monkeypatch.setattr(office_views, "BOARD_CARDS", 3)
    monkeypatch.setattr(office_views, "LIST_PAGE_SIZE", 5)


def ideas(structure: AllianceStructure, count: int, **fields: object) -> list[Project]:
    """`count` ideas, the first one longest in its state (a day apart)."""
    made = [
        ProjectFactory(phase=structure.phase, title=f"Idee {n:02d}", **fields) for n in range(count)
    ]
    now = timezone.now()
    for number, project in enumerate(made):
        Project.objects.filter(pk=project.pk).update(
            status_changed_at=now - timedelta(days=count - number)
        )
    return made


def rows(content: str) -> list[str]:
    """The titles of the table rows, in order."""
    return [
        row.split('">', 2)[2].split("</a>")[0]
        for row in content.split("<tr")[1:]
        if 'scope="row"' in row
    ]


@pytest.mark.django_db
def test_board_shows_the_oldest_few_with_the_exact_count(
    client_as: Callable[[str], Client], structure: AllianceStructure, small_board: None
) -> None:
    ideas(structure, 7)
    project_in_state(structure, Status.SKETCH_SPEAKERS, title="Stille Reserve")
    response = client_as("office").get(BOARD)
    content = response.content.decode()
    column = next(c for c in response.context["columns"] if c.status == Status.IDEA)
    assert column.count == 7
    assert [project.title for project in column.projects] == ["Idee 00", "Idee 01", "Idee 02"]
    assert rows(content) == ["Idee 00", "Idee 01", "Idee 02", "Stille Reserve"]
    assert "Idee 03" not in content
    assert "8 Vorhaben gefunden" in content
    assert '<a href="#stand-idea">Idee <span class="count-pill">7</span></a>' in content
    phase = structure.phase.pk
    assert f'href="{LIST}?phase={phase}&amp;status=idea">Alle 7 Vorhaben im Stand' in content
    # Who is next: the office's three oldest, the count and the link to the rest.
    office = section(content, "office")
    assert '<span class="count-pill">7</span>' in office
    assert office.count("<li>") == 3
    assert f'href="{LIST}?phase={phase}&amp;waiting=office"' in office
    # A column that shows everything has no link.
    assert "status=sketch_speakers" not in content
    assert f"{LIST}?phase={phase}&amp;waiting=speakers" not in content


@pytest.mark.django_db
def test_list_pages_through_a_column(
    client_as: Callable[[str], Client], structure: AllianceStructure, small_board: None
) -> None:
    ideas(structure, 7)
    project_in_state(structure, Status.SKETCH_SPEAKERS, title="Stille Reserve")
    client = client_as("speaker")
    phase = structure.phase.pk
    first = client.get(f"{LIST}?phase={phase}&status=idea")
    assert first.status_code == 200
    content = first.content.decode()
    assert rows(content) == [f"Idee {n:02d}" for n in range(5)]
    assert "7 Vorhaben gefunden" in content
    assert "Seite 1 von 2" in content
    assert f'href="?phase={phase}&amp;status=idea&amp;page=2" rel="next"' in content
    second = client.get(f"{LIST}?phase={phase}&status=idea&page=2").content.decode()
    assert rows(second) == ["Idee 05", "Idee 06"]
    assert f'href="?phase={phase}&amp;status=idea&amp;page=1" rel="prev"' in second
    # Who is next: the office's projects are the ideas here.
    waiting = client.get(f"{LIST}?phase={phase}&waiting=speakers").content.decode()
    assert rows(waiting) == ["Stille Reserve"]
    # Without a phase the list, like the board, shows the running one.
    assert rows(client.get(LIST).content.decode())[:5] == [f"Idee {n:02d}" for n in range(5)]


@pytest.mark.django_db
def test_links_keep_the_boards_filters(
    client_as: Callable[[str], Client], structure: AllianceStructure, small_board: None
) -> None:
    union = structure.organisations["union"]
    ideas(structure, 4, applicant_organisation=union)
    ideas_city = [ProjectFactory(phase=structure.phase, title=f"Stadtidee {n}") for n in range(2)]
    assert ideas_city
    client = client_as("office")
    query = f"?phase=&q=Idee&applicant_organisation={union.pk}"
    content = client.get(f"{BOARD}{query}").content.decode()
    link = f"{LIST}?phase=&amp;q=Idee&amp;applicant_organisation={union.pk}&amp;status=idea"
    assert f'href="{link}"' in content
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert rows(listed) == ["Idee 00", "Idee 01", "Idee 02", "Idee 03"]
    assert "Stadtidee" not in listed
    # The list's own filter form and the way back keep them as well.
    assert 'value="Idee"' in listed
    assert (
        f'href="{BOARD}?phase=&amp;q=Idee&amp;applicant_organisation={union.pk}&amp;status=idea"'
        in listed
    )


@pytest.mark.django_db
def test_board_filter_by_whose_turn(
    client_as: Callable[[str], Client], projects: dict[str, Project]
) -> None:
    client = client_as("office")
    assert titles(client, "?waiting=speakers") == {"Stille Reserve"}
    assert titles(client, "?waiting=office") == {"Welcome Center", "Zweitbewerber-Börse"}
    assert "gültige Auswahl" in client.get(f"{BOARD}?waiting=niemand").content.decode()


@pytest.mark.django_db
def test_one_click_from_the_list_returns_to_the_list(
    client_as: Callable[[str], Client], projects: dict[str, Project]
) -> None:
    client = client_as("office")
    submitted = projects["submitted"]
    url = f"{LIST}?phase=&status=sketch_submitted"
    assert f"{BOARD}{submitted.reference}/aktion/forward/" in client.get(url).content.decode()
    response = client.post(
        f"{BOARD}{submitted.reference}/aktion/forward/",
        {"version": submitted.version, "return_to": url},
    )
    assert response["Location"] == url


@pytest.mark.django_db
def test_next_deadlines_are_bounded_and_counted(
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from buendnis.funding import selectors
    from buendnis.portal import office_views

    monkeypatch.setattr(office_views, "DEADLINES_SHOWN", 2)
    today = timezone.localdate()
    ending = []
    for days in (40, 10, 30, 20):
        project = project_in_state(structure, Status.RUNNING, title=f"Endet in {days} Tagen")
        Project.objects.filter(pk=project.pk).update(ends_on=today + timedelta(days=days))
        ending.append(project)
    later = project_in_state(structure, Status.RUNNING, title="Endet viel später")
    Project.objects.filter(pk=later.pk).update(ends_on=today + timedelta(days=400))
    starting = project_in_state(structure, Status.GRANTED, title="Beginnt bald")
    Project.objects.filter(pk=starting.pk).update(starts_on=today + timedelta(days=15))

    shown, total = selectors.deadline_projects(
        Project.objects.filter(alliance=structure.phase.alliance), today=today, limit=2
    )
    assert [project.title for project in shown] == ["Endet in 10 Tagen", "Beginnt bald"]
    assert total == 5
    html = client_as("office").get(BOARD).content.decode()
    box = html.split('id="fristen"')[1].split("</section>")[0]
    assert "Endet in 10 Tagen" in box and "Beginnt bald" in box
    assert "Endet in 20 Tagen" not in box and "Endet viel später" not in box
    assert "und 3 weitere Fristen von Vorhaben" in box
    assert f"{LIST}?phase={structure.phase.pk}&amp;status=running" in box


@pytest.mark.django_db
def test_reports_due_and_overdue_are_deadlines_of_the_board(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    from buendnis.grants.models import ReportKind, ReportStatus, ScheduledReport

    today = timezone.localdate()
    running = project_in_state(structure, Status.RUNNING, title="Läuft mit Berichten")
    alliance = structure.phase.alliance

    def report(kind: str, days: int, status: str = ReportStatus.DUE) -> ScheduledReport:
        return ScheduledReport.objects.create(
            alliance=alliance,
            project=running,
            kind=kind,
            due_on=today + timedelta(days=days),
            status=status,
        )

    report(ReportKind.INTERIM_REPORT, -5)  # overdue
    report(ReportKind.INTERIM_PROOF, 20)  # due soon
    report(ReportKind.FINAL_PROOF, 400)  # beyond the horizon
    report(ReportKind.INTERIM_REPORT, -40, ReportStatus.ACCEPTED)  # done: no deadline
    html = client_as("office").get(BOARD).content.decode()
    box = html.split('id="fristen"')[1].split("</section>")[0]
    items = [item for item in box.split("<li>")[1:] if "Läuft mit Berichten" in item]
    assert len(items) == 2
    assert "Sachbericht (Zwischenbericht) fällig" in items[0] and "überfällig" in items[0]
    assert "Zwischennachweis fällig" in items[1] and "überfällig" not in items[1]
    assert f"/son/intern/vorhaben/{running.reference}/berichte/" in items[0]
    assert "Verwendungsnachweis" not in box


@pytest.mark.django_db
def test_another_alliances_reports_are_not_on_the_board(
    client_as: Callable[[str], Client], structure: AllianceStructure, other_alliance: Alliance
) -> None:
    from buendnis.grants.models import ReportKind, ScheduledReport

    foreign = project_in_state(
        build_alliance_structure(other_alliance, place="Hannover"),
        Status.RUNNING,
        title="Fremdes Vorhaben",
    )
    ScheduledReport.objects.create(
        alliance=other_alliance,
        project=foreign,
        kind=ReportKind.INTERIM_REPORT,
        due_on=timezone.localdate() - timedelta(days=3),
    )
    html = client_as("office").get(BOARD).content.decode()
    assert "Fremdes Vorhaben" not in html


@pytest.mark.django_db
def test_report_deadlines_are_bounded_and_counted(
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from buendnis.grants.models import ReportKind, ScheduledReport
    from buendnis.portal import office_views

    monkeypatch.setattr(office_views, "DEADLINES_SHOWN", 2)
    today = timezone.localdate()
    running = project_in_state(structure, Status.RUNNING, title="Berichtspflichtig")
    Project.objects.filter(pk=running.pk).update(ends_on=today + timedelta(days=700))
    for days in (30, 10, 20):
        ScheduledReport.objects.create(
            alliance=running.alliance,
            project=running,
            kind=ReportKind.INTERIM_REPORT,
            due_on=today + timedelta(days=days),
        )
    html = client_as("office").get(BOARD).content.decode()
    box = html.split('id="fristen"')[1].split("</section>")[0]
    assert (today + timedelta(days=10)).strftime("%d.%m.%Y") in box
    assert (today + timedelta(days=30)).strftime("%d.%m.%Y") not in box
    assert "und 1 weitere Frist eines Vorhabens" in box
