"""Forms of the Umlaufbeschluss pages (/<slug>/intern/umlaufbeschluesse/).

The forms only read input; every rule is the services' (`circulation_open`, `circulation_answer`,
`circulation_cancel`), whose German messages land on the field they name (`core.forms.add_service_errors`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buendnis.alliances.models import Alliance, BodyKind
from buendnis.core.forms import DateInput, TimeInput
from buendnis.funding.models import Project
from buendnis.funding.states import BODY_STAGES
from buendnis.meetings.models import Answer, CirculationAnswer

# The states in which the Steuerkreis decides on a project: a circulation can take that decision.
STEERING_STAGES = tuple(status for status, kind in BODY_STAGES.items() if kind == BodyKind.STEERING)
# Without a choice the office asks for answers within a week, at noon.
DEFAULT_DAYS = 7
DEFAULT_TIME = time(12, 0)


def steering_projects(alliance: Alliance) -> QuerySet[Project]:
    """The alliance's projects the Steuerkreis is deciding on now."""
    return (
        Project.objects.filter(alliance=alliance, status__in=STEERING_STAGES)
        .select_related("applicant_organisation")
        .order_by("reference")
    )


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} – {obj.title} ({obj.get_status_display()})"


class CirculationOpenForm(forms.Form):
    """The office opens a circulation: `circulation_open` asks every voting organisation of the
    Steuerkreis."""

    title = forms.CharField(label=_("Betreff"), max_length=300)
    text = forms.CharField(
        label=_("Beschlussvorschlag"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Der Text, dem die Organisationen zustimmen oder widersprechen."),
    )
    project = ProjectChoiceField(
        label=_("Vorhaben"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("– kein Vorhaben –"),
        help_text=_(
            "Nur Vorhaben, über die gerade der Steuerkreis entscheidet (Kurzskizze oder "
            "Projektbeschreibung im Steuerkreis). Ein angenommener Umlaufbeschluss wirkt wie ein "
            "positives Votum des Steuerkreises; der Projektträger ist befangen."
        ),
    )
    deadline_date = forms.DateField(
        label=_("Antwort bis: Tag"),
        widget=DateInput(),
        help_text=_("Im Format TT.MM.JJJJ."),
    )
    deadline_time = forms.TimeField(
        label=_("Antwort bis: Uhrzeit"),
        widget=TimeInput(),
        help_text=_("Im Format HH:MM, Ortszeit."),
    )
    is_public = forms.TypedChoiceField(
        label=_("Ergebnis veröffentlichen?"),
        choices=[
            ("no", _("Nein, das Ergebnis bleibt intern")),
            ("yes", _("Ja, das Ergebnis erscheint auf der öffentlichen Seite des Bündnisses")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="no",
    )

    # The service names the deadline as one value; the form asks for it in two fields.
    FIELD_MAP = {"deadline": "deadline_date"}

    def __init__(
        self,
        data: Any = None,
        *,
        alliance: Alliance,
        initial: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "umlauf-%s")
        values = {
            "deadline_date": timezone.localdate() + timedelta(days=DEFAULT_DAYS),
            "deadline_time": DEFAULT_TIME,
            **(initial or {}),
        }
        super().__init__(data, initial=values, **kwargs)
        self.alliance = alliance
        cast(ProjectChoiceField, self.fields["project"]).queryset = steering_projects(alliance)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, hour = data.get("deadline_date"), data.get("deadline_time")
        if day is not None and hour is not None:
            data["deadline"] = timezone.make_aware(datetime.combine(day, hour))
        return data


class AnswerForm(forms.Form):
    """One organisation's answer. Several may share a page (one per organisation the user answers
    for): ids carry the organisation so that labels stay unique."""

    organisation = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(
        label=_("Antwort"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Bitte wählen Sie Zustimmung, Einwand oder Enthaltung."),
            "invalid_choice": _("Bitte wählen Sie Zustimmung, Einwand oder Enthaltung."),
        },
    )
    comment = forms.CharField(
        label=_("Anmerkung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ein Einwand braucht eine Begründung; sonst freiwillig."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        organisation_id: int,
        organisation_name: str,
        current: CirculationAnswer | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", f"antwort-{organisation_id}-%s")
        initial: dict[str, Any] = {"organisation": organisation_id}
        if current is not None:
            initial.update(answer=current.answer, comment=current.comment)
        super().__init__(data, initial=initial, **kwargs)
        self.fields["answer"].label = _("Antwort für %(organisation)s") % {
            "organisation": organisation_name
        }
        self.organisation_id = organisation_id
        self.organisation_name = organisation_name
        self.current = current


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Bitte geben Sie den Grund an.")},
        help_text=_("Die Organisationen erfahren, warum der Umlauf zurückgezogen wurde."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "zurueckziehen-%s")
        super().__init__(*args, **kwargs)
