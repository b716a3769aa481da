"""What a body decided on, and what has changed since.

When a body concludes on a project (`services.outcome_record`, whether a meeting's decision, a
circulation or the office by hand), the outcome keeps the project's money and aim as they stood
(`BodyOutcome.voted_terms`, from `voted_terms`). `compare` sets those terms against the project
as it is now, so that the office's workspace, its board and the next body's pages show what
changed since the vote: a grant raised after a positive vote is seen before the next body
decides. Pure functions of what the caller has loaded; `selectors` fetches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from buendnis.core.templatetags.buendnis_format import day, money

from .models import Project

MONEY = "money"
TEXT = "text"
NUMBER = "number"
RUNTIME = "runtime"


@dataclass(frozen=True)
class Term:
    """One part of what a body decides on: its key in `voted_terms`, its label and its kind."""

    key: str
    label: StrOrPromise
    kind: str


# The money and the aim of a project, in the order the comparison lists them.
TERMS: tuple[Term, ...] = (
    Term("requested_grant", gettext_lazy("Beantragter Zuschuss"), MONEY),
    Term("eligible_costs", gettext_lazy("Förderfähige Gesamtkosten"), MONEY),
    Term("cofinancing_total", gettext_lazy("Kofinanzierung"), MONEY),
    Term("title", gettext_lazy("Titel"), TEXT),
    Term("summary", gettext_lazy("Kurzbeschreibung"), TEXT),
    Term("goals", gettext_lazy("Ziele"), TEXT),
    Term("target_group", gettext_lazy("Zielgruppe"), TEXT),
    Term("planned_participants", gettext_lazy("Geplante Teilnehmende"), NUMBER),
    Term("runtime", gettext_lazy("Laufzeit"), RUNTIME),
)

# The project's fields the terms are read from (besides the co-financing rows).
TERM_FIELDS: tuple[str, ...] = (
    "requested_grant",
    "eligible_costs",
    "title",
    "summary",
    "goals",
    "target_group",
    "planned_participants",
    "starts_on",
    "ends_on",
)


def voted_terms(project: Project, *, cofinancing_total: Decimal | None = None) -> dict[str, Any]:
    """The project's money and aim as JSON: amounts as decimal strings, days in ISO form. The
    co-financing is read from the project's rows unless the caller knows its total."""
    total = project.cofinancing_total if cofinancing_total is None else cofinancing_total
    return {
        "requested_grant": str(project.requested_grant),
        "eligible_costs": str(project.eligible_costs),
        "cofinancing_total": str(total),
        "title": project.title,
        "summary": project.summary,
        "goals": project.goals,
        "target_group": project.target_group,
        "planned_participants": project.planned_participants,
        "runtime": [
            project.starts_on.isoformat() if project.starts_on else None,
            project.ends_on.isoformat() if project.ends_on else None,
        ],
    }


@dataclass(frozen=True)
class Change:
    """One term that differs from what was voted on: its label, the voted and the current value
    as people read them, and in words how it moved (`note`; `raised` for an amount that grew)."""

    key: str
    label: str
    voted: str
    now: str
    note: str = ""
    raised: bool = False

    def __iter__(self) -> Any:
        """(label, voted, now), as the comparison is read."""
        return iter((self.label, self.voted, self.now))


def _text(value: Any) -> str:
    """A text as it means: line endings (a browser sends CRLF) and trailing blanks do not count."""
    return "\n".join(line.rstrip() for line in str(value or "").strip().splitlines())


def _day(value: str | None) -> str:
    return day(date.fromisoformat(value)) if value else "…"


def _runtime(value: Any) -> str:
    start, end = (list(value) + [None, None])[:2] if value else (None, None)
    if start is None and end is None:
        return "–"
    return f"{_day(start)} – {_day(end)}"


def _money_change(term: Term, voted: Decimal, now: Decimal) -> Change:
    difference = now - voted
    note = (
        _("erhöht um %(amount)s") % {"amount": money(difference)}
        if difference > 0
        else _("gesenkt um %(amount)s") % {"amount": money(-difference)}
    )
    return Change(
        key=term.key,
        label=str(term.label),
        voted=money(voted),
        now=money(now),
        note=note,
        raised=difference > 0,
    )


def _number(value: Any) -> str:
    return "–" if value is None else str(value)


def compare(
    terms: Mapping[str, Any], project: Project, *, cofinancing_total: Decimal | None = None
) -> list[Change]:
    """Every term of `terms` (a `voted_terms` of an earlier day) that the project no longer has,
    in the order of `TERMS`. A term the snapshot does not hold is not compared."""
    current = voted_terms(project, cofinancing_total=cofinancing_total)
    changes: list[Change] = []
    for term in TERMS:
        if term.key not in terms:
            continue
        before, after = terms[term.key], current[term.key]
        if term.kind == MONEY:
            voted, now = Decimal(str(before)), Decimal(str(after))
            if voted != now:
                changes.append(_money_change(term, voted, now))
        elif term.kind == TEXT:
            if _text(before) != _text(after):
                changes.append(
                    Change(
                        key=term.key,
                        label=str(term.label),
                        voted=_text(before) or "–",
                        now=_text(after) or "–",
                        note=_("Text geändert"),
                    )
                )
        elif term.kind == NUMBER:
            if before != after:
                note = ""
                if before is not None and after is not None:
                    note = (
                        _("%(count)s mehr") % {"count": after - before}
                        if after > before
                        else _("%(count)s weniger") % {"count": before - after}
                    )
                changes.append(
                    Change(
                        key=term.key,
                        label=str(term.label),
                        voted=_number(before),
                        now=_number(after),
                        note=note,
                    )
                )
        elif list(before or []) != list(after or []):
            changes.append(
                Change(
                    key=term.key,
                    label=str(term.label),
                    voted=_runtime(before),
                    now=_runtime(after),
                    note=_("Laufzeit geändert"),
                )
            )
    return changes
