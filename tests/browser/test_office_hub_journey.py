"""The office as the alliance's hub, in the real browser (issue 10).

A visitor writes through the public contact form and an applicant asks for a consultation in the
applicant portal; both arrive in the office's inbox and on its desk. The office answers the
visitor by mail (the mail leaves with the threading headers and the inquiry's token in its
subject); the visitor's answer comes back by mail into a real IMAP mailbox (a dovecot the test
starts, tests/office/dovecot.py), `fetch_inquiry_mail` puts it into the thread, and the office's
second answer continues the thread (In-Reply-To and References).

Two partners post overlapping ideas in different words — a Steuerkreis member about
"Langzeitarbeitslose", an advisory member about people "seit mehr als einem Jahr ohne Arbeit"
(the issue's example, in the words of tests/data/ideas_labelled.json) — beside a third idea that
shares the target group's word but not the aim (debt counselling). The second partner's idea page
shows the first as the best match, with the shared target group as its reason. The office finds
the overlap on its desk, merges the two ideas and turns the result into a project; the
consultation that every project begins with waits in the inbox.

Notifications: the Steuerkreis member follows new ideas in the pool ("Abonnieren" on the pool's
list) and is told of the advisory member's idea; then he follows the project his idea became
("Abonnieren" on its page) and is told when the office records the consultation. Each time he
sees the unread count in the header and the notification in his notification centre.

Every person works in a browser context of their own, logged in through the real login form;
every page visited is checked with axe, and for CSP refusals and console errors at the end. The
alliance's structure and the applicant's project come from the factories; everything else goes
through the pages. The live server runs in this process with the locmem mail backend, so the
mail sent is in `django.core.mail.outbox`.
"""

import imaplib
import io
import re
from collections.abc import Callable
from email.utils import parseaddr
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from buendnis.accounts.models import Role, User
from buendnis.funding.models import Project
from buendnis.funding.states import Status

from ..factories import AllianceStructure, MembershipFactory, UserFactory, project_in_state
from ..office.dovecot import *  # noqa: F403 - the IMAP server and its mailbox (fixtures)
from ..office.dovecot import append_mail, new_mail
from .conftest import PageProblems, assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser

DESK = "/son/intern/"
INBOX = "/son/intern/anfragen/"
IDEAS = "/son/intern/ideen/"
PORTAL = "/son/vorhaben/"
CONTACT = "/son/kontakt/"
BOARD = "/son/intern/vorhaben/"

REPLY_TO = "anfragen@son.example.org"  # the mailbox fetch_inquiry_mail reads
MAIL_DOMAIN = "portal.example.org"  # the right-hand side of our Message-IDs

VISITOR = ("Paula Besucher", "paula.besucher@example.org")
CONTACT_SUBJECT = "Ausbildungsbetrieb werden"
CONTACT_MESSAGE = "Wir sind ein kleiner Handwerksbetrieb. Wie können wir beim Bündnis mitmachen?"
FIRST_ANSWER = "Guten Tag Frau Besucher,\n\ngern: Ausbildungsbetriebe jeder Größe sind willkommen."
VISITOR_ANSWER = "Danke! Gilt das auch für Betriebe mit weniger als zehn Beschäftigten?"

