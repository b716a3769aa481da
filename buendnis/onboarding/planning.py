"""The plan of an import: every row of the file checked against the alliance as it is, before
anything is written, and what each row will do — create, change (which columns) or leave
unchanged. Reading the alliance costs a fixed number of queries (`selectors.holdings`), never
one per row.

Each step of the plan carries the service call that writes it (`Step.write`); records that a
row names and that the file itself brings (an organisation of the sheet „Organisationen“ named
by a person or a project) are planned as unsaved instances and saved by their own step first.
Groups and fields of action have no sheet: they are created as the rows name them.
"""

from __future__ import annotations

import difflib
import enum
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from buendnis.accounts.models import User
from buendnis.alliances import services as alliance_services
from buendnis.alliances.models import (
    ActionField,
    Alliance,
    CooperationAgreement,
    FundingPhase,
    GroupKind,
    Organisation,
    OrganisationGroup,
    Person,
    PersonFunction,
)
from buendnis.core.templatetags.buendnis_format import day, money, percent
from buendnis.funding import services as funding_services
from buendnis.funding.models import Project
from buendnis.funding.states import Status

from . import selectors, values
from .columns import (
    AGREEMENTS,
    ORGANISATIONS,
    PEOPLE,
    PHASES,
    PROJECTS,
    Column,
    Kind,
    Sheet,
)
from .reading import Problem, RawRow, Reading

Writer = Callable[[User | None], object]


class Action(enum.StrEnum):
    CREATE = "create"
    CHANGE = "change"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Change:
    """One column of a changed record: as the alliance has it, as the file says."""

    column: str
    before: str
    after: str


@dataclass
class Step:
    """What one row does. `sheet` and `row` say where it stands in the file; `columns` maps the
    service's field names to the sheet's headers, so that a refusal names the column."""

    sheet: str
    row: int
    label: str
    action: Action
    changes: list[Change] = field(default_factory=list)
    write: Writer | None = None
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class Section:
    """The steps of one sheet (or of the groups and fields of action that rows name)."""

    key: str
    title: StrOrPromise
    steps: list[Step] = field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(1 for step in self.steps if step.action is action)

    @property
    def created(self) -> int:
        return self.count(Action.CREATE)

    @property
    def changed(self) -> int:
        return self.count(Action.CHANGE)

    @property
    def unchanged(self) -> int:
        return self.count(Action.UNCHANGED)

    def rows(self, action: Action) -> list[Step]:
        """The steps of one kind in the order of the file."""
        return sorted((step for step in self.steps if step.action is action), key=lambda s: s.row)

    @property
    def created_rows(self) -> list[Step]:
        return self.rows(Action.CREATE)

    @property
    def changed_rows(self) -> list[Step]:
        return self.rows(Action.CHANGE)

    @property
    def unchanged_rows(self) -> list[Step]:
        return self.rows(Action.UNCHANGED)


