"""Writing the idea pool: post, edit, withdraw; the office's coordination (status, links,
introductions, merges, turning an idea into a project). Every change is audited in its
transaction; an idea is encoded for the similarity search when it is saved; mail goes out after
the commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance, FundingPhase, Organisation, Topic
from buendnis.core.audit import audit_record, diff, record_delete, snapshot
from buendnis.core.errors import DomainError, NotPermitted, StaleEdit, TransitionNotAllowed
from buendnis.funding import permissions as funding_permissions
from buendnis.funding import services as funding_services
from buendnis.funding.models import Project
from buendnis.office import services as inquiry_services

from . import matching, notifications
from . import permissions as idea_permissions
from .models import ACTIVE_STATUSES, IDEA_EDITABLE_FIELDS, Idea, IdeaLink, IdeaStatus, Overlap

EDITABLE = frozenset(IDEA_EDITABLE_FIELDS)

# Status moves the office sets by hand; "merged" and "project" come only from their services.
MANUAL_MOVES: dict[str, frozenset[str]] = {
    IdeaStatus.OPEN: frozenset({IdeaStatus.IN_TALKS, IdeaStatus.WITHDRAWN}),
    IdeaStatus.IN_TALKS: frozenset({IdeaStatus.OPEN, IdeaStatus.WITHDRAWN}),
    IdeaStatus.WITHDRAWN: frozenset({IdeaStatus.OPEN}),
    IdeaStatus.MERGED: frozenset(),
    IdeaStatus.PROJECT: frozenset(),
}


def _lock(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().select_related("alliance").get(pk=idea.pk)


def _refuse_stale(locked: Idea, expected_version: int | None) -> None:
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            _(
                "Die Idee wurde inzwischen geändert. Bitte laden Sie die Seite neu und prüfen "
                "Sie Ihre Eingaben."
            )
        )


def _refresh(target: Idea, source: Idea) -> None:
    for field in Idea._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _check_fields(alliance: Alliance, fields: dict[str, Any]) -> None:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"Unbekannte Felder: {sorted(unknown)}")
    field = fields.get("action_field")
    if field is not None and field.alliance_id != alliance.pk:
        raise DomainError(
            {"action_field": [_("Dieses Handlungsfeld gehört zu einem anderen Bündnis.")]}
        )


def _set_topics(idea: Idea, topics: Iterable[Topic]) -> None:
    chosen = list(topics)
    if any(topic.alliance_id != idea.alliance_id for topic in chosen):
        raise DomainError({"topics": [_("Themen anderer Bündnisse sind nicht wählbar.")]})
    idea.topics.set(chosen)


def idea_create(
    *,
    actor: User | None,
    alliance: Alliance,
    title: str,
    text: str,
    topics: Iterable[Topic] = (),
    **fields: Any,
) -> Idea:
    """Post an idea. An applicant names one of their organisations; without contact details the
    author's name and address are taken."""
    _check_fields(alliance, fields)
    organisation: Organisation | None = fields.get("organisation")
    if actor is not None and not idea_permissions.can_post_idea_for(actor, alliance, organisation):
        if not idea_permissions.can_post_idea(actor, alliance):
            raise NotPermitted(_("Sie dürfen in diesem Bündnis keine Ideen einstellen."))
        raise NotPermitted(
            _("Ideen stellen Sie für Ihre eigene Organisation ein; bitte wählen Sie sie aus.")
        )
    if actor is not None:
        fields.setdefault("contact_name", actor.get_full_name() or actor.username)
        fields.setdefault("contact_email", actor.email)
        if not fields["contact_name"]:
            fields["contact_name"] = actor.get_full_name() or actor.username
        if not fields["contact_email"]:
            fields["contact_email"] = actor.email
    with transaction.atomic():
        idea = Idea(alliance=alliance, title=title, text=text, author=actor, **fields)
        idea.full_clean()
        idea.save()
        _set_topics(idea, topics)
        audit_record(actor=actor, action="idea.create", instance=idea, changes=snapshot(idea))
        matching.encode_idea(idea)
        matching.overlaps_on_commit(idea.pk)
        notifications.idea_posted_on_commit(idea.pk, actor.pk if actor is not None else None)
    return idea


