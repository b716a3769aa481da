"""Reads for the OParl API: only what the public may see, with every relation fetched up front,
so that a list needs the same number of queries however long it is.

Each queryset carries `oparl_created` and `oparl_modified`: the time stamps the API prints and
filters on (`created_since`, `modified_until` …), computed once in the database. An object's
`modified` includes the changes of what it embeds (a meeting's agenda, a person's memberships), so a
client asking for `modified_since` learns of those too.

The filters here mirror `funding.permissions` and `meetings.permissions` (which decide for one
object) so that lists can be counted and paged in the database: `can_view_project_publicly`
(`public_projects_q`), `can_view_meeting_publicly` (has_public_part), `is_agenda_published`
(invited_at set), `show_name_publicly` for people, and recognised phases only (as
`alliances.selectors.phase_list` gives the public). The serializers ask the permission functions
again per object.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from buendnis.alliances.models import (
    Alliance,
    Body,
    BodyKind,
    CooperationAgreement,
    FundingPhase,
    Organisation,
    Person,
    RecognitionStatus,
    Seat,
)
from buendnis.funding import permissions as funding_permissions
from buendnis.funding.models import BodyOutcome, Project, Transition
from buendnis.funding.states import BODY_STAGES, PUBLIC_STATES
from buendnis.funding.states import Status as S
from buendnis.meetings.models import AgendaItem, Decision, Meeting, Minutes, MinutesStatus

# The two papers of a project and the procedure states whose outcomes belong to each.
SKETCH = "sketch"
DESCRIPTION = "description"
PAPER_KINDS = (SKETCH, DESCRIPTION)
SUBMITTED = {SKETCH: S.SKETCH_SUBMITTED, DESCRIPTION: S.DESCRIPTION_SUBMITTED}
OUTCOME_STAGES = {
    SKETCH: frozenset({S.SKETCH_SPEAKERS, S.SKETCH_STEERING}),
    DESCRIPTION: frozenset({S.DESCRIPTION_SPEAKERS, S.DESCRIPTION_STEERING}),
}


def paper_kind(stage_status: str) -> str:
    return SKETCH if stage_status in OUTCOME_STAGES[SKETCH] else DESCRIPTION


def _latest(queryset: QuerySet[Any], field: str) -> Subquery:
    """The newest value of `field` among the rows of `queryset` (a correlated subquery)."""
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])


def _stamped[M: models.Model](
    queryset: QuerySet[M], created: str, modified: str, *later: Any
) -> QuerySet[M]:
    """Annotate `oparl_created` and `oparl_modified` (the latest of `modified` and `later`)."""
    field = models.DateTimeField()
    if later:
        newest: Any = Greatest(
            F(modified),
            *(Coalesce(part, F(modified), output_field=field) for part in later),
            output_field=field,
        )
    else:
        newest = F(modified)
    return cast("QuerySet[M]", queryset.annotate(oparl_created=F(created), oparl_modified=newest))


def _scope[M: models.Model](
    queryset: QuerySet[M], alliance: Alliance | None, field: str = "alliance"
) -> QuerySet[M]:
    """One alliance's rows, or (for the single-object addresses) those of every active alliance,
    with the alliance fetched along."""
    if alliance is not None:
        return queryset.filter(**{field: alliance})
    return queryset.filter(**{f"{field}__is_active": True}).select_related(field)


# --- Body (the alliance) and its legislative terms (funding phases) -----------------------------


def _recognised_phases() -> QuerySet[FundingPhase]:
    """The public's phases: a phase in preparation or with the ministry is no legislative term
    yet (and its changes do not touch the Body's `modified`)."""
    return FundingPhase.objects.filter(recognition_status=RecognitionStatus.RECOGNISED)


def _phases() -> QuerySet[FundingPhase]:
    return _stamped(_recognised_phases().order_by("starts_on", "id"), "created_at", "updated_at")


def alliances() -> QuerySet[Alliance]:
    """Active alliances with their recognised funding phases (embedded as legislative terms)."""
    return _stamped(
        Alliance.objects.filter(is_active=True),
        "created_at",
        "updated_at",
        _latest(_recognised_phases().filter(alliance=OuterRef("pk")), "updated_at"),
    ).prefetch_related(Prefetch("phases", queryset=_phases()))


def terms(alliance: Alliance | None) -> QuerySet[FundingPhase]:
    return _scope(_phases(), alliance)


def office_body_id(alliance: Alliance) -> int | None:
    """The office (Geschäftsstelle) as an Organization: papers are under its direction."""
    return (
        Body.objects.filter(alliance=alliance, kind=BodyKind.OFFICE)
        .values_list("pk", flat=True)
        .first()
    )


# --- Organizations: the bodies and the partner organisations -------------------------------------


def body_organizations(alliance: Alliance | None) -> QuerySet[Body]:
    """Steuerkreis, Sprecherkreis and office with the ids of their seats (the memberships)."""
    bodies = _stamped(
        Body.objects.order_by("id"),
        "created_at",
        "updated_at",
        _latest(Seat.objects.filter(body=OuterRef("pk")), "updated_at"),
    ).prefetch_related(
        Prefetch("seats", queryset=Seat.objects.only("id", "body_id").order_by("id"))
    )
    return _scope(bodies, alliance)


def organisations(alliance: Alliance | None) -> QuerySet[Organisation]:
    """Every organisation of the alliance with its group; `has_signed`: a partner in some
    recognised phase. Contact data (e-mail, phone, street) is never read for the public."""
    signed = CooperationAgreement.objects.filter(
        organisation=OuterRef("pk"), phase__recognition_status=RecognitionStatus.RECOGNISED
    )
    rows = (
        Organisation.objects.select_related("group")
        .annotate(has_signed=Exists(signed))
        .order_by("id")
    )
    return _scope(_stamped(rows, "created_at", "updated_at"), alliance)


# --- People and memberships (seats) ----------------------------------------------------------------


def people(alliance: Alliance | None) -> QuerySet[Person]:
    """Only people who agreed to be named publicly; the others never leave the database here."""
    rows = _stamped(
        Person.objects.filter(show_name_publicly=True).order_by("id"),
        "created_at",
        "updated_at",
        _latest(Seat.objects.filter(person=OuterRef("pk")), "updated_at"),
    ).prefetch_related(Prefetch("seats", queryset=Seat.objects.order_by("starts_on", "id")))
    return _scope(rows, alliance)


def memberships(alliance: Alliance | None) -> QuerySet[Seat]:
    """Every seat on a body; the serializer names the person only if they agreed. A person's
    change of consent changes the membership (`modified`)."""
    rows = _stamped(
        Seat.objects.select_related("person").order_by("id"),
        "created_at",
        "updated_at",
        F("person__updated_at"),
    )
    return _scope(rows, alliance)


# --- Meetings, agenda items, minutes ---------------------------------------------------------------


def public_items() -> QuerySet[AgendaItem]:
    """Public items only, with their decision and project (for the consultation link)."""
    return (
        AgendaItem.objects.filter(is_public=True)
        .select_related("decision", "project")
        .order_by("position", "id")
    )


def meetings(alliance: Alliance | None) -> QuerySet[Meeting]:
    """Meetings with a public part (cancelled ones too), with body, minutes and public items."""
    items = AgendaItem.objects.filter(meeting=OuterRef("pk"), is_public=True)
    decisions = Decision.objects.filter(item__meeting=OuterRef("pk"), item__is_public=True)
    rows = (
        _stamped(
            Meeting.objects.filter(has_public_part=True).order_by("starts_at", "id"),
            "created_at",
            "updated_at",
            _latest(items, "updated_at"),
            _latest(decisions, "created_at"),
            F("minutes__updated_at"),
        )
        .select_related("body", "minutes")
        .prefetch_related(Prefetch("items", queryset=public_items()))
    )
    return _scope(rows, alliance)


def agenda_items(alliance: Alliance | None) -> QuerySet[AgendaItem]:
    """Public items of public meetings whose agenda went out with the invitation."""
    rows = _stamped(
        public_items()
        .filter(meeting__has_public_part=True, meeting__invited_at__isnull=False)
        .select_related("meeting")
        .order_by("meeting__starts_at", "meeting_id", "position", "id"),
        "created_at",
        "updated_at",
        F("decision__created_at"),
    )
    return _scope(rows, alliance)


def minutes_files(alliance: Alliance | None) -> QuerySet[Minutes]:
    """Approved minutes of public meetings: their public part is published (never a draft, never
    the non-public part)."""
    rows = _stamped(
        Minutes.objects.filter(status=MinutesStatus.APPROVED, meeting__has_public_part=True)
        .select_related("meeting__body")
        .order_by("id"),
        "created_at",
        "updated_at",
    )
    return _scope(rows, alliance)


# --- Papers (a project's sketch and description) and their consultations -----------------------


def _was_public(project_ref: str) -> Exists:
    """The project once reached a public state (it has since been withdrawn or declined)."""
    return Exists(
        Transition.objects.filter(project=OuterRef(project_ref), to_status__in=PUBLIC_STATES)
    )


def projects(alliance: Alliance | None, *, with_deleted: bool) -> QuerySet[Project]:
    """Public projects; with `with_deleted` also those that were public once (served as deleted
    papers). Outcomes of the body stages and the submissions (the papers' dates) come along."""
    rows = Project.objects.annotate(was_public=_was_public("pk"))
    visible = funding_permissions.public_projects_q()
    if with_deleted:
        visible |= Q(was_public=True)
    rows = _stamped(
        rows.filter(visible).order_by("id"), "created_at", "updated_at"
    ).prefetch_related(
        Prefetch(
            "outcomes",
            queryset=BodyOutcome.objects.filter(stage_status__in=BODY_STAGES)
            .select_related("body")
            .order_by("decided_on", "id"),
        ),
        Prefetch(
            "transitions",
            queryset=Transition.objects.filter(to_status__in=SUBMITTED.values()).order_by(
                "created_at", "id"
            ),
        ),
    )
    return _scope(rows, alliance)


def consultations(alliance: Alliance | None, *, with_deleted: bool) -> QuerySet[BodyOutcome]:
    """The bodies' outcomes on public projects (the Sprecherkreis' pre-consultation and the
    Steuerkreis' decision of each stage). `reasons` and `reference` stay internal."""
    rows = BodyOutcome.objects.filter(stage_status__in=BODY_STAGES).annotate(
        was_public=_was_public("project_id")
    )
    visible = funding_permissions.public_projects_q("project__")
    if with_deleted:
        visible |= Q(was_public=True)
    rows = _stamped(
        rows.filter(visible).order_by("id"), "recorded_at", "recorded_at", F("project__updated_at")
    ).select_related("body", "project")
    return _scope(rows, alliance, field="project__alliance")


def decisions_by_outcome(outcome_ids: list[int]) -> dict[int, Decision]:
    """The meeting decisions that produced these outcomes, with item and meeting (one query)."""
    if not outcome_ids:
        return {}
    rows = Decision.objects.filter(body_outcome_id__in=outcome_ids).select_related("item__meeting")
    return {decision.body_outcome_id: decision for decision in rows if decision.body_outcome_id}