@dataclass
class Plan:
    filename: str
    sections: list[Section] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def has_changes(self) -> bool:
        return any(section.created or section.changed for section in self.sections)

    @property
    def shown_sections(self) -> list[Section]:
        """The sections with at least one row."""
        return [section for section in self.sections if section.steps]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per section: created, changed, unchanged (for the audit row and the command)."""
        return {
            section.key: {
                "created": section.created,
                "changed": section.changed,
                "unchanged": section.unchanged,
            }
            for section in self.sections
            if section.steps
        }

    def sorted_problems(self) -> list[Problem]:
        order = {sheet.title: position for position, sheet in enumerate(SHEET_ORDER)}
        return sorted(
            self.problems,
            key=lambda p: (order.get(p.sheet, -1), p.row or 0, p.column, p.message),
        )


SHEET_ORDER = (ORGANISATIONS, PEOPLE, PHASES, AGREEMENTS, PROJECTS)
ZERO = Decimal("0.00")


def shown(column: Column, value: Any) -> str:
    """A value as the preview shows it: German dates and amounts, choices by their label."""
    if value is None or value == "":
        return ""
    if isinstance(value, Organisation | FundingPhase | ActionField | OrganisationGroup):
        return str(value.name if not isinstance(value, ActionField) else value.title)
    if column.kind is Kind.DATE and isinstance(value, date):
        return day(value)
    if column.kind is Kind.MONEY and isinstance(value, Decimal):
        return money(value)
    if column.kind is Kind.PERCENT and isinstance(value, Decimal):
        return percent(value)
    if column.kind is Kind.CHOICE and column.choices is not None:
        return dict(column.choices()).get(str(value), str(value))
    return str(value)


def relinked[M: models.Model](record: M) -> M:
    """The record with the ids of the records it points to that were saved after it was
    planned: an unsaved record assigned to a foreign key leaves its id empty until then."""
    for model_field in record._meta.concrete_fields:
        if not model_field.is_relation or not model_field.is_cached(record):  # type: ignore[attr-defined]
            continue
        related = model_field.get_cached_value(record)  # type: ignore[attr-defined]
        if (
            related is not None
            and related.pk is not None
            and getattr(record, model_field.attname) is None
        ):
            setattr(record, model_field.attname, related.pk)
    return record


def saving(service: Callable[..., object], record: models.Model) -> Writer:
    """The write of a planned record: `service(actor=…, instance=record)`, its ids relinked."""

    def write(actor: User | None) -> object:
        return service(actor=actor, instance=relinked(record))

    return write


def _columns(sheet: Sheet, **extra: str) -> dict[str, str]:
    mapping = {column.key: column.header for column in sheet.columns}
    mapping.update(extra)
    return mapping


class Planner:
    """Builds the plan sheet by sheet, in the order the records depend on each other."""

    def __init__(self, alliance: Alliance, reading: Reading, filename: str) -> None:
        self.alliance = alliance
        self.reading = reading
        self.filename = filename
        self.problems: list[Problem] = list(reading.problems)
        self.held = selectors.holdings(alliance)
        self.groups_section = Section("groups", _("Gruppen"))
        self.fields_section = Section("action_fields", _("Handlungsfelder"))
        self.sections = {
            sheet.key: Section(sheet.key, sheet.title)
            for sheet in (ORGANISATIONS, PEOPLE, PHASES, AGREEMENTS, PROJECTS)
        }
        # Everything a row may name, as the alliance has it or the file brings it.
        self.groups: dict[str, OrganisationGroup] = dict(self.held.groups)
        self.organisations: dict[str, Organisation] = dict(self.held.organisations)
        self.phases: dict[str, FundingPhase] = dict(self.held.phases)
        self.action_fields: dict[tuple[str, str], ActionField] = {
            (action_field.phase.name, action_field.title): action_field
            for action_field in self.held.action_fields
        }
        # What each phase can still carry, by name: none where the phase's row was refused.
        self.available: dict[str, Decimal | None] = {
            phase.name: self.held.available.get(phase.pk, phase.virtual_budget)
            for phase in self.held.phases.values()
        }
        # New records whose own row was refused: rows naming them are not checked further
        # (their problem is said once, on their own row).
        self.refused: set[tuple[str, str]] = set()
        # The columns of the sheet being planned: one it leaves out changes nothing.
        self.present: set[str] = set()
        self._group_kind_rows: dict[str, tuple[int, str]] = {}
        self._next_group_position = max(
            (group.position for group in self.held.groups.values()), default=0
        )
        self._next_field_position: dict[str, int] = defaultdict(int)
        for action_field in self.held.action_fields:
            name = action_field.phase.name
            self._next_field_position[name] = max(
                self._next_field_position[name], action_field.position
            )

    # --- Helpers ---------------------------------------------------------------------------

    def problem(self, sheet: Sheet, row: int | None, key: str, message: str) -> None:
        self.problems.append(Problem(sheet.title, row, sheet.header(key), message))

    def parse(self, sheet: Sheet, raw: RawRow) -> tuple[dict[str, Any], bool]:
        """The row's values by column; False where a cell could not be read (its problem is
        recorded; the values it could read are still there)."""
        parsed: dict[str, Any] = {}
        ok = True
        for column in sheet.columns:
            cell = raw.cells.get(column.key)
            try:
                value = self._value(column, cell)
            except values.CellError as error:
                self.problem(sheet, raw.number, column.key, error.message)
                ok = False
                continue
            if column.required and (value is None or value == ""):
                self.problem(sheet, raw.number, column.key, _("Bitte ausfüllen."))
                ok = False
                continue
            parsed[column.key] = value
        return parsed, ok

    def _value(self, column: Column, cell: Any) -> Any:
        kind = column.kind
        if kind is Kind.DATE:
            return values.day(cell)
        if kind is Kind.MONEY:
            return values.money(cell)
        if kind is Kind.PERCENT:
            return values.percent(cell)
        if kind is Kind.INTEGER:
            return values.integer(cell)
        if kind is Kind.CHOICE:
            return values.choice(cell, column.choices() if column.choices else [])
        text = values.text(cell)
        if column.key == "website" and text and "://" not in text:
            text = f"https://{text}"
        if text and column.field is not None:
            model, name = column.field
            try:
                model._meta.get_field(name).clean(text, None)  # type: ignore[union-attr]
            except ValidationError as error:
                raise values.CellError(" ".join(error.messages)) from error
        return text

    def unknown(
        self, sheet: Sheet, row: int, key: str, what: str, name: str, known: Iterable[str]
    ) -> None:
        """A row names a record that is neither in the alliance nor in the file."""
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.8)
        if what == "organisation":
            message = _(
                "Die Organisation „%(name)s“ gibt es weder im Bündnis noch auf dem Blatt "
                "„Organisationen“."
            )
        else:
            message = _(
                "Die Förderphase „%(name)s“ gibt es weder im Bündnis noch auf dem Blatt "
                "„Förderphasen“."
            )
        message %= {"name": name}
        if close:
            message += " " + _("Gemeint ist vielleicht „%(name)s“.") % {"name": close[0]}
        self.problem(sheet, row, key, message)

    def duplicate(self, sheet: Sheet, row: int, key: str, first: int) -> None:
        self.problem(
            sheet,
            row,
            key,
            _("Dieser Eintrag steht schon in Zeile %(row)s; jeder steht nur einmal im Blatt.")
            % {"row": first},
        )

    def changes(
        self, sheet: Sheet, record: Any, wanted: dict[str, Any], *, compare: Iterable[str]
    ) -> list[Change]:
        """The columns in which the file says something else than the record; sets the file's
        values on the (loaded, never saved here) record."""
        found = []
        for key in compare:
            if key not in self.present:
                continue
            column = sheet.by_key[key]
            before = getattr(record, key)
            after = wanted.get(key)
            if (before if before is not None else "") == (after if after is not None else ""):
                continue
            found.append(Change(column.header, shown(column, before), shown(column, after)))
            setattr(record, key, after)
        return found

    def step(
        self,
        section: Section,
        sheet: Sheet,
        row: int,
        label: str,
        changes: list[Change] | None,
        write: Writer | None,
        columns: dict[str, str] | None = None,
    ) -> None:
        """Add the step: no `changes` (None) creates, an empty list leaves unchanged."""
        if changes is None:
            action = Action.CREATE
        elif changes:
            action = Action.CHANGE
        else:
            action, write = Action.UNCHANGED, None
        section.steps.append(
            Step(
                sheet.title,
                row,
                label,
                action,
                changes or [],
                write,
                columns if columns is not None else _columns(sheet),
            )
        )

    # --- The sheets ------------------------------------------------------------------------

    def plan(self) -> Plan:
        for sheet, plan_sheet in (
            (ORGANISATIONS, self.plan_organisations),
            (PEOPLE, self.plan_people),
            (PHASES, self.plan_phases),
            (AGREEMENTS, self.plan_agreements),
            (PROJECTS, self.plan_projects),
        ):
            table = self.reading.table(sheet)
            if table is not None:
                self.present = table.present
                plan_sheet(table.rows)
        sections = [
            self.groups_section,
            self.sections[ORGANISATIONS.key],
            self.sections[PEOPLE.key],
            self.sections[PHASES.key],
            self.sections[AGREEMENTS.key],
            self.fields_section,
            self.sections[PROJECTS.key],
        ]
        return Plan(self.filename, sections, self.problems)

    def group(self, name: str, kind: str | None, row: int) -> OrganisationGroup:
        """The group an organisation's row names; a new one is planned, a changed kind too."""
        sheet = ORGANISATIONS
        kind_column = sheet.by_key["group_kind"]
        earlier = self._group_kind_rows.get(name)
        if kind is not None:
            if earlier is not None and earlier[1] != kind:
                self.problem(
                    sheet,
                    row,
                    "group_kind",
                    _("Die Gruppe „%(group)s“ hat in Zeile %(row)s die Art „%(kind)s“.")
                    % {"group": name, "row": earlier[0], "kind": shown(kind_column, earlier[1])},
                )
                kind = None
            elif earlier is None:
                self._group_kind_rows[name] = (row, kind)
        group = self.groups.get(name)
        if group is None:
            self._next_group_position += 1
            group = OrganisationGroup(
                alliance=self.alliance,
                name=name,
                kind=kind or GroupKind.OTHER,
                position=self._next_group_position,
            )
            self.groups[name] = group
            self.step(
                self.groups_section,
                sheet,
                row,
                name,
                None,
                saving(alliance_services.group_save, group),
                {"name": sheet.header("group"), "kind": sheet.header("group_kind")},
            )
        elif kind is not None and group.kind != kind:
            if group.pk is None:
                group.kind = kind  # planned by an earlier row that named no kind
            else:
                change = Change(
                    kind_column.header, shown(kind_column, group.kind), shown(kind_column, kind)
                )
                group.kind = kind
                self.step(
                    self.groups_section,
                    sheet,
                    row,
                    name,
                    [change],
                    saving(alliance_services.group_save, group),
                    {"name": sheet.header("group"), "kind": sheet.header("group_kind")},
                )
        return group

    def plan_organisations(self, rows: list[RawRow]) -> None:
        sheet, section = ORGANISATIONS, self.sections[ORGANISATIONS.key]
        seen: dict[str, int] = {}
        compare = (
            "short_name",
            "territory",
            "street",
            "postcode",
            "city",
            "website",
            "email",
            "phone",
        )
        for raw in rows:
            parsed, ok = self.parse(sheet, raw)
            name = parsed.get("name")
            if not name:
                continue
            if name in seen:
                self.duplicate(sheet, raw.number, "name", seen[name])
                continue
            seen[name] = raw.number
            group = (
                self.group(parsed["group"], parsed.get("group_kind"), raw.number)
                if parsed.get("group")
                else None
            )
            organisation = self.held.organisations.get(name)
            if not ok or group is None:
                if organisation is None:
                    # Known by name, so that rows naming it are not refused as well.
                    self.organisations[name] = Organisation(alliance=self.alliance, name=name)
                    self.refused.add(("organisation", name))
                continue
            fields = {key: parsed.get(key) or "" for key in compare}
            if organisation is None:
                organisation = Organisation(
                    alliance=self.alliance, name=name, group=group, **fields
                )
                self.organisations[name] = organisation
                changes = None
            else:
                changes = self.changes(sheet, organisation, fields, compare=compare)
                if group.pk is None or group.pk != organisation.group_id:
                    column = sheet.by_key["group"]
                    changes.insert(0, Change(column.header, organisation.group.name, group.name))
                    organisation.group = group
            self.step(
                section,
                sheet,
                raw.number,
                name,
                changes,
                saving(alliance_services.organisation_save, organisation),
            )

    def organisation(self, sheet: Sheet, raw: RawRow, key: str, name: str) -> Organisation | None:
        organisation = self.organisations.get(name)
        if organisation is None:
            self.unknown(sheet, raw.number, key, "organisation", name, self.organisations)
        if ("organisation", name) in self.refused:
            return None
        return organisation

    def phase(self, sheet: Sheet, raw: RawRow, key: str, name: str) -> FundingPhase | None:
        phase = self.phases.get(name)
        if phase is None:
            self.unknown(sheet, raw.number, key, "phase", name, self.phases)
        if ("phase", name) in self.refused:
            return None
        return phase

    def plan_people(self, rows: list[RawRow]) -> None:
        sheet, section = PEOPLE, self.sections[PEOPLE.key]
        held: dict[tuple[str, str, str], Person] = {}
        for known in self.held.people:
            held.setdefault((known.organisation.name, known.first_name, known.last_name), known)
        seen: dict[tuple[str, str, str], int] = {}
        compare = ("title", "function", "position_title", "email", "phone")
        for raw in rows:
            parsed, ok = self.parse(sheet, raw)
            organisation = (
                self.organisation(sheet, raw, "organisation", parsed["organisation"])
                if parsed.get("organisation")
                else None
            )
            if not ok or organisation is None:
                continue
            key = (organisation.name, parsed["first_name"], parsed["last_name"])
            if key in seen:
                self.duplicate(sheet, raw.number, "last_name", seen[key])
                continue
            seen[key] = raw.number
            fields = {name: parsed.get(name) or "" for name in compare}
            fields["function"] = fields["function"] or PersonFunction.REPRESENTATIVE
            person = held.get(key)
            label = f"{parsed['first_name']} {parsed['last_name']} ({organisation.name})"
            if person is None:
                person = Person(
                    alliance=self.alliance,
                    organisation=organisation,
                    first_name=parsed["first_name"],
                    last_name=parsed["last_name"],
                    **fields,
                )
                changes = None
            else:
                changes = self.changes(sheet, person, fields, compare=compare)
            self.step(
                section,
                sheet,
                raw.number,
                label,
                changes,
                saving(alliance_services.person_save, person),
            )

    def plan_phases(self, rows: list[RawRow]) -> None:
        sheet, section = PHASES, self.sections[PHASES.key]
        seen: dict[str, int] = {}
        compare = (
            "starts_on",
            "ends_on",
            "virtual_budget",
            "funding_rate",
            "recognised_on",
            "recognition_reference",
        )
        planned: list[tuple[int, FundingPhase]] = []
        for raw in rows:
            parsed, ok = self.parse(sheet, raw)
            name = parsed.get("name")
            if not name:
                continue
            if name in seen:
                self.duplicate(sheet, raw.number, "name", seen[name])
                continue
            seen[name] = raw.number
            phase = self.held.phases.get(name)
            if ok:
                ok = self.check_phase(sheet, raw, parsed, phase)
            if not ok:
                if phase is None:
                    self.phases[name] = FundingPhase(alliance=self.alliance, name=name)
                    self.refused.add(("phase", name))
                self.available[name] = None
                continue
            fields = {key: parsed.get(key) for key in compare}
            fields["recognition_reference"] = fields["recognition_reference"] or ""
            if phase is None:
                phase = FundingPhase(alliance=self.alliance, name=name, **fields)
                self.phases[name] = phase
                self.available[name] = phase.virtual_budget
                changes = None
            else:
                budget_before = phase.virtual_budget
                changes = self.changes(sheet, phase, fields, compare=compare)
                current = self.available.get(name)
                if current is not None:
                    self.available[name] = current + (phase.virtual_budget - budget_before)
            planned.append((raw.number, phase))
            self.step(
                section,
                sheet,
                raw.number,
                name,
                changes,
                saving(alliance_services.phase_save, phase),
            )
        self.check_overlaps(sheet, planned)

    def check_phase(
        self, sheet: Sheet, raw: RawRow, parsed: dict[str, Any], phase: FundingPhase | None
    ) -> bool:
        ok = True
        if parsed["ends_on"] <= parsed["starts_on"]:
            self.problem(
                sheet,
                raw.number,
                "ends_on",
                _("Das Ende der Förderphase muss nach ihrem Beginn liegen."),
            )
            ok = False
        rate = parsed["funding_rate"]
        if not Decimal(0) < rate <= Decimal(100):
            self.problem(
                sheet,
                raw.number,
                "funding_rate",
                _("Der Fördersatz muss größer als 0 %% und höchstens 100 %% sein.") % {},
            )
            ok = False
        if (
            phase is not None
            and phase.pk in self.held.booked_phase_ids
            and parsed["virtual_budget"] != phase.virtual_budget
        ):
            self.problem(
                sheet,
                raw.number,
                "virtual_budget",
                _(
                    "Auf diese Förderphase ist schon gebucht: Änderungen des Budgets laufen über "
                    "„Budgetänderung buchen“, damit das Budget nie überzogen wird."
                ),
            )
            ok = False
        return ok

    def check_overlaps(self, sheet: Sheet, planned: list[tuple[int, FundingPhase]]) -> None:
        """Two phases of an alliance never cover the same day: the file's phases among
        themselves and with the alliance's others."""
        in_file = {id(phase) for _row, phase in planned}
        others = [phase for phase in self.held.phases.values() if id(phase) not in in_file]
        for position, (row, phase) in enumerate(planned):
            candidates = others + [other for _row, other in planned[:position]]
            clash = next(
                (
                    other
                    for other in candidates
                    if other.name != phase.name
                    and other.starts_on <= phase.ends_on
                    and other.ends_on >= phase.starts_on
                ),
                None,
            )
            if clash is not None:
                self.problem(
                    sheet,
                    row,
                    "starts_on",
                    _("Die Förderphase überschneidet sich mit „%(other)s“ (%(start)s–%(end)s).")
                    % {
                        "other": clash.name,
                        "start": day(clash.starts_on),
                        "end": day(clash.ends_on),
                    },
                )

    def plan_agreements(self, rows: list[RawRow]) -> None:
        sheet, section = AGREEMENTS, self.sections[AGREEMENTS.key]
        held = {
            (agreement.phase.name, agreement.organisation.name): agreement
            for agreement in self.held.agreements
        }
        seen: dict[tuple[str, str], int] = {}
        compare = ("signed_on", "decision_body", "decision_reference", "decision_date")
        for raw in rows:
            parsed, ok = self.parse(sheet, raw)
            phase = (
                self.phase(sheet, raw, "phase", parsed["phase"]) if parsed.get("phase") else None
            )
            organisation = (
                self.organisation(sheet, raw, "organisation", parsed["organisation"])
                if parsed.get("organisation")
                else None
            )
            if not ok or phase is None or organisation is None:
                continue
            key = (phase.name, organisation.name)
            if key in seen:
                self.duplicate(sheet, raw.number, "organisation", seen[key])
                continue
            seen[key] = raw.number
            if parsed.get("decision_date") and parsed["decision_date"] > parsed["signed_on"]:
                self.problem(
                    sheet,
                    raw.number,
                    "decision_date",
                    _("Der Beschluss muss vor oder am Tag der Unterzeichnung gefasst sein."),
                )
                continue
            fields = {name: parsed.get(name) for name in compare}
            for name in ("decision_body", "decision_reference"):
                fields[name] = fields[name] or ""
            agreement = held.get(key)
            if agreement is None:
                agreement = CooperationAgreement(
                    alliance=self.alliance, phase=phase, organisation=organisation, **fields
                )
                changes = None
            else:
                changes = self.changes(sheet, agreement, fields, compare=compare)
            self.step(
                section,
                sheet,
                raw.number,
                f"{organisation.name} – {phase.name}",
                changes,
                saving(alliance_services.agreement_save, agreement),
            )

    def action_field(self, phase: FundingPhase, title: str, row: int) -> ActionField:
        key = (phase.name, title)
        action_field = self.action_fields.get(key)
        if action_field is None:
            self._next_field_position[phase.name] += 1
            action_field = ActionField(
                alliance=self.alliance,
                phase=phase,
                title=title,
                position=self._next_field_position[phase.name],
            )
            self.action_fields[key] = action_field
            self.step(
                self.fields_section,
                PROJECTS,
                row,
                f"{title} ({phase.name})",
                None,
                saving(alliance_services.action_field_save, action_field),
                {"title": PROJECTS.header("action_field"), "phase": PROJECTS.header("phase")},
            )
        return action_field

    def plan_projects(self, rows: list[RawRow]) -> None:
        sheet, section = PROJECTS, self.sections[PROJECTS.key]
        by_reference = {known.reference: known for known in self.held.projects}
        by_title: dict[tuple[str, str], list[Project]] = defaultdict(list)
        for known in self.held.projects:
            by_title[(known.phase.name, known.title)].append(known)
        elsewhere = selectors.references_elsewhere(
            self.alliance, (values.text(raw.cells.get("reference")) for raw in rows)
        )
        seen_references: dict[str, int] = {}
        seen_titles: dict[tuple[str, str], int] = {}
        columns = _columns(
            sheet,
            requested_grant=sheet.header("granted_amount"),
            started_on=sheet.header("starts_on"),
        )
        creations: list[tuple[bool, Step]] = []
        for raw in rows:
            parsed, ok = self.parse(sheet, raw)
            phase = (
                self.phase(sheet, raw, "phase", parsed["phase"]) if parsed.get("phase") else None
            )
            organisation = (
                self.organisation(
                    sheet, raw, "applicant_organisation", parsed["applicant_organisation"]
                )
                if parsed.get("applicant_organisation")
                else None
            )
            reference = parsed.get("reference") or ""
            if reference in elsewhere:
                self.problem(
                    sheet,
                    raw.number,
                    "reference",
                    _(
                        "Das Aktenzeichen „%(reference)s“ trägt ein Vorhaben eines anderen "
                        "Bündnisses; Aktenzeichen gibt es auf der Plattform nur einmal."
                    )
                    % {"reference": reference},
                )
                ok = False
            if not ok or phase is None or organisation is None:
                continue
            title = parsed["title"]
            project: Project | None
            if reference:
                if reference in seen_references:
                    self.duplicate(sheet, raw.number, "reference", seen_references[reference])
                    continue
                seen_references[reference] = raw.number
                project = by_reference.get(reference)
            else:
                if (phase.name, title) in seen_titles:
                    self.duplicate(sheet, raw.number, "title", seen_titles[(phase.name, title)])
                    continue
                seen_titles[(phase.name, title)] = raw.number
                matches = by_title.get((phase.name, title), [])
                if len(matches) > 1:
                    self.problem(
                        sheet,
                        raw.number,
                        "reference",
                        _(
                            "Im Bündnis gibt es %(count)s Vorhaben „%(title)s“ in der Förderphase "
                            "%(phase)s; bitte das Aktenzeichen angeben."
                        )
                        % {"count": len(matches), "title": title, "phase": phase.name},
                    )
                    continue
                project = matches[0] if matches else None
            action_field = (
                self.action_field(phase, parsed["action_field"], raw.number)
                if parsed.get("action_field")
                else None
            )
            shares, cofinancing_total = self.shares(sheet, raw, parsed, organisation)
            if shares is None:
                continue
            if project is None:
                step = self.plan_new_project(
                    sheet,
                    raw,
                    parsed,
                    phase,
                    organisation,
                    action_field,
                    shares,
                    cofinancing_total,
                    columns,
                )
                if step is not None:
                    creations.append((bool(reference), step))
            else:
                self.plan_known_project(
                    sheet, raw, parsed, project, phase, organisation, action_field, columns
                )
        # Given references first: the numbers the platform gives count on from them.
        creations.sort(key=lambda entry: (not entry[0], entry[1].row))
        section.steps.extend(step for _given, step in creations)

    def shares(
        self, sheet: Sheet, raw: RawRow, parsed: dict[str, Any], owner: Organisation
    ) -> tuple[list[funding_services.Share] | None, Decimal | None]:
        amount: Decimal | None = parsed.get("cofinancing")
        payer: str = parsed.get("cofinancing_payer") or ""
        if amount is None:
            if payer:
                self.problem(
                    sheet,
                    raw.number,
                    "cofinancing",
                    _("Bitte den Betrag der Kofinanzierung angeben."),
                )
                return None, None
            return [], None
        if amount == 0:
            return [], ZERO
        organisation = self.organisations.get(payer) if payer else owner
        if organisation is not None:
            return [funding_services.Share(amount=amount, organisation=organisation)], amount
        return [funding_services.Share(amount=amount, name=payer)], amount

    def plan_new_project(
        self,
        sheet: Sheet,
        raw: RawRow,
        parsed: dict[str, Any],
        phase: FundingPhase,
        organisation: Organisation,
        action_field: ActionField | None,
        shares: list[funding_services.Share],
        cofinancing_total: Decimal | None,
        columns: dict[str, str],
    ) -> Step | None:
        status = parsed["status"]
        fields = {
            key: parsed.get(key)
            for key in (
                "title",
                "starts_on",
                "ends_on",
                "granted_amount",
                "final_eligible_costs",
                "final_grant",
                "closed_on",
                "planned_participants",
                "participants_entered",
                "participants_exited",
            )
        }
        fields["eligible_costs"] = parsed.get("eligible_costs") or ZERO
        fields["action_field"] = action_field
        project = Project(
            alliance=self.alliance,
            phase=phase,
            applicant_organisation=organisation,
            status=status,
            reference=parsed.get("reference") or "",
            **fields,
        )
        errors = funding_services.import_rule_errors(project, cofinancing_total=cofinancing_total)
        if errors:
            for name, messages in errors.items():
                for message in messages:
                    self.problems.append(
                        Problem(sheet.title, raw.number, columns.get(name, ""), message)
                    )
            return None
        self.book(sheet, raw, project)
        reference = parsed.get("reference") or ""
        comment = _("Importiert aus „%(file)s“") % {"file": self.filename}

        def write(actor: User | None) -> Project:
            return funding_services.project_import(
                actor=actor,
                alliance=self.alliance,
                phase=phase,
                applicant_organisation=organisation,
                status=status,
                reference=reference,
                cofinancing=shares,
                comment=comment,
                **fields,
            )

        label = f"{reference} – {parsed['title']}" if reference else parsed["title"]
        return Step(sheet.title, raw.number, label, Action.CREATE, [], write, columns)

    def book(self, sheet: Sheet, raw: RawRow, project: Project) -> None:
        """What the project will hold of its phase's budget, against what the phase can carry."""
        if project.status not in (Status.GRANTED, Status.RUNNING, Status.CLOSED):
            return
        closed = project.status == Status.CLOSED
        keeps = (project.final_grant if closed else project.granted_amount) or ZERO
        available = self.available.get(project.phase.name)
        if available is None:
            return  # the phase's own row was refused
        if keeps > available:
            self.problem(
                sheet,
                raw.number,
                "final_grant" if closed else "granted_amount",
                _(
                    "Das virtuelle Budget der Förderphase %(phase)s reicht nicht: gebucht würden "
                    "%(amount)s, verfügbar sind %(available)s."
                )
                % {
                    "phase": project.phase.name,
                    "amount": money(keeps),
                    "available": money(available),
                },
            )
            return
        self.available[project.phase.name] = available - keeps

    def plan_known_project(
        self,
        sheet: Sheet,
        raw: RawRow,
        parsed: dict[str, Any],
        project: Project,
        phase: FundingPhase,
        organisation: Organisation,
        action_field: ActionField | None,
        columns: dict[str, str],
    ) -> None:
        """A project the alliance has: the file may change what `IMPORT_UPDATABLE_FIELDS`
        names; state, phase, owner and amounts are the procedure's."""
        refused = False
        fixed: list[tuple[str, Any, Any]] = [
            ("status", project.status, parsed["status"]),
            ("phase", project.phase.name, phase.name),
            ("applicant_organisation", project.applicant_organisation.name, organisation.name),
            ("eligible_costs", project.eligible_costs, parsed.get("eligible_costs") or ZERO),
            ("granted_amount", project.granted_amount, parsed.get("granted_amount")),
            (
                "final_eligible_costs",
                project.final_eligible_costs,
                parsed.get("final_eligible_costs"),
            ),
            ("final_grant", project.final_grant, parsed.get("final_grant")),
        ]
        if parsed.get("cofinancing") is not None:
            fixed.append(("cofinancing", project.cofinancing_total, parsed["cofinancing"]))
            if parsed["cofinancing"] > 0:
                payers = ", ".join(share.payer for share in project.cofinancing.all())
                fixed.append(
                    (
                        "cofinancing_payer",
                        payers,
                        parsed.get("cofinancing_payer") or organisation.name,
                    )
                )
        for key, before, after in fixed:
            if before == after or key not in self.present:
                continue
            column = sheet.by_key[key]
            self.problem(
                sheet,
                raw.number,
                key,
                _(
                    "Das Vorhaben %(reference)s gibt es schon; „%(column)s“ ändert der Import "
                    "nicht (im Bündnis: %(before)s, in der Datei: %(after)s). Stand, Förderphase, "
                    "Träger und Beträge führt die Geschäftsstelle im Verfahren fort."
                )
                % {
                    "reference": project.reference,
                    "column": column.header,
                    "before": shown(column, before) or "–",
                    "after": shown(column, after) or "–",
                },
            )
            refused = True
        if refused:
            return
        wanted = {key: parsed.get(key) for key in funding_services.IMPORT_UPDATABLE_FIELDS}
        wanted["action_field"] = action_field
        if not parsed.get("reference"):
            wanted["title"] = project.title
        compare = [key for key in funding_services.IMPORT_UPDATABLE_FIELDS if key != "action_field"]
        changes = self.changes(sheet, project, wanted, compare=compare)
        known_field = project.action_field
        same_field = (
            known_field.pk is not None and action_field.pk == known_field.pk
            if known_field is not None and action_field is not None
            else known_field is action_field
        )
        if "action_field" in self.present and not same_field:
            column = sheet.by_key["action_field"]
            changes.append(
                Change(
                    column.header, shown(column, project.action_field), shown(column, action_field)
                )
            )
            project.action_field = action_field
        errors = funding_services.import_update_errors(project) if changes else {}
        if errors:
            for name, messages in errors.items():
                for message in messages:
                    self.problems.append(
                        Problem(sheet.title, raw.number, columns.get(name, ""), message)
                    )
            return
        update = {
            key: wanted[key]
            for key in funding_services.IMPORT_UPDATABLE_FIELDS
            if key in self.present or key == "title"
        }
        self.step(
            self.sections[PROJECTS.key],
            sheet,
            raw.number,
            f"{project.reference} – {project.title}",
            changes,
            lambda actor: funding_services.project_import_update(
                actor=actor,
                project=project,
                comment=_("Importiert aus „%(file)s“") % {"file": self.filename},
                **update,
            ),
            columns,
        )


def build_plan(alliance: Alliance, reading: Reading, filename: str) -> Plan:
    """The plan of importing what `reading` holds into the alliance. Writes nothing."""
    return Planner(alliance, reading, filename).plan()


def service_problems(step: Step, error: ValidationError) -> list[Problem]:
    """A service's refusal of a step's write, as problems of its row (and column, where the
    service names a field the sheet has)."""
    found: list[Problem] = []
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            column = "" if name == NON_FIELD_ERRORS else step.columns.get(name, "")
            for item in errors:
                found.extend(
                    Problem(step.sheet, step.row, column, message) for message in item.messages
                )
    else:
        found.extend(Problem(step.sheet, step.row, "", message) for message in error.messages)
    return found
