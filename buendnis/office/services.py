"""Writes of the office's inbox. Every rule about inquiries lives here; the pages, the contact
form, the applicant portal, the mailbox import and the erasure command all come through these
functions.

Each service validates (German messages), locks the inquiry where it changes one, writes its
audit row in the same transaction, and sends mail after the commit. Audit rows name inquiries by
number and record states, dates and ids, never a name, an address or a text: the audit trail is
append-only, and the erasure must reach every copy of a person's data.

`actor` is who acts, as in the other apps' services: a user, whose rights the service checks, or
None for the system (the demo load, the mailbox import, the erasure command), which is not asked.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from buendnis.accounts.models import Membership, User
from buendnis.alliances.models import Alliance, Organisation
from buendnis.core.audit import audit_record, diff, snapshot
from buendnis.core.errors import DomainError, NotPermitted, StaleEdit, TransitionNotAllowed
from buendnis.funding import permissions as funding_permissions
from buendnis.funding import services as funding_services
from buendnis.funding.models import Project
from buendnis.funding.states import CONSULTATION_STATES

from . import notifications, permissions, rules, selectors
from .incoming import IncomingMail

if TYPE_CHECKING:  # the idea pool sits above the inbox: named, never imported at run time
    from buendnis.ideas.models import Idea
from .mail import new_message_id
from .models import (
    DEFAULT_RETENTION_DAYS,
    PUBLIC_SOURCES,
    RECORDED_SOURCES,
    Channel,
    Delivery,
    Direction,
    Inquiry,
    InquiryCategory,
    InquiryMessage,
    InquiryNote,
    OfficeSettings,
    ReplyTemplate,
    Source,
    Status,
)

MAX_TEXT = 10_000
SUBJECT_LENGTH = 200
# What an erased inquiry's subject reads (stored data: the platform's language).
ERASED_SUBJECT = "(gelöscht)"


def _clean_subject(subject: str) -> str:
    """One line: a line break in a subject would be a header injection in a mail."""
    return " ".join((subject or "").split())[:SUBJECT_LENGTH]


def _require_handler(actor: User | None, alliance: Alliance) -> None:
    """`actor=None` is the system (the demo load, a command): no one to ask."""
    if actor is not None and not permissions.can_handle_inquiries(actor, alliance):
        raise NotPermitted(_("Anfragen bearbeitet die Geschäftsstelle."))


def _lock(inquiry: Inquiry) -> Inquiry:
    locked = Inquiry.objects.select_for_update().select_related("alliance").get(pk=inquiry.pk)
    return locked


def _refuse_erased(inquiry: Inquiry) -> None:
    if inquiry.erased_at is not None:
        raise TransitionNotAllowed(
            _("Die Personendaten dieser Anfrage sind gelöscht; sie lässt sich nicht mehr ändern.")
        )


def _check_text(field: str, text: str, *, label: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise DomainError({field: _("Bitte geben Sie %(what)s ein.") % {"what": label}})
    if len(cleaned) > MAX_TEXT:
        raise DomainError(
            {
                field: _("Der Text ist zu lang (höchstens %(limit)s Zeichen).")
                % {"limit": f"{MAX_TEXT:,}".replace(",", ".")}
            }
        )
    return cleaned


def _same_alliance(alliance: Alliance, **records: Any) -> dict[str, str]:
    errors = {}
    for name, record in records.items():
        if record is not None and getattr(record, "alliance_id", alliance.pk) != alliance.pk:
            errors[name] = _("„%(record)s“ gehört zu einem anderen Bündnis.") % {"record": record}
    return errors


def _check_assignee(alliance: Alliance, user: User | None) -> dict[str, str]:
    if user is None or selectors.is_office_staff(user, alliance):
        return {}
    return {"assigned_to": _("Zuständig sein kann nur, wer in der Geschäftsstelle arbeitet.")}


def _bump(inquiry: Inquiry, fields: list[str]) -> None:
    inquiry.version += 1
    inquiry.save(update_fields=[*fields, "version", "updated_at"])


# --- Settings, categories and templates (the admin) -----------------------------------------------


def _save_simple(*, actor: User | None, instance: Any, action: str) -> Any:
    with transaction.atomic():
        creating = instance._state.adding
        before = {} if creating else snapshot(type(instance)._default_manager.get(pk=instance.pk))
        instance.full_clean()
        instance.save()
        audit_record(
            actor=actor,
            action=f"{action}.{'create' if creating else 'update'}",
            instance=instance,
            alliance=instance.alliance,
            changes=diff(before, snapshot(instance)),
        )
    return instance


def office_settings_save(*, actor: User | None, instance: OfficeSettings) -> OfficeSettings:
    return _save_simple(actor=actor, instance=instance, action="office_settings")


def category_save(*, actor: User | None, instance: InquiryCategory) -> InquiryCategory:
    return _save_simple(actor=actor, instance=instance, action="inquiry_category")


def reply_template_validate(template: ReplyTemplate) -> None:
    """Only the known placeholders: a typo like {Name} would reach the person as it is."""
    unknown = rules.unknown_placeholders(template.body)
    if unknown:
        raise DomainError(
            {
                "body": _(
                    "Unbekannte Platzhalter: %(unknown)s. Erlaubt sind: %(known)s (in "
                    "geschweiften Klammern, klein geschrieben)."
                )
                % {
                    "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                    "known": ", ".join(f"{{{name}}}" for name in rules.PLACEHOLDERS),
                }
            }
        )


def reply_template_save(*, actor: User | None, instance: ReplyTemplate) -> ReplyTemplate:
    reply_template_validate(instance)
    return _save_simple(actor=actor, instance=instance, action="reply_template")


# --- New inquiries --------------------------------------------------------------------------------


def _due_on(alliance: Alliance, created: datetime) -> date:
    response_days = selectors.office_settings(alliance).response_days
    return rules.due_after(timezone.localdate(created), response_days)


def _create(
    *,
    actor: User | None,
    alliance: Alliance,
    source: str,
    subject: str,
    body: str,
    channel: str,
    asker_name: str = "",
    asker_email: str = "",
    asker_phone: str = "",
    asker_user: User | None = None,
    category: InquiryCategory | None = None,
    organisation: Organisation | None = None,
    project: Project | None = None,
    assigned_to: User | None = None,
    idea_id: int | None = None,
) -> tuple[Inquiry, InquiryMessage]:
    """Precondition: inside the caller's transaction, arguments validated."""
    now = timezone.now()
    inquiry = Inquiry.objects.create(
        alliance=alliance,
        source=source,
        subject=subject,
        asker_name=asker_name,
        asker_email=asker_email,
        asker_phone=asker_phone,
        asker_user=asker_user,
        category=category,
        organisation=organisation,
        project=project,
        idea_id=idea_id,
        assigned_to=assigned_to,
        due_on=_due_on(alliance, now),
        created_at=now,
        created_by=actor,
    )
    message = InquiryMessage.objects.create(
        inquiry=inquiry,
        direction=Direction.IN,
        channel=channel,
        author=asker_user,
        author_name="" if asker_user else asker_name,
        author_email="" if asker_user else asker_email,
        body=body,
        sent_at=now,
    )
    audit_record(
        actor=actor,
        action="inquiry.create",
        instance=inquiry,
        to_state=Status.NEW,
        changes={
            "source": source,
            "due_on": inquiry.due_on.isoformat(),
            "category": category.pk if category else None,
            "organisation": organisation.pk if organisation else None,
            "project": project.pk if project else None,
            "assigned_to": assigned_to.pk if assigned_to else None,
        },
    )
    return inquiry, message


