"""Finding an alliance's meetings, decisions and meeting papers (the alliance's search; the two
ways of asking, full text on PostgreSQL and substrings elsewhere, are `core.search`'s).

`internal` is `permissions.can_view_meetings(user, alliance)`: the internal circle finds every
meeting with all its items and both parts of the minutes, drafts included, and every decision
and circulation. Everyone else finds what the public pages show: meetings with a public part,
their public items once the agenda is published, the public part of approved minutes, the
published decisions and the public results of decided circulations. Meeting papers are the
internal circle's (`can_view_meeting_document`); the caller asks before it searches them.

Each search costs one query (decisions two: meetings' and circulations'), whatever the data.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.db.models import Case, F, OuterRef, Subquery, TextField, Value, When
from django.db.models.functions import Concat

from buendnis.alliances.models import Alliance
from buendnis.core.search import (
    SEPARATOR,
    Found,
    Hit,
    Joined,
    Terms,
    excerpt_of,
    file_words,
    first,
    full_text,
    highlight,
    matching,
    merged,
    ordered,
    score_of,
    text_of,
)

from . import permissions
from .decision_selectors import DECIDED_CIRCULATIONS
from .models import AgendaDocument, AgendaItem, Circulation, Decision, Meeting, MinutesStatus

# --- Meetings ---------------------------------------------------------------------------------


def _item_titles(*, internal: bool) -> Subquery:
    """The titles of a meeting's agenda items as one text; for the public only the public items
    of a published agenda (`permissions.is_agenda_published`)."""
    items = AgendaItem.objects.filter(meeting=OuterRef("pk"))
    if not internal:
        items = items.filter(is_public=True, meeting__invited_at__isnull=False)
    titles = (
        items.order_by()
        .values("meeting_id")
        .annotate(text=Joined("title", Value(SEPARATOR)))
        .values("text")
    )
    return Subquery(titles, output_field=TextField())


def _minutes_text(*, internal: bool) -> Concat | Case:
    """Both parts of the minutes for the internal circle (drafts too); for the public only the
    public part, once approved."""
    if internal:
        return text_of("minutes__public_text", "minutes__nonpublic_text")
    return Case(
        When(minutes__status=MinutesStatus.APPROVED, then=F("minutes__public_text")),
        default=Value(""),
        output_field=TextField(),
    )


def search_meetings(
    alliance: Alliance, terms: Terms, *, internal: bool, limit: int
) -> Found[Meeting]:
    """The alliance's meetings (of any body) that `terms` match by title, place, body, their
    agenda items' titles or their minutes, as far as `internal` lets the caller read them; best
    or newest first, with their body: at most `limit` and the count of all, in one query."""
    meetings = Meeting.objects.filter(alliance=alliance).select_related("body")
    if not internal:
        meetings = meetings.filter(has_public_part=True)
    texts = text_of(_item_titles(internal=internal), _minutes_text(internal=internal))
    document = text_of("title", "location", "body__name", texts)
    found = matching(meetings, terms, document=document, excerpt=texts)
    rows, total = first(ordered(found, "starts_at"), limit)
    hits = [
        Hit(
            row=meeting,
            title=highlight(meeting.display_title, terms.words, whole=True),
            excerpt=excerpt_of(meeting, terms),
            when=meeting.starts_at,
            score=score_of(meeting),
        )
        for meeting in rows
    ]
    return Found(hits, total)


# --- Decisions --------------------------------------------------------------------------------


def search_decisions(
    alliance: Alliance, terms: Terms, *, internal: bool, limit: int
) -> Found[Decision | Circulation]:
    """The bodies' decisions that `terms` match: decisions on agenda items (by the item's title
    and the decision's text; with item, meeting and body) and circulations (by subject and
    proposal; with body), best or newest first, at most `limit` of both and the count of all.
    The internal circle finds every circulation, running ones too. Two queries."""
    decisions = Decision.objects.filter(alliance=alliance).select_related("item__meeting__body")
    circulations = Circulation.objects.filter(alliance=alliance).select_related("body")
    if not internal:
        decisions = decisions.filter(permissions.published_decisions_q())
        circulations = circulations.filter(
            permissions.published_circulations_q(),
            status__in=DECIDED_CIRCULATIONS,
            closed_at__isnull=False,
        )
    found_decisions = matching(
        decisions, terms, document=text_of("item__title", "text"), excerpt="text"
    )
    found_circulations = matching(
        circulations, terms, document=text_of("title", "text"), excerpt="text"
    )
    rows, total = first(ordered(found_decisions, "decided_at"), limit)
    from_meetings: Found[Decision | Circulation] = Found(
        [
            Hit(
                row=decision,
                title=highlight(decision.item.title, terms.words, whole=True),
                excerpt=excerpt_of(decision, terms),
                when=decision.decided_at,
                score=score_of(decision),
            )
            for decision in rows
        ],
        total,
    )
    written, written_total = first(ordered(found_circulations, "opened_at"), limit)
    from_circulations: Found[Decision | Circulation] = Found(
        [
            Hit(
                row=circulation,
                title=highlight(circulation.title, terms.words, whole=True),
                excerpt=excerpt_of(circulation, terms),
                when=circulation.closed_at or circulation.opened_at,
                score=score_of(circulation),
            )
            for circulation in written
        ],
        written_total,
    )
    return merged(from_meetings, from_circulations, limit=limit)


# --- Meeting papers ---------------------------------------------------------------------------


def paper_label(document: AgendaDocument) -> str:
    """The name the file was uploaded with."""
    return PurePosixPath(document.file.name or "").name


def search_agenda_documents(
    alliance: Alliance, terms: Terms, *, limit: int
) -> Found[AgendaDocument]:
    """The papers of the alliance's agenda items that `terms` match by title or file name,
    best or newest first, with item, meeting and body: at most `limit` and the count of all, in
    one query. For the internal circle only (`permissions.can_view_meeting_document`)."""
    documents = AgendaDocument.objects.filter(alliance=alliance).select_related(
        "item__meeting__body"
    )
    name = file_words("file") if full_text() else "file"
    found = matching(documents, terms, document=text_of("title", name), excerpt=None)
    rows, total = first(ordered(found, "created_at"), limit)
    hits = [
        Hit(
            row=paper,
            title=highlight(paper.title, terms.words, whole=True),
            excerpt=highlight(
                f"{paper_label(paper)} · {paper.item.meeting.display_title}: {paper.item}",
                terms.words,
                whole=True,
            ),
            when=paper.created_at,
            score=score_of(paper),
        )
        for paper in rows
    ]
    return Found(hits, total)
