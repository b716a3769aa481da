"""Meetings, decisions, minutes and circulations in the admin, persona by persona: who reads what,
that corrections go through the services, and that what the services record (decisions,
attendance, circulation answers) is never written here.

`alliance` is the office's; `other_alliance` is the outsider's (office there, nothing here).
"""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buendnis.core.models import AuditEntry
from buendnis.funding.states import Status
from buendnis.meetings.models import (
    AgendaItem,
    Answer,
    Circulation,
    CirculationAnswer,
    Decision,
    Meeting,
    Minutes,
    MinutesStatus,
)
from buendnis.meetings.services import agenda, circulations, decisions
from buendnis.meetings.services import minutes as minutes_services
from tests.factories import (
    build_alliance_structure,
    hours_ago_today,
    meeting_in_session,
    project_in_state,
)

from ..conftest import PERSONAS

pytestmark = pytest.mark.django_db

LABELS = ["meetings.meeting", "meetings.decision", "meetings.minutes", "meetings.circulation"]
ENTERS = {"office", "ministry", "admin", "outsider"}
READS_HERE = {"office", "ministry", "admin"}


def url(label, view, *args):
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _sent_to_login(response):
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.fixture
def structure(alliance):
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def scene(structure):
    """A Steuerkreis meeting in session with a decided report and an open item, its draft
    minutes, and an open circulation with one answer; the same in the other alliance."""
    meeting = meeting_in_session(
        structure.bodies["steering"],
        location="Rathaus Braunschweig",
        title="Steuerkreis Braunschweig",
        # Whole seconds, as the admin's form posts them.
        starts_at=hours_ago_today(),
    )
    report = agenda.agenda_item_create(
        actor=None, meeting=meeting, title="Bericht der Geschäftsstelle"
    )
    decisions.decision_record(actor=None, item=report, proposal=decisions.Proposal.DECIDE)
    agenda.agenda_item_create(actor=None, meeting=meeting, title="Verschiedenes")
    minutes = minutes_services.minutes_generate(actor=None, meeting=meeting)
    circulation = circulations.circulation_open(
        actor=None,
        alliance=structure.alliance,
        title="Sitzungstermine Braunschweig",
        text="Der Steuerkreis beschließt die Termine.",
        deadline=timezone.now() + timedelta(days=7),
    )
    circulations.circulation_answer(
        actor=None,
        circulation=circulation,
        organisation=structure.organisations["union"],
        answer=Answer.OBJECT,
        comment="Bitte andere Termine.",
    )
    return {"meeting": meeting, "report": report, "minutes": minutes, "circulation": circulation}


@pytest.fixture
def foreign(other_alliance):
    other = build_alliance_structure(other_alliance, place="Hameln")
    meeting = meeting_in_session(
        other.bodies["steering"], location="Rathaus Hameln", title="Steuerkreis Hameln"
    )
    item = agenda.agenda_item_create(actor=None, meeting=meeting, title="Bericht Hameln")
    decisions.decision_record(actor=None, item=item, proposal=decisions.Proposal.DECIDE)
    minutes_services.minutes_generate(actor=None, meeting=meeting)
    circulations.circulation_open(
        actor=None,
        alliance=other_alliance,
        title="Sitzungstermine Hameln",
        text="Termine",
        deadline=timezone.now() + timedelta(days=7),
    )
    return meeting


