"""The office's meeting pages through the client: planning, the agenda and its order, attendance,
decisions, minutes, the PDF; refusals with their German reasons; pinned query counts."""

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from buendnis.alliances.models import Alliance
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.meetings import selectors
from buendnis.meetings.models import (
    AgendaDocument,
    AgendaItem,
    Attendance,
    Decision,
    DecisionOutcome,
    Guest,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Presence,
    Recusal,
)
from buendnis.meetings.services import agenda, attendance, decisions, invitations, planning
from buendnis.meetings.services import minutes as minutes_services
from tests.factories import (
    AllianceStructure,
    build_alliance_structure,
    grow_alliance_structure,
    pdf_upload,
    project_in_state,
)
from tests.meetings.office_setup import (
    ROOT,
    attendance_data,
    free_item,
    item_url,
    record_presence,
    steering_meeting,
    steering_project,
    url,
    voting,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def structure(alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office(client_as: Callable[[str], Client]) -> Client:
    return client_as("office")


@pytest.fixture
def meeting(structure: AllianceStructure) -> Meeting:
    return steering_meeting(structure)


def _why(response: Any) -> str:
    """For a failing assertion: the page's error summary, or its start."""
    content = response.content.decode()
    start = content.find('class="error-summary"')
    return f"{response.status_code}: " + (
        content[start : start + 1500] if start >= 0 else content[:1500]
    )


def text(response: Any, status: int = 200) -> str:
    assert response.status_code == status, _why(response)
    return response.content.decode()


def follow(client: Client, response: Any, target: str) -> str:
    """The step succeeded: redirected to `target` (fragment aside), whose page shows the message."""
    assert response.status_code == 302, _why(response)
    assert response["Location"].split("#")[0] == target
    return text(client.get(response["Location"]))


def checked(page: str, name: str = r"vote_\d+", value: str = "agree") -> int:
    """How many radio buttons of that name and value the page shows chosen."""
    return len(
        re.findall(rf'<input type="radio" name="{name}" value="{value}"[^>]*\schecked>', page)
    )


def order(meeting: Meeting) -> list[int]:
    return list(meeting.items.order_by("position", "id").values_list("pk", flat=True))


# --- The list, planning, one meeting --------------------------------------------------------------


def test_list_shows_both_bodies_with_german_dates(
    office: Client, structure: AllianceStructure, meeting: Meeting
) -> None:
    zone = timezone.get_current_timezone()
    start = datetime(2030, 6, 5, 10, 0, tzinfo=zone)
    upcoming = planning.meeting_create(
        actor=None,
        body=structure.bodies["speakers"],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        location="Rathaus",
        submission_deadline=date(2030, 5, 22),
    )
    free_item(upcoming, "Begrüßung")
    free_item(upcoming, "Verschiedenes")
    page = text(office.get(ROOT))
    assert "Anstehende Sitzungen" in page and "Vergangene Sitzungen" in page
    assert "05.06.2030, 10:00</time>–12:00 Uhr" in page
    assert "22.05.2030" in page  # the submission deadline
    assert "Rathaus" in page and "Sprecherkreis" in page and "Steuerkreis" in page
    assert '<td data-label="Punkte" class="num">2</td>' in page
    assert "Geplant" in page
    upcoming_part, past_part = page.split("Vergangene Sitzungen", 1)
    assert upcoming.display_title in upcoming_part
    # The meeting of an hour ago began today: it is still listed among the upcoming ones.
    assert meeting.display_title in upcoming_part
    assert 'href="/son/intern/sitzungen/planen/"' in page


def test_plan_a_year(office: Client, structure: AllianceStructure) -> None:
    page = text(office.get(f"{ROOT}planen/?jahr=2031"))
    for day in planning.default_quarter_days(2031):
        assert f'value="{day.isoformat()}"' in page  # prefilled with the proposal
    assert 'name="speakers_lead_days" value="14"' in page
    assert 'name="submission_lead_days" value="14"' in page
    assert 'value="10:00"' in page
    days = planning.default_quarter_days(2031)
    data = {f"steering_day_{number}": day.isoformat() for number, day in enumerate(days, start=1)}
    data.update(
        starts="09:30",
        duration="150",
        location="Haus der Wirtschaft",
        speakers_lead_days="7",
        submission_lead_days="10",
    )
    response = office.post(f"{ROOT}planen/?jahr=2031", data)
    page = follow(office, response, ROOT)
    assert "Geplant: 4 Sitzungen des Steuerkreises" in page
    steering = Meeting.objects.filter(body=structure.bodies["steering"]).order_by("starts_at")
    speakers = Meeting.objects.filter(body=structure.bodies["speakers"]).order_by("starts_at")
    assert [selectors.meeting_day(m) for m in steering] == days
    assert [m.prepares_id for m in speakers] == [m.pk for m in steering]
    first = steering[0]
    assert timezone.localtime(first.starts_at).strftime("%H:%M") == "09:30"
    assert first.ends_at - first.starts_at == timedelta(minutes=150)
    assert selectors.meeting_day(speakers[0]) == days[0] - timedelta(days=7)
    assert first.submission_deadline == days[0] - timedelta(days=17)

    # The same year again: refused with the German reason, the input kept, nothing created.
    response = office.post(f"{ROOT}planen/?jahr=2031", data)
    page = text(response, 400)
    assert f"Am {days[0] - timedelta(days=7):%d.%m.%Y} ist bereits eine Sitzung geplant." in page
    assert 'value="Haus der Wirtschaft"' in page
    assert Meeting.objects.count() == 8


def test_plan_refuses_two_dates_in_one_quarter(
    office: Client, structure: AllianceStructure
) -> None:
    data = {
        "steering_day_1": "2031-02-19",
        "steering_day_2": "2031-03-19",
        "steering_day_3": "2031-08-20",
        "steering_day_4": "2031-11-19",
        "starts": "10:00",
        "duration": "180",
        "speakers_lead_days": "14",
        "submission_lead_days": "14",
    }
    page = text(office.post(f"{ROOT}planen/", data), 400)
    assert "Bitte genau einen Termin je Quartal angeben." in page
    assert not Meeting.objects.exists()


def test_create_and_edit_a_meeting(office: Client, structure: AllianceStructure) -> None:
    data = {
        "body": structure.bodies["steering"].pk,
        "title": "",
        "day": "2030-06-05",
        "starts": "10:00",
        "ends": "13:00",
        "location": "Rathaus Braunschweig",
        "has_public_part": "on",
        "submission_deadline": "2030-05-08",
    }
    response = office.post(f"{ROOT}neu/", data)
    meeting = Meeting.objects.get()
    page = follow(office, response, url(meeting))
    assert "ist angelegt" in page
    assert "05.06.2030" in page and "10:00–13:00 Uhr" in page and "08.05.2030" in page
    assert meeting.created_by is not None

    edit = text(office.get(url(meeting, "bearbeiten/")))
    assert f'name="version" value="{meeting.version}"' in edit
    response = office.post(
        url(meeting, "bearbeiten/"), {**data, "location": "Schloss", "version": meeting.version}
    )
    follow(office, response, url(meeting))
    meeting.refresh_from_db()
    assert meeting.location == "Schloss"
    assert meeting.version == 2

    # Sent with the version the page showed before: someone (this very form) changed it since.
    response = office.post(
        url(meeting, "bearbeiten/"), {**data, "location": "Kanzlei", "version": 1}
    )
    page = text(response, 409)
    assert "von jemand anderem geändert" in page
    assert 'value="Kanzlei"' in page  # the input is kept
    assert "Inzwischen gespeicherter Stand" in page and "Schloss" in page
    assert Meeting.objects.get(pk=meeting.pk).location == "Schloss"


def test_a_deadline_after_the_meeting_is_refused(
    office: Client, structure: AllianceStructure
) -> None:
    data = {
        "body": structure.bodies["speakers"].pk,
        "day": "2030-06-05",
        "starts": "10:00",
        "submission_deadline": "2030-06-20",
    }
    page = text(office.post(f"{ROOT}neu/", data), 400)
    assert "Die Einreichungsfrist muss vor der Sitzung enden." in page
    assert not Meeting.objects.exists()


def test_invite_cancel_close(
    office: Client, structure: AllianceStructure, meeting: Meeting
) -> None:
    response = office.post(url(meeting, "einladen/"))
    page = follow(office, response, url(meeting))
    assert "Die Einladung ist verschickt" in page
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.INVITED
    assert meeting.attendances.count() == 9  # every organisation with a seat, absent

    # Inviting twice is refused (409) with the German reason on the meeting's page.
    page = text(office.post(url(meeting, "einladen/")), 409)
    assert "„Einladen“ wurde nicht ausgeführt" in page
    assert "Im Stand „Eingeladen“ ist dieser Schritt nicht möglich." in page

    # A cancellation needs a reason; the form comes back open with the message.
    page = text(office.post(url(meeting, "absagen/"), {"reason": "  "}), 400)
    assert "Bitte geben Sie den Grund der Absage an." in page
    assert "<details open>" in page

    response = office.post(url(meeting, "abschliessen/"))
    follow(office, response, url(meeting))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert Minutes.objects.filter(meeting=meeting, status=MinutesStatus.DRAFT).exists()

    # Held meetings are not cancelled.
    page = text(office.post(url(meeting, "absagen/"), {"reason": "zu spät"}), 409)
    assert "nicht möglich" in page


def test_cancel_with_reason(office: Client, meeting: Meeting) -> None:
    response = office.post(url(meeting, "absagen/"), {"reason": "Die Sprecherin ist erkrankt."})
    page = follow(office, response, url(meeting))
    assert "Die Sitzung ist abgesagt." in page and "Die Sprecherin ist erkrankt." in page
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED


def test_a_future_meeting_is_not_closed(office: Client, structure: AllianceStructure) -> None:
    future = steering_meeting(structure, hours_ago=-48)
    invitations.meeting_invite(actor=None, meeting=future)
    page = text(office.post(url(future, "abschliessen/")), 409)
    assert "Die Sitzung hat noch nicht stattgefunden." in page
    assert Meeting.objects.get(pk=future.pk).status == MeetingStatus.INVITED


# --- The agenda ------------------------------------------------------------------------------------


def test_propose_the_agenda_from_waiting_projects(
    office: Client, structure: AllianceStructure, meeting: Meeting
) -> None:
    first = steering_project(structure, title="Welcome Center")
    second = steering_project(structure, title="Stille Reserve")
    project_in_state(structure, Status.SKETCH_SPEAKERS, title="Nicht für den Steuerkreis")
    page = text(office.get(url(meeting)))
    assert "Tagesordnung aus wartenden Vorhaben vorschlagen" in page
    assert "2 Vorhaben warten auf den Steuerkreis." in page

    response = office.post(url(meeting, "tagesordnung/vorschlagen/"))
    page = follow(office, response, url(meeting))
    assert "2 Vorhaben stehen jetzt auf der Tagesordnung." in page
    assert [item.project for item in meeting.items.order_by("position")] == [first, second]
    assert "0 Vorhaben warten auf den Steuerkreis." in page
    # The item shows the project: reference, state, its documents through the document address.
    assert first.reference in page and "Kurzskizze im Steuerkreis" in page
    sketch = first.documents.get()
    assert f'href="{sketch.file.url}"' in page and sketch.file.url.startswith("/media/")
    assert "nichtöffentlich" in page

    response = office.post(url(meeting, "tagesordnung/vorschlagen/"))
    assert "Kein Vorhaben wartet auf dieses Gremium." in follow(office, response, url(meeting))
    assert meeting.items.count() == 2


def test_add_edit_delete_items(
    office: Client, structure: AllianceStructure, meeting: Meeting
) -> None:
    waiting = steering_project(structure, title="Welcome Center")
    elsewhere = project_in_state(structure, Status.SKETCH_SPEAKERS, title="Noch im Sprecherkreis")
    form = text(office.get(url(meeting, "punkte/neu/")))
    # Only projects waiting for this body are offered.
    assert f'value="{waiting.pk}"' in form and "Welcome Center" in form
    assert "Noch im Sprecherkreis" not in form

    page = text(office.post(url(meeting, "punkte/neu/"), {"title": ""}), 400)
    assert "Bitte geben Sie einen Titel an." in page

    response = office.post(url(meeting, "punkte/neu/"), {"project": elsewhere.pk})
    assert response.status_code == 400  # not a choice of this form
    assert not meeting.items.exists()

    response = office.post(url(meeting, "punkte/neu/"), {"project": waiting.pk})
    project_item = meeting.items.get()
    follow(office, response, url(meeting))
    assert project_item.title == "Kurzskizze „Welcome Center“ (Stadt Braunschweig)"
    assert project_item.is_public is False
    assert project_item.proposed_decision == "Der Steuerkreis befürwortet das Vorhaben."

    response = office.post(
        url(meeting, "punkte/neu/"),
        {"title": "Bericht der Geschäftsstelle", "is_public": "on", "notes": "kurz halten"},
    )
    free = meeting.items.get(title="Bericht der Geschäftsstelle")
    page = follow(office, response, url(meeting))
    assert "TOP 2 „Bericht der Geschäftsstelle“ steht auf der Tagesordnung." in page
    assert free.is_public and free.number == 2

    response = office.post(
        item_url(free, "bearbeiten/"),
        {"title": "Bericht zum Jahr", "proposed_decision": "Zur Kenntnis genommen."},
    )
    follow(office, response, url(meeting))
    free.refresh_from_db()
    assert (free.title, free.is_public, free.proposed_decision) == (
        "Bericht zum Jahr",
        False,
        "Zur Kenntnis genommen.",
    )

    page = text(office.get(item_url(free, "loeschen/")))
    assert "„Bericht zum Jahr“ wird von der Tagesordnung" in page
    response = office.post(item_url(project_item, "loeschen/"))
    follow(office, response, url(meeting))
    assert list(meeting.items.values_list("title", "position")) == [("Bericht zum Jahr", 0)]


def test_move_items_up_and_down(office: Client, meeting: Meeting) -> None:
    first, second, third = (free_item(meeting, title) for title in ("Eins", "Zwei", "Drei"))
    page = text(office.get(url(meeting)))
    # Every item but the first can go up, every item but the last down: plain forms, no script.
    assert page.count('name="offset" value="-1"') == 2
    assert page.count('name="offset" value="1"') == 2
    assert 'src="/static/meetings/agenda-order.js"' in page

    response = office.post(item_url(third, "verschieben/"), {"offset": "-1"})
    page = follow(office, response, url(meeting))
    assert response["Location"].endswith(f"#top-{third.pk}")
    assert "„Drei“ ist jetzt TOP 2." in page
    assert order(meeting) == [first.pk, third.pk, second.pk]

    office.post(item_url(first, "verschieben/"), {"offset": "1"})
    assert order(meeting) == [third.pk, first.pk, second.pk]
    # At the top an item stays where it is.
    office.post(item_url(third, "verschieben/"), {"offset": "-1"})
    assert order(meeting) == [third.pk, first.pk, second.pk]
    assert text(office.post(item_url(third, "verschieben/"), {"offset": "5"}), 400)
    assert order(meeting) == [third.pk, first.pk, second.pk]


def test_reorder_endpoint(office: Client, meeting: Meeting) -> None:
    first, second, third = (free_item(meeting, title) for title in ("Eins", "Zwei", "Drei"))
    endpoint = url(meeting, "tagesordnung/reihenfolge/")
    # As the script sends it: the full order, asking for JSON.
    response = office.post(
        endpoint, {"order": f"{third.pk},{first.pk},{second.pk}"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"message": "Die neue Reihenfolge der Tagesordnung ist gespeichert."}
    assert order(meeting) == [third.pk, first.pk, second.pk]
    # The reload shows the message.
    assert "Die neue Reihenfolge der Tagesordnung ist gespeichert." in text(
        office.get(url(meeting))
    )

    # A stale list (an item was added meanwhile): refused, the order unchanged.
    fourth = free_item(meeting, "Vier")
    response = office.post(
        endpoint, {"order": f"{first.pk},{second.pk},{third.pk}"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 409
    assert response.json()["errors"] == [
        "Die Tagesordnung wurde inzwischen geändert. Bitte laden Sie die Seite neu."
    ]
    assert order(meeting) == [third.pk, first.pk, second.pk, fourth.pk]
    assert "Die Tagesordnung wurde inzwischen geändert." in text(office.get(url(meeting)))

    # Without the script's header the page itself answers.
    page = text(
        office.post(endpoint, {"order": f"{first.pk},{first.pk},{second.pk},{third.pk}"}), 409
    )
    assert "„Reihenfolge ändern“ wurde nicht ausgeführt" in page
    assert text(office.post(endpoint, {"order": "eins,zwei"}), 400)
    response = office.post(endpoint, {"order": f"{fourth.pk},{third.pk},{second.pk},{first.pk}"})
    follow(office, response, url(meeting))
    assert order(meeting) == [fourth.pk, third.pk, second.pk, first.pk]


def test_upload_and_download_a_paper(
    office: Client, client_as: Callable[[str], Client], meeting: Meeting
) -> None:
    item = free_item(meeting, "Bericht")
    response = office.post(
        item_url(item, "unterlage/"),
        {"title": "Jahresbericht", "upload": pdf_upload("bericht.pdf")},
    )
    page = follow(office, response, url(meeting))
    paper = AgendaDocument.objects.get()
    assert "Die Unterlage „Jahresbericht“ ist hochgeladen." in page
    link = paper.file.url
    assert link.startswith("/media/sitzungen/") and f'href="{link}"' in page
    download = client_as("member").get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    # The content decides, not the name.
    fake = SimpleUploadedFile(
        "bericht.pdf", b"<html>kein PDF</html>", content_type="application/pdf"
    )
    page = text(office.post(item_url(item, "unterlage/"), {"title": "Falsch", "upload": fake}), 400)
    assert "ist kein erlaubtes Dokument" in page
    page = text(
        office.post(item_url(item, "unterlage/"), {"title": "", "upload": pdf_upload()}), 400
    )
    assert "Bitte geben Sie einen Titel an." in page
    assert AgendaDocument.objects.count() == 1


def test_declare_a_recusal(office: Client, structure: AllianceStructure, meeting: Meeting) -> None:
    item = free_item(meeting, "Fachkräftemonitor")
    union = structure.organisations["union"]
    form = text(office.get(item_url(item, "befangenheit/")))
    assert union.name in form
    assert structure.organisations["host"].name not in form  # no seat on the Steuerkreis
    page = text(office.post(item_url(item, "befangenheit/"), {"organisation": union.pk}), 400)
    assert "Bitte geben Sie den Grund der Befangenheit an." in page
    response = office.post(
        item_url(item, "befangenheit/"), {"organisation": union.pk, "reason": "Auftragnehmerin"}
    )
    page = follow(office, response, url(meeting))
    assert f"Die Befangenheit von {union.name} ist erfasst." in page
    assert f"{union.name} (Auftragnehmerin)" in page
    assert Recusal.objects.get().organisation == union
    page = text(
        office.post(item_url(item, "befangenheit/"), {"organisation": union.pk, "reason": "x"}), 400
    )
    assert "Diese Befangenheit ist bereits erfasst." in page


# --- Attendance ------------------------------------------------------------------------------------


def test_attendance_before_the_invitation_writes_nothing(
    office: Client,
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    meeting: Meeting,
) -> None:
    page = text(office.get(url(meeting, "anwesenheit/")))
    # The seats of the day, all absent; no rows are created by looking.
    assert not Attendance.objects.filter(meeting=meeting).exists()
    for organisation in voting(structure):
        assert organisation.name in page
    assert "Nicht beschlussfähig" in page
    assert (
        "0 von 8 stimmberechtigten Organisationen sind vertreten; nötig sind mindestens 5." in page
    )
    assert "beratend, ohne Stimme" in page  # the Amt für regionale Landesentwicklung
    assert "sobald eingeladen ist" in page
    # Recording before the invitation is refused with the reason.
    data = {f"presence_{org.pk}": Presence.REPRESENTATIVE for org in voting(structure)}
    data[f"presence_{structure.organisations['arl'].pk}"] = Presence.ABSENT
    page = text(office.post(url(meeting, "anwesenheit/"), data), 409)
    assert "Die Anwesenheit wird erfasst, sobald eingeladen ist" in page
    assert not Attendance.objects.filter(meeting=meeting).exists()
    assert client_as("member").get(url(meeting, "anwesenheit/")).status_code == 200


def test_record_attendance_and_guests(
    office: Client,
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    meeting: Meeting,
) -> None:
    invitations.meeting_invite(actor=None, meeting=meeting)
    orgs = voting(structure)
    page = text(office.get(url(meeting, "anwesenheit/")))
    assert page.count('type="radio"') == 9 * 3  # three choices per seat-holding organisation
    assert "<legend>" in page and "stimmberechtigt" in page
    assert "Sitz: Dr. Helene Brandt" not in page  # the speaker's seat is on the Sprecherkreis

    presence = {org.pk: Presence.REPRESENTATIVE for org in orgs[:4]}
    presence[orgs[4].pk] = Presence.DEPUTY
    data = attendance_data(meeting, presence, {orgs[4].pk: "Ole Vertretung"})
    response = office.post(url(meeting, "anwesenheit/"), data)
    page = follow(office, response, url(meeting, "anwesenheit/"))
    assert "Die Anwesenheit ist gespeichert." in page
    assert "Beschlussfähig:" in page
    assert (
        "5 von 8 stimmberechtigten Organisationen sind vertreten; nötig sind mindestens 5." in page
    )
    row = Attendance.objects.get(meeting=meeting, organisation=orgs[4])
    assert (row.presence, row.attendee_name) == (Presence.DEPUTY, "Ole Vertretung")
    assert 'value="Ole Vertretung"' in page

    # An unknown presence is the form's error.
    data[f"presence_{orgs[0].pk}"] = "maybe"
    page = text(office.post(url(meeting, "anwesenheit/"), data), 400)
    assert "„Anwesenheit speichern“ wurde nicht ausgeführt" in page
    first = Attendance.objects.get(meeting=meeting, organisation=orgs[0])
    assert first.presence == Presence.REPRESENTATIVE

    response = office.post(
        url(meeting, "gaeste/"), {"name": "Dr. Nadia Bank", "affiliation": "NBank"}
    )
    page = follow(office, response, url(meeting, "anwesenheit/"))
    assert "Dr. Nadia Bank ist als Gast erfasst." in page and "(NBank)" in page
    page = text(office.post(url(meeting, "gaeste/"), {"name": " "}), 400)
    assert "Bitte geben Sie den Namen an." in page
    guest = Guest.objects.get()
    response = office.post(url(meeting, f"gaeste/{guest.pk}/entfernen/"))
    follow(office, response, url(meeting, "anwesenheit/"))
    assert not Guest.objects.exists()

    # Readers see the record, not the form.
    page = text(client_as("advisory").get(url(meeting, "anwesenheit/")))
    assert "Ole Vertretung" in page and "vertreten durch Stellvertreter/in" in page
    assert 'type="radio"' not in page and "Gast hinzufügen" not in page


# --- Decisions -------------------------------------------------------------------------------------


def decide(client: Client, item: AgendaItem, **data: Any) -> Any:
    return client.post(item_url(item, "beschluss/"), {"proposal": "decide", **data})


def test_decision_agreed(office: Client, structure: AllianceStructure, meeting: Meeting) -> None:
    item = free_item(
        meeting, "Fachkräftemonitor", proposed_decision="Der Steuerkreis beschließt den Monitor."
    )
    orgs = voting(structure)
    record_presence(meeting, orgs[:5])
    Attendance.objects.filter(meeting=meeting, organisation=structure.organisations["arl"]).update(
        presence=Presence.REPRESENTATIVE
    )
    page = text(office.get(item_url(item, "beschluss/")))
    assert "Beschlussfähig:" in page
    assert "5 von 8 stimmberechtigten Organisationen sind vertreten" in page
    assert checked(page) == 5  # agree unless marked otherwise
    assert "Der Steuerkreis beschließt den Monitor.</textarea>" in page
    assert "beratend, ohne Stimme" in page and structure.organisations["arl"].name in page
    assert f'name="vote_{orgs[5].pk}"' not in page  # absent: no choice

    response = decide(
        office,
        item,
        text="Der Steuerkreis beschließt den Monitor.",
        **{f"vote_{orgs[1].pk}": "abstain"},
    )
    page = follow(office, response, url(meeting))
    decision = Decision.objects.get(item=item)
    assert decision.outcome == DecisionOutcome.AGREED
    assert decision.names("abstaining") == [orgs[1].name]
    assert decision.names("advisory_present") == [structure.organisations["arl"].name]
    assert "Beschluss zu TOP 1 erfasst: einvernehmlich beschlossen." in page
    assert f"Enthaltungen:</span> {orgs[1].name}" in page

    # Once decided, the page shows the decision instead of the form, and a second is refused.
    page = text(office.get(item_url(item, "beschluss/")))
    assert "Gefasster Beschluss" in page and 'name="proposal"' not in page
    page = text(decide(office, item), 409)
    assert "Über diesen Tagesordnungspunkt ist bereits beschlossen." in page


def test_decision_blocked_by_an_objection(
    office: Client, structure: AllianceStructure, meeting: Meeting
) -> None:
    item = free_item(meeting, "Gemeinsame Kampagne")
    orgs = voting(structure)
    record_presence(meeting, orgs)
    objector = orgs[2]
    # An objection needs its reason: refused, the choices kept.
    response = decide(office, item, **{f"vote_{objector.pk}": "object"})
    page = text(response, 400)
    assert f"Bitte nennen Sie den Einwand von {objector.name}." in page
    assert checked(page, f"vote_{objector.pk}", "object") == 1
    assert checked(page) == 7
    assert not Decision.objects.exists()

    response = decide(
        office,
        item,
        **{
            f"vote_{objector.pk}": "object",
            f"objection_{objector.pk}": "Doppelt zur Landeskampagne",
        },
    )
    page = follow(office, response, url(meeting))
    decision = Decision.objects.get(item=item)
    assert decision.outcome == DecisionOutcome.NOT_AGREED
    assert decision.snapshot["objecting"][0]["reason"] == "Doppelt zur Landeskampagne"
    assert "kein Einvernehmen" in page
    assert f"{objector.name}: Doppelt zur Landeskampagne" in page


def test_a_blocked_decision_does_not_carry_the_prefilled_proposal(
    office: Client, structure: AllianceStructure, meeting: Meeting
) -> None:
    """The text field comes prefilled with the proposal; sent back unchanged (as a browser does,
    with CRLF) on a blocked item, the decision must not read as if the body had agreed."""
    item = free_item(
        meeting,
        "Gemeinsame Kampagne",
        proposed_decision="Der Steuerkreis beschließt\ndie Kampagne.",
    )
    orgs = voting(structure)
    record_presence(meeting, orgs)
    objector = orgs[2]
    response = decide(
        office,
        item,
        text="Der Steuerkreis beschließt\r\ndie Kampagne.",
        **{f"vote_{objector.pk}": "object", f"objection_{objector.pk}": "Doppelt"},
    )
    page = follow(office, response, url(meeting))
    decision = Decision.objects.get(item=item)
    assert decision.outcome == DecisionOutcome.NOT_AGREED
    assert decision.text == ""
    assert "Beschluss:</span>" not in page


def test_a_recused_applicant_cannot_object(
    office: Client, structure: AllianceStructure, meeting: Meeting
) -> None:
    project = steering_project(structure, title="Welcome Center")
    [item] = agenda.agenda_propose(actor=None, meeting=meeting)
    record_presence(meeting, voting(structure))
    city = structure.organisations["city"]
    page = text(office.get(item_url(item, "beschluss/")))
    assert f'name="vote_{city.pk}"' not in page  # no choice for the applicant
    assert f"{city.name} – Antragstellerin des Vorhabens" in page

    # Sent anyway (a forged or stale form): the service refuses with its reason.
    response = decide(office, item, **{f"vote_{city.pk}": "object", f"objection_{city.pk}": "Nein"})
    page = text(response, 400)
    assert f"{city.name} ist befangen und kann weder widersprechen noch sich enthalten." in page
    assert not Decision.objects.exists()

    response = decide(office, item)
    follow(office, response, url(meeting))
    decision = Decision.objects.get(item=item)
    assert decision.outcome == DecisionOutcome.AGREED
    assert decision.names("recused") == [city.name]
    assert Project.objects.get(pk=project.pk).status == Status.DESCRIPTION_REQUESTED


def test_without_quorum_only_a_deferral(
    office: Client, structure: AllianceStructure, meeting: Meeting
) -> None:
    item = free_item(meeting, "Haushalt")
    record_presence(meeting, voting(structure)[:4])
    page = text(office.get(item_url(item, "beschluss/")))
    assert "Nicht beschlussfähig:" in page
    page = text(decide(office, item), 400)
    assert (
        "Der Steuerkreis ist nicht beschlussfähig: 4 von 8 stimmberechtigten Organisationen sind "
        "vertreten, nötig sind mindestens 5. Der Punkt kann nur vertagt werden."
    ) in page
    assert not Decision.objects.exists()
    response = office.post(item_url(item, "beschluss/"), {"proposal": "defer"})
    follow(office, response, url(meeting))
    assert Decision.objects.get(item=item).outcome == DecisionOutcome.DEFERRED


def test_revision_needs_reasons(
    office: Client, structure: AllianceStructure, meeting: Meeting
) -> None:
    steering_project(structure)
    [item] = agenda.agenda_propose(actor=None, meeting=meeting)
    record_presence(meeting, voting(structure))
    page = text(office.post(item_url(item, "beschluss/"), {"proposal": "revision"}), 400)
    assert "Bitte begründen Sie die Rückgabe zur Überarbeitung." in page


def test_a_votum_the_budget_cannot_carry(
    office: Client, structure: AllianceStructure, meeting: Meeting
) -> None:
    # 70 % of 3 M € is 2.1 M €; the phase has 2 M €.
    project = project_in_state(
        structure,
        Status.DESCRIPTION_STEERING,
        applicant_organisation=structure.organisations["host"],
        eligible_costs=Decimal("3000000.00"),
    )
    [item] = agenda.agenda_propose(actor=None, meeting=meeting)
    record_presence(meeting, voting(structure))
    page = text(decide(office, item), 400)
    assert "Das virtuelle Budget der Förderphase" in page and "reicht nicht" in page
    assert not Decision.objects.exists()
    assert Project.objects.get(pk=project.pk).status == Status.DESCRIPTION_STEERING


def test_no_decision_before_the_invitation(office: Client, meeting: Meeting) -> None:
    item = free_item(meeting, "Zu früh")
    page = text(office.get(item_url(item, "beschluss/")))
    assert "In einer Sitzung im Stand „Geplant“ wird nicht beschlossen." in page
    page = text(office.post(item_url(item, "beschluss/"), {"proposal": "defer"}), 409)
    assert "wird nicht beschlossen" in page


# --- Minutes ---------------------------------------------------------------------------------------


@pytest.fixture
def held(structure: AllianceStructure) -> Meeting:
    """A meeting two days ago, held, with a decision; its draft minutes exist."""
    meeting = steering_meeting(structure, hours_ago=48)
    item = free_item(meeting, "Bericht der Geschäftsstelle")
    record_presence(meeting, voting(structure))
    decisions.decision_record(actor=None, item=item, proposal=decisions.Proposal.DECIDE)
    minutes_services.meeting_close(actor=None, meeting=meeting)
    return meeting


def test_minutes_edit_and_stale_version(office: Client, held: Meeting) -> None:
    minutes = Minutes.objects.get(meeting=held)
    page = text(office.get(url(held, "protokoll/")))
    assert "TOP 1: Bericht der Geschäftsstelle" in page
    assert f'name="version" value="{minutes.version}"' in page
    assert "Ihre Änderungen am Entwurf werden dabei ersetzt." in page

    response = office.post(
        url(held, "protokoll/"),
        {
            "public_text": "Öffentlich: alles gut.",
            "nonpublic_text": "Intern: Zahlen.",
            "version": minutes.version,
        },
    )
    follow(office, response, url(held, "protokoll/"))
    minutes.refresh_from_db()
    assert (minutes.public_text, minutes.nonpublic_text, minutes.version) == (
        "Öffentlich: alles gut.",
        "Intern: Zahlen.",
        2,
    )

    # Sent with the version of before: refused, the input kept, the stored text shown.
    response = office.post(
        url(held, "protokoll/"),
        {"public_text": "Mein neuer Text", "nonpublic_text": "Meine Notiz", "version": 1},
    )
    page = text(response, 409)
    assert "Der Datensatz wurde inzwischen von jemand anderem geändert." in page
    assert "Mein neuer Text</textarea>" in page and "Meine Notiz</textarea>" in page
    assert "Inzwischen gespeicherter Stand" in page and "Öffentlich: alles gut." in page
    assert 'name="version" value="2"' in page  # a second submission is deliberate now
    minutes.refresh_from_db()
    assert minutes.public_text == "Öffentlich: alles gut."


def test_minutes_regenerate_and_approve(
    office: Client, structure: AllianceStructure, held: Meeting
) -> None:
    minutes = Minutes.objects.get(meeting=held)
    minutes_services.minutes_update(
        actor=None, minutes=minutes, public_text="bearbeitet", nonpublic_text=""
    )
    response = office.post(url(held, "protokoll/erzeugen/"))
    page = follow(office, response, url(held, "protokoll/"))
    assert "neu erzeugt" in page
    assert "TOP 1: Bericht der Geschäftsstelle" in Minutes.objects.get(pk=minutes.pk).public_text

    # No later meeting yet: nothing to choose.
    assert "Noch ist keine eingeladen." in page
    later = steering_meeting(structure, hours_ago=1)
    invitations.meeting_invite(actor=None, meeting=later)
    earlier = steering_meeting(structure, hours_ago=24 * 30)
    page = text(office.get(url(held, "protokoll/")))
    assert f'<option value="{later.pk}"' in page
    assert f'<option value="{earlier.pk}"' not in page
    response = office.post(url(held, "protokoll/genehmigen/"), {"approved_in": earlier.pk})
    assert response.status_code == 400
    response = office.post(url(held, "protokoll/genehmigen/"), {"approved_in": later.pk})
    page = follow(office, response, url(held, "protokoll/"))
    assert "Das Protokoll ist genehmigt" in page
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED and minutes.approved_in == later
    assert Meeting.objects.get(pk=held.pk).status == MeetingStatus.MINUTES_APPROVED
    # Approved minutes are read, not edited or regenerated.
    assert 'name="public_text"' not in page and "/protokoll/erzeugen/" not in page
    page = text(office.post(url(held, "protokoll/erzeugen/")), 409)
    assert "Ein genehmigtes Protokoll wird nicht neu erstellt." in page


def test_minutes_pdf(client_as: Callable[[str], Client], held: Meeting) -> None:
    minutes = Minutes.objects.get(meeting=held)
    minutes_services.minutes_update(
        actor=None, minutes=minutes, public_text="Öffentlicher Teil", nonpublic_text="Nur intern"
    )
    response = client_as("member").get(url(held, "protokoll.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_no_minutes_no_pdf(office: Client, meeting: Meeting) -> None:
    assert office.get(url(meeting, "protokoll.pdf")).status_code == 404
    page = text(office.get(url(meeting, "protokoll/")))
    assert "Zu dieser Sitzung gibt es noch kein Protokoll." in page


# --- Query counts ----------------------------------------------------------------------------------

# Every signed-in page starts with: session; user; alliance by slug; the user's memberships
# (cached for the request, so navigation and permission checks ask no more); the header's count
# of unread notifications.
# … and the two-factor check: the session's verified app (django-otp's OTPMiddleware), or,
# where the session has none, whether the user has an app (accounts.middleware).
SIGNED_IN = 6

# The meeting's page: the meeting with body, prepared meeting and minutes; its items with project,
# applicant, decision and recommending item; the items' papers; their recusals; the recusing
# organisations; the projects' documents; attendance rows with organisations; guests (both come
# with `selectors.meeting_detail`); the meetings that prepare this one; the number of projects
# waiting for the body; whether the user follows the body's meetings (the subscribe button);
# the projects' outcomes with their bodies and their co-financing (what changed since a vote).
DETAIL_QUERIES = SIGNED_IN + 11 + 2

# The attendance page: the meeting with body; attendance rows with organisations; guests; the
# body's seats on the day with organisations and people.
ATTENDANCE_QUERIES = SIGNED_IN + 4

# The decision page: the meeting as on its page (eleven queries: all but the waiting projects)
# and the body's seats on the day.
DECISION_QUERIES = SIGNED_IN + 10 + 2


def grow(structure: AllianceStructure, meeting: Meeting, count: int) -> None:
    """`count` more of each: project items with documents, free items with papers and a recusal,
    decisions; and (through `grow_alliance_structure`) 20 more seats with their attendance."""
    for number in range(count):
        steering_project(structure, title=f"Zusatzvorhaben {number:02d}")
    agenda.agenda_propose(actor=None, meeting=meeting)
    for number in range(count):
        item = free_item(meeting, f"Zusatzpunkt {number:02d}")
        agenda.agenda_document_add(
            actor=None, item=item, title=f"Unterlage {number}", upload=pdf_upload()
        )
        agenda.recusal_declare(
            actor=None, item=item, organisation=structure.organisations["union"], reason="befangen"
        )
        attendance.guest_add(actor=None, meeting=meeting, name=f"Gast {number}")


def first_shape(structure: AllianceStructure) -> tuple[Meeting, AgendaItem]:
    """One of each kind: a project item with its document, a free item with a paper, a recusal
    and a decision, a guest; invited with attendance recorded."""
    meeting = steering_meeting(structure)
    steering_project(structure, title="Welcome Center")
    agenda.agenda_propose(actor=None, meeting=meeting)
    grow(structure, meeting, 1)
    decided = free_item(meeting, "Beschlossen")
    record_presence(meeting, voting(structure))
    decisions.decision_record(actor=None, item=decided, proposal=decisions.Proposal.DECIDE)
    return meeting, decided


def test_detail_page_queries(
    office: Client,
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    meeting, _decided = first_shape(structure)
    with django_assert_num_queries(DETAIL_QUERIES):
        small = text(office.get(url(meeting)))
    grow_alliance_structure(structure)
    grow(structure, meeting, 10)
    record_presence(meeting, voting(structure))
    with django_assert_num_queries(DETAIL_QUERIES):
        large = text(office.get(url(meeting)))
    assert large.count('class="agenda-item"') == small.count('class="agenda-item"') + 20
    assert "Zusatzvorhaben 09" in large and "Unterlage 9" in large


def test_attendance_page_queries(
    office: Client,
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    meeting, _decided = first_shape(structure)
    with django_assert_num_queries(ATTENDANCE_QUERIES):
        small = text(office.get(url(meeting, "anwesenheit/")))
    grow_alliance_structure(structure)
    grow(structure, meeting, 10)
    # Twenty seats more, without rows yet (added after the invitation): shown from the seats.
    with django_assert_num_queries(ATTENDANCE_QUERIES):
        large = text(office.get(url(meeting, "anwesenheit/")))
    assert large.count('type="radio"') == small.count('type="radio"') + 20 * 3
    # And with their rows.
    record_presence(meeting, voting(structure))
    with django_assert_num_queries(ATTENDANCE_QUERIES):
        text(office.get(url(meeting, "anwesenheit/")))


def test_decision_page_queries(
    office: Client,
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    meeting, decided = first_shape(structure)
    open_item = free_item(meeting, "Offen")
    for item in (open_item, decided):
        with django_assert_num_queries(DECISION_QUERIES):
            text(office.get(item_url(item, "beschluss/")))
    grow_alliance_structure(structure)
    grow(structure, meeting, 10)
    record_presence(meeting, voting(structure))
    Attendance.objects.filter(meeting=meeting, can_vote=True).update(
        presence=Presence.REPRESENTATIVE
    )
    for item in (open_item, decided):
        with django_assert_num_queries(DECISION_QUERIES):
            page = text(office.get(item_url(item, "beschluss/")))
    assert page.count('value="agree"') == 0  # decided: no form
    page = text(office.get(item_url(open_item, "beschluss/")))
    assert checked(page) == 8 + 20
