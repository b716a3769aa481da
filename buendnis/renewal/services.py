"""Writes of the alliance's own cycle: the office prepares the next phase with its strategy, the
partners sign the new cooperation agreement, the office applies for the extension of recognition,
the ministry decides.

Every write checks the actor, locks the row whose state it changes, writes an audit row in the
same transaction and sends its mail after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from buendnis.accounts.models import PlatformRole, User
from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances import services as alliance_services
from buendnis.alliances.models import (
    ActionField,
    Alliance,
    BodyKind,
    FundingPhase,
    Organisation,
    RecognitionStatus,
    SeatRole,
    Topic,
)
from buendnis.budget import services as budget
from buendnis.core.audit import audit_record
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.core.templatetags.buendnis_format import money as euro
from buendnis.meetings.models import Circulation, CirculationStatus, Decision, DecisionOutcome
from buendnis.office import selectors as office_selectors

from . import dossier, permissions, selectors
from .models import (
    EDITABLE,
    ExtensionApplication,
    RecognitionDecision,
    RecognitionOutcome,
    SignatureRequest,
    SignatureStatus,
    Strategy,
    StrategyVersion,
)

log = logging.getLogger(__name__)

OPEN_FIELD_TITLE = "Sonstiges / thematisch offen"
# Partners hear of an open request this long before its deadline, and again every week after.
REMINDER_LEAD = timedelta(days=14)
REMINDER_INTERVAL = timedelta(days=7)


def _d(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _today() -> date:
    return timezone.localdate()


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotPermitted(message)


def _lock_phase(phase: FundingPhase) -> FundingPhase:
    return FundingPhase.objects.select_for_update(no_key=True).get(pk=phase.pk)


def _strategy_locked(phase: FundingPhase) -> Strategy:
    """The phase's strategy row, locked; created for a phase recorded without one (the admin, an
    import). Precondition: inside the caller's transaction."""
    Strategy.objects.get_or_create(phase=phase, defaults={"alliance_id": phase.alliance_id})
    return Strategy.objects.select_for_update().get(phase=phase)


def _application_locked(phase: FundingPhase) -> ExtensionApplication:
    ExtensionApplication.objects.get_or_create(
        phase=phase, defaults={"alliance_id": phase.alliance_id}
    )
    return ExtensionApplication.objects.select_for_update().get(phase=phase)


def _lock_editable(phase: FundingPhase) -> FundingPhase:
    """Lock the phase and refuse while the ministry has the application or has decided: what the
    office prepares (dates, strategy, fields of action) changes only in a draft or after the
    ministry asked for changes."""
    locked = _lock_phase(phase)
    if locked.recognition_status not in EDITABLE:
        raise TransitionNotAllowed(
            _("Die Förderphase liegt beim Ministerium oder ist entschieden: „%(status)s“.")
            % {"status": locked.get_recognition_status_display()}
        )
    return locked


def _not_in_future(day: date | None, field_name: str, label: str) -> None:
    if day is not None and day > _today():
        raise DomainError(
            {field_name: _("%(label)s darf nicht in der Zukunft liegen.") % {"label": label}}
        )


# --- Preparing a phase --------------------------------------------------------------------------


def phase_prepare(
    *,
    actor: User,
    alliance: Alliance,
    name: str,
    starts_on: date,
    ends_on: date,
    virtual_budget: Decimal,
    funding_rate: Decimal,
    project_end_cutoff: date | None = None,
    signature_deadline: date | None = None,
) -> FundingPhase:
    """Open the next phase as a draft, with its strategy (the previous phase's text as the first
    version to work from), the open field of action, and its extension application.

    The budget and rate are the ones applied for until the ministry assigns its own."""
    _require(
        permissions.can_prepare(actor, alliance),
        _("Die nächste Förderphase bereitet die Geschäftsstelle vor."),
    )
    with transaction.atomic():
        phase = alliance_services.phase_create(
            actor=actor,
            alliance=alliance,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            virtual_budget=virtual_budget,
            funding_rate=funding_rate,
            project_end_cutoff=project_end_cutoff,
            recognition_status=RecognitionStatus.DRAFT,
        )
        alliance_services.action_field_create(
            actor=actor, phase=phase, title=OPEN_FIELD_TITLE, position=99, is_open=True
        )
        strategy = Strategy.objects.create(alliance=alliance, phase=phase)
        previous = selectors.previous_phase(phase)
        earlier = selectors.latest_version(previous) if previous is not None else None
        StrategyVersion.objects.create(
            alliance=alliance,
            strategy=strategy,
            number=1,
            analysis=earlier.analysis if earlier else "",
            review="",
            fields_intro=earlier.fields_intro if earlier else "",
            working_methods=earlier.working_methods if earlier else "",
            change_note=(
                _("Übernommen aus der Strategie %(phase)s") % {"phase": previous.name}
                if earlier and previous
                else _("Erste Fassung")
            ),
            created_by=actor,
        )
        ExtensionApplication.objects.create(
            alliance=alliance, phase=phase, signature_deadline=signature_deadline
        )
        audit_record(
            actor=actor,
            action="renewal.phase_prepared",
            instance=phase,
            to_state=RecognitionStatus.DRAFT,
            changes={"virtual_budget": str(virtual_budget), "funding_rate": str(funding_rate)},
        )
    return phase