def idea_update(
    *,
    actor: User | None,
    idea: Idea,
    expected_version: int | None = None,
    topics: Iterable[Topic] | None = None,
    **changes: Any,
) -> Idea:
    if actor is not None and not idea_permissions.can_edit_idea(actor, idea):
        raise NotPermitted(_("Sie dürfen diese Idee nicht ändern."))
    _check_fields(idea.alliance, changes)
    with transaction.atomic():
        locked = _lock(idea)
        _refuse_stale(locked, expected_version)
        organisation = changes.get("organisation", locked.organisation)
        if (
            actor is not None
            and "organisation" in changes
            and not idea_permissions.can_post_idea_for(actor, locked.alliance, organisation)
        ):
            raise NotPermitted(_("Diese Organisation dürfen Sie nicht eintragen."))
        before = snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.version += 1
        locked.save()
        if topics is not None:
            _set_topics(locked, topics)
        audit_record(
            actor=actor,
            action="idea.update",
            instance=locked,
            changes=diff(before, snapshot(locked)),
        )
        matching.encode_idea(locked)
        matching.overlaps_on_commit(locked.pk)
    _refresh(idea, locked)
    return idea


def _move(*, actor: User | None, locked: Idea, target: str, action: str, comment: str = "") -> None:
    source = locked.status
    locked.status = target
    locked.version += 1
    locked.save(update_fields=["status", "version", "merged_into", "project", "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        instance=locked,
        from_state=source,
        to_state=target,
        comment=comment,
    )


def idea_set_status(
    *,
    actor: User | None,
    idea: Idea,
    status: str,
    comment: str = "",
    expected_version: int | None = None,
) -> Idea:
    """The office moves an idea between open, in talks and withdrawn; its authors may withdraw it."""
    withdrawing = status == IdeaStatus.WITHDRAWN
    if actor is not None:
        allowed = idea_permissions.can_coordinate_ideas(actor, idea.alliance) or (
            withdrawing and idea_permissions.can_withdraw_idea(actor, idea)
        )
        if not allowed:
            raise NotPermitted(_("Den Stand dieser Idee setzt die Geschäftsstelle."))
    with transaction.atomic():
        locked = _lock(idea)
        _refuse_stale(locked, expected_version)
        if status not in MANUAL_MOVES.get(locked.status, frozenset()):
            raise TransitionNotAllowed(
                _("Eine Idee im Stand „%(source)s“ kann nicht auf „%(target)s“ gesetzt werden.")
                % {
                    "source": IdeaStatus(locked.status).label,
                    "target": IdeaStatus(status).label if status in IdeaStatus.values else status,
                }
            )
        _move(actor=actor, locked=locked, target=status, action="idea.status", comment=comment)
    _refresh(idea, locked)
    return idea


def idea_delete(*, actor: User | None, idea: Idea) -> None:
    """The office removes an idea (e.g. posted by mistake or against the rules); audited."""
    if actor is not None and not idea_permissions.can_coordinate_ideas(actor, idea.alliance):
        raise NotPermitted(_("Ideen löscht nur die Geschäftsstelle."))
    record_delete(actor=actor, instance=idea)


# --- Coordination by the office -------------------------------------------------------------------


def _require_coordinator(actor: User | None, alliance: Alliance) -> None:
    if actor is not None and not idea_permissions.can_coordinate_ideas(actor, alliance):
        raise NotPermitted(_("Das koordiniert die Geschäftsstelle."))


def idea_link(
    *,
    actor: User | None,
    idea: Idea,
    other_idea: Idea | None = None,
    project: Project | None = None,
    note: str = "",
) -> IdeaLink:
    """Note that an idea overlaps another idea or a project of the alliance. Linking twice keeps
    the first link (and its note)."""
    _require_coordinator(actor, idea.alliance)
    target: Idea | Project | None = other_idea or project
    if target is None or (other_idea is not None and project is not None):
        raise DomainError(_("Bitte genau eine Idee oder ein Vorhaben zum Verknüpfen wählen."))
    if target.alliance_id != idea.alliance_id:
        raise DomainError(_("Verknüpft werden nur Ideen und Vorhaben desselben Bündnisses."))
    if other_idea is not None and other_idea.pk == idea.pk:
        raise DomainError(_("Eine Idee kann nicht mit sich selbst verknüpft werden."))
    with transaction.atomic():
        existing = _existing_link(idea, other_idea, project)
        if existing is not None:
            return existing
        link = IdeaLink.objects.create(
            alliance_id=idea.alliance_id,
            idea=idea,
            other_idea=other_idea,
            project=project,
            note=note,
            created_by=actor,
        )
        # The desk's hint about the two is settled by the link.
        if other_idea is not None:
            hints = Q(idea=idea, other_idea=other_idea) | Q(idea=other_idea, other_idea=idea)
        else:
            hints = Q(idea=idea, project=project)
        Overlap.objects.filter(hints, settled_at__isnull=True).update(
            settled_at=timezone.now(), settled_by=actor
        )
        audit_record(
            actor=actor,
            action="idea.link",
            instance=idea,
            changes={"linked": [None, str(target)]},
            comment=note,
        )
    return link


def _existing_link(idea: Idea, other_idea: Idea | None, project: Project | None) -> IdeaLink | None:
    if other_idea is not None:
        # Either direction counts: A ↔ B is B ↔ A.
        return (
            IdeaLink.objects.filter(idea=idea, other_idea=other_idea).first()
            or IdeaLink.objects.filter(idea=other_idea, other_idea=idea).first()
        )
    return IdeaLink.objects.filter(idea=idea, project=project).first()


def overlap_set_aside(*, actor: User | None, overlap: Overlap) -> None:
    """The office looked at a hint and sees no overlap worth a link: it leaves the desk."""
    _require_coordinator(actor, overlap.idea.alliance)
    with transaction.atomic():
        updated = Overlap.objects.filter(pk=overlap.pk, settled_at__isnull=True).update(
            settled_at=timezone.now(), settled_by=actor
        )
        if updated:
            audit_record(
                actor=actor,
                action="idea.overlap_set_aside",
                instance=overlap.idea,
                changes={"overlap": [str(overlap.other_idea or overlap.project), None]},
            )


def idea_unlink(*, actor: User | None, link: IdeaLink) -> None:
    _require_coordinator(actor, link.idea.alliance)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="idea.unlink",
            instance=link.idea,
            changes={"linked": [str(link.other_idea or link.project), None]},
        )
        link.delete()