def inquiry_submit_contact(
    *, alliance: Alliance, name: str, email: str, subject: str, message: str
) -> Inquiry:
    """A message through the public contact page becomes an inquiry; the office hears of it by
    mail after the commit. (The contact form validated the fields; the rules hold anyway.)"""
    cleaned_subject = _clean_subject(subject)
    body = _check_text("message", message, label=_("eine Nachricht"))
    with transaction.atomic():
        inquiry, _first = _create(
            actor=None,
            alliance=alliance,
            source=Source.CONTACT_FORM,
            subject=cleaned_subject or _("(ohne Betreff)"),
            body=body,
            channel=Channel.WEB,
            asker_name=" ".join(name.split())[:200],
            asker_email=email.strip(),
        )
        transaction.on_commit(lambda: notifications.contact_received(inquiry.pk))
    return inquiry


def _consultation_text(message: str, availability: str, phone: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        lines = [message.strip()]
        if availability.strip():
            lines += ["", _("Mögliche Termine:") + " " + availability.strip()]
        if phone.strip():
            lines += ["", _("Telefon für Rückfragen:") + " " + phone.strip()]
    return "\n".join(lines)


@dataclass(frozen=True)
class ConsultationRequest:
    inquiry: Inquiry
    message: InquiryMessage
    # False: an open request was there already; this one joined its thread.
    created: bool
    # True: the same message of the same person was the thread's last word already (the form
    # sent twice: a double click, the back button); nothing was written, nobody hears of it again.
    repeated: bool = False


def inquiry_request_consultation(
    *,
    actor: User | None,
    project: Project,
    message: str,
    availability: str = "",
    phone: str = "",
    asker: User | None = None,
    idea_id: int | None = None,
) -> ConsultationRequest:
    """An applicant (or the office for them) asks for a consultation of a project, in the states
    in which the office records one (`funding.states.CONSULTATION_STATES`). While one request is
    open, a second joins its thread instead of opening another; the same message sent again
    (a double click, the back button) writes nothing. The office hears of the request and of
    each further message by mail, with Reply-To the applicant's address. `asker` is the account
    that asks (default: the actor; the demo load acts as the system for an applicant)."""
    asker = asker or actor
    if asker is None:
        raise DomainError(_("Eine Beratung erbittet ein Konto."))
    if not funding_permissions.project_rights(asker, project).act:
        raise NotPermitted(
            _("Eine Beratung erbitten der Projektträger des Vorhabens und die Geschäftsstelle.")
        )
    body = _consultation_text(
        _check_text("message", message, label=_("Ihr Anliegen")), availability, phone
    )
    with transaction.atomic():
        # Two requests at once for one project: the second waits here and then finds the first.
        status = (
            Project.objects.select_for_update().values_list("status", flat=True).get(pk=project.pk)
        )
        if status not in CONSULTATION_STATES:
            raise TransitionNotAllowed(funding_services.consultation_closed_message(status))
        existing = selectors.open_consultation(project)
        if existing is not None:
            last = existing.messages.order_by("-sent_at", "-id").first()
            if (
                last is not None
                and last.direction == Direction.IN
                and last.author_id == asker.pk
                and last.body == body
            ):
                return ConsultationRequest(
                    inquiry=existing, message=last, created=False, repeated=True
                )
            inquiry = _lock(existing)
            added = InquiryMessage.objects.create(
                inquiry=inquiry,
                direction=Direction.IN,
                channel=Channel.PORTAL,
                author=asker,
                body=body,
            )
            fields = []
            if inquiry.status == Status.WAITING:
                _move(inquiry, Status.IN_PROGRESS, actor=actor, comment="consultation_again")
                fields = ["status", "closed_at", "closed_by"]
            if phone.strip() and not inquiry.asker_phone:
                inquiry.asker_phone = phone.strip()[:50]
                fields.append("asker_phone")
            _bump(inquiry, fields)
            audit_record(
                actor=actor,
                action="inquiry.message",
                instance=inquiry,
                changes={"message": added.pk, "channel": Channel.PORTAL},
            )
            created = False
        else:
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Beratung: %(title)s (%(reference)s)") % {
                    "title": project.title,
                    "reference": project.reference,
                }
            inquiry, added = _create(
                actor=actor,
                alliance=project.alliance,
                source=Source.CONSULTATION,
                subject=_clean_subject(subject),
                body=body,
                channel=Channel.PORTAL,
                asker_name=(asker.get_full_name() or asker.username)[:200],
                asker_email=asker.email,
                asker_phone=phone.strip()[:50],
                asker_user=asker,
                organisation=project.applicant_organisation,
                project=project,
                idea_id=idea_id,
            )
            created = True
        transaction.on_commit(
            lambda: notifications.consultation_requested(inquiry.pk, added.pk, again=not created)
        )
    return ConsultationRequest(inquiry=inquiry, message=added, created=created)


