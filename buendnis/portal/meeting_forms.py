"""Forms of the office's meeting pages. Each form reads what the office typed; the services
decide. Field names follow the services' keyword names (where a service names a field the form
calls differently, `service_fields` maps it), so a DomainError about a field lands on that field.

Fields the services check themselves (a reason, a title) are optional here: the service's German
message is then the one the office reads, and the rule lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buendnis.alliances.models import Alliance, Body, Organisation
from buendnis.core.forms import DateInput, TimeInput
from buendnis.funding.models import Project
from buendnis.meetings import selectors
from buendnis.meetings.models import AgendaItem, Answer, Meeting, Minutes, Presence
from buendnis.meetings.selectors import AttendanceLine
from buendnis.meetings.services import agenda, attendance, decisions, planning


class PlainNumberInput(forms.NumberInput):
    """Numbers as typed, never grouped (a localized 2.026 would not come back as a year)."""

    def format_value(self, value: Any) -> str | None:
        return None if value is None or value == "" else str(value)


def text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def aware(day: date, at: time) -> datetime:
    """A day and a time of day as the office means them: local time of the alliance."""
    return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())


class ServiceForm(forms.Form):
    """A form whose errors may come from a service; `service_fields` maps the service's field
    names to this form's."""

    service_fields: ClassVar[Mapping[str, str]] = {}


# --- Meetings ------------------------------------------------------------------------------------


class PlanYearForm(ServiceForm):
    """Four Steuerkreis dates and how the Sprecherkreis meetings and deadlines follow them."""

    service_fields: ClassVar[Mapping[str, str]] = {"steering_days": "steering_day_1"}

    steering_day_1 = forms.DateField(
        label=gettext_lazy("Steuerkreis im 1. Quartal"), widget=DateInput()
    )
    steering_day_2 = forms.DateField(
        label=gettext_lazy("Steuerkreis im 2. Quartal"), widget=DateInput()
    )
    steering_day_3 = forms.DateField(
        label=gettext_lazy("Steuerkreis im 3. Quartal"), widget=DateInput()
    )
    steering_day_4 = forms.DateField(
        label=gettext_lazy("Steuerkreis im 4. Quartal"), widget=DateInput()
    )
    starts = forms.TimeField(label=gettext_lazy("Beginn"), initial=time(10, 0), widget=TimeInput())
    duration = forms.IntegerField(
        label=gettext_lazy("Dauer in Minuten"),
        initial=180,
        min_value=15,
        max_value=720,
        widget=PlainNumberInput(),
    )
    location = forms.CharField(label=gettext_lazy("Ort"), max_length=300, required=False)
    speakers_lead_days = forms.IntegerField(
        label=gettext_lazy("Sprecherkreis … Tage vor dem Steuerkreis"),
        initial=14,
        widget=PlainNumberInput(),
        help_text=gettext_lazy("Der Sprecherkreis bereitet jede Sitzung des Steuerkreises vor."),
    )
    submission_lead_days = forms.IntegerField(
        label=gettext_lazy("Einreichungsfrist … Tage vor dem Sprecherkreis"),
        initial=14,
        widget=PlainNumberInput(),
        help_text=gettext_lazy(
            "Bis zu diesem Tag eingereichte Unterlagen berät der Sprecherkreis in dieser Runde."
        ),
    )

    def __init__(self, data: Any = None, *, year: int) -> None:
        days = planning.default_quarter_days(year)
        initial = {f"steering_day_{number}": day for number, day in enumerate(days, start=1)}
        super().__init__(data, initial=initial, auto_id="plan-%s")
        self.year = year

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "steering_days": [data[f"steering_day_{number}"] for number in range(1, 5)],
            "starts": data["starts"],
            "duration": timedelta(minutes=data["duration"]),
            "location": data["location"],
            "speakers_lead_days": data["speakers_lead_days"],
            "submission_lead_days": data["submission_lead_days"],
        }


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_title)


