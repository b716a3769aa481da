"""Reads of the office's inbox: the list with its filters, one inquiry with its thread, the desk's
figures, a person's inquiries, and what the mailbox import needs to find a thread.

Every list is bounded (a page, a limit or a time window); the query count of each function is
fixed, whatever the number of inquiries, and named in its docstring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Prefetch, Q, QuerySet
from django.utils import timezone

from buendnis.accounts.models import Role, User
from buendnis.alliances.models import Alliance
from buendnis.core.paging import page_of
from buendnis.funding.models import Project

from . import rules
from .models import (
    Inquiry,
    InquiryCategory,
    InquiryMessage,
    InquiryNote,
    OfficeSettings,
    ReplyTemplate,
    Source,
    Status,
)

# --- Settings, categories, templates, the office's people -----------------------------------------


def office_settings(alliance: Alliance) -> OfficeSettings:
    """The alliance's settings, or the defaults (unsaved) where the office kept them (one query)."""
    found = OfficeSettings.objects.filter(alliance=alliance).first()
    return found if found is not None else OfficeSettings(alliance=alliance)


def categories(alliance: Alliance, *, active_only: bool = False) -> QuerySet[InquiryCategory]:
    found = InquiryCategory.objects.filter(alliance=alliance)
    if active_only:
        found = found.filter(is_active=True)
    return found.order_by("position", "name")


def reply_templates(alliance: Alliance) -> QuerySet[ReplyTemplate]:
    return ReplyTemplate.objects.filter(alliance=alliance, is_active=True).order_by(
        "position", "name"
    )


