"""Mail and notifications about meetings and circulations. Called after the commit, so a refused
step sends nothing.

Every recipient gets a mail of their own rather than one mail with everyone in To or Bcc: the
members' addresses are not shown to each other (many are personal addresses at partner
organisations), the greeting can name the person, and the invitation's calendar file names the
recipient as ATTENDEE, which calendar programs expect of a METHOD:REQUEST invitation (a Bcc
invitation is one in which the reader is not invited). All mails of one step go out over one
connection.

The step they report is committed before they are sent: a failure here (mail server away, a
broken template) is logged and never turns that step into an error page.

`meeting_notify` tells the subscribers of the body's meetings (topic `body:<id>`,
`notifications.topics`) of an invitation (which publishes the agenda), a changed invitation, a
cancellation and approved minutes; for a meeting with a public part, the public's subscribers of
public meetings get a mail too, with the public items only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.message import MIMEPart
from functools import wraps
from typing import Any, ParamSpec

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance
from buendnis.funding import notifications as funding_notifications
from buendnis.funding.models import DocumentKind
from buendnis.notifications import public_services as public_notifications
from buendnis.notifications import services as notification_services
from buendnis.notifications import topics
from buendnis.notifications.models import PublicTopic

from . import calendar, links, recipients
from .models import AgendaItem, Circulation, CirculationStatus, Meeting, MeetingStatus
from .recipients import Address

log = logging.getLogger(__name__)

_muted: ContextVar[bool] = ContextVar("meetings_mail_muted", default=False)

P = ParamSpec("P")


@contextmanager
def muted() -> Iterator[None]:
    """Send no meeting or circulation mail inside the block, and no procedure mail either (a
    decision on a project moves the project, which would mail its applicant), and make no
    notification (the procedure's `muted` mutes those). For the demo load.

    Mail goes out on commit, so the block must enclose the outermost transaction of the steps it
    mutes: `with muted(), transaction.atomic(): ...`.
    """
    token = _muted.set(True)
    try:
        with funding_notifications.muted():
            yield
    finally:
        _muted.reset(token)


def _mail_step(what: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Skip when muted; log, never raise: the step the mail reports is already committed."""

    def decorate(send: Callable[P, None]) -> Callable[P, None]:
        @wraps(send)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
            if _muted.get():
                return
            try:
                send(*args, **kwargs)
            except Exception:
                log.exception("%s (%s) konnte nicht gesendet werden", what, args)

        return wrapper

    return decorate


# --- Building the mails --------------------------------------------------------------------------


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body. Mail speaks the platform's language, not the acting user's choice."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"meetings/mail/{template}_subject.txt", context)
        body = render_to_string(f"meetings/mail/{template}.txt", context)
    # A subject is one line; the body has at most one empty line in a row, whatever the
    # template's tags leave behind.
    return " ".join(subject.split()), re.sub(r"\n\s*\n(\s*\n)+", "\n\n", body).strip() + "\n"


def _message(
    alliance: Alliance, address: Address, subject: str, body: str, attachment: MIMEPart | None
) -> EmailMessage:
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[address.email],
        reply_to=[alliance.office_email] if alliance.office_email else None,
    )
    if attachment is not None:
        message.attach(attachment)
    return message


def _deliver(messages: list[EmailMessage], what: str) -> None:
    if not messages:
        return
    try:
        mailers.default.send_messages(messages)
    except OSError:
        # The step is committed; a mail server hiccup must not turn it into an error page.
        log.exception("%s: %s Mails konnten nicht gesendet werden", what, len(messages))


def _ics_attachment(content: bytes, method: calendar.Method, filename: str) -> MIMEPart:
    """`text/calendar; method=REQUEST` (or CANCEL): the parameter tells mail programs to offer
    the invitation for the calendar instead of a plain file."""
    part = MIMEPart()
    # As bytes, base64-encoded: the lines keep their CRLF (RFC 5545 3.1), which a text part
    # would rewrite.
    part.set_content(
        content,
        maintype="text",
        subtype="calendar",
        params={"charset": "utf-8", "method": str(method)},
        filename=filename,
    )
    return part


def _organizer(alliance: Alliance) -> calendar.Recipient | None:
    if not alliance.office_email:
        return None
    return calendar.Recipient(alliance.office_email, alliance.office_host or alliance.name)


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class MailItem:
    item: AgendaItem
    documents: list[Link] = field(default_factory=list)