def inquiry_ask(
    *,
    actor: User | None,
    alliance: Alliance,
    subject: str,
    message: str,
    asker: User | None = None,
) -> Inquiry:
    """„Frage an die Geschäftsstelle“ from the internal area: the member's account names them,
    and the organisation they represent (if the role names one) is linked. `asker` is the
    account that asks (default: the actor; the demo load acts as the system for a member)."""
    asker = asker or actor
    if asker is None or not permissions.can_ask_office(asker, alliance):
        raise NotPermitted(_("Fragen an die Geschäftsstelle stellt der Kreis des Bündnisses."))
    cleaned_subject = _clean_subject(subject)
    if not cleaned_subject:
        raise DomainError({"subject": _("Bitte geben Sie einen Betreff ein.")})
    body = _check_text("message", message, label=_("Ihre Frage"))
    organisation_id = (
        Membership.objects.filter(user=asker, alliance=alliance, organisation__isnull=False)
        .order_by("id")
        .values_list("organisation_id", flat=True)
        .first()
    )
    with transaction.atomic():
        inquiry, _first = _create(
            actor=actor,
            alliance=alliance,
            source=Source.MEMBER,
            subject=cleaned_subject,
            body=body,
            channel=Channel.PORTAL,
            asker_name=(asker.get_full_name() or asker.username)[:200],
            asker_email=asker.email,
            asker_user=asker,
            organisation=Organisation.objects.get(pk=organisation_id) if organisation_id else None,
        )
        transaction.on_commit(lambda: notifications.member_asked(inquiry.pk))
    return inquiry


