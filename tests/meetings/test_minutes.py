"""Minutes: generated from attendance and decisions when the meeting is closed, a public and a
non-public part, edited by the office, approved in a later meeting of the same body, then fixed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buendnis.core.errors import DomainError, NotPermitted, StaleEdit, TransitionNotAllowed
from buendnis.demo.clock import as_of
from buendnis.funding.states import Status
from buendnis.meetings.models import MeetingStatus, Minutes, MinutesStatus
from buendnis.meetings.services import agenda, attendance, decisions, invitations, planning
from buendnis.meetings.services import minutes as minutes_services
from tests.factories import build_alliance_structure, meeting_in_session, project_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def structure(alliance):
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office(make_persona):
    return make_persona("office")


@pytest.fixture
def orgs(structure):
    return structure.organisations


@pytest.fixture
def held(structure, office, orgs):
    """A Steuerkreis meeting two weeks ago: the employers' association and the Handwerkskammer
    absent, the advisory Amt present, one guest; a public report, a non-public project decided
    with an objection, an abstention and the applicant recused."""
    present = [
        orgs[key] for key in ("agency", "jobcenter", "city", "district", "union", "ihk", "arl")
    ]
    meeting = meeting_in_session(
        structure.bodies["steering"],
        actor=office,
        present=present,
        starts_at=timezone.now() - timedelta(days=14),
        location="Rathaus Braunschweig",
    )
    attendance.guest_add(actor=office, meeting=meeting, name="Petra Gast", affiliation="NBank")
    report = agenda.agenda_item_create(
        actor=office,
        meeting=meeting,
        title="Bericht der Geschäftsstelle",
        proposed_decision="Der Steuerkreis nimmt den Bericht zur Kenntnis.",
    )
    decisions.decision_record(actor=office, item=report, proposal=decisions.Proposal.DECIDE)
    # The project was before the Steuerkreis three weeks ago (no body decides on a project
    # before it exists).
    with as_of(timezone.now() - timedelta(days=21)):
        project = project_in_state(
            structure,
            Status.SKETCH_STEERING,
            title="Welcome Center",
            applicant_organisation=orgs["city"],
        )
    item = agenda.agenda_item_create(actor=office, meeting=meeting, project=project)
    decisions.decision_record(
        actor=office,
        item=item,
        proposal=decisions.Proposal.DECIDE,
        objections={orgs["union"].pk: "Die Finanzierung ist nicht gesichert."},
        abstentions=[orgs["ihk"].pk],
    )
    agenda.agenda_item_create(actor=office, meeting=meeting, title="Verschiedenes")
    minutes_services.meeting_close(actor=office, meeting=meeting)
    return meeting


def later_meeting(structure, office, *, days_ago=0, body="steering", **kwargs):
    return meeting_in_session(
        structure.bodies[body],
        actor=office,
        starts_at=timezone.now() - timedelta(days=days_ago, hours=1),
        **kwargs,
    )


def test_the_minutes_list_who_was_there(held):
    minutes = held.minutes
    public = minutes.public_text
    assert public.startswith(f"Protokoll: {held.display_title}")
    assert "Ort: Rathaus Braunschweig" in public
    assert "Vertretene stimmberechtigte Organisationen (6):" in public
    for name in ("Agentur für Arbeit Braunschweig", "DGB-Region Braunschweig", "IHK Braunschweig"):
        assert f"- {name}" in public
    assert "Beratend (ohne Stimme):\n- Amt für regionale Landesentwicklung Braunschweig" in public
    assert "Gäste:\n- Petra Gast (NBank)" in public
    assert (
        "Nicht vertreten:\n- Arbeitgeberverband Braunschweig\n- Handwerkskammer Braunschweig"
        in public
    )


def test_public_items_go_to_the_public_part_and_the_rest_stays_internal(held):
    public, internal = held.minutes.public_text, held.minutes.nonpublic_text
    assert "TOP 1: Bericht der Geschäftsstelle" in public
    assert "Ergebnis: einvernehmlich beschlossen" in public
    assert "Beschluss: Der Steuerkreis nimmt den Bericht zur Kenntnis." in public
    assert "TOP 3: Verschiedenes\nOhne Beschluss." in public
    # The project is not public before its Votum: its item, objection and recusal stay inside.
    assert "Welcome Center" not in public
    assert "Finanzierung" not in public
    assert internal.startswith("Nichtöffentlicher Teil")
    assert "TOP 2: Kurzskizze „Welcome Center“ (Stadt Braunschweig)" in internal
    assert "Ergebnis: kein Einvernehmen" in internal
    assert "Einwand: DGB-Region Braunschweig – Die Finanzierung ist nicht gesichert." in internal
    assert "Enthaltung: IHK Braunschweig" in internal
    assert (
        "Befangen, nicht mitgewirkt: Stadt Braunschweig (Antragstellerin des Vorhabens)" in internal
    )
    assert "Bericht der Geschäftsstelle" not in internal


def test_the_draft_is_regenerated_until_it_is_approved(held, office):
    minutes = held.minutes
    minutes_services.minutes_update(
        actor=office,
        minutes=minutes,
        public_text="Von Hand ergänzt",
        nonpublic_text="",
        expected_version=minutes.version,
    )
    regenerated = minutes_services.minutes_generate(actor=office, meeting=held)
    assert regenerated.pk == minutes.pk
    assert "Bericht der Geschäftsstelle" in regenerated.public_text
    assert regenerated.version == 3


def test_an_edit_on_a_stale_version_is_refused(held, office):
    minutes = held.minutes
    loaded = minutes.version
    minutes_services.minutes_update(
        actor=office,
        minutes=minutes,
        public_text="Erste Fassung",
        nonpublic_text="intern",
        expected_version=loaded,
    )
    with pytest.raises(StaleEdit):
        minutes_services.minutes_update(
            actor=office,
            minutes=minutes,
            public_text="Zweite Fassung",
            nonpublic_text="",
            expected_version=loaded,
        )
    minutes.refresh_from_db()
    assert minutes.public_text == "Erste Fassung"
    assert minutes.version == loaded + 1


def test_only_the_office_edits_minutes(held, make_persona):
    with pytest.raises(NotPermitted):
        minutes_services.minutes_update(
            actor=make_persona("speaker"), minutes=held.minutes, public_text="x", nonpublic_text="y"
        )


def test_approval_needs_a_later_meeting_of_the_same_body_that_has_begun(structure, office, held):
    minutes = held.minutes
    earlier = later_meeting(structure, office, days_ago=30)
    speakers = later_meeting(structure, office, body="speakers")
    future = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=7),
    )
    for approving, message in (
        (earlier, "Ein Protokoll genehmigt eine spätere Sitzung desselben Gremiums."),
        (speakers, "Ein Protokoll genehmigt eine spätere Sitzung desselben Gremiums."),
        (held, "Ein Protokoll genehmigt eine spätere Sitzung desselben Gremiums."),
        (future, "Die genehmigende Sitzung muss eingeladen sein und begonnen haben."),
    ):
        with pytest.raises(DomainError) as refused:
            minutes_services.minutes_approve(actor=office, minutes=minutes, approved_in=approving)
        assert refused.value.message_dict == {"approved_in": [message]}
    invitations.meeting_invite(actor=office, meeting=future)
    with pytest.raises(DomainError, match="begonnen"):
        minutes_services.minutes_approve(actor=office, minutes=minutes, approved_in=future)
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.DRAFT

    next_one = later_meeting(structure, office)
    minutes_services.minutes_approve(actor=office, minutes=minutes, approved_in=next_one)
    assert minutes.status == MinutesStatus.APPROVED
    assert minutes.approved_in == next_one
    assert minutes.approved_at is not None
    held.refresh_from_db()
    assert held.status == MeetingStatus.MINUTES_APPROVED


def test_approved_minutes_are_fixed(structure, office, held):
    minutes = held.minutes
    minutes_services.minutes_approve(
        actor=office, minutes=minutes, approved_in=later_meeting(structure, office)
    )
    text = minutes.public_text
    with pytest.raises(TransitionNotAllowed, match="genehmigtes Protokoll"):
        minutes_services.minutes_update(
            actor=office, minutes=minutes, public_text="geändert", nonpublic_text=""
        )
    with pytest.raises(TransitionNotAllowed, match="genehmigtes Protokoll"):
        minutes_services.minutes_generate(actor=office, meeting=held)
    with pytest.raises(TransitionNotAllowed, match="bereits genehmigt"):
        minutes_services.minutes_approve(
            actor=office, minutes=minutes, approved_in=later_meeting(structure, office, days_ago=0)
        )
    with pytest.raises(TransitionNotAllowed):
        planning.meeting_update(actor=office, meeting=held, location="Anderswo")
    minutes.refresh_from_db()
    assert minutes.public_text == text
    assert Minutes.objects.filter(meeting=held).count() == 1
