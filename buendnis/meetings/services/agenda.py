"""A meeting's agenda: items (projects waiting for the body among them), their order, documents and
recusals. The Sprecherkreis' recommendation is agenda content, so carrying it onto the Steuerkreis
item lives here too (`decisions` calls it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from buendnis.alliances.models import Body, BodyKind, Organisation
from buendnis.core.audit import audit_record, diff, snapshot
from buendnis.core.errors import DomainError, StaleEdit, TransitionNotAllowed
from buendnis.funding.models import Project
from buendnis.funding.states import BODY_STAGES, Status
from buendnis.meetings import selectors
from buendnis.meetings.models import (
    AgendaDocument,
    AgendaItem,
    Decision,
    DecisionOutcome,
    Meeting,
    MeetingStatus,
    Recusal,
)
from buendnis.meetings.services._common import (
    _day,
    _lock_item,
    _lock_meeting,
    _objection_summary,
    _require_manager,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from buendnis.accounts.models import User


ITEM_FIELDS = ("title", "is_public", "proposed_decision", "recommendation", "notes")


def _require_agenda_open(meeting: Meeting) -> None:
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD):
        raise TransitionNotAllowed(
            _("Die Tagesordnung einer Sitzung im Stand „%(status)s“ wird nicht mehr geändert.")
            % {"status": meeting.get_status_display()}
        )


def _stage_title(project: Project) -> str:
    if project.status in (Status.SKETCH_SPEAKERS, Status.SKETCH_STEERING):
        return _("Kurzskizze „%(title)s“ (%(applicant)s)")
    return _("Projektbeschreibung „%(title)s“ (%(applicant)s)")


def _project_item(meeting: Meeting, project: Project, position: int, **fields: Any) -> AgendaItem:
    body_kind = meeting.body.kind
    stage = BODY_STAGES.get(project.status)
    if stage != body_kind:
        raise DomainError(
            {
                "project": [
                    _(
                        "Das Vorhaben %(project)s steht im Stand „%(status)s“ nicht vor diesem Gremium."
                    )
                    % {"project": project.reference, "status": project.get_status_display()}
                ]
            }
        )
    if project.alliance_id != meeting.alliance_id:
        raise DomainError({"project": [_("Dieses Vorhaben gehört zu einem anderen Bündnis.")]})
    if body_kind == BodyKind.STEERING:
        proposal = _("Der Steuerkreis befürwortet das Vorhaben.")
    else:
        proposal = _("Der Sprecherkreis empfiehlt dem Steuerkreis, das Vorhaben zu befürworten.")
    defaults = {
        "title": _stage_title(project)
        % {"title": project.title, "applicant": project.applicant_organisation.name},
        "proposed_decision": proposal,
        # Projects become public with the Votum: before that their items are non-public.
        "is_public": False,
    }
    defaults.update(fields)
    return AgendaItem(
        alliance=meeting.alliance,
        meeting=meeting,
        position=position,
        project=project,
        stage_status=project.status,
        **defaults,
    )


def _next_position(meeting: Meeting) -> int:
    last = meeting.items.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def agenda_propose(*, actor: User | None, meeting: Meeting) -> list[AgendaItem]:
    """Put every project waiting for the body on the agenda (the office then orders and edits).
    For the Steuerkreis the Sprecherkreis' latest recommendation comes along."""
    _require_manager(actor, meeting.alliance)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_agenda_open(locked)
        position = _next_position(locked)
        created = []
        for project in selectors.projects_waiting_for(locked.body):
            fields: dict[str, Any] = {}
            if locked.body.kind == BodyKind.STEERING:
                fields.update(_recommendation_of(project))
            item = _project_item(locked, project, position, **fields)
            item.save()
            created.append(item)
            position += 1
        if created:
            audit_record(
                actor=actor,
                action="meeting.agenda_propose",
                instance=locked,
                changes={"items": [item.title for item in created]},
            )
    return created


def _recommendation_of(project: Project) -> dict[str, Any]:
    """The Sprecherkreis item that recommended this project at its current stage, if any."""
    speakers_stage = {
        Status.SKETCH_STEERING: Status.SKETCH_SPEAKERS,
        Status.DESCRIPTION_STEERING: Status.DESCRIPTION_SPEAKERS,
    }.get(Status(project.status))
    source = (
        AgendaItem.objects.filter(
            project=project,
            stage_status=speakers_stage,
            # A recommendation, for or against; a deferral or revision recommends nothing.
            decision__outcome__in=(DecisionOutcome.AGREED, DecisionOutcome.NOT_AGREED),
        )
        .select_related("decision")
        .order_by("-decision__decided_at")
        .first()
    )
    if source is None:
        return {}
    return {"recommendation": _recommendation_text(source.decision), "recommended_by": source}