# The example: one aim and target group in two wordings (ltu-1 and ltu-2 of the
# labelled pool), and a third idea that shares the target group's word only (debt-1).
FIRST_IDEA = {
    "Titel": "Langzeitarbeitslose in Beschäftigung bringen",
    "Beschreibung": (
        "Mit einem Coaching über zwölf Monate und Praktika in Betrieben der Region sollen "
        "Langzeitarbeitslose wieder eine sozialversicherungspflichtige Stelle finden. "
        "Jobcoaches begleiten auch nach der Arbeitsaufnahme."
    ),
    "Ziel": "Langzeitarbeitslose in Arbeit bringen",
    "Zielgruppe": "Langzeitarbeitslose",
}
THIRD_IDEA = {
    "Titel": "Schuldnerberatung für Langzeitarbeitslose",
    "Beschreibung": (
        "Viele Langzeitarbeitslose haben Schulden und Pfändungen. Eine offene Sprechstunde der "
        "Schuldnerberatung im Jobcenter hilft, einen Überblick zu gewinnen und mit Gläubigern "
        "zu verhandeln."
    ),
    "Zielgruppe": "Langzeitarbeitslose mit Schulden",
}
SECOND_IDEA = {
    "Titel": "Zurück in den Job nach langer Pause",
    "Beschreibung": (
        "Menschen, die seit mehr als einem Jahr keine Arbeit finden, lernen Betriebe bei "
        "Schnuppertagen kennen. Eine feste Ansprechperson hilft bei Bewerbungen und bleibt in "
        "den ersten Monaten im neuen Job an ihrer Seite."
    ),
    "Zielgruppe": "Menschen, die seit über einem Jahr ohne Arbeit sind",
}
MERGED_TITLE = "Langzeitarbeitslose zurück in den Job"
# The engine loads its models on the process's first encoding: the first idea may take a while.
FIRST_ENCODING_MS = 90_000


@pytest.fixture
def people(site: AllianceStructure, make_persona: Callable[[str], User | None]) -> dict[str, User]:
    """The office (Maria Lindner), an applicant of the city, a Steuerkreis member of the
    Jobcenter and an advisory member of the Amt für regionale Landesentwicklung."""
    office = make_persona("office")
    assert office is not None
    office.first_name, office.last_name = "Maria", "Lindner"
    office.save()
    organisations = site.organisations
    applicant = UserFactory(username="jana", first_name="Jana", last_name="Antrag")
    MembershipFactory(
        user=applicant,
        alliance=site.alliance,
        role=Role.APPLICANT,
        organisation=organisations["city"],
    )
    member = UserFactory(username="jonas", first_name="Jonas", last_name="Jobcenter")
    MembershipFactory(
        user=member,
        alliance=site.alliance,
        role=Role.STEERING,
        organisation=organisations["jobcenter"],
    )
    advisory = UserFactory(username="anke", first_name="Anke", last_name="Amt")
    MembershipFactory(
        user=advisory, alliance=site.alliance, role=Role.ADVISORY, organisation=organisations["arl"]
    )
    return {"office": office, "applicant": applicant, "member": member, "advisory": advisory}


@pytest.fixture
def welcome_center(site: AllianceStructure, people: dict[str, User]) -> Project:
    """The applicant's project, still an idea: its consultation is the next step."""
    return project_in_state(
        site,
        Status.IDEA,
        title="Welcome Center für internationale Fachkräfte",
        summary="Ein Anlaufpunkt für Fachkräfte aus dem Ausland und die Betriebe der Region.",
        target_group="Internationale Fachkräfte, KMU",
        applicant_organisation=site.organisations["city"],
    )


# --- What the pages show --------------------------------------------------------------------------


def flash(page: Any, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def looks_right(page: Any, name: str = "") -> None:
    """axe on the page as rendered (and a screenshot for a human where named)."""
    assert_accessible(page)
    if name:
        screenshot(page, name)


def german(day: Any) -> str:
    return day.strftime("%d.%m.%Y")


def field_label(text: str) -> re.Pattern[str]:
    """A field's label as written, with or without the required field's asterisk."""
    return re.compile(rf"^{re.escape(text)}( \*)?$")


def thread(page: Any) -> Any:
    return page.locator("section[aria-labelledby=verlauf] .inquiry-message")


def follow_button(page: Any, verb: str, about: str) -> Any:
    """„Abonnieren“ or „Abbestellen“ with what it is about (hidden text, which the browser's
    accessible name joins with a space before the colon)."""
    return page.get_by_role("button", name=re.compile(rf"^{verb} ?: {re.escape(about)}$"))


def unread(page: Any) -> Any:
    """The unread count beside „Benachrichtigungen“ in the header."""
    return page.locator(".notifications-link .count-pill")


def sent_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if address in " ".join(message.to)]


