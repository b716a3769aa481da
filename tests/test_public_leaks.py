"""The no-leak proof: nothing that is not public ever reaches an anonymous visitor.

Two alliances are built with data in every state: projects in each state of the procedure,
meetings with public and non-public items, decisions, approved and draft minutes, a cancelled
meeting, circulations public and not, people who did not agree to be named, contact data,
consultation notes, the bodies' reasons, documents, contact messages. A unique marker
(`ZZLEAK<n>`) is planted in every field that is not public. Then an anonymous client walks
everything the public can reach — every page linked from `/` and `/<slug>/` (with the CSV, XLSX
and calendar downloads), the REST API from `/api/v1/alliances/` and the schema's list paths, and
the OParl API from `/oparl/v1/system` — and no marker may appear in any answer, header included.
The walk must reach a minimum of addresses of each kind, so the proof cannot pass by finding
nothing.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import zipfile
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance, RecognitionStatus
from buendnis.budget import services as budget
from buendnis.demo.clock import as_of
from buendnis.funding.models import (
    BodyOutcome,
    Consultation,
    Project,
    ProjectDocument,
    Transition,
)
from buendnis.funding.states import PUBLIC_STATES, Status
from buendnis.meetings.models import Circulation, Minutes
from buendnis.meetings.services import agenda, circulations, decisions, invitations, planning
from buendnis.meetings.services import minutes as minutes_services
from buendnis.office import services as office_services
from tests.factories import (
    ActionFieldFactory,
    AllianceStructure,
    PersonFactory,
    PhaseFactory,
    SignatureRequestFactory,
    StrategyVersionFactory,
    TopicFactory,
    build_alliance_structure,
    meeting_in_session,
    project_in_state,
)

pytestmark = pytest.mark.django_db

MARKER = re.compile(r"zzleak\d{3}", re.IGNORECASE)
HOST = "testserver"

# The least the walk must reach of each kind of address; a walk that finds less proves nothing.
MINIMUM = {
    "html": 40,
    "csv": 2,
    "xlsx": 2,
    "ics": 4,
    "api": 30,
    "oparl": 30,
}
# Far more than the data here needs; keeps a link loop from running away.
MAX_URLS = 3000
MAX_QUERY_VARIANTS = 12  # per path: filter links of a list page


@dataclass
class Markers:
    """Unique strings and where each was planted."""

    planted: dict[str, str] = field(default_factory=dict)

    def __call__(self, where: str, text: str = "") -> str:
        marker = f"ZZLEAK{len(self.planted):03d}"
        self.planted[marker] = where
        return f"{marker} {text}".strip()

    def email(self, where: str) -> str:
        return f"{self(where).split()[0].lower()}@example.org"

    def file(self, where: str) -> str:
        return f"{self(where).split()[0].lower()}-entwurf.pdf"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")


def _project_secrets(project: Project, mark: Markers, where: str) -> None:
    """Contact data, consultation notes, the bodies' reasons, the timeline's comments and the
    documents' file names: none of it is public, whatever the project's state."""
    Project.objects.filter(pk=project.pk).update(
        contact_name=mark(f"{where}: contact_name"),
        contact_email=mark.email(f"{where}: contact_email"),
        contact_phone=mark(f"{where}: contact_phone"),
    )
    for consultation in Consultation.objects.filter(project=project):
        consultation.notes = mark(f"{where}: consultation notes")
        consultation.participants = mark(f"{where}: consultation participants")
        consultation.save(update_fields=["notes", "participants"])
    for outcome in BodyOutcome.objects.filter(project=project):
        BodyOutcome.objects.filter(pk=outcome.pk).update(reasons=mark(f"{where}: outcome reasons"))
    for transition in Transition.objects.filter(project=project):
        Transition.objects.filter(pk=transition.pk).update(
            comment=mark(f"{where}: transition comment")
        )
    for document in ProjectDocument.objects.filter(project=project):
        document.file.name = (
            f"projects/{project.pk}/{document.kind}/v{document.version}-"
            f"{mark.file(f'{where}: document file name')}"
        )
        ProjectDocument.objects.filter(pk=document.pk).update(file=document.file.name)


def build(alliance: Alliance, place: str, mark: Markers) -> AllianceStructure:
    structure = build_alliance_structure(alliance, place=place)
    orgs = structure.organisations
    steering, speakers = structure.bodies["steering"], structure.bodies["speakers"]
    now = timezone.now()

    # People: names only with consent, contact data never.
    for key, person in structure.people.items():
        person.email = mark.email(f"{place} person {key}: email")
        person.phone = mark(f"{place} person {key}: phone")
        if not person.show_name_publicly:
            person.first_name = mark(f"{place} unnamed person {key}: first_name")
            person.last_name = mark(f"{place} unnamed person {key}: last_name")
        person.save()
    PersonFactory(
        organisation=orgs["union"],
        first_name=mark(f"{place} person without consent: first_name"),
        last_name=mark(f"{place} person without consent: last_name"),
        email=mark.email(f"{place} person without consent: email"),
        show_name_publicly=False,
    )

    # A project in every state; the titles of the non-public ones are secret too.
    # Walked a month ago: the Steuerkreis below decides on one of them 20 days ago (no body
    # decides on a project before it exists).
    projects: dict[str, Project] = {}
    with as_of(now - timedelta(days=30)):
        for status in Status:
            public = status in PUBLIC_STATES
            where = f"{place} project {status}"
            title = f"Vorhaben {place} {status.label}" if public else mark(f"{where}: title")
            fields: dict[str, Any] = {"title": title}
            if not public:
                fields["summary"] = mark(f"{where}: summary")
            project = project_in_state(structure, status, **fields)
            _project_secrets(project, mark, where)
            projects[status] = project
    # A second document version of a public project (the office's draft).
    granted = projects[Status.GRANTED]
    ProjectDocument.objects.create(
        project=granted,
        kind="other",
        version=99,
        file=_pdf(mark.file(f"{place} granted project: draft document")),
    )

    # The Steuerkreis meets, with public and non-public items.
    held = meeting_in_session(
        steering, starts_at=now - timedelta(days=20), location=f"Rathaus {place}"
    )
    public_item = agenda.agenda_item_create(
        actor=None,
        meeting=held,
        title=f"Bericht der Geschäftsstelle {place}",
        is_public=True,
        proposed_decision="Der Steuerkreis nimmt den Bericht zur Kenntnis.",
        notes=mark(f"{place} public agenda item: notes"),
    )
    agenda.recusal_declare(
        actor=None,
        item=public_item,
        organisation=orgs["hwk"],
        reason=mark(f"{place} public agenda item: recusal reason"),
    )
    decisions.decision_record(
        actor=None,
        item=public_item,
        proposal="decide",
        objections={orgs["ihk"].pk: mark(f"{place} public decision: objection reason")},
        abstentions=[orgs["union"].pk],
    )
    secret_item = agenda.agenda_item_create(
        actor=None,
        meeting=held,
        title=mark(f"{place} non-public agenda item: title"),
        is_public=False,
        proposed_decision=mark(f"{place} non-public agenda item: proposed_decision"),
        recommendation=mark(f"{place} non-public agenda item: recommendation"),
        notes=mark(f"{place} non-public agenda item: notes"),
    )
    agenda.agenda_document_add(
        actor=None,
        item=public_item,
        title=mark(f"{place} agenda paper: title"),
        upload=_pdf(mark.file(f"{place} agenda paper: file name")),
    )
    decisions.decision_record(
        actor=None,
        item=secret_item,
        proposal="decide",
        text=mark(f"{place} non-public decision: text"),
    )
    # Non-public, the project item: its decision drives the procedure (the project stays
    # non-public until the Votum).
    project_item = agenda.agenda_item_create(
        actor=None, meeting=held, project=projects[Status.SKETCH_STEERING], is_public=False
    )
    decisions.decision_record(
        actor=None,
        item=project_item,
        proposal="revision",
        reasons=mark(f"{place} non-public project decision: reasons"),
    )
    minutes_services.meeting_close(actor=None, meeting=held)

    # The next meeting approves the minutes: the public part is published, the other is not.
    approving = meeting_in_session(steering, starts_at=now - timedelta(days=5))
    minutes = Minutes.objects.get(meeting=held)
    minutes_services.minutes_update(
        actor=None,
        minutes=minutes,
        public_text=f"Öffentlicher Teil des Protokolls, {place}.",
        nonpublic_text=mark(f"{place} approved minutes: nonpublic_text"),
    )
    minutes_services.minutes_approve(
        actor=None, minutes=Minutes.objects.get(pk=minutes.pk), approved_in=approving
    )
    minutes_services.meeting_close(actor=None, meeting=approving)
    draft = Minutes.objects.get(meeting=approving)
    minutes_services.minutes_update(
        actor=None,
        minutes=draft,
        public_text=mark(f"{place} draft minutes: public_text"),
        nonpublic_text=mark(f"{place} draft minutes: nonpublic_text"),
    )

    # A Sprecherkreis meeting without a public part: not even its title is public.
    closed = meeting_in_session(
        speakers,
        starts_at=now - timedelta(days=25),
        has_public_part=False,
        title=mark(f"{place} closed meeting: title"),
        location=mark(f"{place} closed meeting: location"),
    )
    agenda.agenda_item_create(
        actor=None, meeting=closed, title=mark(f"{place} closed meeting item: title")
    )
    # A planned meeting: its agenda is a draft until the invitation.
    planned = planning.meeting_create(actor=None, body=steering, starts_at=now + timedelta(days=40))
    agenda.agenda_item_create(
        actor=None,
        meeting=planned,
        title=mark(f"{place} draft agenda item: title"),
        proposed_decision=mark(f"{place} draft agenda item: proposed_decision"),
    )
    # An invited meeting ahead with a public and a non-public item.
    invited = planning.meeting_create(actor=None, body=speakers, starts_at=now + timedelta(days=10))
    agenda.agenda_item_create(actor=None, meeting=invited, title=f"Öffentlicher Punkt {place}")
    agenda.agenda_item_create(
        actor=None,
        meeting=invited,
        title=mark(f"{place} invited non-public item: title"),
        is_public=False,
    )
    invitations.meeting_invite(actor=None, meeting=invited)
    cancelled = planning.meeting_create(
        actor=None, body=steering, starts_at=now + timedelta(days=60)
    )
    planning.meeting_cancel(
        actor=None, meeting=cancelled, reason=mark(f"{place} cancelled meeting: reason")
    )

    # Circulations: the result of a public one is public, nothing of the others.
    def circulation(title: str, text: str, *, is_public: bool) -> Circulation:
        return circulations.circulation_open(
            actor=None,
            alliance=alliance,
            title=title,
            text=text,
            deadline=now + timedelta(days=3),
            is_public=is_public,
        )

    voters = [
        organisation
        for key, organisation in orgs.items()
        if key not in {"host", "arl"}  # no seat, or advisory
    ]
    passed = circulation(f"Öffentlicher Umlauf {place}", "Beschlossen wird.", is_public=True)
    for organisation in voters:
        circulations.circulation_answer(
            actor=None,
            circulation=passed,
            organisation=organisation,
            answer="agree",
            comment=mark(f"{place} public circulation: answer comment"),
        )
    circulations.circulation_close(actor=None, circulation=passed)
    failed = circulation(f"Strittiger Umlauf {place}", "Strittig.", is_public=True)
    circulations.circulation_answer(
        actor=None,
        circulation=failed,
        organisation=orgs["ihk"],
        answer="object",
        comment=mark(f"{place} public circulation: objection"),
    )
    for organisation in voters[1:]:
        if organisation != orgs["ihk"]:
            circulations.circulation_answer(
                actor=None, circulation=failed, organisation=organisation, answer="agree"
            )
    Circulation.objects.filter(pk=failed.pk).update(deadline=now - timedelta(minutes=1))
    circulations.circulation_close(actor=None, circulation=Circulation.objects.get(pk=failed.pk))
    internal = circulation(
        mark(f"{place} internal circulation: title"),
        mark(f"{place} internal circulation: text"),
        is_public=False,
    )
    for organisation in voters:
        circulations.circulation_answer(
            actor=None, circulation=internal, organisation=organisation, answer="agree"
        )
    circulations.circulation_close(actor=None, circulation=internal)
    circulation(
        mark(f"{place} open circulation: title"),
        mark(f"{place} open circulation: text"),
        is_public=False,
    )
    withdrawn = circulation(
        mark(f"{place} withdrawn circulation: title"),
        mark(f"{place} withdrawn circulation: text"),
        is_public=False,
    )
    circulations.circulation_cancel(
        actor=None, circulation=withdrawn, reason=mark(f"{place} withdrawn circulation: reason")
    )

    # The office's inbox: a message through the contact form.
    office_services.inquiry_submit_contact(
        alliance=alliance,
        name=mark(f"{place} contact message: name"),
        email=mark.email(f"{place} contact message: email"),
        subject=mark(f"{place} contact message: subject"),
        message=mark(f"{place} contact message: message"),
    )
    # The budget: an adjustment's note is the office's.
    budget.budget_adjust(
        actor=None,
        phase=structure.phase,
        amount=Decimal("1000.00"),
        note=mark(f"{place} budget adjustment: note"),
    )

    # The alliance's cycle: phases the ministry has not (yet) recognised, with their fields,
    # strategy and the partners' signatures, are internal; so is where each partner stands with
    # the agreement of the running phase. The running phase's strategy is public.
    for offset, status in enumerate(
        [s for s in RecognitionStatus.values if s != RecognitionStatus.RECOGNISED]
    ):
        where = f"{place} {status} phase"
        phase = PhaseFactory(
            alliance=alliance,
            name=mark(f"{where}: name"),
            starts_on=structure.phase.ends_on + timedelta(days=1 + 10 * offset),
            ends_on=structure.phase.ends_on + timedelta(days=1000 + 10 * offset),
            recognition_status=status,
            recognition_reference=mark(f"{where}: reference"),
        )
        action_field = ActionFieldFactory(phase=phase, title=mark(f"{where}: field of action"))
        TopicFactory(action_field=action_field, title=mark(f"{where}: topic"))
        StrategyVersionFactory(
            strategy__phase=phase,
            analysis=mark(f"{where}: strategy analysis"),
            working_methods=mark(f"{where}: strategy working methods"),
        )
        SignatureRequestFactory(
            phase=phase,
            organisation=orgs["city"],
            reference=mark(f"{where}: signature reference"),
            decision_body=mark(f"{where}: signature decision body"),
        )
    SignatureRequestFactory(
        phase=structure.phase,
        organisation=orgs["arl"],
        reference=mark(f"{place} signature request: reference"),
        note=mark(f"{place} signature request: note"),
    )
    StrategyVersionFactory(strategy__phase=structure.phase, analysis=f"Strategie {place}")
    return structure


# --- The walk --------------------------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src", "action") and (tag != "form" or name == "action"):
                self.found.append(value)


def _same_site(base: str, link: str) -> str | None:
    link = link.strip()
    if not link or link.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    absolute = urljoin(base, link)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc not in (HOST, ""):
        return None
    if parts.path.startswith(("/static/", "/admin/", "/i18n/", "/sprache/")):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _kind(path: str, response: HttpResponse) -> str:
    content_type = response.get("Content-Type", "")
    if path.startswith("/oparl/"):
        return "oparl"
    if path.startswith("/api/"):
        return "api"
    if "spreadsheetml" in content_type or path.endswith(".xlsx"):
        return "xlsx"
    if "text/csv" in content_type or path.endswith(".csv"):
        return "csv"
    if "text/calendar" in content_type or path.endswith(".ics"):
        return "ics"
    if "application/pdf" in content_type:
        return "pdf"
    if "html" in content_type:
        return "html"
    return "other"


def _texts(kind: str, content: bytes) -> Iterator[str]:
    """Everything a response says, in searchable form."""
    if kind == "xlsx":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                yield archive.read(name).decode("utf-8", "replace")
        return
    if kind == "pdf":
        yield content.decode("latin-1")
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL):
            try:
                yield zlib.decompress(stream).decode("latin-1")
            except zlib.error:
                continue
        return
    text = content.decode("utf-8", "replace")
    if kind == "ics":
        text = re.sub(r"\r?\n[ \t]", "", text)  # unfold lines (RFC 5545 3.1)
    yield text
    if kind in ("api", "oparl"):
        # JSON may escape characters (`\u005a`); search the decoded values too.
        with contextlib.suppress(ValueError):
            yield json.dumps(json.loads(text), ensure_ascii=False)


def _json_links(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _json_links(value)
    elif isinstance(data, list):
        for value in data:
            yield from _json_links(value)
    elif isinstance(data, str) and data.startswith(f"http://{HOST}/"):
        yield data


@dataclass
class Walk:
    client: Client
    markers: Markers
    seen: set[str] = field(default_factory=set)
    kinds: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    leaks: list[str] = field(default_factory=list)
    variants: Counter[str] = field(default_factory=Counter)

    def run(self, *start: str) -> None:
        queue = deque(start)
        while queue:
            url = queue.popleft()
            if url in self.seen:
                continue
            path, _, query = url.partition("?")
            if query:
                self.variants[path] += 1
                if self.variants[path] > MAX_QUERY_VARIANTS:
                    continue
            self.seen.add(url)
            assert len(self.seen) < MAX_URLS, "Der Rundgang läuft aus dem Ruder."
            queue.extend(self.visit(url))

    def visit(self, url: str) -> list[str]:
        response = self.client.get(url)
        self.statuses[response.status_code] += 1
        path = urlsplit(url).path
        kind = _kind(path, response)
        content = b"" if response.streaming else response.content
        if response.streaming:
            content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        found = [
            f"{url} header {name}: {value}"
            for name, value in response.items()
            if MARKER.search(value)
        ]
        for text in _texts(kind, content):
            for match in set(MARKER.findall(text)):
                marker = match.upper()
                found.append(f"{url}: {marker} ({self.markers.planted.get(marker, '?')})")
        self.leaks.extend(found)
        if response.status_code in (301, 302, 303, 307, 308):
            target = _same_site(f"http://{HOST}{url}", response["Location"])
            return [target] if target else []
        if response.status_code != 200:
            return []
        self.kinds[kind] += 1
        base = f"http://{HOST}{url}"
        if kind == "html":
            parser = Links()
            parser.feed(content.decode("utf-8", "replace"))
            return [link for link in (_same_site(base, href) for href in parser.found) if link]
        if kind in ("api", "oparl"):
            try:
                data = json.loads(content)
            except ValueError:
                return []
            return [link for link in (_same_site(base, href) for href in _json_links(data)) if link]
        return []


def test_nothing_that_is_not_public_reaches_an_anonymous_visitor(
    alliance: Alliance, other_alliance: Alliance, make_persona: Callable[[str], User | None]
) -> None:
    mark = Markers()
    build(alliance, "Braunschweig", mark)
    build(other_alliance, "Hameln", mark)
    assert len(mark.planted) > 150

    # The control: the office sees the non-public data, and the walk's eyes find the markers in
    # it. Without this, a broken search would prove nothing.
    office = Client()
    office.force_login(make_persona("office"))
    control = Walk(client=office, markers=mark)
    for url in (
        f"/api/v1/alliances/{alliance.slug}/projects/",
        f"/api/v1/alliances/{alliance.slug}/decisions/",
        f"/api/v1/alliances/{alliance.slug}/meetings/",
    ):
        control.visit(url)
    found = {leak.split(": ", 1)[1].split()[0] for leak in control.leaks}
    assert len(found) > 50, control.leaks

    walk = Walk(client=Client(), markers=mark)
    slugs = [alliance.slug, other_alliance.slug]
    # The public site, from the platform's home and each alliance's.
    walk.run("/", *(f"/{slug}/" for slug in slugs))
    # The REST API: from the list of alliances, and every list path of the schema per alliance.
    schema = walk.client.get("/api/v1/schema/", {"format": "json"}).json()
    api_lists = [
        path.replace("{slug}", slug)
        for path in schema["paths"]
        if "get" in schema["paths"][path]
        and re.fullmatch(r"/api/v1/alliances/(\{slug\}/[a-z]+/)?", path)
        for slug in slugs
    ]
    walk.run("/api/v1/alliances/", *api_lists)
    # OParl, from the system object.
    assert walk.client.get("/oparl/v1/system").status_code == 200, "/oparl/v1/system fehlt"
    walk.run("/oparl/v1/system")

    summary = ", ".join(f"{kind}: {count}" for kind, count in sorted(walk.kinds.items()))
    # Shown with `pytest -s`: how far the walk got.
    print(f"Rundgang: {len(walk.seen)} Adressen ({summary}); {len(mark.planted)} Marker")
    assert not walk.leaks, (
        f"Nicht Öffentliches ist öffentlich ({len(walk.leaks)} Funde; {summary}):\n"
        + "\n".join(sorted(set(walk.leaks))[:80])
    )
    short = {kind: walk.kinds[kind] for kind, least in MINIMUM.items() if walk.kinds[kind] < least}
    assert not short, f"Der Rundgang erreichte zu wenig: {short} (gesamt: {summary})"
    # Every list of the API was among them, for both alliances.
    assert {url for url in api_lists} <= walk.seen
    # Nothing answered with a server error on the way.
    assert 500 not in walk.statuses, walk.statuses