def agenda_item_create(
    *, actor: User | None, meeting: Meeting, project: Project | None = None, **fields: Any
) -> AgendaItem:
    _require_manager(actor, meeting.alliance)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"Unbekannte Felder: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_agenda_open(locked)
        position = _next_position(locked)
        if project is not None:
            project = Project.objects.select_related("applicant_organisation").get(pk=project.pk)
            if locked.items.filter(project=project, decision__isnull=True).exists():
                raise DomainError(
                    {"project": [_("Das Vorhaben steht bereits auf dieser Tagesordnung.")]}
                )
            extra = _recommendation_of(project) if locked.body.kind == BodyKind.STEERING else {}
            item = _project_item(
                locked,
                project,
                position,
                **{**extra, **{k: v for k, v in fields.items() if v not in ("", None)}},
            )
        else:
            if not str(fields.get("title", "")).strip():
                raise DomainError({"title": [_("Bitte geben Sie einen Titel an.")]})
            item = AgendaItem(alliance=locked.alliance, meeting=locked, position=position, **fields)
        item.full_clean()
        item.save()
        audit_record(actor=actor, action="agenda.create", instance=item, changes=snapshot(item))
    return item


def agenda_item_update(*, actor: User | None, item: AgendaItem, **fields: Any) -> AgendaItem:
    _require_manager(actor, item.alliance)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"Unbekannte Felder: {sorted(unknown)}")
    with transaction.atomic():
        _lock_meeting(item.meeting)
        locked = _lock_item(item)
        _require_agenda_open(locked.meeting)
        if Decision.objects.filter(item=locked).exists():
            raise TransitionNotAllowed(_("Über diesen Tagesordnungspunkt ist bereits beschlossen."))
        before = snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        changes = diff(before, snapshot(locked))
        if changes:
            locked.save()
            audit_record(actor=actor, action="agenda.update", instance=locked, changes=changes)
    item.refresh_from_db()
    return item


def agenda_item_delete(*, actor: User | None, item: AgendaItem) -> None:
    _require_manager(actor, item.alliance)
    with transaction.atomic():
        _lock_meeting(item.meeting)
        locked = _lock_item(item)
        _require_agenda_open(locked.meeting)
        if Decision.objects.filter(item=locked).exists():
            raise TransitionNotAllowed(
                _("Ein Tagesordnungspunkt mit Beschluss bleibt auf der Tagesordnung.")
            )
        audit_record(actor=actor, action="agenda.delete", instance=locked, changes=snapshot(locked))
        meeting = locked.meeting
        locked.delete()
        _renumber(meeting, list(meeting.items.order_by("position", "id")))


def _renumber(meeting: Meeting, items: list[AgendaItem]) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
    AgendaItem.objects.bulk_update(items, ["position"])


def agenda_reorder(*, actor: User | None, meeting: Meeting, item_ids: Sequence[int]) -> None:
    """Set the agenda's order: `item_ids` names every item of the meeting exactly once."""
    _require_manager(actor, meeting.alliance)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_agenda_open(locked)
        items = {item.pk: item for item in locked.items.all()}
        if sorted(item_ids) != sorted(items) or len(set(item_ids)) != len(item_ids):
            raise StaleEdit(
                _("Die Tagesordnung wurde inzwischen geändert. Bitte laden Sie die Seite neu.")
            )
        before = [item.pk for item in sorted(items.values(), key=lambda i: (i.position, i.pk))]
        _renumber(locked, [items[pk] for pk in item_ids])
        if before != list(item_ids):
            audit_record(
                actor=actor,
                action="agenda.reorder",
                instance=locked,
                changes={"order": [before, list(item_ids)]},
            )