def header(message: Any, name: str) -> str:
    return str(message.message()[name] or "")


# --- The steps -----------------------------------------------------------------------------------


def visitor_writes(page: Any) -> None:
    """No login: the public contact form."""
    page.goto(CONTACT)
    looks_right(page)
    form = page.locator("main form[method=post]")
    form.get_by_label("Ihr Name").fill(VISITOR[0])
    form.get_by_label("Ihre E-Mail-Adresse").fill(VISITOR[1])
    form.get_by_label("Betreff").fill(CONTACT_SUBJECT)
    form.get_by_label("Ihre Nachricht").fill(CONTACT_MESSAGE)
    form.get_by_label("Ich bin einverstanden").check()
    form.get_by_role("button", name="Nachricht senden").click()
    flash(page, "Ihre Nachricht ist bei der Geschäftsstelle eingegangen")
    looks_right(page)


def applicant_asks_for_consultation(page: Any, project: Project) -> None:
    log_in(page, "jana", f"{PORTAL}{project.reference}/")
    expect(page.locator("h1")).to_have_text(project.title)
    looks_right(page)
    page.get_by_role("link", name="Beratung anfragen").click()
    expect(page.locator("h1")).to_have_text("Beratung anfragen")
    looks_right(page)
    page.get_by_label("Ihr Anliegen").fill(
        "Wir möchten die Kurzskizze vorbereiten und die Kofinanzierung besprechen."
    )
    page.get_by_label("Mögliche Termine").fill("dienstags und donnerstags vormittags")
    page.get_by_label("Telefon für Rückfragen").fill("0531 470-1234")
    page.get_by_role("button", name="Anfrage senden").click()
    expect(page).to_have_url(re.compile(f"{PORTAL}{project.reference}/$"))
    flash(page, "Ihre Anfrage ist bei der Geschäftsstelle eingegangen.")
    expect(page.locator("section[aria-labelledby=naechster-schritt]")).to_contain_text(
        f"Beratung angefragt am {german(timezone.localdate())}"
    )
    page.reload()  # axe on the page as the applicant finds it later, without the message
    looks_right(page)


def desk_lists(page: Any, *subjects: str) -> None:
    card = page.locator("section[aria-labelledby=desk-anfragen]")
    expect(card.locator("h3")).to_contain_text("Neue und überfällige Anfragen")
    for subject in subjects:
        expect(card.get_by_role("link", name=subject)).to_be_visible()


def text_edges(cell: Any) -> tuple[float, float]:
    """Where a cell's text starts and ends on the screen (its box is as wide as its column)."""
    edges = cell.evaluate(
        "cell => { const r = document.createRange(); r.selectNodeContents(cell); "
        "const box = r.getBoundingClientRect(); return [box.left, box.right]; }"
    )
    return float(edges[0]), float(edges[1])


def columns_line_up(table: Any) -> None:
    """Each heading of a table stands over its column: names start where their heading starts,
    counts (`.num`) end where theirs ends."""
    headings = table.locator("thead th")
    cells = table.locator("tbody tr").first.locator("th, td")
    expect(cells).to_have_count(headings.count())
    for index in range(headings.count()):
        heading, cell = headings.nth(index), cells.nth(index)
        side = 1 if "num" in (heading.get_attribute("class") or "").split() else 0
        assert abs(text_edges(heading)[side] - text_edges(cell)[side]) < 2, heading.inner_text()


def inbox_row(page: Any, subject: str) -> Any:
    return page.locator("table.inquiry-table tbody tr").filter(
        has=page.get_by_role("link", name=subject, exact=True)
    )


def answer(page: Any, text: str) -> None:
    """The reply form of an inquiry's page: by mail (the default), then waiting for the person."""
    card = page.locator("section[aria-labelledby=antworten]")
    card.get_by_label("Antwort", exact=True).fill(text)
    expect(card.get_by_label("E-Mail", exact=True)).to_be_checked()
    card.get_by_role("button", name="Senden").click()
    flash(page, "Die Antwort ist gesendet.")


