"""The Umlaufbeschluss pages (/<slug>/intern/umlaufbeschluesse/), for every persona, and the rules
of answering, evaluating and withdrawing as the pages apply them.

The internal circle and the ministry read; the office opens, evaluates and withdraws; a member of
the Steuerkreis answers for the organisation they sit for (the `member` persona: the city).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance, Body
from buendnis.funding.states import Status
from buendnis.meetings.models import Circulation, CirculationAnswer, CirculationStatus
from buendnis.meetings.services import circulations
from tests.conftest import PERSONAS
from tests.factories import PhaseFactory, build_alliance_structure, project_in_state
from tests.meetings.circulation_setup import Circle, expire, make_circle

pytestmark = pytest.mark.django_db

BASE = "/son/intern/umlaufbeschluesse/"

# persona → status of a GET of the list or a circulation's page
READ = {
    "public": 302,  # to the login
    "office": 200,
    "speaker": 200,
    "member": 200,
    "advisory": 200,
    "applicant": 403,
    "ministry": 200,
    "admin": 200,
    "outsider": 403,  # every role, but in the other alliance
}
# persona → status of the page that opens a circulation
CREATE = READ | {"speaker": 403, "member": 403, "advisory": 403, "ministry": 403}
# persona → status of a POST of an answer for the city (only the member sits for it)
ANSWER = READ | {
    "office": 403,
    "speaker": 403,
    "member": 302,
    "advisory": 403,
    "ministry": 403,
    "admin": 403,
}
# persona → status of an evaluation before anyone answered (the office gets the German reason)
CLOSE = CREATE | {"office": 409, "admin": 409}
# persona → status of a withdrawal without a reason
CANCEL = CREATE | {"office": 400, "admin": 400}


def test_every_persona_has_an_expectation() -> None:
    for table in (READ, CREATE, ANSWER, CLOSE, CANCEL):
        assert set(table) == set(PERSONAS)


@pytest.fixture
def circle(alliance: Alliance, make_persona: Callable[[str], User | None]) -> Circle:
    return make_circle(alliance, make_persona)


@pytest.fixture
def circulation(circle: Circle) -> Circulation:
    return circle.open()


def _login_target(response: Any) -> str:
    return str(response["Location"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_per_role(persona: str, circle: Circle, circulation: Circulation) -> None:
    response = circle.client(persona).get(BASE)
    assert response.status_code == READ[persona]
    if response.status_code == 302:
        assert _login_target(response) == f"/konto/anmelden/?next={BASE}"
    if response.status_code == 200:
        content = response.content.decode()
        assert circulation.title in content
        assert response["Cache-Control"].startswith("max-age=0")
        # The navigation marks the section.
        assert f'<a href="{BASE}" aria-current="page">Umlaufbeschlüsse</a>' in content
        assert ("Neuen Umlaufbeschluss eröffnen" in content) == (CREATE[persona] == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_per_role(persona: str, circle: Circle, circulation: Circulation) -> None:
    url = f"{BASE}{circulation.pk}/"
    response = circle.client(persona).get(url)
    assert response.status_code == READ[persona]
    if response.status_code == 302:
        assert _login_target(response) == f"/konto/anmelden/?next={url}"
    if response.status_code != 200:
        return
    content = response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    assert "Der Steuerkreis befürwortet das Anschlussprojekt." in content
    assert circle.org("union").name in content  # who is entitled
    # The answer form only for the member; the office's steps only for the office.
    assert (f"{url}antworten/" in content) == (persona == "member")
    assert (f"{url}auswerten/" in content) == (CREATE[persona] == 200)
    assert (f"{url}zurueckziehen/" in content) == (CREATE[persona] == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_page_per_role(persona: str, circle: Circle) -> None:
    response = circle.client(persona).get(f"{BASE}neu/")
    assert response.status_code == CREATE[persona]
    if response.status_code == 302:
        assert _login_target(response) == f"/konto/anmelden/?next={BASE}neu/"


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_post_per_role(persona: str, circle: Circle) -> None:
    # An empty form: the office gets it back with the German reasons, nobody else gets that far.
    response = circle.client(persona).post(f"{BASE}neu/", {})
    expected = 400 if CREATE[persona] == 200 else CREATE[persona]
    assert response.status_code == expected
    assert not Circulation.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_answer_per_role(persona: str, circle: Circle, circulation: Circulation) -> None:
    url = f"{BASE}{circulation.pk}/"
    response = circle.client(persona).post(
        f"{url}antworten/",
        {"organisation": circle.org("city").pk, "answer": "agree", "comment": ""},
    )
    assert response.status_code == ANSWER[persona]
    if persona == "public":
        # After the login the person sees the circulation again (a POST cannot be replayed).
        assert _login_target(response) == f"/konto/anmelden/?next={url}"
    stored = CirculationAnswer.objects.filter(circulation=circulation)
    assert stored.count() == (1 if persona == "member" else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_close_per_role(persona: str, circle: Circle, circulation: Circulation) -> None:
    response = circle.client(persona).post(f"{BASE}{circulation.pk}/auswerten/")
    assert response.status_code == CLOSE[persona]
    if response.status_code == 409:
        assert "Vor Ablauf der Frist wird erst ausgewertet" in response.content.decode()
    circulation.refresh_from_db()
    assert circulation.status == CirculationStatus.OPEN


@pytest.mark.parametrize("persona", PERSONAS)
def test_cancel_per_role(persona: str, circle: Circle, circulation: Circulation) -> None:
    response = circle.client(persona).post(f"{BASE}{circulation.pk}/zurueckziehen/", {})
    assert response.status_code == CANCEL[persona]
    if response.status_code == 400:
        assert "Bitte geben Sie den Grund an." in response.content.decode()
    circulation.refresh_from_db()
    assert circulation.status == CirculationStatus.OPEN


def test_get_on_a_step_is_not_allowed(circle: Circle, circulation: Circulation) -> None:
    office = circle.client("office")
    for step in ("antworten", "auswerten", "zurueckziehen"):
        assert office.get(f"{BASE}{circulation.pk}/{step}/").status_code == 405


def test_another_alliances_circulation_is_not_found(
    circle: Circle, other_alliance: Alliance
) -> None:
    theirs = Circle(
        structure=build_alliance_structure(other_alliance, place="Hameln"),
        make_persona=circle.make_persona,
    ).open(title="Fremder Umlauf")
    office = circle.client("office")
    assert office.get(f"{BASE}{theirs.pk}/").status_code == 404
    assert office.post(f"{BASE}{theirs.pk}/auswerten/").status_code == 404
    assert office.post(f"{BASE}{theirs.pk}/zurueckziehen/", {"reason": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == CirculationStatus.OPEN
    assert office.get("/gibt-es-nicht/intern/umlaufbeschluesse/").status_code == 404
    assert "Fremder Umlauf" not in office.get(BASE).content.decode()


# --- Opening ---------------------------------------------------------------------------------------


def _open_data(circle: Circle, **changes: Any) -> dict[str, Any]:
    day = timezone.localdate() + timedelta(days=3)
    return {
        "title": "Anschlussprojekt AWO-Praktikumsbörse",
        "text": "Der Steuerkreis befürwortet die Kurzskizze.",
        "project": "",
        "deadline_date": day.strftime("%d.%m.%Y"),  # as people type it
        "deadline_time": "14:30",
        "is_public": "yes",
    } | changes


def test_office_opens_a_circulation_with_a_german_deadline(circle: Circle) -> None:
    project = project_in_state(
        circle.structure, Status.SKETCH_STEERING, applicant_organisation=circle.org("employers")
    )
    office = circle.client("office")
    response = office.post(f"{BASE}neu/", _open_data(circle, project=str(project.pk)))

    circulation = Circulation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{circulation.pk}/"
    deadline = timezone.localtime(circulation.deadline)
    assert (deadline.date(), deadline.hour, deadline.minute) == (
        timezone.localdate() + timedelta(days=3),
        14,
        30,
    )
    assert circulation.project == project
    assert circulation.is_public is True
    assert circulation.opened_by == circle.users["office"]
    # The applicant is recused; everyone else with a vote is asked.
    assert [entry["id"] for entry in circulation.recused] == [project.applicant_organisation_id]
    page = office.get(response["Location"]).content.decode()
    assert "Der Umlaufbeschluss ist eröffnet: 7 Organisationen sind gefragt" in page
    assert "Antragstellerin des Vorhabens" in page


def test_iso_dates_from_the_date_picker_work_too(circle: Circle) -> None:
    day = timezone.localdate() + timedelta(days=2)
    response = circle.client("office").post(
        f"{BASE}neu/", _open_data(circle, deadline_date=day.isoformat(), is_public="no")
    )
    assert response.status_code == 302
    assert Circulation.objects.get().is_public is False


def test_only_projects_before_the_steuerkreis_are_offered(
    circle: Circle, other_alliance: Alliance
) -> None:
    sketch = project_in_state(circle.structure, Status.SKETCH_STEERING, title="Skizze im SK")
    description = project_in_state(
        circle.structure, Status.DESCRIPTION_STEERING, title="Beschreibung im SK"
    )
    early = project_in_state(circle.structure, Status.SKETCH_SPEAKERS, title="Noch im SpK")
    foreign = project_in_state(
        PhaseFactory(alliance=other_alliance), Status.SKETCH_STEERING, title="Fremdes Vorhaben"
    )
    office = circle.client("office")
    page = office.get(f"{BASE}neu/").content.decode()
    assert sketch.title in page and description.title in page
    assert early.title not in page and foreign.title not in page

    for project in (early, foreign):
        response = office.post(f"{BASE}neu/", _open_data(circle, project=str(project.pk)))
        assert response.status_code == 400
        assert "Bitte eine gültige Auswahl treffen." in response.content.decode()
    assert not Circulation.objects.exists()


def test_a_refused_opening_keeps_the_input(circle: Circle) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    response = circle.client("office").post(
        f"{BASE}neu/", _open_data(circle, deadline_date=yesterday.strftime("%d.%m.%Y"))
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "Die Antwortfrist muss in der Zukunft liegen." in content
    assert 'value="Anschlussprojekt AWO-Praktikumsbörse"' in content
    # The message sits on the date field and is linked to it.
    assert 'aria-describedby="umlauf-deadline_date_helptext umlauf-deadline_date_error"' in content
    assert not Circulation.objects.exists()


def test_the_create_page_says_who_is_asked_and_whether_silence_counts(circle: Circle) -> None:
    page = circle.client("office").get(f"{BASE}neu/").content.decode()
    assert "Gefragt werden die 8 stimmberechtigten Organisationen im Steuerkreis" in page
    assert "Beschlossen ist erst, wenn alle stimmberechtigten Organisationen geantwortet" in page
    Body.objects.filter(pk=circle.structure.bodies["steering"].pk).update(silence_is_consent=True)
    page = circle.client("office").get(f"{BASE}neu/").content.decode()
    assert "Schweigen gilt als Zustimmung" in page


# --- Answering -------------------------------------------------------------------------------------


def _answer(
    client: Client, circulation: Circulation, organisation_id: int, answer: str, comment: str = ""
) -> Any:
    return client.post(
        f"{BASE}{circulation.pk}/antworten/",
        {"organisation": organisation_id, "answer": answer, "comment": comment},
    )


def test_a_second_answer_changes_the_one_answer(circle: Circle, circulation: Circulation) -> None:
    member, city = circle.client("member"), circle.org("city")
    assert _answer(member, circulation, city.pk, "agree").status_code == 302

    # An objection needs a reason: refused, the first answer stands, the input is kept.
    refused = _answer(member, circulation, city.pk, "object")
    content = refused.content.decode()
    assert refused.status_code == 400
    assert "Bitte begründen Sie Ihren Einwand." in content
    assert 'value="object" id="antwort-' in content and "checked" in content
    assert CirculationAnswer.objects.get(circulation=circulation).answer == "agree"

    response = _answer(member, circulation, city.pk, "object", "Die Finanzierung ist offen.")
    assert response.status_code == 302
    [row] = CirculationAnswer.objects.filter(circulation=circulation)
    assert (row.organisation, row.answer, row.comment) == (
        city,
        "object",
        "Die Finanzierung ist offen.",
    )
    assert row.answered_by == circle.users["member"]

    page = member.get(response["Location"]).content.decode()
    assert "Die Antwort für Stadt Braunschweig ist gespeichert: Einwand." in page
    assert "Bisherige Antwort:" in page and "Antwort ändern" in page
    # The answers are visible to the internal circle, comments included.
    speaker_page = circle.client("speaker").get(f"{BASE}{circulation.pk}/").content.decode()
    assert "Die Finanzierung ist offen." in speaker_page
    assert "1 von 8" in speaker_page


def test_no_answer_without_a_choice(circle: Circle, circulation: Circulation) -> None:
    response = _answer(circle.client("member"), circulation, circle.org("city").pk, "")
    assert response.status_code == 400
    content = response.content.decode()
    assert "Bitte wählen Sie Zustimmung, Einwand oder Enthaltung." in content
    # The radios sit in a fieldset whose legend names the organisation; the error is linked.
    assert "<legend>Antwort für Stadt Braunschweig" in content
    assert 'aria-describedby="antwort-' in content and '_error"' in content
    assert not CirculationAnswer.objects.exists()


def test_answering_for_an_organisation_one_does_not_represent_is_refused(
    circle: Circle, circulation: Circulation
) -> None:
    member = circle.client("member")
    for organisation_id in (circle.org("union").pk, "", "x"):
        response = _answer(member, circulation, organisation_id, "agree")  # type: ignore[arg-type]
        assert response.status_code == 403
    assert not CirculationAnswer.objects.exists()


def test_a_late_answer_is_refused(circle: Circle, circulation: Circulation) -> None:
    expire(circulation)
    member = circle.client("member")
    page = member.get(f"{BASE}{circulation.pk}/").content.decode()
    assert "Die Antwortfrist ist abgelaufen." in page
    assert f"{BASE}{circulation.pk}/antworten/" not in page

    response = _answer(member, circulation, circle.org("city").pk, "agree")
    assert response.status_code == 409
    assert "Die Antwortfrist ist am" in response.content.decode()
    assert not CirculationAnswer.objects.exists()


def test_the_recused_applicant_cannot_answer(circle: Circle) -> None:
    project = project_in_state(
        circle.structure, Status.SKETCH_STEERING, applicant_organisation=circle.org("city")
    )
    circulation = circle.open(project=project)
    member = circle.client("member")
    page = member.get(f"{BASE}{circulation.pk}/").content.decode()
    assert "ist befangen (Antragstellerin des Vorhabens)" in page
    assert f"{BASE}{circulation.pk}/antworten/" not in page

    response = _answer(member, circulation, circle.org("city").pk, "agree")
    assert response.status_code == 400
    assert "ist befangen und gibt keine Antwort ab" in response.content.decode()
    assert not CirculationAnswer.objects.exists()


def test_answers_after_closing_are_refused(circle: Circle, circulation: Circulation) -> None:
    circulations.circulation_cancel(
        actor=None, circulation=circulation, reason="Hat sich erledigt."
    )
    response = _answer(circle.client("member"), circulation, circle.org("city").pk, "agree")
    assert response.status_code == 409
    assert "Der Umlauf ist abgeschlossen" in response.content.decode()


# --- Evaluating and withdrawing --------------------------------------------------------------------


def test_closing_before_everyone_answered_is_refused(
    circle: Circle, circulation: Circulation
) -> None:
    circle.answer_all(circulation, union=True)
    office = circle.client("office")
    page = office.get(f"{BASE}{circulation.pk}/").content.decode()
    assert "Es fehlt noch 1 Antwort." in page

    response = office.post(f"{BASE}{circulation.pk}/auswerten/")
    assert response.status_code == 409
    assert "es fehlen noch 1" in response.content.decode()
    circulation.refresh_from_db()
    assert circulation.status == CirculationStatus.OPEN


def test_a_passed_circulation_moves_the_sketch_on(circle: Circle) -> None:
    project = project_in_state(circle.structure, Status.SKETCH_STEERING)
    circulation = circle.open(project=project)
    circle.answer_all(circulation)
    office = circle.client("office")

    response = office.post(f"{BASE}{circulation.pk}/auswerten/")

    assert response.status_code == 302
    circulation.refresh_from_db()
    project.refresh_from_db()
    assert circulation.status == CirculationStatus.PASSED
    assert project.status == Status.DESCRIPTION_REQUESTED
    assert circulation.body_outcome is not None
    page = office.get(response["Location"]).content.decode()
    assert "Der Umlaufbeschluss ist ausgewertet: Beschlossen." in page
    assert "Zugestimmt" in page
    # Closed: no more answers, no more steps.
    assert f"{BASE}{circulation.pk}/antworten/" not in page
    again = circle.client("office").post(f"{BASE}{circulation.pk}/auswerten/")
    assert again.status_code == 409
    assert "bereits ausgewertet" in again.content.decode()


def test_an_objection_fails_the_circulation(circle: Circle, circulation: Circulation) -> None:
    circle.answer_all(circulation, city=True)
    _answer(circle.client("member"), circulation, circle.org("city").pk, "object", "Zu teuer.")
    assert circle.client("office").post(f"{BASE}{circulation.pk}/auswerten/").status_code == 302
    circulation.refresh_from_db()
    assert circulation.status == CirculationStatus.FAILED
    page = circle.client("speaker").get(f"{BASE}{circulation.pk}/").content.decode()
    assert "Nicht zustande gekommen" in page and "Zu teuer." in page


@pytest.mark.parametrize("silence_is_consent", [True, False])
def test_silence_counts_as_consent_only_where_the_body_says_so(
    circle: Circle, silence_is_consent: bool
) -> None:
    Body.objects.filter(pk=circle.structure.bodies["steering"].pk).update(
        silence_is_consent=silence_is_consent
    )
    circulation = circle.open()
    assert circulation.silence_is_consent is silence_is_consent
    _answer(circle.client("member"), circulation, circle.org("city").pk, "agree")
    expire(circulation)

    response = circle.client("office").post(f"{BASE}{circulation.pk}/auswerten/")

    assert response.status_code == 302
    circulation.refresh_from_db()
    expected = CirculationStatus.PASSED if silence_is_consent else CirculationStatus.FAILED
    assert circulation.status == expected
    assert len(circulation.result["silent"]) == 7


def test_office_withdraws_a_circulation(circle: Circle, circulation: Circulation) -> None:
    url = f"{BASE}{circulation.pk}/"
    response = circle.client("office").post(
        f"{url}zurueckziehen/", {"reason": "Die Sitzung kommt früher."}
    )
    assert response.status_code == 302
    circulation.refresh_from_db()
    assert circulation.status == CirculationStatus.CANCELLED
    page = circle.client("member").get(url).content.decode()
    assert "Zurückgezogen" in page and "Die Sitzung kommt früher." in page
    again = circle.client("office").post(f"{url}zurueckziehen/", {"reason": "Nochmal."})
    assert again.status_code == 409
    assert "Der Umlauf ist bereits ausgewertet." in again.content.decode()


# --- The list --------------------------------------------------------------------------------------


def test_list_shows_progress_and_what_the_member_still_owes(
    circle: Circle, circulation: Circulation
) -> None:
    done = circle.open(title="Schon ausgewertet")
    circle.answer_all(done)
    circulations.circulation_close(actor=None, circulation=done)
    circle.answer_all(circulation, city=True)

    page = circle.client("member").get(BASE).content.decode()
    assert "7 von 8" in page and "8 von 8" in page
    assert "Ihre Antwort fehlt noch (Stadt Braunschweig)." in page
    assert page.index(circulation.title) < page.index("Abgeschlossene Umlaufbeschlüsse")
    assert page.index("Schon ausgewertet") > page.index("Abgeschlossene Umlaufbeschlüsse")


def test_list_and_detail_queries_do_not_grow(circle: Circle, circulation: Circulation) -> None:
    member = circle.client("member")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member.get(url).status_code == 200
        return len(queries)

    list_before, detail_before = count(BASE), count(f"{BASE}{circulation.pk}/")
    for number in range(3):
        circle.answer_all(circle.open(title=f"Weiterer Umlauf {number}"))
    circle.answer_all(circulation, city=True)
    assert count(BASE) == list_before
    assert count(f"{BASE}{circulation.pk}/") == detail_before
