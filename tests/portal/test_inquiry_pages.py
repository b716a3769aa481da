"""The office's inbox (/<slug>/intern/anfragen/…) and a member's questions
(/<slug>/intern/meine-anfragen/): every page and form for every persona and for the other
alliance, the flows with their German errors, and pinned query counts.

The office and platform admins work the inbox, the ministry reads it; the rest of the internal
circle asks its own questions; applicants and the office of another alliance get a 403, the
public the login.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.core.models import AuditEntry
from buendnis.office import services
from buendnis.office.models import (
    Delivery,
    Direction,
    Inquiry,
    InquiryMessage,
    InquiryNote,
    Source,
    Status,
)
from tests.conftest import PERSONAS
from tests.factories import AllianceStructure, ProjectFactory
from tests.office.factories import category, contact_inquiry, reply_template, stored_inquiry
from tests.office.fixtures import *  # noqa: F403 - the shared fixtures

pytestmark = pytest.mark.django_db

INBOX = "/son/intern/anfragen/"
MINE = "/son/intern/meine-anfragen/"

READ = {
    "public": 302,
    "office": 200,
    "speaker": 403,
    "member": 403,
    "advisory": 403,
    "applicant": 403,
    "ministry": 200,
    "admin": 200,
    "outsider": 403,
}
# Forms of the office: None where the persona may send them.
HANDLE = {**READ, "ministry": 403, "office": None, "admin": None}
EXPORT = HANDLE
ASK = {
    "public": 302,
    "office": None,
    "speaker": None,
    "member": None,
    "advisory": None,
    "applicant": 403,
    "ministry": 403,
    "admin": None,
    "outsider": 403,
}


def _text(response: Any) -> str:
    return response.content.decode()


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_every_persona_has_an_expectation() -> None:
    assert set(READ) == set(HANDLE) == set(ASK) == set(PERSONAS)


@pytest.fixture
def inquiry(site: AllianceStructure) -> Inquiry:
    return contact_inquiry(site.alliance, name="Erika Markierung-Pz9")


def _check_refusal(response: Any, expected: int, path: str) -> None:
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/konto/anmelden/?next=")
    if expected == 403:
        assert "Markierung-Pz9" not in _text(response)


# --- Access, persona by persona ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_detail_per_role(
    persona: str, login: Callable[[str], Client], inquiry: Inquiry
) -> None:
    client = login(persona)
    for url in (INBOX, f"{INBOX}{inquiry.pk}/"):
        response = client.get(url)
        _check_refusal(response, READ[persona], url)
        if response.status_code == 200:
            text = _text(response)
            assert "Markierung-Pz9" in text
            assert "no-store" in response["Cache-Control"]
            # Forms only for those who work the inbox.
            works = HANDLE[persona] is None
            assert ("Anfrage erfassen" in text or "Senden" in text) == works
    if READ[persona] == 302:
        assert client.get(INBOX)["Location"] == f"/konto/anmelden/?next={INBOX}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_office_forms_per_role(
    persona: str, login: Callable[[str], Client], inquiry: Inquiry, site: AllianceStructure
) -> None:
    client = login(persona)
    answer = InquiryMessage.objects.create(
        inquiry=inquiry,
        direction=Direction.OUT,
        channel="email",
        body="Antwort",
        message_id="<a@portal.example.org>",
        delivery=Delivery.FAILED,
    )
    before = (
        Inquiry.objects.get(pk=inquiry.pk).version,
        InquiryNote.objects.count(),
        InquiryMessage.objects.count(),
        Inquiry.objects.count(),
    )
    posts = {
        f"{INBOX}neu/": {
            "source": "phone",
            "subject": "Rückruf",
            "message": "Frage",
            "asker_name": "Herr Anrufer",
        },
        f"{INBOX}{inquiry.pk}/bearbeiten/": {
            "status": "in_progress",
            "due_on": inquiry.due_on.isoformat(),
            "version": inquiry.version,
        },
        f"{INBOX}{inquiry.pk}/antwort/": {
            "body": "Antwort",
            "channel": "email",
            "status_after": "waiting",
            "action": "send",
        },
        f"{INBOX}{inquiry.pk}/notiz/": {"body": "Notiz"},
        f"{INBOX}{inquiry.pk}/antwort/{answer.pk}/erneut/": {},
    }
    expected = HANDLE[persona]
    assert client.get(f"{INBOX}neu/").status_code == (expected or 200)
    for url, data in posts.items():
        response = client.post(url, data)
        if expected is None:
            assert response.status_code == 302, url
        else:
            _check_refusal(response, expected, url)
            if expected == 302:
                # After the login the person sees the inquiry (a POST cannot be replayed).
                assert "anfragen" in response["Location"]
    after = (
        Inquiry.objects.get(pk=inquiry.pk).version,
        InquiryNote.objects.count(),
        InquiryMessage.objects.count(),
        Inquiry.objects.count(),
    )
    assert (after != before) == (expected is None)


@pytest.mark.parametrize("persona", PERSONAS)
def test_export_per_role(persona: str, login: Callable[[str], Client], inquiry: Inquiry) -> None:
    client = login(persona)
    url = f"{INBOX}auskunft/"
    expected = EXPORT[persona]
    _check_refusal(client.get(url), expected or 200, url)
    response = client.post(url, {"email": "erika.frage@example.org", "format": "html"})
    if expected is None:
        assert response.status_code == 200 and "Markierung-Pz9" in _text(response)
        assert AuditEntry.objects.filter(action="inquiry.export").count() == 1
    else:
        _check_refusal(response, expected, url)
        assert not AuditEntry.objects.filter(action="inquiry.export").exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_questions_per_role(persona: str, login: Callable[[str], Client]) -> None:
    client = login(persona)
    expected = ASK[persona]
    _check_refusal(client.get(MINE), expected or 200, MINE)
    response = client.post(MINE, {"subject": "Frage zur Sitzung", "message": "Wann?"})
    if expected is None:
        assert response.status_code == 302 and response["Location"] == MINE
        assert Inquiry.objects.get().source == Source.MEMBER
    else:
        _check_refusal(response, expected, MINE)
        assert not Inquiry.objects.exists()


def test_the_other_alliances_inquiry_is_not_found(
    login: Callable[[str], Client], other_site: AllianceStructure
) -> None:
    foreign = contact_inquiry(other_site.alliance, name="Fremd Markierung")
    client = login("office")
    assert client.get(f"{INBOX}{foreign.pk}/").status_code == 404
    assert client.post(f"{INBOX}{foreign.pk}/notiz/", {"body": "x"}).status_code == 404
    assert client.get(f"{INBOX}999999/").status_code == 404
    assert "Fremd Markierung" not in _text(client.get(INBOX))
    # Its own office sees it at its own address.
    outsider = login("outsider")
    assert outsider.get(f"/leine-weser/intern/anfragen/{foreign.pk}/").status_code == 200


def test_pages_answer_405_to_wrong_methods(
    login: Callable[[str], Client], inquiry: Inquiry
) -> None:
    client = login("office")
    assert client.post(INBOX).status_code == 405
    assert client.post(f"{INBOX}{inquiry.pk}/").status_code == 405
    assert client.get(f"{INBOX}{inquiry.pk}/notiz/").status_code == 405


# --- The list ----------------------------------------------------------------------------------------


def test_list_marks_overdue_in_words_and_filters(
    login: Callable[[str], Client], site: AllianceStructure, office: User
) -> None:
    today = timezone.localdate()
    late = stored_inquiry(
        site.alliance, subject="Späte Frage", due_on=today - timedelta(days=3), assigned_to=office
    )
    stored_inquiry(site.alliance, subject="Frische Frage", due_on=today + timedelta(days=3))
    stored_inquiry(site.alliance, subject="Alte erledigte", status=Status.DONE)
    client = login("office")
    text = _text(client.get(INBOX))
    assert text.index("Späte Frage") < text.index("Frische Frage")
    assert "Alte erledigte" not in text
    assert '<span class="wait-flag">überfällig</span>' in text
    assert "<caption" in text and '<th scope="col">Fällig am</th>' in text
    assert f'<a href="/son/intern/anfragen/{late.pk}/">Späte Frage</a>' in text
    assert "2 Anfragen gefunden" in text
    for label in ("Suche", "Stand", "Kategorie", "Zuständig", "Eingang über", "nur überfällige"):
        assert f">{label}" in text, label
    narrowed = _text(client.get(INBOX, {"overdue": "on"}))
    assert "Späte Frage" in narrowed and "Frische Frage" not in narrowed
    assert "Alte erledigte" in _text(client.get(INBOX, {"status": "all"}))
    assert "Frische Frage" in _text(client.get(INBOX, {"assigned": "nobody"}))
    assert "Frische Frage" not in _text(client.get(INBOX, {"assigned": "mine"}))
    # A value that is not a choice is ignored, not an error.
    assert client.get(INBOX, {"status": "quatsch", "category": "x"}).status_code == 200


def test_old_contact_inbox_leads_to_the_contact_forms_inquiries(
    login: Callable[[str], Client], inquiry: Inquiry, site: AllianceStructure
) -> None:
    stored_inquiry(site.alliance, subject="Ein Anruf", source=Source.PHONE)
    response = login("office").get("/son/intern/kontakt/", follow=True)
    assert response.redirect_chain == [("/son/intern/anfragen/?source=contact_form", 301)]
    text = _text(response)
    assert "Markierung-Pz9" in text and "Ein Anruf" not in text


# --- Recording a call ------------------------------------------------------------------------------


def test_recording_a_call(
    login: Callable[[str], Client], site: AllianceStructure, office: User
) -> None:
    topic = category(site.alliance)
    project = ProjectFactory(phase=site.phase)
    client = login("office")
    form = _text(client.get(f"{INBOX}neu/"))
    assert "<legend>Eingang über</legend>" in form and 'for="id_subject"' in form
    refused = client.post(
        f"{INBOX}neu/",
        {"source": "email", "subject": "Per Mail", "message": "Text", "project": "GIBT-ES-NICHT"},
    )
    assert refused.status_code == 400
    text = _text(refused)
    assert "Kein Vorhaben mit dem Aktenzeichen „GIBT-ES-NICHT“" in text
    assert "Per Mail" in text  # the input is kept
    refused_by_service = client.post(
        f"{INBOX}neu/", {"source": "email", "subject": "Per Mail", "message": "Text"}
    )
    assert refused_by_service.status_code == 400
    assert "braucht die Adresse" in _text(refused_by_service)
    response = client.post(
        f"{INBOX}neu/",
        {
            "source": "phone",
            "subject": "Rückruf",
            "message": "Fragt nach Fristen",
            "asker_name": "Herr Anrufer",
            "asker_phone": "0531 999",
            "category": topic.pk,
            "project": project.reference,
            "assigned_to": office.pk,
        },
        follow=True,
    )
    created = Inquiry.objects.get()
    assert response.redirect_chain[-1][0] == f"{INBOX}{created.pk}/"
    assert any(f"Anfrage #{created.pk} ist erfasst" in m for m in _messages(response))
    assert (created.source, created.category, created.project, created.assigned_to) == (
        Source.PHONE,
        topic,
        project,
        office,
    )


# --- One inquiry -------------------------------------------------------------------------------------


def test_detail_shows_thread_notes_and_forms(
    login: Callable[[str], Client], inquiry: Inquiry, office: User
) -> None:
    services.inquiry_note_add(actor=office, inquiry=inquiry, body="Interner Hinweis")
    text = _text(login("office").get(f"{INBOX}{inquiry.pk}/"))
    assert "Wie beantrage ich einen Zuschuss?" in text
    assert "Interner Hinweis" in text
    assert 'href="mailto:erika.frage@example.org"' in text
    for label in ("Antworten", "Bearbeitung", "Interne Notizen", "Verlauf"):
        assert f">{label}</h2>" in text
    assert 'name="action" value="preview"' in text and 'name="action" value="send"' in text
    assert "{bearbeiter}" in text  # the placeholders are listed
    ministry = _text(login("ministry").get(f"{INBOX}{inquiry.pk}/"))
    assert "Interner Hinweis" in ministry and 'value="send"' not in ministry


def test_update_form_and_a_stale_one(
    login: Callable[[str], Client], inquiry: Inquiry, colleague: User
) -> None:
    client = login("office")
    url = f"{INBOX}{inquiry.pk}/bearbeiten/"
    data = {
        "status": "in_progress",
        "assigned_to": colleague.pk,
        "due_on": (inquiry.due_on + timedelta(days=1)).isoformat(),
        "version": inquiry.version,
    }
    response = client.post(url, data, follow=True)
    assert "Die Anfrage ist geändert." in _messages(response)
    inquiry.refresh_from_db()
    assert inquiry.status == Status.IN_PROGRESS and inquiry.assigned_to == colleague
    stale = client.post(url, {**data, "status": "done"})
    assert stale.status_code == 409
    assert "inzwischen geändert" in _text(stale)
    wrong = client.post(url, {**data, "version": inquiry.version, "status": "new"})
    assert wrong.status_code == 400
    assert "kann nicht auf „neu“ gesetzt werden" in _text(wrong)
    assert Inquiry.objects.get(pk=inquiry.pk).status == Status.IN_PROGRESS


def test_reply_preview_fills_the_template_and_send_mails(
    login: Callable[[str], Client],
    inquiry: Inquiry,
    site: AllianceStructure,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    template = reply_template(site.alliance)
    client = login("office")
    url = f"{INBOX}{inquiry.pk}/antwort/"
    preview = client.post(
        url,
        {
            "template": template.pk,
            "body": "",
            "channel": "email",
            "status_after": "waiting",
            "action": "preview",
        },
    )
    assert preview.status_code == 200
    text = _text(preview)
    assert "Vorschau der E-Mail" in text
    assert f"Re: Frage zur Förderung [Anfrage #{inquiry.pk}]" in text
    assert "Guten Tag Erika Markierung-Pz9," in text and "Maria Lindner" in text
    assert not InquiryMessage.objects.filter(direction=Direction.OUT).exists()
    filled = preview.context["reply_form"]["body"].value()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url,
            {"body": filled, "channel": "email", "status_after": "done", "action": "send"},
        )
    assert sent.status_code == 302
    answer = InquiryMessage.objects.get(direction=Direction.OUT)
    assert answer.body.startswith("Guten Tag Erika Markierung-Pz9,")
    assert mail.outbox[-1].to == ["Erika Markierung-Pz9 <erika.frage@example.org>"]
    assert Inquiry.objects.get(pk=inquiry.pk).status == Status.DONE
    empty = client.post(
        url, {"body": "", "channel": "email", "status_after": "waiting", "action": "send"}
    )
    assert empty.status_code == 400
    assert "Bitte geben Sie eine Antwort ein." in _text(empty)


def test_notes_through_the_page(login: Callable[[str], Client], inquiry: Inquiry) -> None:
    client = login("office")
    refused = client.post(f"{INBOX}{inquiry.pk}/notiz/", {"body": ""})
    assert refused.status_code == 400
    response = client.post(f"{INBOX}{inquiry.pk}/notiz/", {"body": "Ruft zurück"}, follow=True)
    assert "Die Notiz ist gespeichert." in _messages(response)
    assert "Ruft zurück" in _text(response)


# --- Export ------------------------------------------------------------------------------------------


def test_export_as_page_and_json(login: Callable[[str], Client], inquiry: Inquiry) -> None:
    client = login("office")
    page = client.post(f"{INBOX}auskunft/", {"email": "ERIKA.frage@example.org", "format": "html"})
    assert "eine Anfrage gespeichert" in _text(page)
    download = client.post(
        f"{INBOX}auskunft/", {"email": "erika.frage@example.org", "format": "json"}
    )
    assert download["Content-Type"] == "application/json; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="anfragen-son-')
    data = json.loads(download.content)
    assert data["anzahl"] == 1 and data["anfragen"][0]["nummer"] == inquiry.pk
    assert AuditEntry.objects.filter(action="inquiry.export").count() == 2
    nobody = client.post(f"{INBOX}auskunft/", {"email": "niemand@example.org", "format": "html"})
    assert "Zu dieser Adresse ist keine Anfrage gespeichert." in _text(nobody)
    bad = client.post(f"{INBOX}auskunft/", {"email": "keine-adresse"})
    assert bad.status_code == 400 and "gültige E-Mail-Adresse" in _text(bad)


# --- A member's questions ----------------------------------------------------------------------------


def test_member_asks_and_sees_the_answer(
    login: Callable[[str], Client],
    office: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    member = login("member")
    refused = member.post(MINE, {"subject": "", "message": ""})
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(
            MINE, {"subject": "Frage zur Sitzung", "message": "Wann?"}, follow=True
        )
    asked = Inquiry.objects.get()
    assert any(f"Anfrage #{asked.pk}" in m for m in _messages(response))
    assert "Frage zur Sitzung" in _text(response)
    services.inquiry_reply(actor=office, inquiry=asked, body="Am Dienstag.")
    page = _text(member.get(MINE))
    assert "Am Dienstag." in page and "Antwort der Geschäftsstelle" in page
    # Nobody else's questions are listed.
    assert "Frage zur Sitzung" not in _text(login("speaker").get(MINE))


# --- Navigation --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_navigation(persona: str, login: Callable[[str], Client], site: AllianceStructure) -> None:
    text = _text(login(persona).get("/son/"))
    inbox = '<a href="/son/intern/anfragen/">Anfragen</a>' in text
    ask = '<a href="/son/intern/meine-anfragen/">Frage an die Geschäftsstelle</a>' in text
    assert inbox == (READ[persona] == 200)
    assert ask == (ASK[persona] is None and READ[persona] != 200)


# --- Query counts --------------------------------------------------------------------------------------

# Every signed-in page starts with: session; user; alliance; the user's memberships; the header's
# count of unread notifications.
# … and the two-factor check: the session's verified app (django-otp's OTPMiddleware), or,
# where the session has none, whether the user has an app (accounts.middleware).
SIGNED_IN = 6
# The list: categories and the office's people (the filter's choices); the page of inquiries
# with category, assignee, organisation and project, each row with the total.
LIST_QUERIES = SIGNED_IN + 3
# An inquiry: the inquiry with its relations; its thread; its notes. For the office also the
# forms' choices: reply templates, categories, the office's people, organisations.
DETAIL_READ = SIGNED_IN + 3
DETAIL_OFFICE = DETAIL_READ + 4


def test_list_queries_do_not_grow(
    login: Callable[[str], Client],
    site: AllianceStructure,
    office: User,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client = login("office")
    stored_inquiry(site.alliance, category=category(site.alliance), assigned_to=office)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(INBOX)
    project = ProjectFactory(phase=site.phase)
    for number in range(30):
        stored_inquiry(
            site.alliance,
            subject=f"Anfrage {number:02d}",
            category=category(site.alliance, name=f"Kategorie {number}"),
            assigned_to=office,
            organisation=site.organisations["city"],
            project=project,
        )
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(INBOX)
    assert "31 Anfragen gefunden" in _text(response)


@pytest.mark.parametrize(
    ("persona", "queries"), [("office", DETAIL_OFFICE), ("ministry", DETAIL_READ)]
)
def test_detail_queries_do_not_grow(
    persona: str,
    queries: int,
    login: Callable[[str], Client],
    inquiry: Inquiry,
    office: User,
    site: AllianceStructure,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client = login(persona)
    with django_assert_num_queries(queries):
        client.get(f"{INBOX}{inquiry.pk}/")
    for number in range(10):
        services.inquiry_note_add(actor=office, inquiry=inquiry, body=f"Notiz {number}")
        services.inquiry_reply(actor=office, inquiry=inquiry, body=f"Antwort {number}")
        reply_template(site.alliance, name=f"Vorlage {number}")
    with django_assert_num_queries(queries):
        response = client.get(f"{INBOX}{inquiry.pk}/")
    assert "Antwort 9" in _text(response) and "Notiz 9" in _text(response)


def test_an_erased_inquiry_is_read_only(
    login: Callable[[str], Client], inquiry: Inquiry, office: User
) -> None:
    services.inquiry_erase(actor=None, inquiry=inquiry)
    client = login("office")
    page = _text(client.get(f"{INBOX}{inquiry.pk}/"))
    assert "nach Ablauf der Aufbewahrungsfrist gelöscht" in page
    assert "Markierung-Pz9" not in page and 'value="send"' not in page
    for url, data in [
        (f"{INBOX}{inquiry.pk}/notiz/", {"body": "x"}),
        (f"{INBOX}{inquiry.pk}/antwort/", {"body": "x", "channel": "phone", "action": "send"}),
        (
            f"{INBOX}{inquiry.pk}/bearbeiten/",
            {"status": "done", "due_on": inquiry.due_on.isoformat(), "version": 99},
        ),
    ]:
        response = client.post(url, data, follow=True)
        assert any("sind gelöscht" in text for text in _messages(response)), url
    assert not InquiryNote.objects.exists()


# A member's questions: the page of their inquiries with its total; the page's messages.
MINE_QUERIES = SIGNED_IN + 2


def test_my_questions_queries_do_not_grow(
    login: Callable[[str], Client],
    site: AllianceStructure,
    office: User,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client = login("member")
    client.post(MINE, {"subject": "Erste Frage", "message": "?"})
    with django_assert_num_queries(MINE_QUERIES):
        client.get(MINE)
    for number in range(25):
        client.post(MINE, {"subject": f"Frage {number:02d}", "message": "?"})
    for asked in Inquiry.objects.all()[:10]:
        services.inquiry_reply(actor=office, inquiry=asked, body="Antwort")
    with django_assert_num_queries(MINE_QUERIES):
        response = client.get(MINE)
    text = _text(response)
    assert "Frage 24" in text and "Seite 1 von 2" in text