def office_staff(alliance: Alliance) -> QuerySet[User]:
    """Who an inquiry may be assigned to: the active accounts with the office role."""
    return (
        User.objects.filter(
            memberships__alliance=alliance, memberships__role=Role.OFFICE, is_active=True
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def is_office_staff(user: User, alliance: Alliance) -> bool:
    return office_staff(alliance).filter(pk=user.pk).exists()


# --- The inbox --------------------------------------------------------------------------------------

# The status filter: besides the four states, "all" and (the default) every open one.
OPEN = "open"
ALL = "all"
# The assignee filter: besides a person's id, "mine" and "nobody".
MINE = "mine"
NOBODY = "nobody"


@dataclass(frozen=True)
class InquiryFilters:
    """What the office narrows the inbox to (all optional; the default shows the open ones)."""

    status: str = OPEN
    category_id: int | None = None
    assigned: str = ""
    source: str = ""
    overdue: bool = False
    text: str = ""


def inquiry_list(
    alliance: Alliance, filters: InquiryFilters, *, today: date, user: User | None = None
) -> QuerySet[Inquiry]:
    """The inbox, oldest due first, with category, assignee, organisation and project joined
    (one query once sliced; `page_of` counts in the same one)."""
    found = Inquiry.objects.filter(alliance=alliance).select_related(
        "category", "assigned_to", "organisation", "project"
    )
    if filters.status == OPEN:
        found = found.filter(status__in=rules.OPEN_STATES)
    elif filters.status in Status.values:
        found = found.filter(status=filters.status)
    if filters.category_id is not None:
        found = found.filter(category_id=filters.category_id)
    if filters.assigned == MINE and user is not None:
        found = found.filter(assigned_to=user)
    elif filters.assigned == NOBODY:
        found = found.filter(assigned_to__isnull=True)
    elif filters.assigned.isdigit():
        found = found.filter(assigned_to_id=int(filters.assigned))
    if filters.source in Source.values:
        found = found.filter(source=filters.source)
    if filters.overdue:
        found = found.filter(status__in=rules.OPEN_STATES, due_on__lt=today)
    text = filters.text.strip()
    if text:
        number = text.lstrip("#")
        match = (
            Q(subject__icontains=text)
            | Q(asker_name__icontains=text)
            | Q(asker_email__icontains=text)
            | Q(organisation__name__icontains=text)
            | Q(project__reference__icontains=text)
        )
        if number.isdigit() and len(number) < 13:
            match |= Q(pk=int(number))
        found = found.filter(match)
    return found.order_by("due_on", "created_at", "id")


def inquiry_of(alliance: Alliance, pk: int) -> Inquiry | None:
    """One inquiry of the alliance with everything its page names (one query)."""
    return (
        Inquiry.objects.filter(alliance=alliance, pk=pk)
        .select_related(
            "category",
            "assigned_to",
            "organisation",
            "project",
            "idea",
            "asker_user",
            "created_by",
            "closed_by",
        )
        .first()
    )


def thread(inquiry: Inquiry) -> list[InquiryMessage]:
    """The inquiry's messages, oldest first, with their authors (one query)."""
    return list(inquiry.messages.select_related("author").order_by("sent_at", "id"))


def notes(inquiry: Inquiry) -> list[InquiryNote]:
    """The office's notes, oldest first, with their authors (one query)."""
    return list(inquiry.notes.select_related("author").order_by("created_at", "id"))


def reply_parent(inquiry: Inquiry) -> InquiryMessage | None:
    """The message an answer replies to: the person's last mail (it has a Message-ID), else our
    own last mail, so that the answer joins the thread in the person's mail program (one
    query)."""
    candidates = list(inquiry.messages.exclude(message_id="").order_by("-sent_at", "-id")[:20])
    for message in candidates:
        if message.direction == "in":
            return message
    return candidates[0] if candidates else None


# --- The applicant's and the member's view ----------------------------------------------------------


def open_consultation(project: Project) -> Inquiry | None:
    """The open consultation request of a project, the oldest if ever two (one query)."""
    return (
        Inquiry.objects.filter(
            project=project, source=Source.CONSULTATION, status__in=rules.OPEN_STATES
        )
        .order_by("created_at", "id")
        .first()
    )


MY_INQUIRIES_PAGE = 20


def my_inquiries(user: User, alliance: Alliance, page: object) -> tuple[object, list[Inquiry]]:
    """The questions a member asked the office, newest first, a page of them with their threads
    (two queries: the page with its total, the page's messages)."""
    found = (
        Inquiry.objects.filter(alliance=alliance, asker_user=user, source=Source.MEMBER)
        .prefetch_related(
            Prefetch("messages", queryset=InquiryMessage.objects.order_by("sent_at", "id"))
        )
        .order_by("-created_at", "-id")
    )
    result = page_of(found, page, MY_INQUIRIES_PAGE)
    return result, list(result.object_list)


# --- The desk -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingInquiries:
    inquiries: list[Inquiry]
    count: int


def inquiries_waiting(alliance: Alliance, today: date, limit: int = 5) -> WaitingInquiries:
    """What waits for the office: new inquiries and open overdue ones, the oldest first, at most
    `limit` of them, with the count of all (one query: the rows carry the total)."""
    found = (
        Inquiry.objects.filter(alliance=alliance)
        .filter(Q(status=Status.NEW) | Q(status__in=rules.OPEN_STATES, due_on__lt=today))
        .select_related("category", "assigned_to")
        .order_by("created_at", "id")
    )
    page = page_of(found, 1, limit)
    return WaitingInquiries(inquiries=list(page.object_list), count=page.paginator.count)


@dataclass(frozen=True)
class AssigneeLoad:
    """Open inquiries of one person (or of nobody: `user_id` None)."""

    user_id: int | None
    name: str
    open: int
    overdue: int


@dataclass(frozen=True)
class ResponseTimes:
    """How quickly the office answers: the median days from arrival to the first answer of the
    inquiries that came in during the last `period_days` and were answered, how many those were
    and how many of that period are still unanswered; and the open inquiries per person."""

    period_days: int
    median_days: Decimal | None
    answered: int
    unanswered: int
    open_by_assignee: list[AssigneeLoad]

    @property
    def open_total(self) -> int:
        return sum(load.open for load in self.open_by_assignee)


RESPONSE_PERIOD_DAYS = 90
# Beyond this many inquiries in the period the median is taken over the most recent ones.
RESPONSE_SAMPLE = 10_000


def response_times(
    alliance: Alliance, *, now: datetime | None = None, days: int = RESPONSE_PERIOD_DAYS
) -> ResponseTimes:
    """Two queries: the durations of the period's inquiries (one column, bounded by the period
    and RESPONSE_SAMPLE); the open ones per assignee (GROUP BY)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    durations = list(
        Inquiry.objects.filter(alliance=alliance, created_at__gte=now - timedelta(days=days))
        .annotate(
            waited=ExpressionWrapper(
                F("first_answered_at") - F("created_at"), output_field=DurationField()
            )
        )
        .order_by("-created_at")
        .values_list("waited", flat=True)[:RESPONSE_SAMPLE]
    )
    answered = [max(waited.total_seconds(), 0.0) for waited in durations if waited is not None]
    rows = (
        Inquiry.objects.filter(alliance=alliance, status__in=rules.OPEN_STATES)
        .values("assigned_to", "assigned_to__first_name", "assigned_to__last_name")
        .annotate(
            username=F("assigned_to__username"),
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
        .order_by()
    )
    loads = []
    for row in rows:
        first, last = row["assigned_to__first_name"] or "", row["assigned_to__last_name"] or ""
        full = f"{first} {last}".strip()
        loads.append(
            AssigneeLoad(
                user_id=row["assigned_to"],
                name=full or (row["username"] or ""),
                open=row["open"],
                overdue=row["overdue"],
            )
        )
    # People by name, "nobody" last.
    loads.sort(key=lambda load: (load.user_id is None, load.name.lower()))
    return ResponseTimes(
        period_days=days,
        median_days=rules.median_days(answered),
        answered=len(answered),
        unanswered=len(durations) - len(answered),
        open_by_assignee=loads,
    )


# --- A person's inquiries (the export) -------------------------------------------------------------

EXPORT_LIMIT = 500


def inquiries_of_person(alliance: Alliance, email: str) -> list[Inquiry]:
    """Every inquiry of the alliance from this address (case ignored), with thread and notes,
    oldest first, at most EXPORT_LIMIT (three queries)."""
    return list(
        Inquiry.objects.filter(alliance=alliance, asker_email__iexact=email.strip())
        .select_related("category", "organisation", "project", "assigned_to")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=InquiryMessage.objects.select_related("author").order_by("sent_at", "id"),
            ),
            Prefetch("notes", queryset=InquiryNote.objects.select_related("author").order_by("id")),
        )
        .order_by("created_at", "id")[:EXPORT_LIMIT]
    )


# --- The mailbox import ----------------------------------------------------------------------------


def message_stored(message_id: str) -> bool:
    return bool(message_id) and InquiryMessage.objects.filter(message_id=message_id).exists()


def inquiry_by_message_ids(candidates: list[str]) -> Inquiry | None:
    """The inquiry of the first of `candidates` (Message-IDs, the most telling first) that is a
    stored message (one query)."""
    if not candidates:
        return None
    found = {
        message.message_id: message.inquiry
        for message in InquiryMessage.objects.filter(message_id__in=candidates).select_related(
            "inquiry", "inquiry__alliance"
        )
    }
    for message_id in candidates:
        if message_id in found:
            return found[message_id]
    return None


def inquiry_by_token(number: int, sender: str) -> Inquiry | None:
    """The inquiry a subject's `[Anfrage #n]` names, but only for a mail from the address that
    asked it: the number alone is easy to guess (one query)."""
    if not sender:
        return None
    return (
        Inquiry.objects.filter(pk=number, asker_email__iexact=sender)
        .select_related("alliance")
        .first()
    )


def open_count(alliance: Alliance) -> int:
    return Inquiry.objects.filter(alliance=alliance, status__in=rules.OPEN_STATES).count()