def phase_draft_update(
    *, actor: User, phase: FundingPhase, signature_deadline: date | None = None, **fields: Any
) -> FundingPhase:
    """Change the dates, budget or rate applied for: only before the ministry has the application
    (or after it asked for changes)."""
    _require(
        permissions.can_prepare(actor, phase.alliance),
        _("Die Förderphase bearbeitet die Geschäftsstelle."),
    )
    allowed = {
        "name",
        "starts_on",
        "ends_on",
        "virtual_budget",
        "funding_rate",
        "project_end_cutoff",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not a field of a phase draft: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock_editable(phase)
        for name, value in fields.items():
            setattr(locked, name, value)
        alliance_services.phase_save(actor=actor, instance=locked)
        application = _application_locked(locked)
        if application.signature_deadline != signature_deadline:
            before = application.signature_deadline
            application.signature_deadline = signature_deadline
            application.save(update_fields=["signature_deadline", "updated_at"])
            audit_record(
                actor=actor,
                action="renewal.application_updated",
                instance=application,
                changes={
                    "signature_deadline": [
                        before.isoformat() if before else None,
                        signature_deadline.isoformat() if signature_deadline else None,
                    ]
                },
            )
    return locked


# --- The strategy -------------------------------------------------------------------------------


def strategy_revise(
    *,
    actor: User,
    phase: FundingPhase,
    analysis: str,
    review: str,
    fields_intro: str,
    working_methods: str,
    change_note: str = "",
) -> StrategyVersion:
    """Write a new version of the strategy's text; the earlier ones stay as they were."""
    _require(
        permissions.can_prepare(actor, phase.alliance),
        _("Die Strategie schreibt die Geschäftsstelle fort."),
    )
    text = {
        "analysis": analysis.strip(),
        "review": review.strip(),
        "fields_intro": fields_intro.strip(),
        "working_methods": working_methods.strip(),
    }
    with transaction.atomic():
        _lock_editable(phase)
        strategy = _strategy_locked(phase)
        latest = strategy.versions.order_by("-number").first()
        if latest is not None and all(getattr(latest, key) == value for key, value in text.items()):
            raise DomainError(_("Der Text ist unverändert; es entsteht keine neue Fassung."))
        version = StrategyVersion.objects.create(
            alliance_id=phase.alliance_id,
            strategy=strategy,
            number=(latest.number + 1) if latest else 1,
            change_note=change_note.strip()[:300],
            created_by=actor,
            **text,
        )
        audit_record(
            actor=actor,
            action="renewal.strategy_revised",
            instance=strategy,
            alliance=phase.alliance,
            changes={"version": version.number},
            comment=version.change_note,
        )
    return version


def fields_snapshot(phase: FundingPhase) -> list[dict[str, Any]]:
    """The phase's fields of action with their topics, as adopted (for the record)."""
    return [
        {
            "title": action_field.title,
            "is_open": action_field.is_open,
            "topics": [topic.title for topic in action_field.topics.all()],
        }
        for action_field in ActionField.objects.filter(phase=phase).prefetch_related("topics")
    ]


def strategy_adopt(
    *,
    actor: User,
    phase: FundingPhase,
    decision: Decision | None = None,
    circulation: Circulation | None = None,
) -> Strategy:
    """Link the Steuerkreis' decision that adopted the phase's fields of action and topics (an
    agreed agenda item or a passed circulation), and keep them as adopted."""
    _require(
        permissions.can_prepare(actor, phase.alliance),
        _("Den Beschluss verknüpft die Geschäftsstelle."),
    )
    if (decision is None) == (circulation is None):
        raise DomainError(
            _("Bitte genau einen Beschluss wählen: aus einer Sitzung oder einem Umlaufverfahren.")
        )
    if decision is not None:
        body = decision.item.meeting.body
        if decision.alliance_id != phase.alliance_id:
            raise DomainError({"decision": _("Der Beschluss gehört zu einem anderen Bündnis.")})
        if body.kind != BodyKind.STEERING:
            raise DomainError({"decision": _("Die Handlungsfelder beschließt der Steuerkreis.")})
        if decision.outcome != DecisionOutcome.AGREED:
            raise DomainError(
                {"decision": _("Nur ein einvernehmlich gefasster Beschluss kann sie annehmen.")}
            )
        adopted_on = timezone.localdate(decision.decided_at)
    else:
        assert circulation is not None  # noqa: S101 - exactly one is given, checked above
        if circulation.alliance_id != phase.alliance_id:
            raise DomainError({"circulation": _("Der Beschluss gehört zu einem anderen Bündnis.")})
        if circulation.body.kind != BodyKind.STEERING:
            raise DomainError({"circulation": _("Die Handlungsfelder beschließt der Steuerkreis.")})
        if circulation.status != CirculationStatus.PASSED or circulation.closed_at is None:
            raise DomainError(
                {"circulation": _("Nur ein zustande gekommener Umlaufbeschluss kann sie annehmen.")}
            )
        adopted_on = timezone.localdate(circulation.closed_at)
    with transaction.atomic():
        # Locked first: a field added meanwhile would be adopted without being in the snapshot.
        _lock_editable(phase)
        snapshot = fields_snapshot(phase)
        if not any(not entry["is_open"] for entry in snapshot):
            raise DomainError(
                _(
                    "Die Förderphase hat noch kein Handlungsfeld außer dem offenen; bitte zuerst "
                    "anlegen."
                )
            )
        strategy = _strategy_locked(phase)
        strategy.adopted_decision = decision
        strategy.adopted_circulation = circulation
        strategy.adopted_on = adopted_on
        strategy.adopted_fields = snapshot
        strategy.save()
        audit_record(
            actor=actor,
            action="renewal.fields_adopted",
            instance=strategy,
            alliance=phase.alliance,
            changes={"adopted_on": adopted_on.isoformat(), "fields": snapshot},
        )
    return strategy


def action_field_add(*, actor: User, phase: FundingPhase, title: str) -> ActionField:
    """A new field of action of the phase, after the ones it has (before the open one)."""
    _require(
        permissions.can_prepare(actor, phase.alliance),
        _("Die Handlungsfelder legt die Geschäftsstelle an."),
    )
    with transaction.atomic():
        _lock_fields(phase)
        position = ActionField.objects.filter(phase=phase, is_open=False).count()
        return alliance_services.action_field_create(
            actor=actor, phase=phase, title=title.strip(), position=position
        )


def topic_add(*, actor: User, phase: FundingPhase, action_field: ActionField, title: str) -> Topic:
    """A new topic of one of the phase's fields of action, after its other topics."""
    _require(
        permissions.can_prepare(actor, phase.alliance),
        _("Die Handlungsfelder legt die Geschäftsstelle an."),
    )
    if action_field.phase_id != phase.pk:
        raise DomainError(
            {"action_field": _("Das Handlungsfeld gehört zu einer anderen Förderphase.")}
        )
    with transaction.atomic():
        _lock_fields(phase)
        return alliance_services.topic_create(
            actor=actor,
            action_field=action_field,
            title=title.strip(),
            position=action_field.topics.count(),
        )


def _lock_fields(phase: FundingPhase) -> None:
    locked = _lock_phase(phase)
    if locked.recognition_status not in EDITABLE:
        raise TransitionNotAllowed(
            _("Die Handlungsfelder einer beantragten Phase bleiben, wie sie sind.")
        )


# --- Renewing the partnership -------------------------------------------------------------------


def signatures_request(
    *,
    actor: User,
    phase: FundingPhase,
    organisations: Iterable[Organisation],
    asked_on: date,
    due_on: date | None = None,
) -> list[SignatureRequest]:
    """Ask organisations to sign the phase's cooperation agreement. Those already asked or
    already signed are left as they are; the rest hear of it by mail."""
    _require(
        permissions.can_prepare(actor, phase.alliance),
        _("Die Partner fragt die Geschäftsstelle an."),
    )
    _not_in_future(asked_on, "asked_on", _("Das Datum der Anfrage"))
    if due_on is not None and due_on < asked_on:
        raise DomainError({"due_on": _("Die Frist kann nicht vor der Anfrage liegen.")})
    wanted = {org.pk: org for org in organisations}
    if any(org.alliance_id != phase.alliance_id for org in wanted.values()):
        raise DomainError(_("Eine der Organisationen gehört zu einem anderen Bündnis."))
    with transaction.atomic():
        if _lock_phase(phase).recognition_status == RecognitionStatus.REFUSED:
            raise TransitionNotAllowed(_("Die Anerkennung dieser Förderphase ist abgelehnt."))
        done = set(
            SignatureRequest.objects.filter(phase=phase).values_list("organisation_id", flat=True)
        ) | set(phase.agreements.values_list("organisation_id", flat=True))
        created = [
            SignatureRequest.objects.create(
                alliance_id=phase.alliance_id,
                phase=phase,
                organisation=org,
                asked_on=asked_on,
                due_on=due_on,
            )
            for org_id, org in sorted(wanted.items(), key=lambda item: item[1].name)
            if org_id not in done
        ]
        for request in created:
            audit_record(
                actor=actor,
                action="renewal.signature_asked",
                instance=request,
                alliance=phase.alliance,
                to_state=SignatureStatus.ASKED,
                changes={"due_on": due_on.isoformat() if due_on else None},
            )
        ids = [request.pk for request in created]
        transaction.on_commit(lambda: _mail_requests(ids, reminder=False))
    return created


def _lock_request(request: SignatureRequest) -> SignatureRequest:
    """Lock the request; refused while it is answered already or its phase was refused (the
    request is moot then: no agreement for a phase that will not run)."""
    locked = (
        SignatureRequest.objects.select_for_update()
        .select_related("phase", "organisation")
        .get(pk=request.pk)
    )
    if locked.status not in (SignatureStatus.ASKED, SignatureStatus.PENDING):
        raise TransitionNotAllowed(
            _("Die Anfrage ist bereits beantwortet: „%(status)s“.")
            % {"status": locked.get_status_display()}
        )
    if locked.phase.recognition_status == RecognitionStatus.REFUSED:
        raise TransitionNotAllowed(_("Die Anerkennung dieser Förderphase ist abgelehnt."))
    return locked


def _decided_after_asked(locked: SignatureRequest, decision_date: date | None) -> None:
    """The partner's body decides on the request: not before it was asked."""
    if decision_date is not None and decision_date < locked.asked_on:
        raise DomainError(
            {
                "decision_date": _("Der Beschluss kann nicht vor der Anfrage (%(day)s) liegen.")
                % {"day": _d(locked.asked_on)}
            }
        )


def _check_answer(actor: User, request: SignatureRequest) -> None:
    _require(
        permissions.can_answer_request(actor, request),
        _(
            "Für eine Organisation antworten ihre eigenen Ansprechpersonen oder die Geschäftsstelle."
        ),
    )


def signature_mark_pending(
    *,
    actor: User,
    request: SignatureRequest,
    decision_body: str,
    reference: str = "",
    decision_date: date | None = None,
    note: str = "",
) -> SignatureRequest:
    """The partner's own bodies decide first (a council, a board): which body, the paper's
    reference and the (planned) date of its decision."""
    _check_answer(actor, request)
    if not decision_body.strip():
        raise DomainError({"decision_body": _("Bitte das beschließende Gremium nennen.")})
    with transaction.atomic():
        locked = _lock_request(request)
        _decided_after_asked(locked, decision_date)
        before = locked.status
        locked.status = SignatureStatus.PENDING
        locked.decision_body = decision_body.strip()
        locked.reference = reference.strip()
        locked.decision_date = decision_date
        if note.strip():
            locked.note = note.strip()
        locked.full_clean()
        locked.save()
        audit_record(
            actor=actor,
            action="renewal.signature_pending",
            instance=locked,
            alliance=locked.phase.alliance,
            from_state=before,
            to_state=locked.status,
            changes={
                "decision_body": locked.decision_body,
                "reference": locked.reference,
                "decision_date": decision_date.isoformat() if decision_date else None,
            },
        )
        # The office plans with it: when the partner's council or board decides.
        request_id = locked.pk
        transaction.on_commit(lambda: _mail_office_answer(request_id))
    return locked


def signature_sign(
    *,
    actor: User,
    request: SignatureRequest,
    signed_on: date,
    document: UploadedFile | None = None,
    decision_body: str | None = None,
    reference: str | None = None,
    decision_date: date | None = None,
) -> SignatureRequest:
    """The partner signed: its cooperation agreement for the phase is recorded, with the signed
    document. A partner's own people must upload it; the office may record a signature it holds
    on paper."""
    _check_answer(actor, request)
    office = permissions.can_prepare(actor, request.phase.alliance)
    if document is None and not office:
        raise DomainError({"document": _("Bitte die unterzeichnete Vereinbarung hochladen.")})
    with transaction.atomic():
        locked = _lock_request(request)
        if signed_on < locked.asked_on:
            raise DomainError(
                {
                    "signed_on": _("Unterzeichnet werden kann erst nach der Anfrage (%(day)s).")
                    % {"day": _d(locked.asked_on)}
                }
            )
        _not_in_future(signed_on, "signed_on", _("Das Datum der Unterschrift"))
        if decision_body is not None:
            locked.decision_body = decision_body.strip()
        if reference is not None:
            locked.reference = reference.strip()
        if decision_date is not None:
            locked.decision_date = decision_date
        _decided_after_asked(locked, locked.decision_date)
        if locked.decision_date and locked.decision_date > signed_on:
            raise DomainError(
                {
                    "decision_date": _(
                        "Der Beschluss muss vor oder am Tag der Unterzeichnung gefasst sein."
                    )
                }
            )
        before = locked.status
        if document is not None:
            locked.document = document
        locked.status = SignatureStatus.SIGNED
        locked.signed_on = signed_on
        locked.full_clean()
        locked.save()
        agreement = alliance_services.agreement_sign(
            actor=actor,
            phase=locked.phase,
            organisation=locked.organisation,
            signed_on=signed_on,
            decision_body=locked.decision_body,
            decision_reference=locked.reference,
            decision_date=locked.decision_date,
            document=locked.document.name if locked.document else "",
        )
        locked.agreement = agreement
        locked.save(update_fields=["agreement", "updated_at"])
        if locked.phase.is_recognised:
            _seat_late_signer(actor, locked.phase, locked.organisation, signed_on)
        audit_record(
            actor=actor,
            action="renewal.signature_signed",
            instance=locked,
            alliance=locked.phase.alliance,
            from_state=before,
            to_state=locked.status,
            changes={"signed_on": signed_on.isoformat(), "reference": locked.reference},
        )
        request_id = locked.pk
        transaction.on_commit(lambda: _mail_office_answer(request_id))
    return locked


def signature_decline(
    *, actor: User, request: SignatureRequest, declined_on: date, note: str = ""
) -> SignatureRequest:
    """The partner does not sign for the new phase (it may join again later)."""
    _check_answer(actor, request)
    with transaction.atomic():
        locked = _lock_request(request)
        if declined_on < locked.asked_on:
            raise DomainError(
                {
                    "declined_on": _("Die Absage kann nicht vor der Anfrage (%(day)s) liegen.")
                    % {"day": _d(locked.asked_on)}
                }
            )
        _not_in_future(declined_on, "declined_on", _("Das Datum der Absage"))
        before = locked.status
        locked.status = SignatureStatus.DECLINED
        locked.declined_on = declined_on
        if note.strip():
            locked.note = note.strip()
        locked.save()
        audit_record(
            actor=actor,
            action="renewal.signature_declined",
            instance=locked,
            alliance=locked.phase.alliance,
            from_state=before,
            to_state=locked.status,
            comment=locked.note,
        )
        request_id = locked.pk
        transaction.on_commit(lambda: _mail_office_answer(request_id))
    return locked


def signature_reminders_send(*, today: date | None = None) -> int:
    """Remind partners whose answer is due within two weeks or overdue, at most once a week.
    The periodic job (`manage.py send_signature_reminders`); returns how many were reminded."""
    day = today or _today()
    due = list(
        SignatureRequest.objects.filter(
            status__in=(SignatureStatus.ASKED, SignatureStatus.PENDING),
            due_on__isnull=False,
            due_on__lte=day + REMINDER_LEAD,
            phase__recognition_status__in=EDITABLE | {RecognitionStatus.APPLIED},
        ).exclude(reminded_on__gt=day - REMINDER_INTERVAL)
    )
    reminded: list[int] = []
    for request in due:
        with transaction.atomic():
            locked = SignatureRequest.objects.select_for_update().get(pk=request.pk)
            # A run in parallel, or an answer meanwhile: remind once, and only the open ones.
            if not locked.is_open or (
                locked.reminded_on is not None and locked.reminded_on > day - REMINDER_INTERVAL
            ):
                continue
            locked.reminded_on = day
            locked.save(update_fields=["reminded_on", "updated_at"])
            audit_record(
                actor=None,
                action="renewal.signature_reminded",
                instance=locked,
                changes={"due_on": locked.due_on.isoformat() if locked.due_on else None},
            )
            reminded.append(locked.pk)
    if reminded:
        _mail_requests(reminded, reminder=True)
    return len(reminded)


# --- Seats follow the signatures ----------------------------------------------------------------


@dataclass
class SeatChanges:
    added: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)