def agenda_move(*, actor: User | None, item: AgendaItem, offset: int) -> None:
    """Move one item up (-1) or down (+1): the keyboard's and the no-script way to reorder."""
    ordered = list(
        AgendaItem.objects.filter(meeting_id=item.meeting_id)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    index = ordered.index(item.pk)
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    agenda_reorder(actor=actor, meeting=item.meeting, item_ids=ordered)


def agenda_document_add(
    *, actor: User | None, item: AgendaItem, title: str, upload: UploadedFile
) -> AgendaDocument:
    _require_manager(actor, item.alliance)
    if not title.strip():
        raise DomainError({"title": [_("Bitte geben Sie einen Titel an.")]})
    with transaction.atomic():
        document = AgendaDocument(
            alliance=item.alliance, item=item, title=title, file=upload, uploaded_by=actor
        )
        document.full_clean()
        document.save()
        audit_record(
            actor=actor, action="agenda.document", instance=item, changes={"document": title}
        )
    return document


def recusal_declare(
    *, actor: User | None, item: AgendaItem, organisation: Organisation, reason: str
) -> Recusal:
    """An organisation declares itself biased on an item (recorded by the office)."""
    _require_manager(actor, item.alliance)
    if not reason.strip():
        raise DomainError({"reason": [_("Bitte geben Sie den Grund der Befangenheit an.")]})
    if organisation.alliance_id != item.alliance_id:
        raise DomainError(
            {"organisation": [_("Diese Organisation gehört zu einem anderen Bündnis.")]}
        )
    with transaction.atomic():
        if Decision.objects.filter(item=item).exists():
            raise TransitionNotAllowed(_("Über diesen Tagesordnungspunkt ist bereits beschlossen."))
        recusal, created = Recusal.objects.get_or_create(
            item=item,
            organisation=organisation,
            defaults={"alliance": item.alliance, "reason": reason.strip()},
        )
        if not created:
            raise DomainError({"organisation": [_("Diese Befangenheit ist bereits erfasst.")]})
        audit_record(
            actor=actor,
            action="agenda.recusal",
            instance=item,
            changes={"organisation": organisation.name, "reason": reason},
        )
    return recusal


def _recommendation_text(decision: Decision) -> str:
    if decision.outcome == DecisionOutcome.AGREED:
        text = _("Der Sprecherkreis empfiehlt, das Vorhaben zu befürworten.")
    else:
        text = (
            _("Der Sprecherkreis empfiehlt nicht, das Vorhaben zu befürworten.")
            + " "
            + _objection_summary(decision.snapshot)
        )
    meeting = decision.item.meeting
    return _("%(text)s (Sitzung vom %(day)s)") % {"text": text, "day": _day(meeting.starts_at)}


def _carry_recommendation(actor: User | None, source: AgendaItem, decision: Decision) -> None:
    """The Sprecherkreis' recommendation goes onto the item of the Steuerkreis meeting it prepares
    (or the next one that still takes items). Called by `decisions.decision_record` in its
    transaction, holding the Sprecherkreis meeting's lock."""
    project = Project.objects.select_related("applicant_organisation").get(agenda_items=source)
    if BODY_STAGES.get(project.status) != BodyKind.STEERING:
        return
    meeting = source.meeting
    target = meeting.prepares
    if target is None or target.status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED):
        steering = Body.objects.filter(
            alliance_id=meeting.alliance_id, kind=BodyKind.STEERING
        ).first()
        target = selectors.next_meeting(steering, meeting.starts_at) if steering else None
    if target is None:
        return
    # Lock order: the Sprecherkreis meeting (held by the caller), then the one it prepares; the
    # lock keeps agenda_propose on the target from adding the project a second time.
    target = _lock_meeting(target)
    recommendation = _recommendation_text(decision)
    existing = target.items.filter(project=project, decision__isnull=True).first()
    if existing is not None:
        existing.recommendation = recommendation
        existing.recommended_by = source
        if existing.stage_status != project.status:
            # An item left from an earlier stage now stands for this one: a sketch's title
            # would misname the description.
            existing.title = _stage_title(project) % {
                "title": project.title,
                "applicant": project.applicant_organisation.name,
            }
            existing.stage_status = project.status
        existing.save(
            update_fields=[
                "recommendation",
                "recommended_by",
                "stage_status",
                "title",
                "updated_at",
            ]
        )
        item = existing
    else:
        item = _project_item(
            target,
            project,
            _next_position(target),
            recommendation=recommendation,
            recommended_by=source,
            is_public=source.is_public,
        )
        item.save()
    audit_record(
        actor=actor,
        action="agenda.recommendation",
        instance=item,
        changes={"recommendation": recommendation, "from_item": source.pk},
    )