def inquiry_record(
    *,
    actor: User | None,
    alliance: Alliance,
    source: str,
    subject: str,
    message: str,
    asker_name: str = "",
    asker_email: str = "",
    asker_phone: str = "",
    category: InquiryCategory | None = None,
    organisation: Organisation | None = None,
    project: Project | None = None,
    assigned_to: User | None = None,
) -> Inquiry:
    """The office records an inquiry that came by phone, letter or to its own mail address."""
    _require_handler(actor, alliance)
    errors: dict[str, str] = {}
    if source not in RECORDED_SOURCES:
        errors["source"] = _("Erfasst werden Anfragen per Telefon, Brief oder E-Mail.")
    cleaned_subject = _clean_subject(subject)
    if not cleaned_subject:
        errors["subject"] = _("Bitte geben Sie einen Betreff ein.")
    email = asker_email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["asker_email"] = _("Bitte geben Sie eine gültige E-Mail-Adresse an.")
    if source == Source.EMAIL and not email:
        errors["asker_email"] = _(
            "Eine Anfrage per E-Mail braucht die Adresse, an die die Antwort geht."
        )
    if not (asker_name.strip() or email or asker_phone.strip()):
        errors["asker_name"] = _(
            "Bitte geben Sie an, wer gefragt hat (Name, E-Mail-Adresse oder Telefon)."
        )
    errors.update(
        _same_alliance(alliance, category=category, organisation=organisation, project=project)
    )
    errors.update(_check_assignee(alliance, assigned_to))
    try:
        body = _check_text("message", message, label=_("den Inhalt der Anfrage"))
    except DomainError as error:
        errors.update({name: str(items[0].message) for name, items in error.error_dict.items()})
        body = ""
    if errors:
        raise DomainError(errors)
    channel = {Source.PHONE: Channel.PHONE, Source.LETTER: Channel.LETTER}.get(
        Source(source), Channel.EMAIL
    )
    with transaction.atomic():
        inquiry, _first = _create(
            actor=actor,
            alliance=alliance,
            source=source,
            subject=cleaned_subject,
            body=body,
            channel=channel,
            asker_name=" ".join(asker_name.split())[:200],
            asker_email=email,
            asker_phone=asker_phone.strip()[:50],
            category=category,
            organisation=organisation,
            project=project,
            assigned_to=assigned_to,
        )
    return inquiry


# --- Working on an inquiry ------------------------------------------------------------------------