def ideas_introduce(*, actor: User | None, idea: Idea, other: Idea, note: str = "") -> IdeaLink:
    """Bring the authors of two overlapping ideas together: a mail to both with each other's
    contact (after the commit), the link recorded with the time, open ideas set "in talks"."""
    _require_coordinator(actor, idea.alliance)
    for each in (idea, other):
        if not each.contact_email:
            raise DomainError(
                _("Für „%(title)s“ fehlt eine E-Mail-Adresse der Ansprechperson.")
                % {"title": each.title}
            )
    with transaction.atomic():
        for each in (idea, other):
            if _lock(each).status not in ACTIVE_STATUSES:
                raise TransitionNotAllowed(
                    _(
                        "„%(title)s“ ist nicht mehr offen; Autorinnen und Autoren werden nur zu "
                        "offenen Ideen zusammengebracht."
                    )
                    % {"title": each.title}
                )
        link = idea_link(actor=actor, idea=idea, other_idea=other, note=note)
        link.brought_together_at = timezone.now()
        link.save(update_fields=["brought_together_at"])
        for each in (idea, other):
            locked = _lock(each)
            if locked.status == IdeaStatus.OPEN:
                _move(
                    actor=actor,
                    locked=locked,
                    target=IdeaStatus.IN_TALKS,
                    action="idea.introduce",
                    comment=note,
                )
                _refresh(each, locked)
        audit_record(
            actor=actor,
            action="idea.introduce",
            instance=idea,
            changes={"introduced_to": [None, other.pk]},
            comment=note,
        )
        notifications.introduction_on_commit(idea.pk, other.pk, note)
    return link


def ideas_merge(
    *,
    actor: User | None,
    target: Idea,
    others: Iterable[Idea],
    title: str | None = None,
    text: str | None = None,
) -> Idea:
    """Merge ideas into `target`: the others are marked merged into it, everyone who brought one
    in becomes a co-author of the target, their links follow it; the office may rewrite the
    target's title and text at the same time."""
    _require_coordinator(actor, target.alliance)
    merged = [other for other in others if other.pk != target.pk]
    if not merged:
        raise DomainError(_("Bitte mindestens eine weitere Idee zum Zusammenführen wählen."))
    with transaction.atomic():
        locked_target = _lock(target)
        if locked_target.status not in ACTIVE_STATUSES:
            raise TransitionNotAllowed(
                _("In eine Idee im Stand „%(status)s“ kann nichts mehr zusammengeführt werden.")
                % {"status": locked_target.get_status_display()}
            )
        before = snapshot(locked_target)
        authors: set[int] = set()
        for other in merged:
            locked = _lock(other)
            if locked.alliance_id != locked_target.alliance_id:
                raise DomainError(_("Zusammengeführt werden nur Ideen desselben Bündnisses."))
            if locked.status not in ACTIVE_STATUSES:
                raise TransitionNotAllowed(
                    _("„%(title)s“ kann im Stand „%(status)s“ nicht zusammengeführt werden.")
                    % {"title": locked.title, "status": locked.get_status_display()}
                )
            if locked.author_id:
                authors.add(locked.author_id)
            authors.update(locked.co_authors.values_list("pk", flat=True))
            locked.merged_into = locked_target
            _move(
                actor=actor,
                locked=locked,
                target=IdeaStatus.MERGED,
                action="idea.merge",
                comment=_("zusammengeführt in „%(title)s“") % {"title": locked_target.title},
            )
            _move_links(locked, locked_target)
        authors.discard(locked_target.author_id or 0)
        locked_target.co_authors.add(*authors)
        if title:
            locked_target.title = title
        if text:
            locked_target.text = text
        locked_target.full_clean()
        locked_target.version += 1
        locked_target.save()
        audit_record(
            actor=actor,
            action="idea.merge_into",
            instance=locked_target,
            changes={
                **diff(before, snapshot(locked_target)),
                "merged": [None, [o.pk for o in merged]],
            },
        )
        matching.encode_idea(locked_target)
        matching.overlaps_on_commit(locked_target.pk)
    _refresh(target, locked_target)
    return target