def post_idea(page: Any, fields: dict[str, str], *, timeout: float = 5_000) -> int:
    """Through the pool's „Neue Idee einstellen“; returns the new idea's number."""
    page.goto(IDEAS)
    page.get_by_role("link", name="Neue Idee einstellen").click()
    expect(page.locator("h1")).to_have_text("Neue Idee einstellen")
    for label, value in fields.items():
        page.get_by_label(field_label(label)).fill(value)
    page.get_by_role("button", name="Idee einstellen").click()
    expect(page).to_have_url(re.compile(rf"{IDEAS}\d+/$"), timeout=timeout)
    expect(page.locator("h1")).to_have_text(fields["Titel"])
    flash(page, "Ihre Idee ist eingestellt.")
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


# --- The journey ---------------------------------------------------------------------------------


def test_the_office_as_the_alliances_hub(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    site: AllianceStructure,
    people: dict[str, User],
    welcome_center: Project,
    mailbox: imaplib.IMAP4,
    settings: Any,
) -> None:
    settings.BUENDNIS_INQUIRY_REPLY_TO = REPLY_TO
    settings.BUENDNIS_MAIL_DOMAIN = MAIL_DOMAIN
    office_address = site.alliance.office_email
    consultation_subject = f"Beratung: {welcome_center.title} ({welcome_center.reference})"

    # 1. A visitor writes; an applicant asks for a consultation. The office hears of both.
    visitor = new_page()
    visitor_writes(visitor)
    applicant = new_page()
    applicant_asks_for_consultation(applicant, welcome_center)
    to_office = [message.subject for message in sent_to(office_address)]
    assert any(CONTACT_SUBJECT in subject for subject in to_office), to_office
    assert any(welcome_center.reference in subject for subject in to_office), to_office

    # 2. The office's desk and inbox list both.
    office = new_page()
    log_in(office, "office", DESK)
    expect(office.locator("h1")).to_have_text("Schreibtisch")
    desk_lists(office, CONTACT_SUBJECT, consultation_subject)
    columns_line_up(office.locator("section[aria-labelledby=antwortzeiten] table"))
    looks_right(office, "hub-desk")
    office.locator("section[aria-labelledby=desk-anfragen]").get_by_role(
        "link", name="Zum Posteingang"
    ).click()
    expect(office.locator("h1")).to_have_text("Anfragen an die Geschäftsstelle")
    expect(inbox_row(office, CONTACT_SUBJECT)).to_contain_text("Kontaktformular")
    expect(inbox_row(office, CONTACT_SUBJECT)).to_contain_text(VISITOR[0])
    expect(inbox_row(office, consultation_subject)).to_contain_text("Beratungsanfrage")
    expect(inbox_row(office, consultation_subject)).to_contain_text("Stadt Braunschweig")
    looks_right(office, "hub-inbox")

    # The contact inquiry: the office takes it and answers by mail, after a look at the preview.
    office.get_by_role("link", name=CONTACT_SUBJECT, exact=True).click()
    expect(office.locator("h1")).to_have_text(CONTACT_SUBJECT)
    number = int(re.search(r"/anfragen/(\d+)/$", office.url).group(1))  # type: ignore[union-attr]
    expect(thread(office)).to_have_count(1)
    expect(thread(office).first).to_contain_text(CONTACT_MESSAGE)
    looks_right(office)
    work = office.locator("section[aria-labelledby=bearbeitung]")
    work.get_by_label("Zuständig").select_option(label="Maria Lindner")
    work.get_by_role("button", name="Änderungen speichern").click()
    flash(office, "Die Anfrage ist geändert.")

    token = f"[Anfrage #{number}]"
    reply_card = office.locator("section[aria-labelledby=antworten]")
    reply_card.get_by_label("Antwort", exact=True).fill(FIRST_ANSWER)
    reply_card.get_by_role("button", name="Vorschau").click()
    preview = office.locator(".inquiry-preview")
    expect(preview).to_contain_text(f"Re: {CONTACT_SUBJECT} {token}")
    expect(preview).to_contain_text(REPLY_TO)
    looks_right(office)
    answer(office, FIRST_ANSWER)
    expect(thread(office)).to_have_count(2)
    expect(thread(office).nth(1)).to_contain_text("Antwort von Maria Lindner (E-Mail)")
    expect(thread(office).nth(1)).to_contain_text("gesendet")
    expect(office.locator(".project-status .badge")).to_have_text("wartet auf Rückmeldung")

    [first_answer] = sent_to(VISITOR[1])
    assert first_answer.subject == f"Re: {CONTACT_SUBJECT} {token}"
    assert parseaddr(first_answer.to[0])[1] == VISITOR[1]
    assert first_answer.reply_to == [REPLY_TO]
    our_id = header(first_answer, "Message-ID")
    assert re.fullmatch(rf"<[^<>@\s]*anfrage-{number}[^<>@\s]*@{re.escape(MAIL_DOMAIN)}>", our_id)
    # The contact form's message had no Message-ID: the first answer starts the mail thread.
    assert header(first_answer, "In-Reply-To") == ""
    assert header(first_answer, "References") == ""

    # 3. The visitor answers from their mail program into the office's mailbox.
    reply = new_mail(
        From=f"{VISITOR[0]} <{VISITOR[1]}>",
        To=REPLY_TO,
        Subject=f"AW: {first_answer.subject}",
        Message_ID="<antwort-paula@mail.example.org>",
        In_Reply_To=our_id,
        References=our_id,
    )
    reply.set_content(VISITOR_ANSWER)
    append_mail(mailbox, reply)
    call_command("fetch_inquiry_mail", verbosity=1, stdout=(out := io.StringIO()))
    assert "1 Nachricht(en) gelesen, 1 an ihre Anfrage gehängt" in out.getvalue()
    # Maria has the inquiry: she hears of the answer.
    to_maria = [message.subject for message in sent_to(people["office"].email)]
    assert any(f"Antwort zur Anfrage #{number}" in subject for subject in to_maria), to_maria

    office.reload()
    expect(thread(office)).to_have_count(3)
    came = thread(office).nth(2)
    expect(came).to_contain_text(f"{VISITOR[0]} schrieb (E-Mail)")
    expect(came).to_contain_text(VISITOR[1])
    expect(came).to_contain_text(VISITOR_ANSWER)
    expect(office.locator(".project-status .badge")).to_have_text("in Bearbeitung")
    looks_right(office, "hub-inquiry-thread")

    # The office's second answer continues the visitor's mail thread.
    answer(office, "Ja, auch für Betriebe mit weniger als zehn Beschäftigten.")
    second_answer = sent_to(VISITOR[1])[-1]
    assert second_answer.subject == f"Re: {CONTACT_SUBJECT} {token}"
    assert header(second_answer, "In-Reply-To") == "<antwort-paula@mail.example.org>"
    assert header(second_answer, "References").split() == [
        our_id,
        "<antwort-paula@mail.example.org>",
    ]
    assert header(second_answer, "Message-ID") not in {our_id, ""}
    expect(thread(office)).to_have_count(4)

    # 4. Two partners post overlapping ideas in different words, beside a third one. Jonas, the
    # first, follows new ideas in the pool (from the pool's list) and hears of the second.
    member = new_page()
    log_in(member, "jonas", IDEAS)
    expect(member.locator("h1")).to_have_text("Ideenpool")
    follow_button(member, "Abonnieren", "Neue Ideen im Pool").click()
    flash(member, "Abonniert: Neue Ideen im Ideenpool")
    expect(follow_button(member, "Abbestellen", "Neue Ideen im Pool")).to_be_visible()
    member.reload()
    looks_right(member)
    first_idea = post_idea(member, FIRST_IDEA, timeout=FIRST_ENCODING_MS)
    looks_right(member)
    post_idea(member, THIRD_IDEA)
    expect(unread(member)).to_have_count(0)  # nobody is told of their own idea

    advisory = new_page()
    log_in(advisory, "anke", IDEAS)
    second_idea = post_idea(advisory, SECOND_IDEA)
    similar = advisory.locator("section[aria-labelledby=aehnlich] li.similar-item")
    best = similar.first
    expect(best.locator(".similar-title .badge")).to_have_text("Idee")
    expect(best.locator(".similar-title a")).to_have_text(FIRST_IDEA["Titel"])
    expect(best.locator(".similar-title a")).to_have_attribute("href", f"{IDEAS}{first_idea}/")
    reasons = best.locator(".similar-reasons li")
    expect(
        reasons.filter(has_text=re.compile("^(Gleiche Zielgruppe|Gemeinsame Begriffe): "))
    ).not_to_have_count(0)
    expect(reasons.filter(has_text="Gleiche Zielgruppe").locator("mark").first).to_have_text(
        "Langzeitarbeitslose"
    )
    # The debt counselling shares the word, not the aim: it ranks below.
    titles = similar.locator(".similar-title a").all_inner_texts()
    assert titles.index(FIRST_IDEA["Titel"]) < titles.index(THIRD_IDEA["Titel"]), titles
    advisory.reload()
    looks_right(advisory, "hub-idea-similar")

    member.reload()
    expect(unread(member)).to_have_text("1 ungelesen")
    member.locator(".notifications-link").click()
    expect(member.locator("h1")).to_have_text("Benachrichtigungen")
    told = member.locator(".notification-list .notification-unread")
    expect(told).to_have_count(1)
    expect(told).to_contain_text(f"Neue Idee im Ideenpool: {SECOND_IDEA['Titel']}")
    expect(told).to_contain_text(SECOND_IDEA["Zielgruppe"])
    looks_right(member, "hub-notification-idea")
    # The centre has the alliance's frame: its menu leads back to the pool as well.
    expect(member.locator(".alliance-nav").get_by_role("link", name="Ideenpool")).to_have_attribute(
        "href", IDEAS
    )
    told.get_by_role("link").click()
    expect(member).to_have_url(re.compile(f"{IDEAS}{second_idea}/$"))
    expect(unread(member)).to_have_count(0)

    # 5. The office finds the overlap on its desk, merges and turns the idea into a project.
    office.goto(DESK)
    overlaps = office.locator("section[aria-labelledby=desk-ideen]")
    hint = overlaps.locator("li").filter(has_text=SECOND_IDEA["Titel"])
    expect(hint).to_contain_text(f"ähnlich: {FIRST_IDEA['Titel']}")
    looks_right(office)
    hint.get_by_role("link", name=SECOND_IDEA["Titel"]).click()
    expect(office).to_have_url(re.compile(f"{IDEAS}{second_idea}/$"))
    looks_right(office)

    merge = office.locator("section[aria-labelledby=merge-titel]")
    merge.get_by_label(FIRST_IDEA["Titel"], exact=True).check()
    merge.get_by_label("Neuer Titel (optional)").fill(MERGED_TITLE)
    merge.get_by_role("button", name="Zusammenführen").click()
    flash(office, "Die Ideen sind zusammengeführt.")
    expect(office.locator("h1")).to_have_text(MERGED_TITLE)
    expect(office.locator("section[aria-labelledby=beschreibung]")).to_contain_text(
        "Jonas Jobcenter"  # the first idea's author is a co-author now
    )
    expect(
        office.locator("section[aria-labelledby=beschreibung]").get_by_role(
            "link", name=FIRST_IDEA["Titel"]
        )
    ).to_be_visible()
    office.reload()
    looks_right(office)

    to_project = office.locator("section[aria-labelledby=projekt-titel]")
    expect(to_project.get_by_label("Förderphase")).to_have_value(str(site.phase.pk))
    to_project.get_by_label("Projektträger").select_option(label="Jobcenter Braunschweig")
    to_project.get_by_role("button", name="Vorhaben anlegen").click()
    expect(office).to_have_url(re.compile(rf"{BOARD}SON-\d{{4}}-\d{{3}}/$"))
    reference = office.url.rstrip("/").rsplit("/", 1)[-1]
    flash(office, f"Aus der Idee ist das Vorhaben {reference} geworden.")
    expect(office.locator("h1")).to_contain_text(MERGED_TITLE)
    expect(office.locator(".project-status .badge")).to_have_text("Idee")
    office.reload()
    looks_right(office)

    office.locator(".internal-nav").get_by_role("link", name="Anfragen").click()
    expect(office.locator("h1")).to_have_text("Anfragen an die Geschäftsstelle")
    new_request = inbox_row(office, f"Beratung: {MERGED_TITLE} ({reference})")
    expect(new_request).to_contain_text("Beratungsanfrage")
    expect(new_request).to_contain_text("Jobcenter Braunschweig")
    looks_right(office)

    # The merged idea points to the one it lives on in, which points to the project.
    member.goto(f"{IDEAS}{first_idea}/")
    merged_into = member.locator(".notice").filter(has_text="zusammengeführt in")
    expect(merged_into).to_contain_text(MERGED_TITLE)
    looks_right(member)
    merged_into.get_by_role("link", name=MERGED_TITLE).click()
    expect(member).to_have_url(re.compile(f"{IDEAS}{second_idea}/$"))
    became = member.locator(".notice").filter(has_text="Vorhaben geworden")
    expect(became).to_contain_text(reference)
    looks_right(member)

    # 6. Jonas follows the project his idea became; the office records the consultation that
    # waits in the inbox; Jonas is told in his notification centre.
    became.get_by_role("link").click()
    expect(member).to_have_url(re.compile(f"{BOARD}{reference}/$"))
    looks_right(member)
    follow_button(member, "Abonnieren", f"Vorhaben {reference}").click()
    flash(member, f"Abonniert: Vorhaben {reference}")
    expect(member).to_have_url(re.compile(f"{BOARD}{reference}/$"))
    expect(follow_button(member, "Abbestellen", f"Vorhaben {reference}")).to_be_visible()
    expect(unread(member)).to_have_count(0)
    member.reload()
    looks_right(member)

    office.goto(f"{BOARD}{reference}/")
    card = office.locator(".action-card", has_text="Beratung erfassen")
    card.get_by_label("Teilnehmende").fill(
        "Geschäftsstelle (M. Lindner), Jobcenter (J. Jobcenter), ArL (A. Amt)"
    )
    card.get_by_label("Notizen").fill(
        "Zielgruppe und Kofinanzierung durch das Jobcenter besprochen."
    )
    card.get_by_role("button", name="Beratung erfassen").click()
    flash(office, "ist erfasst. Stand: Beratung")
    expect(unread(office)).to_have_count(0)  # the actor is never told of their own step

    member.reload()
    expect(unread(member)).to_have_text("1 ungelesen")
    member.locator(".notifications-link").click()
    expect(member.locator("h1")).to_have_text("Benachrichtigungen")
    expect(member.locator("main .lead")).to_have_text("1 ungelesene Benachrichtigung.")
    told = member.locator(".notification-list .notification-unread")
    expect(told).to_have_count(1)
    expect(told).to_contain_text(f"Vorhaben {reference} „{MERGED_TITLE}“: neuer Stand „Beratung“")
    expect(told).to_contain_text("Idee → Beratung")
    expect(member.locator(".notification-list .notification")).to_have_count(2)
    looks_right(member, "hub-notification-project")
    told.get_by_role("link").click()
    expect(member).to_have_url(re.compile(f"{BOARD}{reference}/$"))
    expect(member.locator(".project-status .badge")).to_have_text("Beratung")
    expect(unread(member)).to_have_count(0)

    page_problems.check()