def _move(inquiry: Inquiry, target: str, *, actor: User | None, comment: str = "") -> None:
    """Move the locked inquiry and audit the move (the caller saves). Precondition: the move is
    allowed (`rules.can_move`)."""
    source = inquiry.status
    inquiry.status = target
    if target == Status.DONE:
        inquiry.closed_at = timezone.now()
        inquiry.closed_by = actor
    else:
        inquiry.closed_at = None
        inquiry.closed_by = None
    audit_record(
        actor=actor,
        action="inquiry.status",
        instance=inquiry,
        from_state=source,
        to_state=target,
        comment=comment,
    )


def _refused_move(source: str, target: str) -> str:
    return _("Eine Anfrage im Stand „%(source)s“ kann nicht auf „%(target)s“ gesetzt werden.") % {
        "source": Status(source).label,
        "target": Status(target).label,
    }


def inquiry_set_status(*, actor: User | None, inquiry: Inquiry, status: str) -> Inquiry:
    """One move of the state machine (`rules.TRANSITIONS`), under the inquiry's lock."""
    _require_handler(actor, inquiry.alliance)
    with transaction.atomic():
        locked = _lock(inquiry)
        _refuse_erased(locked)
        if locked.status == status:
            return locked
        if status not in Status.values or not rules.can_move(locked.status, status):
            raise TransitionNotAllowed({"status": _refused_move(locked.status, status)})
        _move(locked, status, actor=actor)
        _bump(locked, ["status", "closed_at", "closed_by"])
    return locked


def inquiry_update(
    *,
    actor: User | None,
    inquiry: Inquiry,
    expected_version: int,
    status: str,
    assigned_to: User | None,
    due_on: date | None,
    category: InquiryCategory | None,
    organisation: Organisation | None,
    project: Project | None,
    idea: Idea | None = None,
) -> Inquiry:
    """The office's form for an inquiry: state, who has it, due date, category and links, in one
    transaction, one audit row per kind of change. A form from a page older than the last change
    is refused (`StaleEdit`) instead of undoing it."""
    _require_handler(actor, inquiry.alliance)
    with transaction.atomic():
        locked = _lock(inquiry)
        _refuse_erased(locked)
        if locked.version != expected_version:
            raise StaleEdit(
                _(
                    "Die Anfrage wurde inzwischen geändert. Bitte prüfen Sie den aktuellen Stand "
                    "und ändern Sie sie dann."
                )
            )
        alliance = locked.alliance
        errors: dict[str, str] = {}
        if status != locked.status and (
            status not in Status.values or not rules.can_move(locked.status, status)
        ):
            errors["status"] = _refused_move(locked.status, status)
        if due_on is None:
            errors["due_on"] = _("Bitte geben Sie ein Fälligkeitsdatum an.")
        errors.update(
            _same_alliance(
                alliance, category=category, organisation=organisation, project=project, idea=idea
            )
        )
        if assigned_to is not None and assigned_to.pk != locked.assigned_to_id:
            errors.update(_check_assignee(alliance, assigned_to))
        if errors or due_on is None:
            raise DomainError(errors)
        changed: list[str] = []
        if status != locked.status:
            _move(locked, status, actor=actor)
            changed += ["status", "closed_at", "closed_by"]
        new_assignee = assigned_to.pk if assigned_to else None
        if new_assignee != locked.assigned_to_id:
            audit_record(
                actor=actor,
                action="inquiry.assign",
                instance=locked,
                changes={"assigned_to": [locked.assigned_to_id, new_assignee]},
            )
            locked.assigned_to = assigned_to
            changed.append("assigned_to")
            if assigned_to is not None:
                notifications.assigned_on_commit(locked.pk, assigned_to.pk, actor)
        if due_on != locked.due_on:
            audit_record(
                actor=actor,
                action="inquiry.due",
                instance=locked,
                changes={"due_on": [locked.due_on.isoformat(), due_on.isoformat()]},
            )
            locked.due_on = due_on
            changed.append("due_on")
        links: dict[str, list[Any]] = {}
        for name, record in (
            ("category", category),
            ("organisation", organisation),
            ("project", project),
            ("idea", idea),
        ):
            new_id = record.pk if record is not None else None
            old_id = getattr(locked, f"{name}_id")
            if new_id != old_id:
                links[name] = [old_id, new_id]
                setattr(locked, name, record)
                changed.append(name)
        if links:
            audit_record(actor=actor, action="inquiry.link", instance=locked, changes=links)
        if changed:
            _bump(locked, changed)
    return locked