def _move_links(source: Idea, target: Idea) -> None:
    """The links of a merged idea follow the idea it was merged into; those the target has
    already (in either direction), and those between the two, go."""
    IdeaLink.objects.filter(
        Q(idea=source, other_idea=target) | Q(idea=target, other_idea=source)
    ).delete()
    for link in IdeaLink.objects.filter(idea=source):
        if _existing_link(target, link.other_idea, link.project) is not None:
            link.delete()
        else:
            link.idea = target
            link.save(update_fields=["idea"])


def idea_to_project(
    *,
    actor: User | None,
    idea: Idea,
    phase: FundingPhase,
    applicant_organisation: Organisation,
) -> Project:
    """Turn an idea into a project of the funding procedure (state "Idee", the consultation with
    the office requested): title, text, aim, target group, districts, field of action, topics and
    contact carried over, the partners named in the summary. The idea points to the project."""
    _require_coordinator(actor, idea.alliance)
    if phase.alliance_id != idea.alliance_id:
        raise DomainError({"phase": [_("Diese Förderphase gehört zu einem anderen Bündnis.")]})
    with transaction.atomic():
        locked = _lock(idea)
        if locked.status not in ACTIVE_STATUSES:
            raise TransitionNotAllowed(
                _("Aus einer Idee im Stand „%(status)s“ wird kein Vorhaben mehr.")
                % {"status": locked.get_status_display()}
            )
        summary = locked.text
        partners = _partner_names(locked)
        if partners:
            summary += "\n\n" + _("Beteiligte Partner: %(names)s") % {"names": ", ".join(partners)}
        if locked.partners_sought:
            summary += "\n\n" + _("Gesuchte Partner: %(text)s") % {"text": locked.partners_sought}
        field = (
            locked.action_field
            if locked.action_field and locked.action_field.phase_id == phase.pk
            else None
        )
        project = funding_services.project_create(
            actor=actor,
            alliance=locked.alliance,
            phase=phase,
            title=locked.title[:200],
            applicant_organisation=applicant_organisation,
            topics=[
                topic for topic in locked.topics.all() if topic.action_field.phase_id == phase.pk
            ],
            summary=summary,
            goals=locked.aim,
            target_group=locked.target_group,
            region=locked.districts[:300],
            action_field=field,
            contact_name=locked.contact_name,
            contact_email=locked.contact_email,
            contact_phone=locked.contact_phone,
        )
        locked.project = project
        _move(
            actor=actor,
            locked=locked,
            target=IdeaStatus.PROJECT,
            action="idea.to_project",
            comment=project.reference,
        )
        if actor is not None:
            # The procedure begins with the obligatory consultation: it waits in the inbox, asked
            # by the idea's author where they may act for the project (its applicant), else by
            # the office itself.
            author = locked.author
            asker = (
                author
                if author is not None and funding_permissions.project_rights(author, project).act
                else actor
            )
            inquiry_services.inquiry_request_consultation(
                actor=actor,
                asker=asker,
                project=project,
                message=_(
                    "Aus der Idee „%(title)s“ des Ideenpools ist dieses Vorhaben geworden. Bitte "
                    "einen Beratungstermin mit %(contact)s vereinbaren."
                )
                % {"title": locked.title, "contact": locked.contact_name or _("den Beteiligten")},
                phone=locked.contact_phone,
                idea_id=locked.pk,
            )
    _refresh(idea, locked)
    return project


def _partner_names(idea: Idea) -> list[str]:
    """The organisations of the idea and of the ideas merged into it."""
    names: list[str] = []
    organisations = Organisation.objects.filter(
        ideas__in=[idea, *idea.merged_ideas.all()]
    ).distinct()
    for organisation in organisations.order_by("name"):
        if organisation.name not in names:
            names.append(organisation.name)
    return names
