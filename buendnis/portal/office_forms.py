"""The office's action forms: one form per step of the procedure, each calling its service.

Every form carries the project's `version` as the page showed it (and the consultation form the
number of consultations): the step's service compares it with the locked project, so a form sent
twice, or after someone else acted, is refused. `params()` hands the step its keywords for
`services.project_act`; field names are the services' keyword names, so a DomainError about a
field lands on that field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from buendnis.alliances.models import BodyKind
from buendnis.core.errors import DomainError
from buendnis.core.forms import DateInput, MoneyField
from buendnis.core.templatetags.buendnis_format import day
from buendnis.core.uploads import validate_document
from buendnis.funding import selectors
from buendnis.funding.models import Outcome, Project
from buendnis.funding.services import participants_rule_errors
from buendnis.funding.states import BODY_STAGES


def date_field(label: StrOrPromise, **kwargs: Any) -> forms.DateField:
    kwargs.setdefault("initial", timezone.localdate)
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


def money_field(label: StrOrPromise, **kwargs: Any) -> MoneyField:
    """Euro amounts as people type them: `85.000,00`, `85000,5` or `85000.50`. (Django's localized
    DecimalField would read `85000.50` as 8.500.050 in German: the dot is its thousands mark.)"""
    return MoneyField(
        label=label,
        validators=[
            MinValueValidator(
                Decimal("0"), message=gettext_lazy("Beträge dürfen nicht negativ sein.")
            )
        ],
        **kwargs,
    )


def text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ActionForm(forms.Form):
    """One step of the procedure on one project. Subclasses set `action` (a name of
    states.STEPS), the texts, and `params`, the step's keywords from the cleaned data."""

    action: ClassVar[str]
    title: ClassVar[StrOrPromise]
    intro: ClassVar[StrOrPromise] = ""
    submit_label: ClassVar[StrOrPromise]
    # A step that cannot be undone gets a warning style and sits behind a disclosure.
    destructive: ClassVar[bool] = False

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        project: Project,
        initial: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        # Several forms share one page: ids carry the action so that labels stay unique.
        kwargs.setdefault("auto_id", f"{self.action}-%s")
        values = {"version": project.version, **self.initial_for(project), **(initial or {})}
        super().__init__(data, files, initial=values, **kwargs)
        self.project = project

    def initial_for(self, project: Project) -> dict[str, Any]:
        return {}

    def intro_text(self) -> str:
        return str(self.intro)

    def params(self) -> dict[str, Any]:
        """The step's keywords besides actor, project and the version (cleaned data)."""
        return {}

    def success_message(self) -> str:
        return _("Erledigt. Neuer Stand: %(status)s.") % {
            "status": self.project.get_status_display()
        }


class ConsultationForm(ActionForm):
    action = "record_consultation"
    title = gettext_lazy("Beratung erfassen")
    intro = gettext_lazy(
        "Vor der Kurzskizze ist mindestens eine Beratung durch die Geschäftsstelle nötig. Die erste "
        "Beratung bringt eine Idee in den Stand „Beratung“."
    )
    submit_label = gettext_lazy("Beratung erfassen")

    held_on = date_field(gettext_lazy("Datum der Beratung"))
    participants = forms.CharField(
        label=gettext_lazy("Teilnehmende"),
        max_length=500,
        help_text=gettext_lazy(
            "Wer war dabei? z. B. Geschäftsstelle (M. Lindner), Projektträger (2 Personen)"
        ),
    )
    notes = forms.CharField(label=gettext_lazy("Notizen"), required=False, widget=text_area(4))
    # The number of consultations the page showed: a second submission of this form finds one more.
    consultations = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def initial_for(self, project: Project) -> dict[str, Any]:
        return {"consultations": len(project.consultations.all())}

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "participants": data["participants"],
            "notes": data["notes"],
            "expected_consultations": data["consultations"],
        }

    def success_message(self) -> str:
        return _("Die Beratung am %(day)s ist erfasst. Stand: %(status)s.") % {
            "day": day(self.cleaned_data["held_on"]),
            "status": self.project.get_status_display(),
        }


class ForwardForm(ActionForm):
    action = "forward"
    title = gettext_lazy("An den Sprecherkreis weiterleiten")
    intro = gettext_lazy(
        "Der Sprecherkreis berät die Einreichung als Nächstes und bereitet den Steuerkreis vor."
    )
    submit_label = gettext_lazy("An den Sprecherkreis weiterleiten")

    comment = forms.CharField(
        label=gettext_lazy("Vermerk"),
        required=False,
        widget=text_area(2),
        help_text=gettext_lazy("Erscheint im Verlauf, z. B. die geplante Sitzung."),
    )

    def params(self) -> dict[str, Any]:
        return {"comment": self.cleaned_data["comment"]}