def seats_follow_signatures(*, actor: User | None, phase: FundingPhase) -> SeatChanges:
    """The Steuerkreis of the phase: one vote per signed partner. A signed partner without a seat
    gets one from the phase's start; a voting member that did not sign leaves at the end of the
    day before; advisory seats stay advisory and stay."""
    changes = SeatChanges()
    steering = alliance_selectors.body_of_kind(phase.alliance, BodyKind.STEERING)
    if steering is None:
        return changes
    plan = selectors.seat_plan(phase, steering)
    with transaction.atomic():
        for organisation in plan.to_add:
            alliance_services.seat_assign(
                actor=actor,
                body=steering,
                organisation=organisation,
                role=SeatRole.MEMBER,
                starts_on=phase.starts_on,
            )
            changes.added.append(organisation.name)
        for seat in plan.to_end:
            alliance_services.seat_end(
                actor=actor, seat=seat, ends_on=phase.starts_on - timedelta(days=1)
            )
            changes.ended.append(seat.organisation.name)
    return changes


def _seat_late_signer(
    actor: User, phase: FundingPhase, organisation: Organisation, signed_on: date
) -> None:
    """A partner that signs after the phase was recognised (the Steuerkreis followed the
    signatures then) gets its vote from its signature on, or from the phase's start. Nothing for
    a partner already seated then, or for a phase that is over."""
    starts_on = max(phase.starts_on, signed_on)
    steering = alliance_selectors.body_of_kind(phase.alliance, BodyKind.STEERING)
    if steering is None or starts_on > phase.ends_on:
        return
    seated = (
        alliance_selectors.active_seats([steering.pk], on=starts_on)
        .filter(organisation=organisation)
        .exists()
    )
    if not seated:
        alliance_services.seat_assign(
            actor=actor,
            body=steering,
            organisation=organisation,
            role=SeatRole.MEMBER,
            starts_on=starts_on,
        )