def inquiry_note_add(*, actor: User | None, inquiry: Inquiry, body: str) -> InquiryNote:
    """An internal note; never sent, never shown to the person."""
    _require_handler(actor, inquiry.alliance)
    text = _check_text("body", body, label=_("eine Notiz"))
    with transaction.atomic():
        locked = _lock(inquiry)
        _refuse_erased(locked)
        note = InquiryNote.objects.create(inquiry=locked, author=actor, body=text)
        audit_record(actor=actor, action="inquiry.note", instance=locked, changes={"note": note.pk})
    return note


# --- Answers --------------------------------------------------------------------------------------


def placeholder_values(inquiry: Inquiry, actor: User | None) -> dict[str, str]:
    """What the placeholders of a reply template stand for in this inquiry."""
    alliance = inquiry.alliance
    with translation.override(settings.LANGUAGE_CODE):
        office = alliance.office_host or _("Geschäftsstelle des %(alliance)s") % {
            "alliance": alliance.name
        }
    return {
        "name": inquiry.asker_name,
        "betreff": inquiry.subject,
        "anfrage": str(inquiry.pk),
        "buendnis": alliance.name,
        "geschaeftsstelle": office,
        "bearbeiter": (actor.get_full_name() or actor.username) if actor else "",
    }


def reply_fill(*, inquiry: Inquiry, actor: User | None, text: str) -> str:
    """A template or a typed answer with its placeholders filled (the preview shows the same)."""
    return rules.fill_placeholders(text, placeholder_values(inquiry, actor))


# How an answer reaches the person.
REPLY_CHANNELS = (Channel.EMAIL, Channel.PHONE, Channel.LETTER)


def inquiry_reply(
    *,
    actor: User | None,
    inquiry: Inquiry,
    body: str,
    channel: str = Channel.EMAIL,
    status_after: str = Status.WAITING,
) -> InquiryMessage:
    """The office answers. By mail, the answer goes out after the commit with the threading
    headers (the person's last mail is its parent); by phone or letter, it is recorded. The
    first answer sets `first_answered_at`; the inquiry moves to `status_after`."""
    _require_handler(actor, inquiry.alliance)
    text = _check_text("body", body, label=_("eine Antwort"))
    if channel not in REPLY_CHANNELS:
        raise DomainError({"channel": _("Bitte wählen Sie, wie die Antwort die Person erreicht.")})
    with transaction.atomic():
        locked = _lock(inquiry)
        _refuse_erased(locked)
        errors: dict[str, str] = {}
        if channel == Channel.EMAIL and not locked.asker_email:
            errors["channel"] = _(
                "Für diese Anfrage ist keine E-Mail-Adresse bekannt. Halten Sie die Antwort per "
                "Telefon oder Brief fest."
            )
        if status_after != locked.status and (
            status_after not in Status.values or not rules.can_move(locked.status, status_after)
        ):
            errors["status_after"] = _refused_move(locked.status, status_after)
        if errors:
            raise DomainError(errors)
        now = timezone.now()
        by_mail = channel == Channel.EMAIL
        parent = selectors.reply_parent(locked) if by_mail else None
        answer = InquiryMessage.objects.create(
            inquiry=locked,
            direction=Direction.OUT,
            channel=channel,
            author=actor,
            body=reply_fill(inquiry=locked, actor=actor, text=text),
            sent_at=now,
            message_id=new_message_id(locked.pk) if by_mail else "",
            in_reply_to=parent.message_id if parent else "",
            references=rules.references_for(parent.references, parent.message_id) if parent else "",
            delivery=Delivery.PENDING if by_mail else Delivery.NONE,
        )
        fields = []
        if locked.first_answered_at is None:
            locked.first_answered_at = now
            fields.append("first_answered_at")
        if status_after != locked.status:
            _move(locked, status_after, actor=actor)
            fields += ["status", "closed_at", "closed_by"]
        audit_record(
            actor=actor,
            action="inquiry.reply",
            instance=locked,
            changes={"message": answer.pk, "channel": channel},
        )
        _bump(locked, fields)
        if by_mail:
            notifications.send_answer_on_commit(answer.pk)
    return answer