class OutcomeForm(ActionForm):
    action = "record_outcome"
    title = gettext_lazy("Ergebnis des Gremiums erfassen")
    submit_label = gettext_lazy("Ergebnis erfassen")

    outcome = forms.ChoiceField(
        label=gettext_lazy("Ergebnis"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    decided_on = date_field(gettext_lazy("Datum der Sitzung oder des Umlaufbeschlusses"))
    reference = forms.CharField(
        label=gettext_lazy("Fundstelle"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("z. B. Sitzung vom 05.06.2018, TOP 4"),
    )
    reasons = forms.CharField(
        label=gettext_lazy("Begründung"),
        required=False,
        widget=text_area(3),
        help_text=gettext_lazy(
            "Nötig, wenn das Gremium nicht befürwortet oder eine Überarbeitung verlangt."
        ),
    )

    @property
    def body_kind(self) -> str | None:
        return BODY_STAGES.get(self.project.status)

    @property
    def body_label(self) -> StrOrPromise:
        kind = self.body_kind
        return BodyKind(kind).label if kind else ""

    def intro_text(self) -> str:
        if self.body_kind == BodyKind.SPEAKERS:
            return _(
                "Der Sprecherkreis empfiehlt: Auch eine ablehnende Empfehlung geht an den "
                "Steuerkreis weiter, der abstimmt."
            )
        return _(
            "Der Steuerkreis stimmt ab. Ein positives Votum zur Projektbeschreibung reserviert den "
            "beantragten Zuschuss im virtuellen Budget; ein negatives lehnt das Vorhaben ab."
        )

    def params(self) -> dict[str, Any]:
        body = selectors.stage_body(self.project)
        if body is None:
            raise DomainError(
                _(
                    "Für dieses Bündnis ist kein %(body)s angelegt. Bitte in der Verwaltung ergänzen."
                )
                % {"body": self.body_label or _("Gremium")}
            )
        data = self.cleaned_data
        return {
            "body": body,
            "outcome": data["outcome"],
            "decided_on": data["decided_on"],
            "reference": data["reference"],
            "reasons": data["reasons"],
            "expected_status": self.project.status,
        }

    def success_message(self) -> str:
        return _("Das Ergebnis ist erfasst. Neuer Stand: %(status)s.") % {
            "status": self.project.get_status_display()
        }


class ResumeForm(ActionForm):
    action = "resume"
    title = gettext_lazy("Wieder vorlegen")
    intro = gettext_lazy("Das vertagte Vorhaben kommt wieder vor das Gremium, das es vertagt hat.")
    submit_label = gettext_lazy("Wieder vorlegen")


class ApplicationForm(ActionForm):
    action = "file_application"
    title = gettext_lazy("Förderantrag erfassen")
    intro = gettext_lazy(
        "Nach dem Votum stellt der Projektträger den förmlichen Antrag bei der Förderbank. Die "
        "Geschäftsstelle kann ihn hier für ihn erfassen."
    )
    submit_label = gettext_lazy("Förderantrag erfassen")

    filed_on = date_field(gettext_lazy("Gestellt am"))
    reference = forms.CharField(label=gettext_lazy("Aktenzeichen der Förderbank"), max_length=100)

    def params(self) -> dict[str, Any]:
        return {
            "filed_on": self.cleaned_data["filed_on"],
            "reference": self.cleaned_data["reference"],
        }


class BankDecisionForm(ActionForm):
    action = "record_bank_decision"
    title = gettext_lazy("Entscheidung der Förderbank erfassen")
    intro = gettext_lazy(
        "Eine Bewilligung bindet den bewilligten Zuschuss im Budget (ist er niedriger als "
        "beantragt, wird der Rest frei); eine Ablehnung gibt die Reservierung frei."
    )
    submit_label = gettext_lazy("Entscheidung erfassen")

    GRANTED = "granted"
    DECLINED = "declined"
    decision = forms.ChoiceField(
        label=gettext_lazy("Entscheidung"),
        choices=[(GRANTED, gettext_lazy("Bewilligt")), (DECLINED, gettext_lazy("Abgelehnt"))],
        widget=forms.RadioSelect,
    )
    decided_on = date_field(gettext_lazy("Entschieden am"))
    granted_amount = money_field(
        gettext_lazy("Bewilligter Zuschuss (€)"),
        required=False,
        help_text=gettext_lazy("Nur bei Bewilligung; kann niedriger sein als beantragt."),
    )
    comment = forms.CharField(label=gettext_lazy("Vermerk"), required=False, widget=text_area(2))

    def initial_for(self, project: Project) -> dict[str, Any]:
        return {"granted_amount": project.requested_grant}

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        granted = data["decision"] == self.GRANTED
        return {
            "decided_on": data["decided_on"],
            "granted": granted,
            "granted_amount": data["granted_amount"] if granted else None,
            "comment": data["comment"],
        }


class StartForm(ActionForm):
    action = "start"
    title = gettext_lazy("Projektbeginn erfassen")
    submit_label = gettext_lazy("Projekt starten")

    started_on = date_field(gettext_lazy("Projektbeginn"))

    def initial_for(self, project: Project) -> dict[str, Any]:
        """The planned start, unless the bank granted later (a project starts after its grant,
        within its runtime, not in the future: `funding.dates.check_start`)."""
        today = timezone.localdate()
        bounds = [day for day in (project.starts_on, project.bank_decided_on) if day is not None]
        return {"started_on": min(max(bounds), today) if bounds else today}

    def params(self) -> dict[str, Any]:
        return {"started_on": self.cleaned_data["started_on"]}


class CloseForm(ActionForm):
    action = "close"
    title = gettext_lazy("Projekt abschließen")
    intro = gettext_lazy(
        "Mit dem Abschlussbericht und den abgerechneten Beträgen zahlt das Budget den "
        "abgerechneten Zuschuss aus; der Rest der Bindung wird frei."
    )
    submit_label = gettext_lazy("Projekt abschließen")

    closed_on = date_field(gettext_lazy("Abgeschlossen am"))
    final_eligible_costs = money_field(gettext_lazy("Abgerechnete förderfähige Kosten (€)"))
    final_grant = money_field(gettext_lazy("Abgerechneter Zuschuss (€)"))
    final_report = forms.FileField(
        label=gettext_lazy("Abschlussbericht"),
        required=False,
        validators=[validate_document],
        help_text=gettext_lazy(
            "PDF, Office- oder OpenDocument-Datei. Nur nötig, wenn noch kein Abschlussbericht "
            "hochgeladen ist."
        ),
    )
    participants_entered = forms.IntegerField(
        label=gettext_lazy("Eintritte (Teilnehmende)"), min_value=0, required=False
    )
    participants_exited = forms.IntegerField(
        label=gettext_lazy("Austritte (Teilnehmende)"), min_value=0, required=False
    )

    def initial_for(self, project: Project) -> dict[str, Any]:
        return {
            "final_eligible_costs": project.eligible_costs,
            "final_grant": project.granted_amount,
            "closed_on": project.ends_on
            if project.ends_on and project.ends_on <= timezone.localdate()
            else timezone.localdate(),
        }

    def clean(self) -> dict[str, Any]:
        """No more exits than entries: the service's rule, said at the field before the upload
        is sent again."""
        data = super().clean() or {}
        errors = participants_rule_errors(
            data.get("participants_entered"), data.get("participants_exited")
        )
        for field, messages in errors.items():
            if field not in self.errors:
                for message in messages:
                    self.add_error(field, message)
        return data

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "closed_on": data["closed_on"],
            "final_eligible_costs": data["final_eligible_costs"],
            "final_grant": data["final_grant"],
            "final_report": data["final_report"],
            "participants_entered": data["participants_entered"],
            "participants_exited": data["participants_exited"],
        }


class WithdrawForm(ActionForm):
    action = "withdraw"
    title = gettext_lazy("Vorhaben zurückziehen")
    intro = gettext_lazy(
        "Das Vorhaben endet im Stand „Zurückgezogen“; was es im Budget hält, wird frei. Das lässt "
        "sich nicht rückgängig machen."
    )
    submit_label = gettext_lazy("Endgültig zurückziehen")
    destructive = True

    reason = forms.CharField(label=gettext_lazy("Grund"), widget=text_area(3))

    def params(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


# The steps the workspace offers, in the order the detail page shows them: the step that moves
# the project on first, then a further consultation, the withdrawal last. The applicant's own
# submissions (sketch, description, resubmission) live in the applicant portal.
ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        ForwardForm,
        OutcomeForm,
        ResumeForm,
        ApplicationForm,
        BankDecisionForm,
        StartForm,
        CloseForm,
        ConsultationForm,
        WithdrawForm,
    )
}


# --- Corrections of what was recorded (not steps: the project does not move) ---------------------

CORRECTION_REASON_HELP = gettext_lazy(
    "Erscheint im Protokoll, zusammen mit den bisherigen Angaben; diese bleiben lesbar."
)


class ConsultationCorrectionForm(forms.Form):
    """Correct a recorded consultation: `services.consultation_correct`."""

    held_on = date_field(gettext_lazy("Datum der Beratung"))
    participants = forms.CharField(label=gettext_lazy("Teilnehmende"), max_length=500)
    notes = forms.CharField(label=gettext_lazy("Notizen"), required=False, widget=text_area(4))
    reason = forms.CharField(
        label=gettext_lazy("Grund der Korrektur"),
        widget=text_area(2),
        help_text=CORRECTION_REASON_HELP,
    )


class OutcomeCorrectionForm(forms.Form):
    """Correct the day and the reference of a body's outcome: `services.outcome_correct`."""

    decided_on = date_field(gettext_lazy("Datum der Sitzung oder des Umlaufbeschlusses"))
    reference = forms.CharField(
        label=gettext_lazy("Fundstelle"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("z. B. Sitzung vom 05.06.2018, TOP 4"),
    )
    reason = forms.CharField(
        label=gettext_lazy("Grund der Korrektur"),
        widget=text_area(2),
        help_text=CORRECTION_REASON_HELP,
    )
