"""Writes after the grant: the report schedule and its reviews, payment requests with the
ledger's booking, co-financing received, participant figures.

Every write checks the actor, locks the project row where money or order is at stake, writes an
audit row in the same transaction, and sends its mail after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Sum
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from buendnis.accounts.models import User
from buendnis.budget import services as budget
from buendnis.core.audit import audit_record
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.core.templatetags.buendnis_format import money as euro
from buendnis.funding.models import CoFinancing, Project
from buendnis.funding.services import proposed_grant
from buendnis.funding.states import Status

from . import permissions, selectors
from .models import (
    CHARACTERISTICS,
    HOLDING,
    CoFinancingPayment,
    ParticipantFigures,
    PaymentRequest,
    PaymentStatus,
    Receipt,
    ReportKind,
    ReportReview,
    ReportStatus,
    ReportVersion,
    ReviewOutcome,
    ScheduledReport,
)

log = logging.getLogger(__name__)

# Projects that report, draw and count participants: granted by the bank, or running.
FOLLOWED_STATES = frozenset({Status.GRANTED, Status.RUNNING})
# Reminders: this long before the due date, and again every week until it is in.
REMINDER_LEAD = timedelta(days=14)
REMINDER_INTERVAL = timedelta(days=7)
CENT = Decimal("0.01")

_muted: ContextVar[bool] = ContextVar("grants_mail_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Send no mail of reports and payment requests inside the block (the demo load walks many
    projects through them). Mail goes out on commit, so the block must enclose the outermost
    transaction: `with muted(), transaction.atomic(): ...`."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _d(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _today() -> date:
    return timezone.localdate()


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotPermitted(message)


def _lock_project(project: Project) -> Project:
    """The project row only (see funding.services._lock): its requests and figures are decided
    one at a time."""
    return (
        Project.objects.select_for_update(of=("self",), no_key=True)
        .select_related("alliance", "phase")
        .get(pk=project.pk)
    )


def _followed(project: Project) -> None:
    if project.status not in FOLLOWED_STATES:
        raise TransitionNotAllowed(
            _("Das gilt nur für bewilligte und laufende Vorhaben (Stand: „%(status)s“).")
            % {"status": project.get_status_display()}
        )


def _not_in_future(day: date, field: str, label: str) -> None:
    if day > _today():
        raise DomainError(
            {field: _("%(label)s darf nicht in der Zukunft liegen.") % {"label": label}}
        )


# --- Reports on a schedule ----------------------------------------------------------------------


def report_schedule(*, actor: User, project: Project, kind: str, due_on: date) -> ScheduledReport:
    """The office adds a report the grant decision asks for, with its due date (not before the
    bank's decision)."""
    _require(
        permissions.can_supervise(actor, project),
        _("Den Berichtsplan legt die Geschäftsstelle fest."),
    )
    kind = ReportKind(kind)
    with transaction.atomic():
        locked = _lock_project(project)
        _followed(locked)
        granted_on = locked.bank_decided_on
        if granted_on is not None and due_on < granted_on:
            raise DomainError(
                {
                    "due_on": _("Fällig frühestens nach der Bewilligung (%(day)s).")
                    % {"day": _d(granted_on)}
                }
            )
        if (
            kind == ReportKind.FINAL_PROOF
            and ScheduledReport.objects.filter(project=locked, kind=kind).exists()
        ):
            raise DomainError(
                {"kind": _("Das Vorhaben hat schon einen Verwendungsnachweis im Plan.")}
            )
        report = ScheduledReport.objects.create(
            alliance_id=locked.alliance_id, project=locked, kind=kind, due_on=due_on
        )
        audit_record(
            actor=actor,
            action="grants.report_scheduled",
            instance=report,
            changes={"kind": kind.value, "due_on": due_on.isoformat()},
        )
    return report


def report_reschedule(
    *, actor: User, report: ScheduledReport, due_on: date, reason: str
) -> ScheduledReport:
    """A new due date for a report not yet in (audited with the old date and the reason)."""
    _require(
        permissions.can_supervise(actor, report.project),
        _("Den Berichtsplan legt die Geschäftsstelle fest."),
    )
    if not reason.strip():
        raise DomainError({"reason": _("Bitte begründen Sie die neue Frist.")})
    with transaction.atomic():
        locked = ScheduledReport.objects.select_for_update().get(pk=report.pk)
        if locked.status not in selectors.OPEN_REPORT_STATES:
            raise TransitionNotAllowed(_("Der Bericht ist schon eingereicht."))
        granted_on = report.project.bank_decided_on
        if granted_on is not None and due_on < granted_on:
            raise DomainError(
                {
                    "due_on": _("Fällig frühestens nach der Bewilligung (%(day)s).")
                    % {"day": _d(granted_on)}
                }
            )
        before = locked.due_on
        locked.due_on = due_on
        locked.save(update_fields=["due_on", "updated_at"])
        audit_record(
            actor=actor,
            action="grants.report_rescheduled",
            instance=locked,
            changes={"due_on": [before.isoformat(), due_on.isoformat()]},
            comment=reason.strip(),
        )
    return locked


def report_submit(
    *,
    actor: User,
    report: ScheduledReport,
    document: UploadedFile,
    costs_to_date: Decimal | None = None,
    summary: str = "",
) -> ReportVersion:
    """The applicant hands in the report (again, after changes were asked for): a new version."""
    project = report.project
    _require(
        permissions.can_report(actor, project),
        _("Berichte reicht der Projektträger ein (oder die Geschäftsstelle für ihn)."),
    )
    if costs_to_date is not None and (
        costs_to_date < 0 or costs_to_date != costs_to_date.quantize(CENT)
    ):
        raise DomainError({"costs_to_date": _("Beträge sind positiv und auf den Cent genau.")})
    with transaction.atomic():
        _lock_project(project)
        locked = ScheduledReport.objects.select_for_update().get(pk=report.pk)
        if locked.status not in selectors.OPEN_REPORT_STATES:
            raise TransitionNotAllowed(
                _(
                    "Der Bericht ist „%(status)s“; einreichen lässt er sich nur, wenn er offen ist "
                    "oder Änderungen erbeten sind."
                )
                % {"status": locked.get_status_display()}
            )
        if locked.kind == ReportKind.FINAL_PROOF and costs_to_date is None:
            # The accepted proof's total is the project's final eligible costs at closing.
            raise DomainError(
                {
                    "costs_to_date": _(
                        "Der Verwendungsnachweis nennt die förderfähigen Gesamtausgaben."
                    )
                }
            )
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ReportVersion(
            alliance_id=locked.alliance_id,
            report=locked,
            number=number,
            document=document,
            costs_to_date=costs_to_date,
            summary=summary.strip(),
            submitted_by=actor,
        )
        version.full_clean()
        version.save()
        before = locked.status
        locked.status = ReportStatus.SUBMITTED
        locked.submitted_on = _today()
        locked.save(update_fields=["status", "submitted_on", "updated_at"])
        audit_record(
            actor=actor,
            action="grants.report_submitted",
            instance=locked,
            from_state=before,
            to_state=locked.status,
            changes={"version": number},
        )
        report_id = locked.pk
        transaction.on_commit(lambda: _mail_report(report_id, to_office=True))
    return version


def report_review(
    *, actor: User, report: ScheduledReport, outcome: str, reason: str = ""
) -> ReportReview:
    """The office accepts the submitted version, or asks for changes with a reason."""
    _require(
        permissions.can_supervise(actor, report.project),
        _("Berichte prüft die Geschäftsstelle."),
    )
    outcome = ReviewOutcome(outcome)
    if outcome == ReviewOutcome.CHANGES_REQUESTED and not reason.strip():
        raise DomainError({"reason": _("Bitte sagen Sie, was geändert werden soll.")})
    with transaction.atomic():
        locked = ScheduledReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.SUBMITTED:
            raise TransitionNotAllowed(_("Es liegt keine eingereichte Fassung zur Prüfung vor."))
        version = locked.versions.order_by("-number").first()
        assert version is not None  # noqa: S101 - a submitted report has a version
        review = ReportReview.objects.create(
            alliance_id=locked.alliance_id,
            version=version,
            outcome=outcome,
            reason=reason.strip(),
            reviewed_by=actor,
        )
        before = locked.status
        if outcome == ReviewOutcome.ACCEPTED:
            locked.status = ReportStatus.ACCEPTED
            locked.accepted_on = _today()
        else:
            locked.status = ReportStatus.CHANGES_REQUESTED
        locked.save(update_fields=["status", "accepted_on", "updated_at"])
        audit_record(
            actor=actor,
            action="grants.report_reviewed",
            instance=locked,
            from_state=before,
            to_state=locked.status,
            changes={"version": version.number},
            comment=review.reason,
        )
        report_id = locked.pk
        transaction.on_commit(lambda: _mail_report(report_id, to_office=False))
    return review


def report_reminders_send(*, today: date | None = None) -> int:
    """Remind the applicants of reports due within two weeks or overdue, at most once a week
    (`manage.py send_report_reminders`, daily). Returns how many were reminded."""
    day = today or _today()
    due = list(
        ScheduledReport.objects.filter(
            status__in=selectors.OPEN_REPORT_STATES,
            due_on__lte=day + REMINDER_LEAD,
            project__status__in=FOLLOWED_STATES,
        )
        .exclude(reminded_on__gt=day - REMINDER_INTERVAL)
        .values_list("pk", flat=True)
    )
    reminded = []
    for pk in due:
        with transaction.atomic():
            locked = ScheduledReport.objects.select_for_update().get(pk=pk)
            if locked.reminded_on is not None and locked.reminded_on > day - REMINDER_INTERVAL:
                continue  # a parallel run reminded it
            locked.reminded_on = day
            locked.save(update_fields=["reminded_on", "updated_at"])
            audit_record(actor=None, action="grants.report_reminded", instance=locked)
            reminded.append(pk)
    for pk in reminded:
        _mail_report(pk, to_office=False, reminder=True)
    return len(reminded)


# --- Payment requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptLine:
    paid_on: date
    payee: str
    purpose: str
    amount: Decimal


def payment_request_submit(
    *,
    actor: User,
    project: Project,
    period_from: date,
    period_to: date,
    eligible_costs: Decimal,
    amount: Decimal,
    receipts: Iterable[ReceiptLine] = (),
) -> PaymentRequest:
    """The applicant draws a tranche for a period. Refused, with nothing written, beyond the
    project's funding rate of the costs, beyond what is left of the grant (requests already
    submitted, checked or released count), for a period outside the runtime, in the future or
    overlapping an earlier request. Concurrent requests are decided one after the other (the
    project's row lock), so together they never exceed the grant."""
    _require(
        permissions.can_report(actor, project),
        _("Mittel ruft der Projektträger ab (oder die Geschäftsstelle für ihn)."),
    )
    lines = list(receipts)
    errors: dict[str, str] = {}
    if period_to < period_from:
        errors["period_to"] = _("Der Zeitraum endet vor seinem Beginn.")
    if period_to > _today():
        errors["period_to"] = _("Abgerufen wird für Ausgaben, die schon angefallen sind.")
    for field, value in (("eligible_costs", eligible_costs), ("amount", amount)):
        if value <= 0 or value != value.quantize(CENT):
            errors[field] = _("Beträge sind positiv und auf den Cent genau.")
    if lines:
        total = sum((line.amount for line in lines), Decimal(0))
        if total != eligible_costs:
            errors["receipts"] = _(
                "Die Belege ergeben %(total)s, angegeben sind %(costs)s förderfähige Ausgaben."
            ) % {"total": euro(total), "costs": euro(eligible_costs)}
        outside = [line for line in lines if not (period_from <= line.paid_on <= period_to)]
        if outside:
            errors["receipts"] = _(
                "Beleg „%(purpose)s“ vom %(day)s liegt außerhalb des Zeitraums."
            ) % {"purpose": outside[0].purpose, "day": _d(outside[0].paid_on)}
    if errors:
        raise DomainError(errors)
    with transaction.atomic():
        locked = _lock_project(project)
        _followed(locked)
        if (
            locked.starts_on
            and period_from < locked.starts_on
            or (locked.ends_on and period_to > locked.ends_on)
        ):
            raise DomainError(
                {
                    "period_from": _(
                        "Der Zeitraum liegt außerhalb der Laufzeit (%(start)s–%(end)s)."
                    )
                    % {
                        "start": _d(locked.starts_on) if locked.starts_on else "–",
                        "end": _d(locked.ends_on) if locked.ends_on else "–",
                    }
                }
            )
        maximum = proposed_grant(locked.phase, eligible_costs)
        if amount > maximum:
            raise DomainError(
                {
                    "amount": _(
                        "Höchstens %(max)s: der Fördersatz der Förderphase von den förderfähigen "
                        "Ausgaben."
                    )
                    % {"max": euro(maximum)}
                }
            )
        standing = selectors.drawn(locked)
        if amount > standing.left:
            raise DomainError(
                {
                    "amount": _(
                        "Der Abruf übersteigt den bewilligten Zuschuss: bewilligt %(granted)s, "
                        "schon abgerufen %(held)s, übrig %(left)s. Es wurde nichts gebucht."
                    )
                    % {
                        "granted": euro(standing.granted),
                        "held": euro(standing.held),
                        "left": euro(standing.left),
                    }
                }
            )
        overlapping = (
            PaymentRequest.objects.filter(project=locked, status__in=HOLDING)
            .filter(period_from__lte=period_to, period_to__gte=period_from)
            .first()
        )
        if overlapping is not None:
            raise DomainError(
                {
                    "period_from": _(
                        "Der Zeitraum überschneidet sich mit Mittelabruf %(number)s "
                        "(%(start)s–%(end)s)."
                    )
                    % {
                        "number": overlapping.number,
                        "start": _d(overlapping.period_from),
                        "end": _d(overlapping.period_to),
                    }
                }
            )
        number = (locked.payment_requests.aggregate(n=Max("number"))["n"] or 0) + 1
        request = PaymentRequest(
            alliance_id=locked.alliance_id,
            project=locked,
            number=number,
            period_from=period_from,
            period_to=period_to,
            eligible_costs=eligible_costs,
            amount=amount,
            submitted_by=actor,
        )
        request.full_clean()
        request.save()
        Receipt.objects.bulk_create(
            Receipt(
                payment_request=request,
                position=position,
                paid_on=line.paid_on,
                payee=line.payee[:200],
                purpose=line.purpose[:300],
                amount=line.amount,
            )
            for position, line in enumerate(lines, start=1)
        )
        audit_record(
            actor=actor,
            action="grants.payment_requested",
            instance=request,
            to_state=request.status,
            changes={
                "amount": str(amount),
                "eligible_costs": str(eligible_costs),
                "period": [period_from.isoformat(), period_to.isoformat()],
                "receipts": len(lines),
            },
        )
        request_id = request.pk
        transaction.on_commit(lambda: _mail_payment(request_id, PaymentStatus.SUBMITTED))
    return request


def _lock_request(request: PaymentRequest) -> PaymentRequest:
    return PaymentRequest.objects.select_for_update().select_related("project").get(pk=request.pk)


def payment_request_check(*, actor: User, request: PaymentRequest) -> PaymentRequest:
    """First step of the office: the request is checked against its receipts."""
    _require(
        permissions.can_supervise(actor, request.project),
        _("Mittelabrufe prüft die Geschäftsstelle."),
    )
    with transaction.atomic():
        locked = _lock_request(request)
        if locked.status != PaymentStatus.SUBMITTED:
            raise TransitionNotAllowed(
                _("Nur ein eingereichter Mittelabruf wird geprüft (Stand: „%(status)s“).")
                % {"status": locked.get_status_display()}
            )
        locked.status = PaymentStatus.CHECKED
        locked.checked_by = actor
        locked.checked_at = timezone.now()
        locked.save(update_fields=["status", "checked_by", "checked_at", "updated_at"])
        audit_record(
            actor=actor,
            action="grants.payment_checked",
            instance=locked,
            from_state=PaymentStatus.SUBMITTED,
            to_state=locked.status,
        )
    return locked


def payment_request_release(*, actor: User, request: PaymentRequest) -> PaymentRequest:
    """Second step: the checked request is released and paid out of the commitment (a ledger
    booking in the same transaction)."""
    _require(
        permissions.can_supervise(actor, request.project),
        _("Mittelabrufe gibt die Geschäftsstelle frei."),
    )
    with transaction.atomic():
        project = _lock_project(request.project)
        locked = _lock_request(request)
        if locked.status != PaymentStatus.CHECKED:
            raise TransitionNotAllowed(
                _("Freigegeben wird nur ein geprüfter Mittelabruf (Stand: „%(status)s“).")
                % {"status": locked.get_status_display()}
            )
        entry = budget.pay_tranche(
            actor=actor,
            project=project,
            amount=locked.amount,
            note=_("Mittelabruf %(number)s (%(start)s–%(end)s)")
            % {
                "number": locked.number,
                "start": _d(locked.period_from),
                "end": _d(locked.period_to),
            },
        )
        locked.status = PaymentStatus.RELEASED
        locked.released_by = actor
        locked.released_at = timezone.now()
        locked.ledger_entry = entry
        locked.save(
            update_fields=["status", "released_by", "released_at", "ledger_entry", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="grants.payment_released",
            instance=locked,
            from_state=PaymentStatus.CHECKED,
            to_state=locked.status,
            changes={"amount": str(locked.amount), "ledger_entry": entry.pk},
        )
        request_id = locked.pk
        transaction.on_commit(lambda: _mail_payment(request_id, PaymentStatus.RELEASED))
    return locked


def payment_request_refuse(*, actor: User, request: PaymentRequest, reason: str) -> PaymentRequest:
    """The office refuses a request not yet released; its amount no longer counts against the
    grant."""
    _require(
        permissions.can_supervise(actor, request.project),
        _("Mittelabrufe prüft die Geschäftsstelle."),
    )
    if not reason.strip():
        raise DomainError({"reason": _("Bitte begründen Sie die Ablehnung.")})
    with transaction.atomic():
        locked = _lock_request(request)
        if locked.status not in (PaymentStatus.SUBMITTED, PaymentStatus.CHECKED):
            raise TransitionNotAllowed(
                _("Dieser Mittelabruf ist schon entschieden (Stand: „%(status)s“).")
                % {"status": locked.get_status_display()}
            )
        before = locked.status
        locked.status = PaymentStatus.REFUSED
        locked.refusal_reason = reason.strip()
        locked.save(update_fields=["status", "refusal_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="grants.payment_refused",
            instance=locked,
            from_state=before,
            to_state=locked.status,
            comment=locked.refusal_reason,
        )
        request_id = locked.pk
        transaction.on_commit(lambda: _mail_payment(request_id, PaymentStatus.REFUSED))
    return locked


# --- Co-financing received ----------------------------------------------------------------------


def cofinancing_received(
    *, actor: User, share: CoFinancing, received_on: date, amount: Decimal
) -> CoFinancingPayment:
    """A co-financing partner paid (part of) its pledged share; never more than pledged."""
    project = share.project
    _require(
        permissions.can_supervise(actor, project),
        _("Eingänge der Kofinanzierung erfasst die Geschäftsstelle."),
    )
    if amount <= 0 or amount != amount.quantize(CENT):
        raise DomainError({"amount": _("Beträge sind positiv und auf den Cent genau.")})
    _not_in_future(received_on, "received_on", _("Der Eingang"))
    with transaction.atomic():
        _lock_project(project)
        received = share.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if received + amount > share.amount:
            raise DomainError(
                {
                    "amount": _(
                        "Zugesagt sind %(pledged)s, eingegangen schon %(received)s: höchstens "
                        "%(left)s mehr."
                    )
                    % {
                        "pledged": euro(share.amount),
                        "received": euro(received),
                        "left": euro(share.amount - received),
                    }
                }
            )
        payment = CoFinancingPayment.objects.create(
            alliance_id=project.alliance_id,
            share=share,
            received_on=received_on,
            amount=amount,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="grants.cofinancing_received",
            instance=payment,
            alliance=project.alliance,
            changes={"amount": str(amount), "received_on": received_on.isoformat()},
        )
    return payment


# --- Participant figures ------------------------------------------------------------------------


def _breakdown_errors(
    breakdown: Mapping[str, Mapping[str, Mapping[str, int]]], entries: int, exits: int
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key, (label, categories) in CHARACTERISTICS.items():
        given = breakdown.get(key, {})
        unknown = set(given) - {code for code, _label in categories}
        if unknown:
            errors[key] = _("Unbekannte Kategorie bei %(label)s: %(names)s.") % {
                "label": label,
                "names": ", ".join(sorted(unknown)),
            }
            continue
        for column, total in (("entries", entries), ("exits", exits)):
            values = [given.get(code, {}).get(column, 0) for code, _label in categories]
            if any(not isinstance(value, int) or value < 0 for value in values):
                errors[key] = _("Bei %(label)s sind nur ganze Zahlen ab 0 möglich.") % {
                    "label": label
                }
                break
            if sum(values) != total:
                errors[key] = _(
                    "%(label)s: die Kategorien ergeben %(sum)s %(column)s, insgesamt sind es "
                    "%(total)s."
                ) % {
                    "label": label,
                    "sum": sum(values),
                    "column": _("Eintritte") if column == "entries" else _("Austritte"),
                    "total": total,
                }
                break
    return errors


def participants_record(
    *,
    actor: User,
    project: Project,
    period_from: date,
    period_to: date,
    entries: int,
    exits: int,
    breakdown: Mapping[str, Mapping[str, Mapping[str, int]]],
) -> ParticipantFigures:
    """Entries and exits of a reporting period, as aggregates only. Refused for a project
    without participants, a period outside the runtime, in the future or overlapping another,
    categories that do not add up, and exits beyond the entries so far."""
    _require(
        permissions.can_report(actor, project),
        _("Teilnehmendenzahlen meldet der Projektträger (oder die Geschäftsstelle für ihn)."),
    )
    errors: dict[str, str] = {}
    if entries < 0 or exits < 0:
        errors["entries"] = _("Nur ganze Zahlen ab 0.")
    if period_to < period_from:
        errors["period_to"] = _("Der Zeitraum endet vor seinem Beginn.")
    elif period_to > _today():
        errors["period_to"] = _("Gemeldet wird für einen Zeitraum, der vorbei ist.")
    errors.update(_breakdown_errors(breakdown, entries, exits))
    if errors:
        raise DomainError(errors)
    with transaction.atomic():
        locked = _lock_project(project)
        _followed(locked)
        if not locked.planned_participants:
            raise DomainError(
                _("Das Vorhaben plant keine Teilnehmenden; es meldet keine Teilnehmendenzahlen.")
            )
        if (locked.starts_on and period_from < locked.starts_on) or (
            locked.ends_on and period_to > locked.ends_on
        ):
            raise DomainError(
                {"period_from": _("Der Zeitraum liegt außerhalb der Laufzeit des Vorhabens.")}
            )
        earlier = list(ParticipantFigures.objects.filter(project=locked))
        overlapping = next(
            (
                row
                for row in earlier
                if row.period_from <= period_to and row.period_to >= period_from
            ),
            None,
        )
        if overlapping is not None:
            raise DomainError(
                {
                    "period_from": _(
                        "Der Zeitraum überschneidet sich mit der Meldung %(start)s–%(end)s."
                    )
                    % {"start": _d(overlapping.period_from), "end": _d(overlapping.period_to)}
                }
            )
        # Exits never exceed entries: up to the end of each period, in the order of periods.
        periods = sorted(
            [(row.period_from, row.entries, row.exits) for row in earlier]
            + [(period_from, entries, exits)]
        )
        entered = left = 0
        for start, period_entries, period_exits in periods:
            entered += period_entries
            left += period_exits
            if left > entered:
                raise DomainError(
                    {
                        "exits": _(
                            "Bis zum Zeitraum ab %(day)s wären %(exits)s ausgetreten, aber nur "
                            "%(entries)s eingetreten."
                        )
                        % {"day": _d(start), "exits": left, "entries": entered}
                    }
                )
        figures = ParticipantFigures(
            alliance_id=locked.alliance_id,
            project=locked,
            period_from=period_from,
            period_to=period_to,
            entries=entries,
            exits=exits,
            breakdown={key: dict(value) for key, value in breakdown.items()},
            recorded_by=actor,
        )
        figures.full_clean()
        figures.save()
        audit_record(
            actor=actor,
            action="grants.participants_recorded",
            instance=figures,
            changes={
                "period": [period_from.isoformat(), period_to.isoformat()],
                "entries": entries,
                "exits": exits,
            },
        )
    return figures


# --- Mail ---------------------------------------------------------------------------------------


def _mail_report(report_id: int, *, to_office: bool, reminder: bool = False) -> None:
    if _muted.get():
        return
    report = ScheduledReport.objects.select_related("project__alliance").get(pk=report_id)
    project = report.project
    if to_office:
        recipients = [project.alliance.office_email] if project.alliance.office_email else []
    else:
        recipients = [project.contact_email] if project.contact_email else []
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context: dict[str, Any] = {
            "report": report,
            "project": project,
            "reminder": reminder,
            "to_office": to_office,
            "site_url": settings.BUENDNIS_SITE_URL,
            "review": ReportReview.objects.filter(version__report=report)
            .order_by("-reviewed_at")
            .first(),
        }
        subject = render_to_string("grants/mail/report_subject.txt", context).strip()
        body = render_to_string("grants/mail/report.txt", context)
    try:
        send_mail(subject, body, None, recipients)
    except OSError:
        log.exception("Mail zum Bericht %s konnte nicht gesendet werden", report_id)


def _mail_payment(request_id: int, event: str) -> None:
    """A payment request was submitted (to the office, which checks it), or released or refused
    (to the applicant's contact, with the reason). Runs after the commit."""
    if _muted.get():
        return
    request = PaymentRequest.objects.select_related("project__alliance").get(pk=request_id)
    project = request.project
    to_office = event == PaymentStatus.SUBMITTED
    address = project.alliance.office_email if to_office else project.contact_email
    if not address:
        return
    # German, like the other mails of the procedure; the amount formatted in that language.
    with translation.override(settings.LANGUAGE_CODE):
        context: dict[str, Any] = {
            "request": request,
            "project": project,
            "event": event,
            "amount": euro(request.amount),
            "period_from": _d(request.period_from),
            "period_to": _d(request.period_to),
            "link": (
                f"{settings.BUENDNIS_SITE_URL}/{project.alliance.slug}/"
                f"{'intern/' if to_office else ''}vorhaben/{project.reference}/mittelabrufe/"
            ),
        }
        subject = render_to_string("grants/mail/payment_subject.txt", context).strip()
        body = render_to_string("grants/mail/payment.txt", context)
    try:
        send_mail(subject, body, None, [address])
    except OSError:
        log.exception("Mail zum Mittelabruf %s konnte nicht gesendet werden", request_id)


# --- Closing ------------------------------------------------------------------------------------


def project_conclude(*, actor: User, project: Project, closed_on: date) -> Project:
    """Close a running project once its final proof of use (Verwendungsnachweis) is accepted and
    no payment request is still open: the final grant is what was paid in tranches, the final
    costs are the accepted proof's, the participants the figures reported; any grant not paid
    goes back to the phase's budget in the same transaction (`funding.project_close` settles)."""
    from buendnis.funding import services as funding

    _require(
        permissions.can_supervise(actor, project),
        _("Ein Vorhaben schließt die Geschäftsstelle ab."),
    )
    with transaction.atomic():
        locked = _lock_project(project)
        if locked.status != Status.RUNNING:
            raise TransitionNotAllowed(_("Abgeschlossen wird ein laufendes Vorhaben."))
        proof = (
            ReportVersion.objects.filter(
                report__project=locked,
                report__kind=ReportKind.FINAL_PROOF,
                report__status=ReportStatus.ACCEPTED,
            )
            .order_by("-number")
            .first()
        )
        if proof is None:
            raise DomainError(
                _(
                    "Der Verwendungsnachweis ist noch nicht angenommen; erst dann wird abgeschlossen."
                )
            )
        if proof.costs_to_date is None:
            raise DomainError(
                _("Der angenommene Verwendungsnachweis nennt keine förderfähigen Gesamtausgaben.")
            )
        if PaymentRequest.objects.filter(
            project=locked, status__in=(PaymentStatus.SUBMITTED, PaymentStatus.CHECKED)
        ).exists():
            raise DomainError(
                _("Ein Mittelabruf ist noch offen; er wird erst freigegeben oder abgelehnt.")
            )
        paid = selectors.drawn(locked).released
        reached = selectors.participants_reached(locked)
        has_figures = ParticipantFigures.objects.filter(project=locked).exists()
        name = (proof.document.name or "verwendungsnachweis.pdf").rsplit("/", 1)[-1]
        with proof.document.open("rb") as handle:
            funding.project_close(
                actor=actor,
                project=locked,
                closed_on=closed_on,
                final_eligible_costs=proof.costs_to_date,
                final_grant=paid,
                final_report=UploadedFile(file=handle, name=name, size=proof.document.size),
                participants_entered=reached.entries if has_figures else None,
                participants_exited=reached.exits if has_figures else None,
            )
        locked.refresh_from_db()
    return locked