def _mail_items(meeting: Meeting) -> list[MailItem]:
    """The agenda with links to each item's papers: the ones uploaded to the item and the
    newest version of each of the project's documents."""
    rows = []
    for item in meeting.items.all():
        documents = [
            Link(document.title, links.absolute(document.file.url))
            for document in item.documents.all()
        ]
        if item.project is not None:
            newest: dict[str, Any] = {}
            for document in item.project.documents.all():  # newest version first
                newest.setdefault(document.kind, document)
            documents += [
                Link(
                    _("%(kind)s, Version %(version)s")
                    % {"kind": DocumentKind(kind).label, "version": document.version},
                    links.absolute(document.file.url),
                )
                for kind, document in newest.items()
            ]
        rows.append(MailItem(item, documents))
    return rows


def _meeting_url(meeting: Meeting) -> str:
    path = links.internal_meeting_path(meeting)
    return links.absolute(path) if path else ""


def _meeting_mails(meeting: Meeting, template: str, method: calendar.Method, **extra: Any) -> int:
    alliance = meeting.alliance
    addresses = recipients.invitation_addresses(meeting)
    context: dict[str, Any] = {
        "meeting": meeting,
        "alliance": alliance,
        "items": _mail_items(meeting),
        "url": _meeting_url(meeting),
        **extra,
    }
    stamp = timezone.now()
    organizer = _organizer(alliance)
    filename = "absage.ics" if method == calendar.Method.CANCEL else "einladung.ics"
    messages = []
    for address in addresses:
        subject, body = _render(template, {**context, "name": address.name})
        with translation.override(settings.LANGUAGE_CODE):
            ics = calendar.build_calendar(
                [meeting],
                alliance,
                audience=calendar.Audience.MEMBERS,
                method=method,
                stamp=stamp,
                organizer=organizer,
                attendee=calendar.Recipient(address.email, address.name),
            )
        attachment = _ics_attachment(calendar.to_ical(ics), method, filename)
        messages.append(_message(alliance, address, subject, body, attachment))
    _deliver(messages, f"{template} {meeting.pk}")
    return len(messages)


# --- Meetings ------------------------------------------------------------------------------------


@_mail_step("Einladung")
def send_invitations(meeting_id: int, *, update: bool = False) -> None:
    """The invitation (or, with `update`, the changed invitation) with the agenda, links to the
    papers and the calendar entry, to everyone invited (`recipients.invitation_addresses`)."""
    meeting = recipients.meeting_for_mail(meeting_id)
    if meeting.status != MeetingStatus.INVITED:
        return  # cancelled or closed in the meantime: that mail says what holds now
    _meeting_mails(meeting, "invitation", calendar.Method.REQUEST, update=update)


@_mail_step("Absage")
def send_cancellation(meeting_id: int) -> None:
    """The cancellation, with METHOD:CANCEL so calendars strike the entry."""
    meeting = recipients.meeting_for_mail(meeting_id)
    if meeting.status != MeetingStatus.CANCELLED:
        return
    _meeting_mails(meeting, "cancellation", calendar.Method.CANCEL)


# --- Circulations --------------------------------------------------------------------------------


def _circulation(circulation_id: int) -> Circulation:
    return Circulation.objects.select_related("alliance", "body", "project").get(pk=circulation_id)


def _circulation_mails(
    circulation: Circulation, organisation_ids: list[int], template: str, **extra: Any
) -> None:
    alliance = circulation.alliance
    path = links.internal_circulation_path(circulation)
    context: dict[str, Any] = {
        "circulation": circulation,
        "alliance": alliance,
        "url": links.absolute(path) if path else "",
        "entitled": [entry["name"] for entry in circulation.entitled],
        "recused": [entry["name"] for entry in circulation.recused],
        **extra,
    }
    messages = []
    for address in recipients.circulation_addresses(circulation, organisation_ids):
        subject, body = _render(template, {**context, "name": address.name})
        messages.append(_message(alliance, address, subject, body, None))
    _deliver(messages, f"{template} {circulation.pk}")


@_mail_step("Umlaufbeschluss")
def send_circulation(circulation_id: int) -> None:
    """The question in writing, to every entitled organisation and the office."""
    circulation = _circulation(circulation_id)
    if circulation.status != CirculationStatus.OPEN:
        return
    _circulation_mails(circulation, sorted(circulation.entitled_ids), "circulation_opened")


@_mail_step("Erinnerung zum Umlaufbeschluss")
def send_circulation_reminder(circulation_id: int) -> None:
    """A reminder to the organisations that have not answered yet (and the office)."""
    circulation = _circulation(circulation_id)
    if circulation.status != CirculationStatus.OPEN:
        return
    silent = recipients.circulation_silent_ids(circulation)
    if not silent:
        return
    names = {entry["id"]: entry["name"] for entry in circulation.entitled}
    _circulation_mails(
        circulation,
        silent,
        "circulation_reminder",
        silent=[names[pk] for pk in silent if pk in names],
    )


