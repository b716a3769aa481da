"""Reads of the funding procedure: what pages, the API and reports show about projects.

Writes go through `services.py`; these functions only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from buendnis.alliances.models import Alliance, Body, BodyKind, FundingPhase
from buendnis.core.models import AuditEntry
from buendnis.core.templatetags.buendnis_format import day

from .changes import TERM_FIELDS, Change, compare
from .models import (
    BodyOutcome,
    CoFinancing,
    Consultation,
    Outcome,
    Project,
    ProjectDocument,
    Transition,
)
from .states import BODY_STAGES, GRANTED_STATES, PUBLIC_STATES, Status
from .wording import PUBLIC_LABELS

S = Status


# --- Office workspace (portal.office_views) -------------------------------------------------------


# What a row of the board or its lists shows (and the deadlines read): the long texts stay out.
ROW_FIELDS = (
    "reference",
    "title",
    "status",
    "status_changed_at",
    "requested_grant",
    "version",
    "starts_on",
    "ends_on",
    "phase__name",
    "action_field__title",
    "applicant_organisation__name",
)


def pipeline_projects(alliance: Alliance) -> QuerySet[Project]:
    """Every project of the alliance with what a board row shows (ROW_FIELDS); longest in its
    state first. Pages read it bounded: `pipeline_counts`, `pipeline_cards` or a page."""
    return (
        Project.objects.filter(alliance=alliance)
        .select_related("phase", "action_field", "applicant_organisation")
        .only(*ROW_FIELDS)
        .order_by("status_changed_at", "id")
    )


def pipeline_counts(projects: QuerySet[Project]) -> dict[str, int]:
    """How many of `projects` are in each state (one GROUP BY query); absent states are 0."""
    rows = projects.order_by().values("status").annotate(number=Count("id"))
    return {row["status"]: row["number"] for row in rows}


def pipeline_cards(projects: QuerySet[Project], *, per_state: int) -> list[Project]:
    """The `per_state` longest waiting of `projects` in each state, longest first (one query,
    whatever the number of projects).

    The oldest few of a group of states (WAITING_FOR) are among these: a project with fewer than
    `per_state` older ones in its group has fewer than that in its own state."""
    oldest_first = [F("status_changed_at").asc(), F("id").asc()]
    # Rank the bare rows, then join the few chosen: the joins do not run for every project.
    ranked = (
        projects.order_by()
        .annotate(state_rank=Window(RowNumber(), partition_by=[F("status")], order_by=oldest_first))
        .filter(state_rank__lte=per_state)
        .values("pk")
    )
    return list(projects.filter(pk__in=ranked).order_by("status_changed_at", "id"))


def projects_waiting(
    alliance: Alliance, statuses: frozenset[str], *, limit: int
) -> tuple[list[Project], int]:
    """The projects in these states, longest waiting first: at most `limit` (a board row's fields)
    and how many there are (two queries, whatever the data)."""
    waiting = pipeline_projects(alliance).filter(status__in=statuses)
    return list(waiting[:limit]), waiting.count()


def pipeline_phases(alliance: Alliance) -> list[FundingPhase]:
    """The alliance's phases by start, without the partner counts the public pages annotate."""
    return list(FundingPhase.objects.filter(alliance=alliance).order_by("starts_on"))


def days_in_status(project: Project, *, today: date | None = None) -> int:
    """Whole days since the project reached its state (local calendar days)."""
    day = today or timezone.localdate()
    return (day - timezone.localtime(project.status_changed_at).date()).days


def workspace_project(*, alliance: Alliance, reference: str) -> Project | None:
    """One project with everything the office's detail page shows, in a fixed number of queries:
    the project (with alliance, phase, field, owner, creator); topics; co-financing; documents;
    consultations; outcomes; transitions."""
    return (
        Project.objects.filter(alliance=alliance, reference=reference)
        .select_related("alliance", "phase", "action_field", "applicant_organisation", "created_by")
        .prefetch_related(
            "topics",
            Prefetch(
                "cofinancing",
                queryset=CoFinancing.objects.select_related("organisation"),
            ),
            Prefetch(
                "documents",
                queryset=ProjectDocument.objects.select_related("uploaded_by"),
            ),
            Prefetch(
                "consultations",
                queryset=Consultation.objects.select_related("recorded_by"),
            ),
            Prefetch(
                "outcomes",
                queryset=BodyOutcome.objects.select_related("body", "recorded_by"),
            ),
            Prefetch("transitions", queryset=Transition.objects.select_related("actor")),
        )
        .first()
    )


# --- What changed since a body's vote (changes.py) -----------------------------------------------


# The heading of the changes since an outcome, by the body's kind and whether it voted (positive
# or negative) rather than deferred or sent back: the Steuerkreis gives a Votum, the
# Sprecherkreis a recommendation.
_HEADINGS: dict[tuple[str, bool], StrOrPromise] = {
    (BodyKind.STEERING, True): _(
        "Geändert seit dem Votum des Steuerkreises am %(day)s (%(outcome)s)"
    ),
    (BodyKind.STEERING, False): _(
        "Geändert seit dem Beschluss des Steuerkreises am %(day)s (%(outcome)s)"
    ),
    (BodyKind.SPEAKERS, True): _(
        "Geändert seit der Empfehlung des Sprecherkreises am %(day)s (%(outcome)s)"
    ),
    (BodyKind.SPEAKERS, False): _(
        "Geändert seit dem Beschluss des Sprecherkreises am %(day)s (%(outcome)s)"
    ),
}
_HEADING_OTHER_BODY = _(
    "Geändert seit dem Beschluss des Gremiums „%(body)s“ am %(day)s (%(outcome)s)"
)


@dataclass(frozen=True)
class VoteChanges:
    """The project's changes since one outcome of a body (`outcome`, its body joined)."""

    outcome: BodyOutcome
    changes: list[Change]

    @property
    def heading(self) -> str:
        """„Geändert seit dem Votum des Steuerkreises am 05.06.2026 (befürwortet)“."""
        outcome = self.outcome
        voted = outcome.outcome in (Outcome.POSITIVE, Outcome.NEGATIVE)
        text = _HEADINGS.get((outcome.body.kind, voted), _HEADING_OTHER_BODY)
        return str(text) % {
            "day": day(outcome.decided_on),
            "outcome": outcome.get_outcome_display(),
            "body": outcome.body.name,
        }

    @property
    def grant_raised(self) -> Change | None:
        """The requested grant, when it has grown since a positive outcome: the case the next
        body must not miss."""
        if self.outcome.outcome != Outcome.POSITIVE:
            return None
        return next(
            (
                change
                for change in self.changes
                if change.key == "requested_grant" and change.raised
            ),
            None,
        )

    @property
    def warning(self) -> str:
        """The raised grant in one sentence (empty when it has not grown after a positive vote)."""
        change = self.grant_raised
        if change is None:
            return ""
        return gettext(
            "Achtung: Der beantragte Zuschuss ist seit dem %(day)s von %(voted)s auf %(now)s "
            "gestiegen (%(note)s). Befürwortet hat der %(body)s den niedrigeren Betrag."
        ) % {
            "day": day(self.outcome.decided_on),
            "voted": change.voted,
            "now": change.now,
            "note": change.note,
            "body": self.outcome.body.name,
        }

    @property
    def summary(self) -> str:
        """For a card of the board: what changed, in one line."""
        return gettext("%(heading)s: %(fields)s") % {
            "heading": self.heading,
            "fields": "; ".join(
                f"{change.label} ({change.note})" if change.raised else change.label
                for change in self.changes
            ),
        }


def _latest(outcomes: list[BodyOutcome], body_kind: str | None = None) -> BodyOutcome | None:
    """The latest outcome (of a body of that kind), if it kept what it decided on: an older one
    would compare with a state some body has seen since."""
    chosen = [o for o in outcomes if body_kind is None or o.body.kind == body_kind]
    latest = max(chosen, key=lambda o: (o.decided_on, o.pk), default=None)
    return latest if latest is not None and latest.voted_terms is not None else None


def _outcomes_of(project: Project) -> list[BodyOutcome]:
    """The project's outcomes with their bodies: the prefetched ones (`workspace_project`), or
    one query."""
    cache = getattr(project, "_prefetched_objects_cache", {})
    if "outcomes" in cache:
        return list(cache["outcomes"])
    return list(project.outcomes.select_related("body"))


def latest_vote(project: Project, *, body_kind: str | None = None) -> BodyOutcome | None:
    """The latest outcome of a body (of `body_kind`: "steering", "speakers") on the project that
    kept what it decided on; None when there is none, or the latest predates that record."""
    return _latest(_outcomes_of(project), body_kind)


def changes_since_vote(project: Project, *, outcome: BodyOutcome | None = None) -> list[Change]:
    """What changed in the project's money and aim since `outcome` (default: the latest vote of
    any body), each a `changes.Change` that reads as (label, voted value, now), amounts formatted.
    Empty without a vote to compare with. The co-financing is read from the project's rows
    (prefetched or one query)."""
    vote = outcome if outcome is not None else latest_vote(project)
    if vote is None or vote.voted_terms is None:
        return []
    return compare(vote.voted_terms, project)


def _vote_changes(
    project: Project,
    outcomes: list[BodyOutcome],
    cofinancing_total: Decimal,
    body_kind: str | None,
) -> list[VoteChanges]:
    boxes = []
    seen: set[int] = set()
    for vote in (_latest(outcomes), _latest(outcomes, body_kind) if body_kind else None):
        if vote is None or vote.pk in seen or vote.voted_terms is None:
            continue
        seen.add(vote.pk)
        found = compare(vote.voted_terms, project, cofinancing_total=cofinancing_total)
        if found:
            boxes.append(VoteChanges(outcome=vote, changes=found))
    return boxes


def vote_changes(project: Project, *, body_kind: str | None = None) -> list[VoteChanges]:
    """What a page shows: the changes since the latest vote, and, for the body of `body_kind`
    (the one that takes the project up next), since that body's own last vote when that is an
    earlier one. A Steuerkreis that approved a sketch at 100.000 € then reads the 1.000.000 € of
    the description against its own vote, even though the Sprecherkreis has recommended the
    description since. Only votes with changes; none, none. Outcomes and co-financing as in
    `changes_since_vote`."""
    return _vote_changes(project, _outcomes_of(project), project.cofinancing_total, body_kind)


def vote_changes_of(projects: list[Project]) -> dict[int, list[VoteChanges]]:
    """`vote_changes` for the rows of a board or list (each compared for the body whose turn it
    is), by project id: two queries whatever their number (the projects' terms with their
    co-financing total; their outcomes with the body), none for no rows."""
    ids = [project.pk for project in projects]
    if not ids:
        return {}
    totals = (
        CoFinancing.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    terms = {
        project.pk: project
        for project in Project.objects.filter(pk__in=ids)
        .only(*TERM_FIELDS)
        .annotate(terms_cofinancing=Coalesce(Subquery(totals), Value(Decimal(0))))
    }
    outcomes: dict[int, list[BodyOutcome]] = {}
    for outcome in (
        BodyOutcome.objects.filter(project_id__in=ids)
        .select_related("body")
        .only("project_id", "decided_on", "outcome", "voted_terms", "body__kind", "body__name")
    ):
        outcomes.setdefault(outcome.project_id, []).append(outcome)
    statuses = {project.pk: project.status for project in projects}
    found: dict[int, list[VoteChanges]] = {}
    for pk, project in terms.items():
        if pk not in outcomes:
            continue
        boxes = _vote_changes(
            project,
            outcomes[pk],
            project.terms_cofinancing,
            BODY_STAGES.get(statuses[pk]),
        )
        if boxes:
            found[pk] = boxes
    return found


@dataclass(frozen=True)
class Correction:
    """One audited correction of a consultation or a body outcome: when, by whom, why, and what
    the corrected fields said before (label, value as people read it)."""

    at: datetime
    actor: str
    reason: str
    before: list[tuple[StrOrPromise, str]]


# The fields a correction changes, with their labels, as the correction's audit row names them
# (a day speaks for itself: „vorher: 01.01.1999“).
CORRECTED_FIELDS: dict[str, StrOrPromise] = {
    "held_on": "",
    "participants": _("Teilnehmende"),
    "notes": _("Notizen"),
    "decided_on": "",
    "reference": _("Fundstelle"),
}
_FIELD_ORDER = {name: position for position, name in enumerate(CORRECTED_FIELDS)}
_CORRECTED_DAYS = frozenset({"held_on", "decided_on"})
_CORRECTED_TYPES = {"funding.consultation": Consultation, "funding.bodyoutcome": BodyOutcome}


def _as_read(name: str, value: object) -> str:
    """An audited value as people read it: dates as 05.06.2018, empty text as „–“."""
    if name in _CORRECTED_DAYS and isinstance(value, str) and value:
        return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    return f"„{value}“" if value not in (None, "") else "–"


def record_corrections(project: Project) -> dict[tuple[str, int], list[Correction]]:
    """The audited corrections of the project's consultations and body outcomes, oldest first,
    by (model name, id): ("consultation", 7). One query (the audit rows with their actor); the
    records' ids come from the project's prefetched consultations and outcomes."""
    ids = {
        "funding.consultation": [str(row.pk) for row in project.consultations.all()],
        "funding.bodyoutcome": [str(row.pk) for row in project.outcomes.all()],
    }
    found: dict[tuple[str, int], list[Correction]] = {}
    if not any(ids.values()):
        return found
    wanted = Q(pk__in=[])
    for object_type, object_ids in ids.items():
        if object_ids:
            model = _CORRECTED_TYPES[object_type]
            wanted |= Q(
                object_type=object_type,
                object_id__in=object_ids,
                action=f"{model._meta.model_name}.correct",
            )
    rows = (
        AuditEntry.objects.filter(alliance_id=project.alliance_id)
        .filter(wanted)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    for row in rows:
        model_name = row.object_type.split(".", 1)[1]
        # In the order of CORRECTED_FIELDS: PostgreSQL's jsonb does not keep the keys' order.
        changes = sorted(row.changes.items(), key=lambda item: _FIELD_ORDER.get(item[0], 99))
        before = [
            (CORRECTED_FIELDS.get(name, name), _as_read(name, values[0]))
            for name, values in changes
            if isinstance(values, list) and len(values) == 2
        ]
        found.setdefault((model_name, int(row.object_id)), []).append(
            Correction(
                at=row.created_at,
                actor=str(row.actor) if row.actor else "",
                reason=row.comment,
                before=before,
            )
        )
    return found


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a project's course: when, what (a state's label, or the creation), and for
    the office also from which state, by whom, with which comment."""

    at: datetime
    label: StrOrPromise
    comment: str = ""
    from_label: StrOrPromise = ""
    actor: str = ""


def project_timeline(project: Project, *, public_words: bool) -> list[TimelineEntry]:
    """The project's course, from „Vorhaben angelegt“ through every state change (the prefetched
    transitions; no query with `workspace_project`).

    The office reads each change in the states' own words, with the state before, who moved it
    and the comment. The applicant reads the public words (`PUBLIC_LABELS`): consecutive changes
    that read the same („Kurzskizze in Beratung“ three times) are one entry, and only a
    withdrawal's reason is shown."""
    creator = project.created_by
    entries = [
        TimelineEntry(
            project.created_at,
            _("Vorhaben angelegt"),
            actor="" if public_words or creator is None else str(creator),
        )
    ]
    last_label: StrOrPromise | None = None
    for row in project.transitions.all():
        if not public_words:
            entries.append(
                TimelineEntry(
                    row.created_at,
                    row.get_to_status_display(),
                    comment=row.comment,
                    from_label=row.get_from_status_display(),
                    actor=str(row.actor) if row.actor else "",
                )
            )
            continue
        label = PUBLIC_LABELS[row.to_status]
        if label == last_label:
            continue
        last_label = label
        comment = row.comment if row.to_status == S.WITHDRAWN else ""
        entries.append(TimelineEntry(row.created_at, label, comment))
    return entries


def stage_body(project: Project) -> Body | None:
    """The body whose turn it is in the project's state (Sprecherkreis or Steuerkreis), if any."""
    kind = BODY_STAGES.get(project.status)
    if kind is None:
        return None
    return Body.objects.filter(alliance_id=project.alliance_id, kind=kind).first()


# --- Applicant portal (portal.applicant_views) ----------------------------------------------------

from django.db.models import Q as _Q  # noqa: E402

from buendnis.accounts import permissions as _permissions  # noqa: E402
from buendnis.accounts.permissions import UserLike as _UserLike  # noqa: E402
from buendnis.alliances.models import Organisation as _Organisation  # noqa: E402


def portal_projects(user: _UserLike, alliance: Alliance) -> QuerySet[Project]:
    """The projects of /<slug>/vorhaben/: an applicant's own (their organisations' and those they
    created), every project of the alliance for the internal circle. Newest first; one query
    (plus one for the applicant's organisations)."""
    projects = (
        Project.objects.filter(alliance=alliance)
        .select_related("phase", "action_field", "applicant_organisation")
        .order_by("-created_at", "-id")
    )
    if _permissions.can_view_internal(user, alliance):
        return projects
    organisation_ids = _permissions.applicant_organisation_ids(user, alliance)
    # The same rule as funding.permissions.is_project_applicant, for many projects at once.
    return projects.filter(
        _Q(created_by_id=getattr(user, "pk", None))
        | _Q(applicant_organisation_id__in=organisation_ids)
    )


def portal_project(*, alliance: Alliance, reference: str) -> Project | None:
    """One project for a form page of the portal: the row with alliance, phase and owner."""
    return (
        Project.objects.filter(alliance=alliance, reference=reference)
        .select_related("alliance", "phase", "action_field", "applicant_organisation")
        .first()
    )


def applicant_organisations(user: _UserLike, alliance: Alliance) -> list[_Organisation]:
    """The organisations of this alliance the user applies for (usually one)."""
    ids = _permissions.applicant_organisation_ids(user, alliance)
    if not ids:
        return []
    return list(_Organisation.objects.filter(pk__in=ids).order_by("name"))


# --- API (api.project_views) ----------------------------------------------------------------------

import django.db.models as _api_db  # noqa: E402

from buendnis.alliances.models import Topic as _ApiTopic  # noqa: E402


def api_project_list(alliance: Alliance, *, visible: _api_db.Q) -> _api_db.QuerySet[Project]:
    """The alliance's projects that `visible` admits (`permissions.ProjectAccess.visible`), by
    reference: alliance, phase, owner organisation and field of action joined, the topics in one
    more query when the rows are read."""
    return (
        Project.objects.filter(alliance=alliance)
        .filter(visible)
        .select_related("alliance", "phase", "applicant_organisation", "action_field")
        .prefetch_related(
            _api_db.Prefetch("topics", queryset=_ApiTopic.objects.order_by("position", "id"))
        )
        .order_by("reference")
    )


def api_project_records_prefetch(projects: list[Project]) -> None:
    """Fetch the non-public record of the given projects in five queries, whatever their number,
    none for an empty list: co-financing shares with their organisation; documents, every version;
    consultations; the bodies' outcomes with the body; transitions with the actor."""
    _api_db.prefetch_related_objects(
        projects,
        _api_db.Prefetch(
            "cofinancing", queryset=CoFinancing.objects.select_related("organisation")
        ),
        _api_db.Prefetch(
            "documents", queryset=ProjectDocument.objects.order_by("kind", "-version")
        ),
        "consultations",
        _api_db.Prefetch("outcomes", queryset=BodyOutcome.objects.select_related("body")),
        _api_db.Prefetch("transitions", queryset=Transition.objects.select_related("actor")),
    )


# --- Next deadlines on the office board -------------------------------------------------------------

# How far ahead the board looks for a running project's end (final report and settlement).
DEADLINE_HORIZON_DAYS = 120


def deadline_projects(
    projects: QuerySet[Project], *, today: date, limit: int
) -> tuple[list[Project], int]:
    """The projects with a date to watch, soonest first, at most `limit`, and how many there are
    in all: running projects that end within the horizon (or ended without closing), granted ones
    whose planned start is within it. One query: the total is a window count over the same rows,
    taken before the limit."""
    horizon = today + timedelta(days=DEADLINE_HORIZON_DAYS)
    due = Case(
        When(status=Status.RUNNING, then=F("ends_on")),
        When(status=Status.GRANTED, then=F("starts_on")),
        output_field=DateField(),
    )
    rows: list[Any] = list(
        projects.filter(
            Q(status=Status.RUNNING, ends_on__lte=horizon)
            | Q(status=Status.GRANTED, starts_on__lte=horizon)
        )
        .annotate(due_on=due, matching=Window(Count("id")))
        .order_by("due_on", "id")[:limit]
    )
    # Each row carries the total (`matching`); no row, no total.
    return rows, (int(rows[0].matching) if rows else 0)


@dataclass(frozen=True)
class Deadline:
    day: date
    label: StrOrPromise
    project: Project | None = None
    overdue: bool = False
    url: str = ""  # where the work is, when not the project's workspace


def upcoming_deadlines(
    projects: list[Project], phase: FundingPhase | None, *, today: date
) -> list[Deadline]:
    """The dates the office must watch, from projects already loaded (no query; the board loads
    them with `deadline_projects`): the end of the phase and its latest project end, running
    projects that end soon or are past their end without closing, and granted projects whose
    planned start has come."""
    deadlines: list[Deadline] = []
    if phase is not None:
        if phase.ends_on >= today:
            deadlines.append(
                Deadline(phase.ends_on, _("Ende der Förderphase %(phase)s") % {"phase": phase.name})
            )
        if phase.project_end_cutoff and phase.project_end_cutoff >= today:
            deadlines.append(
                Deadline(
                    phase.project_end_cutoff,
                    _("Spätestes Projektende der Förderphase %(phase)s") % {"phase": phase.name},
                )
            )
    horizon = today + timedelta(days=DEADLINE_HORIZON_DAYS)
    for project in projects:
        if project.status == Status.RUNNING and project.ends_on and project.ends_on <= horizon:
            deadlines.append(
                Deadline(
                    project.ends_on,
                    _("Laufzeitende: Abschlussbericht und Abrechnung"),
                    project,
                    project.ends_on < today,
                )
            )
        elif (
            project.status == Status.GRANTED and project.starts_on and project.starts_on <= horizon
        ):
            deadlines.append(
                Deadline(
                    project.starts_on,
                    _("Geplanter Projektbeginn"),
                    project,
                    project.starts_on < today,
                )
            )
    return sorted(deadlines, key=lambda deadline: deadline.day)


# --- The public's news (public.feeds) ------------------------------------------------------------


def newly_granted_projects(alliance: Alliance, *, limit: int = 30) -> list[Project]:
    """The feed of newly funded projects: the alliance's projects the funding bank has granted
    (`states.GRANTED_STATES`, all of them public), the latest grant first, with the applicant
    organisation and field of action (one query)."""
    return list(
        Project.objects.filter(alliance=alliance, status__in=GRANTED_STATES)
        .filter(status__in=PUBLIC_STATES)  # the grant is public; this keeps it so if that changes
        .select_related("applicant_organisation", "action_field")
        .order_by(F("bank_decided_on").desc(nulls_last=True), "-id")[:limit]
    )