# --- The application and the ministry's decision ------------------------------------------------


def application_submit(
    *, actor: User, phase: FundingPhase, cover_note: str = "", keep_dossier: bool = True
) -> ExtensionApplication:
    """Send the application to the ministry. Refused, with the list of what is missing, while the
    composition rules, the Sprecherkreis or the strategy are not met.

    The dossier is rendered under the phase's lock, once the checks have passed, so the copy
    kept with the application is what the ministry received (none where this server cannot
    render PDF; `keep_dossier=False` for the history of the demo)."""
    _require(
        permissions.can_prepare(actor, phase.alliance),
        _("Den Antrag stellt die Geschäftsstelle."),
    )
    with transaction.atomic():
        locked = _lock_phase(phase)
        if locked.recognition_status not in EDITABLE:
            raise TransitionNotAllowed(
                _("Der Antrag ist schon gestellt oder entschieden: „%(status)s“.")
                % {"status": locked.get_recognition_status_display()}
            )
        problems = selectors.application_problems(locked)
        if problems:
            raise DomainError(
                _("Der Antrag kann noch nicht gestellt werden: %(problems)s")
                % {"problems": " ".join(problems)}
            )
        application = _application_locked(locked)
        before = locked.recognition_status
        now = timezone.now()
        application.cover_note = cover_note.strip()
        application.submitted_at = now
        application.submitted_by = actor
        application.requested_budget = locked.virtual_budget
        application.requested_rate = locked.funding_rate
        application.submissions += 1
        dossier_pdf = _render_dossier(locked, application.cover_note) if keep_dossier else None
        if dossier_pdf is not None:
            application.dossier.save(
                f"Verlaengerungsantrag-{locked.alliance.slug}-{locked.pk}-{application.submissions}.pdf",
                ContentFile(dossier_pdf),
                save=False,
            )
        application.save()
        locked.recognition_status = RecognitionStatus.APPLIED
        locked.extension_applied_on = timezone.localdate(now)
        locked.extension_note = application.cover_note
        locked.save(
            update_fields=[
                "recognition_status",
                "extension_applied_on",
                "extension_note",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="renewal.applied",
            instance=locked,
            from_state=before,
            to_state=locked.recognition_status,
            changes={
                "virtual_budget": str(locked.virtual_budget),
                "funding_rate": str(locked.funding_rate),
                "submission": application.submissions,
            },
            comment=application.cover_note,
        )
        phase_id = locked.pk
        transaction.on_commit(lambda: _mail_ministry(phase_id))
    return application


def _render_dossier(phase: FundingPhase, cover_note: str) -> bytes | None:
    try:
        return dossier.render_pdf(phase, cover_note=cover_note)
    except dossier.PdfUnavailable:
        log.warning("Kein PDF-Renderer: der Antrag %s geht ohne Unterlagen-Kopie", phase.pk)
        return None


def recognition_decide(
    *,
    actor: User,
    phase: FundingPhase,
    outcome: str,
    decided_on: date,
    reference: str = "",
    virtual_budget: Decimal | None = None,
    funding_rate: Decimal | None = None,
    carry_over: Decimal | None = None,
    conditions: str = "",
    reason: str = "",
) -> RecognitionDecision:
    """The ministry decides on the application: it recognises the phase (date, file reference,
    the budget and rate it assigns, conditions, and how much unspent budget of the phase before
    is carried over), asks for changes, or refuses. Recognition opens the phase: it becomes
    current on its start and takes projects; the Steuerkreis follows the signatures."""
    _require(
        permissions.can_decide_recognition(actor),
        _("Über die Anerkennung entscheidet das Ministerium."),
    )
    outcome = RecognitionOutcome(outcome)
    errors: dict[str, str] = {}
    if outcome == RecognitionOutcome.RECOGNISED:
        if not reference.strip():
            errors["reference"] = _("Bitte das Aktenzeichen der Anerkennung angeben.")
        if virtual_budget is None or virtual_budget < 0:
            errors["virtual_budget"] = _("Bitte das zugewiesene virtuelle Budget angeben.")
        elif virtual_budget != virtual_budget.quantize(Decimal("0.01")):
            errors["virtual_budget"] = _("Beträge werden auf den Cent genau angegeben.")
        if funding_rate is None or not (Decimal("0") < funding_rate <= Decimal("100")):
            errors["funding_rate"] = _(
                "Der Fördersatz muss größer als 0 %% und höchstens 100 %% sein."
            ).replace("%%", "%")
    elif not reason.strip():
        errors["reason"] = _("Bitte begründen Sie die Entscheidung für das Bündnis.")
    _not_in_future_error = decided_on > _today()
    if _not_in_future_error:
        errors["decided_on"] = _("Das Datum der Entscheidung darf nicht in der Zukunft liegen.")
    if errors:
        raise DomainError(errors)
    with transaction.atomic():
        locked = _lock_phase(phase)
        if locked.recognition_status != RecognitionStatus.APPLIED:
            raise TransitionNotAllowed(
                _("Über diese Förderphase ist nichts zu entscheiden: „%(status)s“.")
                % {"status": locked.get_recognition_status_display()}
            )
        application = _application_locked(locked)
        applied_on = (
            timezone.localdate(application.submitted_at) if application.submitted_at else None
        )
        if applied_on is not None and decided_on < applied_on:
            raise DomainError(
                {
                    "decided_on": _("Die Entscheidung kann nicht vor dem Antrag (%(day)s) liegen.")
                    % {"day": _d(applied_on)}
                }
            )
        before = locked.recognition_status
        decision = RecognitionDecision.objects.create(
            alliance_id=locked.alliance_id,
            phase=locked,
            outcome=outcome,
            decided_on=decided_on,
            reference=reference.strip(),
            virtual_budget=virtual_budget if outcome == RecognitionOutcome.RECOGNISED else None,
            funding_rate=funding_rate if outcome == RecognitionOutcome.RECOGNISED else None,
            carry_over=carry_over if outcome == RecognitionOutcome.RECOGNISED else None,
            conditions=conditions.strip(),
            reason=reason.strip(),
            authority=settings.BUENDNIS_MINISTRY_NAME,
            actor=actor,
        )
        locked.recognition_status = RecognitionStatus(outcome.value)
        if outcome == RecognitionOutcome.RECOGNISED:
            assert virtual_budget is not None and funding_rate is not None  # noqa: S101
            locked.recognised_on = decided_on
            locked.recognition_reference = reference.strip()
            locked.recognition_conditions = conditions.strip()
            locked.virtual_budget = virtual_budget
            locked.funding_rate = funding_rate
        alliance_services.phase_save(actor=actor, instance=locked)
        if outcome == RecognitionOutcome.RECOGNISED and carry_over:
            previous = selectors.previous_phase(locked)
            if previous is None:
                raise DomainError(
                    {"carry_over": _("Es gibt keine vorige Förderphase, aus der übertragen würde.")}
                )
            budget.carry_over(
                actor=actor,
                source=previous,
                target=locked,
                amount=carry_over,
                note=_("Übertrag von %(source)s nach %(target)s (Anerkennung %(reference)s)")
                % {"source": previous.name, "target": locked.name, "reference": reference},
            )
        if outcome == RecognitionOutcome.RECOGNISED:
            seats_follow_signatures(actor=actor, phase=locked)
        audit_record(
            actor=actor,
            action="renewal.recognition_decided",
            instance=locked,
            from_state=before,
            to_state=locked.recognition_status,
            changes={
                "decision": decision.pk,
                "reference": decision.reference,
                "virtual_budget": str(virtual_budget) if virtual_budget is not None else None,
                "funding_rate": str(funding_rate) if funding_rate is not None else None,
                "carry_over": str(carry_over) if carry_over else None,
            },
            comment=decision.reason or decision.conditions,
        )
        decision_id = decision.pk
        transaction.on_commit(lambda: _mail_decision(decision_id))
    return decision


# --- Mail (after the commit; a failing mail server never undoes the step) -----------------------

_muted: ContextVar[bool] = ContextVar("renewal_mail_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Send no mail of the cycle inside the block (the demo load writes the cycle's history).

    Mail goes out on commit, so the block must enclose the outermost transaction of the steps it
    mutes: `with muted(), transaction.atomic(): ...`.
    """
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _send(subject: str, body: str, recipients: list[str]) -> None:
    if not recipients or _muted.get():
        return
    try:
        send_mail(subject, body, None, recipients)
    except OSError:
        log.exception("Mail „%s“ konnte nicht gesendet werden", subject)


def _office_addresses(alliance: Alliance) -> list[str]:
    addresses = {alliance.office_email} if alliance.office_email else set()
    addresses |= set(
        office_selectors.office_staff(alliance).exclude(email="").values_list("email", flat=True)
    )
    return sorted(addresses)


def _mail_requests(request_ids: list[int], *, reminder: bool) -> None:
    requests = SignatureRequest.objects.filter(pk__in=request_ids).select_related(
        "phase", "organisation", "alliance"
    )
    with translation.override(settings.LANGUAGE_CODE):
        for request in requests:
            recipients = selectors.contact_addresses(request.organisation)
            context = {
                "request": request,
                "reminder": reminder,
                "site_url": settings.BUENDNIS_SITE_URL,
            }
            subject = render_to_string("renewal/mail/request_subject.txt", context).strip()
            body = render_to_string("renewal/mail/request.txt", context)
            _send(subject, body, recipients)


def _mail_office_answer(request_id: int) -> None:
    request = SignatureRequest.objects.select_related("phase", "organisation", "alliance").get(
        pk=request_id
    )
    with translation.override(settings.LANGUAGE_CODE):
        context = {"request": request, "site_url": settings.BUENDNIS_SITE_URL}
        subject = render_to_string("renewal/mail/answer_subject.txt", context).strip()
        body = render_to_string("renewal/mail/answer.txt", context)
    _send(subject, body, _office_addresses(request.alliance))


def _mail_ministry(phase_id: int) -> None:
    phase = FundingPhase.objects.select_related("alliance").get(pk=phase_id)
    recipients = sorted(
        User.objects.filter(platform_role=PlatformRole.MINISTRY, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        context = {"phase": phase, "site_url": settings.BUENDNIS_SITE_URL}
        subject = render_to_string("renewal/mail/applied_subject.txt", context).strip()
        body = render_to_string("renewal/mail/applied.txt", context)
    _send(subject, body, recipients)


def _mail_decision(decision_id: int) -> None:
    decision = RecognitionDecision.objects.select_related("phase", "alliance").get(pk=decision_id)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "decision": decision,
            "phase": decision.phase,
            "site_url": settings.BUENDNIS_SITE_URL,
            "budget": euro(decision.virtual_budget) if decision.virtual_budget is not None else "",
        }
        subject = render_to_string("renewal/mail/decision_subject.txt", context).strip()
        body = render_to_string("renewal/mail/decision.txt", context)
    _send(subject, body, _office_addresses(decision.alliance))