def meeting_data(meeting, **changes):
    """The change form of a meeting as the browser posts it, with its inlines as they are."""
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
    data = {
        "title": meeting.title,
        "starts_at_0": start.strftime("%d.%m.%Y"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%d.%m.%Y") if end else "",
        "ends_at_1": end.strftime("%H:%M:%S") if end else "",
        "location": meeting.location,
        "online_url": meeting.online_url,
        "prepares": meeting.prepares_id or "",
        "submission_deadline": meeting.submission_deadline.strftime("%d.%m.%Y")
        if meeting.submission_deadline
        else "",
    }
    if meeting.has_public_part:
        data["has_public_part"] = "on"
    items = list(meeting.items.order_by("position", "id"))
    data.update(_management("items", len(items)))
    for index, item in enumerate(items):
        data.update(
            {
                f"items-{index}-id": item.pk,
                f"items-{index}-meeting": meeting.pk,
                f"items-{index}-title": item.title,
                f"items-{index}-proposed_decision": item.proposed_decision,
                f"items-{index}-notes": item.notes,
            }
        )
        if item.is_public:
            data[f"items-{index}-is_public"] = "on"
    data.update(_management("attendances", meeting.attendances.count()))
    data.update(_management("guests", meeting.guests.count()))
    data.update(changes)
    return data


def _management(prefix, initial, total=None):
    return {
        f"{prefix}-TOTAL_FORMS": str(initial if total is None else total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# --- Registered, and who reads what -------------------------------------------------------------


def test_the_meetings_models_are_registered():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert set(LABELS) <= registered
    # Written only by the services, shown inline with their parents.
    assert "meetings.circulationanswer" not in registered
    assert "meetings.attendance" not in registered


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_changelists_per_persona(client_as, persona, label, scene, foreign):
    response = client_as(persona).get(url(label, "changelist"))
    if persona not in ENTERS:
        assert _sent_to_login(response)
        return
    assert response.status_code == 200
    page = response.content.decode()
    here = "Sitzungstermine Braunschweig" if label == "meetings.circulation" else "Braunschweig"
    there = "Sitzungstermine Hameln" if label == "meetings.circulation" else "Hameln"
    assert (here in page) == (persona in READS_HERE), label
    assert (there in page) == (persona in {"ministry", "admin", "outsider"}), label


@pytest.mark.parametrize("persona", sorted(ENTERS))
def test_meeting_page_per_persona(client_as, persona, scene):
    meeting = scene["meeting"]
    response = client_as(persona).get(url("meetings.meeting", "change", meeting.pk))
    if persona == "outsider":
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="/son/intern/sitzungen/{meeting.pk}/"' in page
    assert "Bericht der Geschäftsstelle" in page
    assert "einvernehmlich beschlossen" in page
    assert "Agentur für Arbeit Braunschweig" in page  # the attendance, read only
    assert ('name="location"' in page) == (persona in {"office", "admin"})
    # Attendance is never a form field here.
    assert 'name="attendances-0-presence"' not in page


# --- Corrections go through the services --------------------------------------------------------


def test_office_moves_a_meeting_through_the_service(client_as, scene):
    meeting = scene["meeting"]
    response = client_as("office").post(
        url("meetings.meeting", "change", meeting.pk),
        meeting_data(meeting, location="Schloss Wolfenbüttel"),
    )
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    meeting.refresh_from_db()
    assert meeting.location == "Schloss Wolfenbüttel"
    assert meeting.sequence == 1  # the invited get an update of the same calendar event
    entry = AuditEntry.objects.get(action="meeting.update")
    assert entry.actor.username == "office"
    assert entry.changes == {"location": ["Rathaus Braunschweig", "Schloss Wolfenbüttel"]}


def test_a_broken_rule_is_a_german_form_error(client_as, scene):
    meeting = scene["meeting"]
    version = meeting.version
    start = timezone.localtime(meeting.starts_at)
    response = client_as("office").post(
        url("meetings.meeting", "change", meeting.pk),
        meeting_data(
            meeting,
            ends_at_0=(start - timedelta(hours=1)).strftime("%d.%m.%Y"),
            ends_at_1=(start - timedelta(hours=1)).strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Eine Sitzung muss nach ihrem Beginn enden." in [
        error for errors in form.errors.values() for error in errors
    ]
    meeting.refresh_from_db()
    assert meeting.version == version


def test_office_adds_a_meeting_through_the_service(client_as, structure):
    day = timezone.localdate() + timedelta(days=30)
    response = client_as("office").post(
        url("meetings.meeting", "add"),
        {
            "body": structure.bodies["steering"].pk,
            "title": "",
            "starts_at_0": day.strftime("%d.%m.%Y"),
            "starts_at_1": "10:00",
            "ends_at_0": day.strftime("%d.%m.%Y"),
            "ends_at_1": "13:00",
            "location": "Haus der Wirtschaft",
            "has_public_part": "on",
            **_management("items", 0, total=1),
            "items-0-title": "Begrüßung",
            "items-0-proposed_decision": "",
            "items-0-notes": "",
            "items-0-is_public": "on",
        },
    )
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    meeting = Meeting.objects.get(location="Haus der Wirtschaft")
    assert meeting.alliance == structure.alliance
    assert meeting.created_by.username == "office"
    assert [item.title for item in meeting.items.all()] == ["Begrüßung"]
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == [
        "agenda.create",
        "meeting.create",
    ]


def test_the_office_body_has_no_meetings_in_the_admin_either(client_as, structure):
    day = timezone.localdate() + timedelta(days=30)
    response = client_as("office").post(
        url("meetings.meeting", "add"),
        {
            "body": structure.bodies["office"].pk,
            "starts_at_0": day.strftime("%d.%m.%Y"),
            "starts_at_1": "10:00",
            **_management("items", 0),
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [
        "Sitzungen haben der Steuerkreis und der Sprecherkreis, nicht die Geschäftsstelle."
    ]
    assert not Meeting.objects.filter(body=structure.bodies["office"]).exists()


def test_inline_items_are_corrected_and_removed_through_the_services(client_as, scene):
    meeting = scene["meeting"]
    data = meeting_data(meeting)
    # Item 1 (the report) is decided; item 2 is renamed; a third is added.
    data["items-1-title"] = "Verschiedenes und Termine"
    data.update(_management("items", 2, total=3))
    data.update(
        {"items-2-title": "Nächste Sitzung", "items-2-proposed_decision": "", "items-2-notes": ""}
    )
    client = client_as("office")
    response = client.post(url("meetings.meeting", "change", meeting.pk), data)
    assert response.status_code == 302
    assert list(meeting.items.order_by("position").values_list("title", "position")) == [
        ("Bericht der Geschäftsstelle", 0),
        ("Verschiedenes und Termine", 1),
        ("Nächste Sitzung", 2),
    ]
    assert AuditEntry.objects.filter(action="agenda.update").count() == 1
    # Removing the middle one renumbers the rest.
    data = meeting_data(meeting)
    data["items-1-DELETE"] = "on"
    response = client.post(url("meetings.meeting", "change", meeting.pk), data)
    assert response.status_code == 302
    assert list(meeting.items.order_by("position").values_list("title", "position")) == [
        ("Bericht der Geschäftsstelle", 0),
        ("Nächste Sitzung", 1),
    ]
    assert AuditEntry.objects.filter(action="agenda.delete").count() == 1


def test_a_decided_item_is_neither_changed_nor_removed(client_as, scene):
    meeting, report = scene["meeting"], scene["report"]
    client = client_as("office")
    data = meeting_data(meeting)
    data["items-0-title"] = "Umbenannt"
    response = client.post(url("meetings.meeting", "change", meeting.pk), data)
    assert messages_of(response) == ["Über diesen Tagesordnungspunkt ist bereits beschlossen."]
    data = meeting_data(meeting)
    data["items-0-DELETE"] = "on"
    response = client.post(url("meetings.meeting", "change", meeting.pk), data)
    assert (
        messages_of(response)[-1]
        == "Ein Tagesordnungspunkt mit Beschluss bleibt auf der Tagesordnung."
    )
    report.refresh_from_db()
    assert report.title == "Bericht der Geschäftsstelle"
    assert Decision.objects.filter(item=report).exists()


def test_nobody_deletes_a_meeting(client_as, scene):
    meeting = scene["meeting"]
    for persona in sorted(ENTERS):
        response = client_as(persona).post(
            url("meetings.meeting", "delete", meeting.pk), {"post": "yes"}
        )
        assert response.status_code in (302, 403)
    assert Meeting.objects.filter(pk=meeting.pk).exists()


@pytest.mark.parametrize("persona", ["ministry", "outsider"])
def test_ministry_and_outsider_change_nothing(client_as, persona, scene):
    meeting = scene["meeting"]
    before = AuditEntry.objects.count()
    response = client_as(persona).post(
        url("meetings.meeting", "change", meeting.pk), meeting_data(meeting, location="Anderswo")
    )
    assert response.status_code in (302, 403)
    meeting.refresh_from_db()
    assert meeting.location == "Rathaus Braunschweig"
    assert AuditEntry.objects.count() == before


# --- Read only: decisions and circulations --------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(ENTERS))
def test_nobody_writes_a_decision_or_a_circulation(client_as, persona, scene):
    client = client_as(persona)
    decision = Decision.objects.get(item=scene["report"])
    circulation = scene["circulation"]
    before = AuditEntry.objects.count()
    for label, obj, data in (
        ("meetings.decision", decision, {"outcome": "not_agreed", "text": "geändert"}),
        ("meetings.circulation", circulation, {"title": "geändert", "status": "passed"}),
    ):
        assert client.get(url(label, "add")).status_code == 403
        page = client.get(url(label, "change", obj.pk))
        assert page.status_code == (200 if persona in READS_HERE else 302)
        assert 'name="_save"' not in page.content.decode()
        client.post(url(label, "change", obj.pk), data)
        client.post(url(label, "delete", obj.pk), {"post": "yes"})
    decision.refresh_from_db()
    circulation.refresh_from_db()
    assert (decision.outcome, decision.text) == ("agreed", "")
    assert (circulation.title, circulation.status) == ("Sitzungstermine Braunschweig", "open")
    assert CirculationAnswer.objects.filter(circulation=circulation).count() == 1
    assert AuditEntry.objects.count() == before


def test_the_circulation_page_shows_its_answers(client_as, scene):
    circulation = scene["circulation"]
    page = (
        client_as("office")
        .get(url("meetings.circulation", "change", circulation.pk))
        .content.decode()
    )
    assert f'href="/son/intern/umlaufbeschluesse/{circulation.pk}/"' in page
    assert "DGB-Region Braunschweig" in page
    assert "Bitte andere Termine." in page
    assert "Einwand" in page


def test_the_decision_page_shows_the_vote(client_as, structure, scene):
    meeting = scene["meeting"]
    project = project_in_state(
        structure, Status.SKETCH_STEERING, applicant_organisation=structure.organisations["city"]
    )
    item = agenda.agenda_item_create(actor=None, meeting=meeting, project=project)
    decision = decisions.decision_record(
        actor=None,
        item=item,
        proposal=decisions.Proposal.DECIDE,
        objections={structure.organisations["union"].pk: "Nicht förderfähig."},
    )
    page = client_as("office").get(url("meetings.decision", "change", decision.pk)).content.decode()
    assert "DGB-Region Braunschweig: Nicht förderfähig." in page
    assert "Stadt Braunschweig (Antragstellerin des Vorhabens)" in page
    assert "8 von 8 Stimmsitzen vertreten, nötig 5" in page


# --- Minutes --------------------------------------------------------------------------------------


def test_office_corrects_draft_minutes_through_the_service(client_as, scene):
    minutes = scene["minutes"]
    response = client_as("office").post(
        url("meetings.minutes", "change", minutes.pk),
        {
            "public_text": "Öffentlich, korrigiert",
            "nonpublic_text": "Intern",
            "version": minutes.version,
        },
    )
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert (minutes.public_text, minutes.version) == ("Öffentlich, korrigiert", 2)
    assert AuditEntry.objects.get(action="minutes.update").actor.username == "office"


def test_a_save_over_a_newer_version_of_the_minutes_is_refused(client_as, scene):
    minutes = scene["minutes"]
    loaded = minutes.version
    minutes_services.minutes_update(
        actor=None, minutes=minutes, public_text="Von jemand anderem", nonpublic_text=""
    )
    response = client_as("office").post(
        url("meetings.minutes", "change", minutes.pk),
        {"public_text": "Meine Fassung", "nonpublic_text": "", "version": loaded},
    )
    assert response.status_code == 302
    assert "geändert" in messages_of(response)[0]
    minutes.refresh_from_db()
    assert minutes.public_text == "Von jemand anderem"


def test_approved_minutes_are_read_only_in_the_admin(client_as, structure, scene):
    minutes = scene["minutes"]
    minutes_services.meeting_close(actor=None, meeting=scene["meeting"])
    minutes.refresh_from_db()
    later = meeting_in_session(structure.bodies["steering"], starts_at=timezone.now())
    minutes_services.minutes_approve(actor=None, minutes=minutes, approved_in=later)
    client = client_as("office")
    page = client.get(url("meetings.minutes", "change", minutes.pk)).content.decode()
    assert 'name="public_text"' not in page
    text = minutes.public_text
    client.post(
        url("meetings.minutes", "change", minutes.pk),
        {"public_text": "geändert", "nonpublic_text": "", "version": minutes.version},
    )
    minutes.refresh_from_db()
    assert minutes.public_text == text
    assert minutes.status == MinutesStatus.APPROVED
    assert client.get(url("meetings.minutes", "add")).status_code == 403
    client.post(url("meetings.minutes", "delete", minutes.pk), {"post": "yes"})
    assert Minutes.objects.filter(pk=minutes.pk).exists()


# --- Queries ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", LABELS)
def test_the_lists_need_no_query_per_row(client_as, structure, scene, label):
    client = client_as("office")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(label, "changelist")).status_code == 200
        return len(captured)

    few = queries()
    for days in (2, 3, 4):  # noqa: B007 - the loop variable names each new record
        meeting = meeting_in_session(
            structure.bodies["speakers"], starts_at=timezone.now() - timedelta(days=days)
        )
        item = agenda.agenda_item_create(actor=None, meeting=meeting, title=f"Punkt {days}")
        decisions.decision_record(actor=None, item=item, proposal=decisions.Proposal.DECIDE)
        minutes_services.minutes_generate(actor=None, meeting=meeting)
        circulations.circulation_open(
            actor=None,
            alliance=structure.alliance,
            title=f"Umlauf {days}",
            text="Text",
            deadline=timezone.now() + timedelta(days=days),
        )
    assert queries() == few
    assert AgendaItem.objects.count() > 3 and Circulation.objects.count() == 4