def inquiry_reply_resend(*, actor: User | None, message: InquiryMessage) -> InquiryMessage:
    """Send an answer again whose mail did not go out."""
    inquiry = message.inquiry
    _require_handler(actor, inquiry.alliance)
    with transaction.atomic():
        locked = _lock(inquiry)
        _refuse_erased(locked)
        updated = InquiryMessage.objects.filter(
            pk=message.pk, inquiry=locked, delivery=Delivery.FAILED
        ).update(delivery=Delivery.PENDING)
        if not updated:
            raise TransitionNotAllowed(_("Diese Antwort wartet nicht auf einen neuen Versuch."))
        audit_record(
            actor=actor, action="inquiry.resend", instance=locked, changes={"message": message.pk}
        )
        notifications.send_answer_on_commit(message.pk)
    message.refresh_from_db()
    return message


# --- Mail that came back --------------------------------------------------------------------------


class MailOutcome(enum.Enum):
    STORED = "stored"  # joined its thread
    DUPLICATE = "duplicate"  # stored before (the mailbox was read twice)
    UNMATCHED = "unmatched"  # no thread of ours: left in the mailbox for people
    AUTOMATIC = "automatic"  # an out-of-office note or a bounce: left in the mailbox


def _thread_of(mail: IncomingMail) -> Inquiry | None:
    inquiry = selectors.inquiry_by_message_ids(mail.thread_candidates)
    if inquiry is None and mail.token is not None:
        inquiry = selectors.inquiry_by_token(mail.token, mail.from_email)
    return inquiry


def inquiry_receive_mail(*, mail: IncomingMail) -> MailOutcome:
    """A mail from the office's mailbox joins the thread it answers: found by the Message-IDs it
    names (In-Reply-To, References), else by the subject's `[Anfrage #n]` from the address that
    asked. It is dated by its Date header, but never in the future nor before the message it
    answers. A waiting or closed inquiry is back with the office (`in Bearbeitung`). Idempotent:
    a mail is stored once (its Message-ID is unique)."""
    if selectors.message_stored(mail.message_id):
        return MailOutcome.DUPLICATE
    if mail.automatic:
        return MailOutcome.AUTOMATIC
    found = _thread_of(mail)
    if found is None or found.erased_at is not None:
        return MailOutcome.UNMATCHED
    now = timezone.now()
    sent_at = mail.sent_at if mail.sent_at is not None and mail.sent_at <= now else now
    try:
        with transaction.atomic():
            inquiry = _lock(found)
            if inquiry.erased_at is not None:
                return MailOutcome.UNMATCHED
            # The Date header is the sender's clock, in whole seconds: an answer must not show
            # above the message it answers, so it is never dated before it.
            answered = inquiry.messages.filter(message_id__in=mail.thread_candidates).aggregate(
                latest=Max("sent_at")
            )["latest"]
            if answered is not None and sent_at < answered:
                sent_at = answered
            message = InquiryMessage.objects.create(
                inquiry=inquiry,
                direction=Direction.IN,
                channel=Channel.EMAIL,
                author_name=mail.from_name,
                author_email=mail.from_email[:254],
                body=mail.body,
                attachment_note=mail.attachment_note(),
                sent_at=sent_at,
                message_id=mail.message_id[:255],
                in_reply_to=(mail.in_reply_to[0] if mail.in_reply_to else "")[:255],
                references=" ".join(mail.references),
            )
            fields: list[str] = []
            if inquiry.status in (Status.WAITING, Status.DONE):
                _move(inquiry, Status.IN_PROGRESS, actor=None, comment="mail")
                fields = ["status", "closed_at", "closed_by"]
            audit_record(
                actor=None,
                action="inquiry.mail_received",
                instance=inquiry,
                changes={"message": message.pk},
            )
            _bump(inquiry, fields)
            transaction.on_commit(lambda: notifications.answer_received(inquiry.pk, message.pk))
    except IntegrityError:
        # Another run stored the same mail a moment ago (the unique Message-ID).
        return MailOutcome.DUPLICATE
    return MailOutcome.STORED


# --- Privacy --------------------------------------------------------------------------------------