class MeetingForm(ServiceForm):
    """A meeting's facts. On a new meeting the body too; an existing one carries its version."""

    service_fields: ClassVar[Mapping[str, str]] = {"starts_at": "day", "ends_at": "ends"}

    body = forms.ModelChoiceField(
        label=gettext_lazy("Gremium"), queryset=Body.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=gettext_lazy("Bezeichnung"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leer lassen für „Sitzung des Steuerkreises am …“."),
    )
    day = forms.DateField(label=gettext_lazy("Datum"), widget=DateInput())
    starts = forms.TimeField(label=gettext_lazy("Beginn"), widget=TimeInput(), initial=time(10, 0))
    ends = forms.TimeField(label=gettext_lazy("Ende"), widget=TimeInput(), required=False)
    location = forms.CharField(label=gettext_lazy("Ort"), max_length=300, required=False)
    online_url = forms.URLField(
        label=gettext_lazy("Online-Zugang"), required=False, assume_scheme="https"
    )
    has_public_part = forms.BooleanField(
        label=gettext_lazy("mit öffentlichem Teil"),
        required=False,
        help_text=gettext_lazy(
            "Öffentliche Sitzungen erscheinen im öffentlichen Kalender des Bündnisses."
        ),
    )
    prepares = MeetingChoiceField(
        label=gettext_lazy("bereitet vor"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=gettext_lazy("– keine –"),
        help_text=gettext_lazy(
            "Nur für den Sprecherkreis: die Sitzung des Steuerkreises, die er vorbereitet."
        ),
    )
    submission_deadline = forms.DateField(
        label=gettext_lazy("Einreichungsfrist"), widget=DateInput(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(
        self, data: Any = None, *, alliance: Alliance, meeting: Meeting | None = None
    ) -> None:
        initial: dict[str, Any] = {"has_public_part": True}
        if meeting is not None:
            starts = timezone.localtime(meeting.starts_at)
            initial = {
                "title": meeting.title,
                "day": starts.date(),
                "starts": starts.time().replace(second=0, microsecond=0),
                "ends": timezone.localtime(meeting.ends_at).time().replace(second=0, microsecond=0)
                if meeting.ends_at
                else None,
                "location": meeting.location,
                "online_url": meeting.online_url,
                "has_public_part": meeting.has_public_part,
                "prepares": meeting.prepares_id,
                "submission_deadline": meeting.submission_deadline,
                "version": meeting.version,
            }
        super().__init__(data, initial=initial, auto_id="meeting-%s")
        self.meeting = meeting
        cast(
            forms.ModelChoiceField, self.fields["prepares"]
        ).queryset = selectors.steering_meetings(alliance)
        if meeting is None:
            cast(forms.ModelChoiceField, self.fields["body"]).queryset = selectors.meeting_bodies(
                alliance
            )
            del self.fields["version"]
        else:
            del self.fields["body"]
            self.fields["version"].required = True

    def meeting_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        starts_at = aware(data["day"], data["starts"])
        ends_at = aware(data["day"], data["ends"]) if data.get("ends") else None
        return {
            "title": data["title"],
            "starts_at": starts_at,
            "ends_at": ends_at,
            "location": data["location"],
            "online_url": data["online_url"],
            "has_public_part": data["has_public_part"],
            "prepares": data["prepares"],
            "submission_deadline": data["submission_deadline"],
        }


class CancelForm(ServiceForm):
    reason = forms.CharField(
        label=gettext_lazy("Grund der Absage"),
        required=False,
        widget=text_area(2),
        help_text=gettext_lazy("Steht in der Absage an alle Eingeladenen."),
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, auto_id="cancel-%s")


class ConfirmForm(ServiceForm):
    """A step without input (invite, close, propose): the form only carries the refusal."""


# --- Agenda --------------------------------------------------------------------------------------


class WaitingProjectField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} – {obj.title} ({obj.applicant_organisation.name}) · {obj.get_status_display()}"


class ItemForm(ServiceForm):
    title = forms.CharField(label=gettext_lazy("Titel"), max_length=300, required=False)
    is_public = forms.BooleanField(
        label=gettext_lazy("öffentlich beraten"),
        required=False,
        help_text=gettext_lazy(
            "Öffentliche Punkte stehen auf der öffentlichen Tagesordnung und im öffentlichen "
            "Teil des Protokolls. Vorhaben sind bis zum Votum nichtöffentlich."
        ),
    )
    proposed_decision = forms.CharField(
        label=gettext_lazy("Beschlussvorschlag"), required=False, widget=text_area(3)
    )
    recommendation = forms.CharField(
        label=gettext_lazy("Empfehlung des Sprecherkreises"), required=False, widget=text_area(3)
    )
    notes = forms.CharField(
        label=gettext_lazy("Interne Notizen"), required=False, widget=text_area(2)
    )

    def item_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in agenda.ITEM_FIELDS}


class ItemCreateForm(ItemForm):
    """A free item, or one of the projects waiting for the body."""

    project = WaitingProjectField(
        label=gettext_lazy("Vorhaben"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=gettext_lazy("– kein Vorhaben: freier Tagesordnungspunkt –"),
        help_text=gettext_lazy(
            "Zur Auswahl stehen die Vorhaben, die auf dieses Gremium warten. Titel und "
            "Beschlussvorschlag ergänzt das Portal, wenn Sie sie leer lassen."
        ),
    )

    def __init__(self, data: Any = None, *, meeting: Meeting) -> None:
        super().__init__(data, auto_id="item-%s")
        cast(
            forms.ModelChoiceField, self.fields["project"]
        ).queryset = selectors.projects_waiting_for(meeting.body)
        self.order_fields(["project", "title"])


class ItemEditForm(ItemForm):
    def __init__(self, data: Any = None, *, item: AgendaItem) -> None:
        initial = {name: getattr(item, name) for name in agenda.ITEM_FIELDS}
        super().__init__(data, initial=initial, auto_id="item-%s")
        self.fields["title"].required = True


class MoveForm(ServiceForm):
    offset = forms.TypedChoiceField(choices=[("-1", "-1"), ("1", "1")], coerce=int)


_ORDER = re.compile(r"^\d+(,\d+)*$")


class ReorderForm(ServiceForm):
    """The agenda's full new order, item ids separated by commas (as the script sends it)."""

    order = forms.CharField(max_length=5000)

    def clean_order(self) -> list[int]:
        value = "".join(self.cleaned_data["order"].split())
        if not _ORDER.match(value):
            raise ValidationError(
                _("Die neue Reihenfolge ist unlesbar. Bitte laden Sie die Seite neu.")
            )
        return [int(part) for part in value.split(",")]


class DocumentForm(ServiceForm):
    service_fields: ClassVar[Mapping[str, str]] = {"file": "upload"}

    title = forms.CharField(
        label=gettext_lazy("Titel der Unterlage"), max_length=200, required=False
    )
    upload = forms.FileField(
        label=gettext_lazy("Datei"),
        help_text=gettext_lazy("PDF, Office- oder OpenDocument-Datei, PNG- oder JPEG-Bild."),
    )

    def __init__(self, data: Any = None, files: Any = None) -> None:
        super().__init__(data, files, auto_id="document-%s")


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class RecusalForm(ServiceForm):
    organisation = OrganisationChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.none()
    )
    reason = forms.CharField(
        label=gettext_lazy("Grund der Befangenheit"), max_length=300, required=False
    )

    def __init__(self, data: Any = None, *, organisations: QuerySet[Organisation]) -> None:
        super().__init__(data, auto_id="recusal-%s")
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations


# --- Attendance ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    line: AttendanceLine
    presence: forms.BoundField
    attendee_name: forms.BoundField


class AttendanceForm(ServiceForm):
    """One presence choice and one name per seat-holding organisation."""

    def __init__(self, data: Any = None, *, lines: Iterable[AttendanceLine]) -> None:
        self.lines = list(lines)
        initial: dict[str, Any] = {}
        for line in self.lines:
            initial[f"presence_{line.organisation_id}"] = line.presence
            initial[f"name_{line.organisation_id}"] = line.attendee_name
        super().__init__(data, initial=initial, auto_id="attendance-%s")
        for line in self.lines:
            self.fields[f"presence_{line.organisation_id}"] = forms.ChoiceField(
                label=line.organisation, choices=Presence.choices, widget=forms.RadioSelect
            )
            self.fields[f"name_{line.organisation_id}"] = forms.CharField(
                label=_("Teilgenommen hat (%(organisation)s)")
                % {"organisation": line.organisation},
                max_length=200,
                required=False,
            )

    def rows(self) -> list[AttendanceRow]:
        return [
            AttendanceRow(
                line=line,
                presence=self[f"presence_{line.organisation_id}"],
                attendee_name=self[f"name_{line.organisation_id}"],
            )
            for line in self.lines
        ]

    def entries(self) -> dict[int, attendance.AttendanceEntry]:
        data = self.cleaned_data
        return {
            line.organisation_id: attendance.AttendanceEntry(
                presence=data[f"presence_{line.organisation_id}"],
                attendee_name=data[f"name_{line.organisation_id}"],
            )
            for line in self.lines
        }


class GuestForm(ServiceForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    affiliation = forms.CharField(
        label=gettext_lazy("Organisation/Funktion"), max_length=200, required=False
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, auto_id="guest-%s")


# --- Decisions -----------------------------------------------------------------------------------

PROPOSALS = [
    (decisions.Proposal.DECIDE, gettext_lazy("Beschluss fassen (im Einvernehmen)")),
    (decisions.Proposal.DEFER, gettext_lazy("Vertagen")),
    (decisions.Proposal.REVISION, gettext_lazy("Zur Überarbeitung zurückgeben")),
]

_VOTE = re.compile(r"^vote_(\d+)$")

# Besides an answer (agree, object, abstain), an organisation may declare itself biased at the
# vote: it then neither votes nor blocks (`decisions.decision_record`, `recusals`).
RECUSED = "recused"
VOTE_CHOICES = [*Answer.choices, (RECUSED, gettext_lazy("befangen"))]


def _lines(text: str) -> list[str]:
    """A text's lines without the line endings a browser sends (CRLF) or trailing blanks."""
    return [line.rstrip() for line in text.strip().splitlines()]


@dataclass(frozen=True)
class Voter:
    organisation_id: int
    name: str


@dataclass(frozen=True)
class VoteRow:
    voter: Voter
    vote: forms.BoundField
    objection: forms.BoundField


class DecisionForm(ServiceForm):
    """What the chair puts to the body, and each voting organisation's answer (agree unless
    marked otherwise). Answers sent for organisations without a choice on the page (recused,
    absent, advisory) are handed to the service as they are: it refuses them with its reason."""

    proposal = forms.ChoiceField(
        label=gettext_lazy("Worüber wird entschieden?"),
        choices=PROPOSALS,
        initial=decisions.Proposal.DECIDE,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("Beschlusstext"),
        required=False,
        widget=text_area(3),
        help_text=gettext_lazy("Vorbelegt mit dem Beschlussvorschlag."),
    )
    reasons = forms.CharField(
        label=gettext_lazy("Begründung"),
        required=False,
        widget=text_area(3),
        help_text=gettext_lazy(
            "Nötig bei der Rückgabe zur Überarbeitung; bei Einwänden ergänzt das Portal sie."
        ),
    )

    def __init__(self, data: Any = None, *, item: AgendaItem, voters: Iterable[Voter]) -> None:
        self.voters = list(voters)
        if data is not None:
            # A voter the form does not name agrees; shown so when the page comes back.
            data = data.copy()
            for voter in self.voters:
                if not data.get(f"vote_{voter.organisation_id}"):
                    data[f"vote_{voter.organisation_id}"] = Answer.AGREE
        super().__init__(data, initial={"text": item.proposed_decision}, auto_id="decision-%s")
        self.proposed_decision = item.proposed_decision
        for voter in self.voters:
            # Not required: a present organisation that says nothing agrees (as the service has it).
            self.fields[f"vote_{voter.organisation_id}"] = forms.ChoiceField(
                label=voter.name,
                choices=VOTE_CHOICES,
                initial=Answer.AGREE,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"objection_{voter.organisation_id}"] = forms.CharField(
                label=_("Einwand von %(organisation)s oder Grund der Befangenheit")
                % {"organisation": voter.name},
                required=False,
                widget=text_area(2),
            )
        self.order_fields(["proposal"])

    def rows(self) -> list[VoteRow]:
        return [
            VoteRow(
                voter=voter,
                vote=self[f"vote_{voter.organisation_id}"],
                objection=self[f"objection_{voter.organisation_id}"],
            )
            for voter in self.voters
        ]

    def _answers(self) -> dict[int, tuple[str, str]]:
        """Every organisation's answer: the page's choices, and any other sent with the form."""
        answers: dict[int, tuple[str, str]] = {}
        for key in self.data:
            match = _VOTE.match(key)
            if match is None or key in self.fields:
                continue
            organisation_id = int(match.group(1))
            answer = str(self.data.get(key, ""))
            answers[organisation_id] = (
                answer,
                str(self.data.get(f"objection_{organisation_id}", "")),
            )
        for voter in self.voters:
            organisation_id = voter.organisation_id
            answers[organisation_id] = (
                self.cleaned_data[f"vote_{organisation_id}"] or Answer.AGREE,
                self.cleaned_data[f"objection_{organisation_id}"],
            )
        return answers

    def _text(self) -> str:
        """The decision's text as typed. The proposal the field was prefilled with, sent back
        unchanged, is no text of its own: the service then takes the proposal only if the body
        agrees (a blocked or deferred item must not read "Der Steuerkreis befürwortet …")."""
        text = self.cleaned_data["text"]
        if _lines(text) == _lines(self.proposed_decision):
            return ""
        return text

    def service_kwargs(self) -> dict[str, Any]:
        answers = self._answers()
        return {
            "proposal": self.cleaned_data["proposal"],
            "objections": {
                pk: reason for pk, (answer, reason) in answers.items() if answer == Answer.OBJECT
            },
            "abstentions": [
                pk for pk, (answer, _reason) in answers.items() if answer == Answer.ABSTAIN
            ],
            "recusals": {
                pk: reason for pk, (answer, reason) in answers.items() if answer == RECUSED
            },
            "text": self._text(),
            "reasons": self.cleaned_data["reasons"],
        }


# --- Minutes -------------------------------------------------------------------------------------


class MinutesForm(ServiceForm):
    public_text = forms.CharField(
        label=gettext_lazy("Öffentlicher Teil"),
        required=False,
        widget=text_area(16),
        help_text=gettext_lazy("Erscheint nach der Genehmigung auf der öffentlichen Seite."),
    )
    nonpublic_text = forms.CharField(
        label=gettext_lazy("Nichtöffentlicher Teil"),
        required=False,
        widget=text_area(16),
        help_text=gettext_lazy("Bleibt im internen Bereich."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, data: Any = None, *, minutes: Minutes) -> None:
        initial = {
            "public_text": minutes.public_text,
            "nonpublic_text": minutes.nonpublic_text,
            "version": minutes.version,
        }
        super().__init__(data, initial=initial, auto_id="minutes-%s")


class ApproveForm(ServiceForm):
    approved_in = MeetingChoiceField(
        label=gettext_lazy("Genehmigt in der Sitzung"),
        queryset=Meeting.objects.none(),
        empty_label=None,
        help_text=gettext_lazy(
            "Eine spätere Sitzung desselben Gremiums, die eingeladen ist oder stattgefunden hat."
        ),
    )

    def __init__(self, data: Any = None, *, meeting: Meeting) -> None:
        super().__init__(data, auto_id="approve-%s")
        cast(
            forms.ModelChoiceField, self.fields["approved_in"]
        ).queryset = selectors.minutes_approvers(meeting)