@_mail_step("Ergebnis des Umlaufbeschlusses")
def send_circulation_result(circulation_id: int) -> None:
    """The result, to every entitled organisation and the office."""
    circulation = _circulation(circulation_id)
    if circulation.status not in (CirculationStatus.PASSED, CirculationStatus.FAILED):
        return
    result = circulation.result

    def names(key: str) -> list[str]:
        return [entry["name"] for entry in result.get(key, [])]

    _circulation_mails(
        circulation,
        sorted(circulation.entitled_ids),
        "circulation_result",
        passed=circulation.status == CirculationStatus.PASSED,
        agreeing=names("agreeing"),
        objecting=result.get("objecting", []),
        abstaining=names("abstaining"),
        silent=names("silent"),
    )


# --- Notifications -------------------------------------------------------------------------------


class MeetingEvent:
    INVITED = "invited"
    INVITATION_CHANGED = "invitation_changed"
    CANCELLED = "cancelled"
    MINUTES_APPROVED = "minutes_approved"


def _when(meeting: Meeting) -> str:
    starts = timezone.localtime(meeting.starts_at)
    line = formats.date_format(starts, "l, d.m.Y, H:i") + " " + _("Uhr")
    if meeting.location:
        line += ", " + meeting.location
    return line


def member_notice(meeting: Meeting, event: str) -> tuple[str, str]:
    """Title and text of a member's notification of a meeting event (the whole agenda)."""
    title = meeting.display_title
    items = list(meeting.items.all())
    when = _when(meeting)
    if event == MeetingEvent.INVITED:
        heading = _("Einladung: %(title)s")
    elif event == MeetingEvent.INVITATION_CHANGED:
        heading = _("Geänderte Einladung: %(title)s")
    elif event == MeetingEvent.CANCELLED:
        heading = _("Abgesagt: %(title)s")
    else:
        heading = _("Protokoll genehmigt: %(title)s")
    lines = [when]
    if event in (MeetingEvent.INVITED, MeetingEvent.INVITATION_CHANGED) and items:
        lines.append(_("Tagesordnung:"))
        lines += [f"TOP {item.number}: {item.title}" for item in items]
    if event == MeetingEvent.CANCELLED and meeting.cancelled_reason:
        lines.append(_("Grund: %(reason)s") % {"reason": meeting.cancelled_reason})
    return heading % {"title": title}, "\n".join(lines)


def _public_notice(meeting: Meeting, event: str) -> tuple[str, str]:
    """Only what the meeting's public page shows: date, place, the public items."""
    title = meeting.display_title
    items = [item for item in meeting.items.all() if item.is_public]
    if event == MeetingEvent.INVITED:
        heading = _("Einladung: %(title)s")
    elif event == MeetingEvent.INVITATION_CHANGED:
        heading = _("Geänderte Einladung: %(title)s")
    elif event == MeetingEvent.CANCELLED:
        heading = _("Abgesagt: %(title)s")
    else:
        heading = _("Protokoll veröffentlicht: %(title)s")
    lines = [_when(meeting)]
    if event in (MeetingEvent.INVITED, MeetingEvent.INVITATION_CHANGED) and items:
        lines.append(_("Öffentliche Tagesordnung:"))
        lines += [f"TOP {item.number}: {item.title}" for item in items]
    return heading % {"title": title}, "\n".join(lines)


def meeting_notify(meeting_id: int, event: str, actor: Any) -> None:
    """Tell the body's subscribers (not the actor) and, for a meeting with a public part, the
    public's subscribers of public meetings. Logs, never raises: the step is committed."""
    if _muted.get():
        return
    try:
        # Stored text: in the platform's language, like mail, whatever the actor reads.
        with translation.override(settings.LANGUAGE_CODE):
            _meeting_notify(meeting_id, event, actor)
    except Exception:
        log.exception("Benachrichtigung zur Sitzung %s (%s) fehlgeschlagen", meeting_id, event)


def _meeting_notify(meeting_id: int, event: str, actor: Any) -> None:
    meeting = (
        Meeting.objects.select_related("alliance", "body")
        .prefetch_related("items")
        .get(pk=meeting_id)
    )
    alliance = meeting.alliance
    title, text = member_notice(meeting, event)
    notification_services.notify(
        topic=topics.body(meeting.body_id),
        alliance=alliance,
        kind=f"meeting.{event}",
        title=title,
        text=text,
        link=links.internal_meeting_path(meeting),
        actor=actor,
    )
    if meeting.has_public_part:
        title, text = _public_notice(meeting, event)
        public_notifications.public_notify(
            alliance=alliance,
            topic=PublicTopic.MEETINGS,
            title=title,
            text=text,
            link=links.public_meeting_path(meeting),
        )