def inquiry_erase(*, actor: User | None, inquiry: Inquiry) -> bool:
    """Blank the person's data of one inquiry: name, address, phone, subject, every text of the
    thread and the notes. What the statistics need stays (source, category, dates, states,
    assignee, links). Once; returns False when it was erased already."""
    with transaction.atomic():
        locked = _lock(inquiry)
        if locked.erased_at is not None:
            return False
        messages = InquiryMessage.objects.filter(inquiry=locked).update(
            author_name="", author_email="", body="", attachment_note=""
        )
        notes = InquiryNote.objects.filter(inquiry=locked).update(body="")
        locked.asker_name = ""
        locked.asker_email = ""
        locked.asker_phone = ""
        locked.subject = ERASED_SUBJECT
        locked.erased_at = timezone.now()
        audit_record(
            actor=actor,
            action="inquiry.erase",
            instance=locked,
            changes={
                "erased": ["asker_name", "asker_email", "asker_phone", "subject", "texts"],
                "messages": messages,
                "notes": notes,
            },
        )
        _bump(locked, ["asker_name", "asker_email", "asker_phone", "subject", "erased_at"])
    return True


# Erased per run and alliance at most (a daily run catches up within days).
ERASE_BATCH = 1000


def inquiries_erase_due(*, now: datetime | None = None) -> dict[int, int]:
    """Erase the public inquiries (contact form, phone, letter, e-mail) closed longer ago than
    their alliance's retention period. Each inquiry in its own transaction, so an interrupted run
    keeps what it did; returns the number erased per alliance id."""
    now = now or timezone.now()
    stored = {row.alliance_id: row.retention_days for row in OfficeSettings.objects.all()}
    erased: dict[int, int] = {}
    for alliance_id in (
        Inquiry.objects.filter(erased_at__isnull=True, status=Status.DONE)
        .values_list("alliance_id", flat=True)
        .distinct()
        .order_by("alliance_id")
    ):
        retention = stored.get(alliance_id, DEFAULT_RETENTION_DAYS)
        due = list(
            Inquiry.objects.filter(
                alliance_id=alliance_id,
                source__in=PUBLIC_SOURCES,
                status=Status.DONE,
                erased_at__isnull=True,
                closed_at__lt=now - timedelta(days=retention),
            ).order_by("closed_at", "id")[:ERASE_BATCH]
        )
        count = sum(1 for inquiry in due if inquiry_erase(actor=None, inquiry=inquiry))
        if count:
            erased[alliance_id] = count
    return erased


def inquiry_export_record(*, actor: User, alliance: Alliance, inquiries: list[Inquiry]) -> None:
    """Audit a handed-out export of a person's inquiries (which ones; not the address, which the
    audit trail could never forget)."""
    if not permissions.can_export_inquiries(actor, alliance):
        raise NotPermitted(_("Auskünfte über gespeicherte Anfragen gibt die Geschäftsstelle."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="inquiry.export",
            instance=alliance,
            alliance=alliance,
            changes={"inquiries": [inquiry.pk for inquiry in inquiries]},
            comment=_("Auskunft über gespeicherte Anfragen"),
        )


def consultation_held(*, project: Project, consultation: Any, actor: User | None) -> list[Inquiry]:
    """A consultation of the project was recorded: its open consultation requests are answered
    by it — each gets an internal note and is closed (audited), and the applicant's page stops
    saying „Beratung angefragt am …“. Precondition: inside the recording's transaction."""
    closed = []
    for inquiry in Inquiry.objects.select_for_update().filter(
        project=project, source=Source.CONSULTATION, status__in=rules.OPEN_STATES
    ):
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Beratung am %(day)s erfasst: %(participants)s") % {
                "day": consultation.held_on.strftime("%d.%m.%Y"),
                "participants": consultation.participants,
            }
        InquiryNote.objects.create(inquiry=inquiry, author=actor, body=text[:5000])
        _move(inquiry, Status.DONE, actor=actor, comment="consultation_recorded")
        _bump(inquiry, ["status", "closed_at", "closed_by"])
        closed.append(inquiry)
    return closed


def _on_consultation_recorded(
    sender: Any, *, project: Project, consultation: Any, actor: Any, **kwargs: Any
) -> None:
    consultation_held(project=project, consultation=consultation, actor=actor)
