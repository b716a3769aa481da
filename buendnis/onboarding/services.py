"""Importing an alliance's records from a spreadsheet: all or nothing.

`import_file` reads the file (`reading`), plans every row against the alliance as it is
(`planning`: all problems at once, as sheet, row, column and a German message) and only when
nothing is wrong writes the plan in one transaction through the domains' own services, which
validate again and write their audit rows; a refusal there is mapped back to its row and
column, and the transaction rolls back: a file with one bad row changes nothing. One more audit
row records the import itself (file, counts, actor).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.core.audit import audit_record
from buendnis.core.errors import NotPermitted

from . import permissions
from .columns import Sheet
from .planning import Plan, Step, build_plan, service_problems
from .reading import Problem, Unreadable, read


@dataclass
class Outcome:
    """The plan of the file and whether it was written. `plan.problems` says what stopped it."""

    plan: Plan
    imported: bool = False

    @property
    def problems(self) -> list[Problem]:
        return self.plan.sorted_problems()


class _Refused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def import_file(
    *,
    alliance: Alliance,
    content: bytes,
    filename: str,
    actor: User | None,
    sheet: Sheet | None = None,
    dry_run: bool = False,
) -> Outcome:
    """Plan the file's rows for the alliance and, unless `dry_run` or anything is wrong, write
    them all. A CSV file holds the one `sheet`. `actor` None is the system (the command)."""
    if actor is not None and not permissions.can_import(actor, alliance):
        raise NotPermitted(_("Daten eines Bündnisses übernimmt seine Geschäftsstelle."))
    try:
        reading = read(content, filename, sheet=sheet)
    except Unreadable as error:
        return Outcome(Plan(filename, problems=[Problem("", None, "", error.message)]))
    if dry_run:
        return Outcome(build_plan(alliance, reading, filename))
    try:
        with transaction.atomic():
            # One import of an alliance at a time: the second plans on what the first wrote.
            Alliance.objects.select_for_update(no_key=True).get(pk=alliance.pk)
            plan = build_plan(alliance, reading, filename)
            if not plan.ok or not plan.has_changes:
                return Outcome(plan)
            for section in plan.sections:
                for step in section.steps:
                    if step.write is not None:
                        _write(step, actor)
            audit_record(
                actor=actor,
                action="onboarding.import",
                instance=alliance,
                alliance=alliance,
                changes={"file": filename, "sheets": plan.counts()},
                comment=filename,
            )
    except _Refused as refused:
        plan.problems.extend(refused.problems)
        return Outcome(plan)
    return Outcome(plan, imported=True)


def _write(step: Step, actor: User | None) -> None:
    assert step.write is not None  # noqa: S101 - the caller checked
    try:
        step.write(actor)
    except ValidationError as error:
        raise _Refused(service_problems(step, error)) from error
    except DatabaseError as error:
        raise _Refused(
            [
                Problem(
                    step.sheet,
                    step.row,
                    "",
                    _("Die Datenbank hat die Zeile abgelehnt (%(reason)s).")
                    % {
                        "reason": str(error).splitlines()[0] if str(error) else type(error).__name__
                    },
                )
            ]
        ) from error
