"""Forms of the applicant portal. They check the shape of the input; the rules of the procedure
live in `funding.services` and come back from there as German errors on the same fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buendnis.alliances.models import ActionField, FundingPhase, Organisation, Topic
from buendnis.core.forms import DateInput, MoneyField
from buendnis.core.templatetags.buendnis_format import percent
from buendnis.funding import services
from buendnis.funding.models import PROJECT_EDITABLE_FIELDS, FundingPriority, Project

# The project's data in the order the edit form shows it: the editable fields, plus the topics
# right after the field of action they belong to (`changes()` leaves them to `topics=`).
_TOPICS_AT = PROJECT_EDITABLE_FIELDS.index("action_field") + 1
EDIT_FIELDS = [
    *PROJECT_EDITABLE_FIELDS[:_TOPICS_AT],
    "topics",
    *PROJECT_EDITABLE_FIELDS[_TOPICS_AT:],
]
# A new project starts small: the rest follows on the edit page.
CREATE_FIELDS = [
    "title",
    "summary",
    "action_field",
    "funding_priority",
    "contact_name",
    "contact_email",
    "contact_phone",
]
# What the edit page groups under one heading each.
EDIT_SECTIONS: list[tuple[Any, list[str]]] = [
    (_("Das Vorhaben"), ["title", "summary", "goals", "target_group"]),
    (
        _("Teilnehmende und Region"),
        ["planned_participants", "participant_groups", "companies_reached", "region"],
    ),
    (_("Einordnung"), ["action_field", "topics", "funding_priority"]),
    (_("Ansprechperson"), ["contact_name", "contact_email", "contact_phone"]),
    (_("Laufzeit"), ["starts_on", "ends_on"]),
    (_("Kosten und Zuschuss"), ["eligible_costs", "requested_grant"]),
]

UPLOAD_ACCEPT = ".pdf,.docx,.odt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text"


# --- Input widgets and fields -------------------------------------------------------------------


class TopicCheckboxes(forms.CheckboxSelectMultiple):
    """The page draws the boxes itself, grouped by field of action; the error summary links to
    the group's fieldset, whose id is the field's id."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return id_ if index is None else f"{id_}_{index}"


def document_field(label: Any, *, required: bool = True) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        widget=forms.FileInput(attrs={"accept": UPLOAD_ACCEPT}),
        help_text=_upload_help(),
    )


def _upload_help_text() -> str:
    return gettext(
        "PDF, Word (DOCX) oder OpenDocument (ODT), höchstens %(limit)s. Geprüft wird der "
        "Inhalt der Datei, nicht nur ihre Endung."
    ) % {"limit": filesizeformat(settings.MAX_UPLOAD_BYTES)}


# Fields are built at import time: the help text is read (and translated) when a page shows it.
_upload_help = lazy(_upload_help_text, str)


# --- The project's data -------------------------------------------------------------------------


@dataclass
class TopicChoice:
    topic: Topic
    checked: bool
    nested: bool


@dataclass
class TopicGroup:
    action_field: ActionField
    choices: list[TopicChoice] = field(default_factory=list)


class ProjectForm(forms.ModelForm):
    """The project's data. Never saved by itself: the view hands `changes()` to the services.

    The instance is a copy, so the model's own field checks run on the input without touching
    the project the page shows.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    eligible_costs = MoneyField(label=_("Förderfähige Gesamtkosten (€)"), required=False)
    requested_grant = MoneyField(label=_("Beantragter Zuschuss (€)"), required=False)

    class Meta:
        model = Project
        fields = EDIT_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "goals": forms.Textarea(attrs={"rows": 4}),
            "target_group": forms.Textarea(attrs={"rows": 3}),
            "participant_groups": forms.Textarea(attrs={"rows": 2}),
            "starts_on": DateInput,
            "ends_on": DateInput,
            "topics": TopicCheckboxes,
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }

    def __init__(self, *args: Any, phase: FundingPhase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phase = phase
        fields = ActionField.objects.filter(phase=phase).order_by("is_open", "position", "title")
        action_field = cast(forms.ModelChoiceField, self.fields["action_field"])
        action_field.queryset = fields
        action_field.empty_label = str(_("– bitte wählen –"))
        action_field.help_text = _(
            "Projekte außerhalb der Themen der Förderphase wählen das thematisch offene Feld."
        )
        if "topics" in self.fields:
            topics = cast(forms.ModelMultipleChoiceField, self.fields["topics"])
            topics.queryset = Topic.objects.filter(action_field__phase=phase)
            topics.help_text = _("Nur Themen des gewählten Handlungsfeldes; mehrere sind möglich.")
        if "funding_priority" in self.fields:
            priority = cast(forms.ChoiceField, self.fields["funding_priority"])
            priority.choices = [("", _("– bitte wählen –")), *FundingPriority.choices]
        if "requested_grant" in self.fields:
            self.fields["requested_grant"].help_text = _(
                "Höchstens %(rate)s der förderfähigen Kosten (Fördersatz der Förderphase "
                "%(phase)s). Leer gelassen, wird der Höchstbetrag eingesetzt."
            ) % {"rate": percent(phase.funding_rate), "phase": phase.name}
        if "eligible_costs" in self.fields:
            self.fields["eligible_costs"].help_text = _(
                "Zuschuss und Kofinanzierung zusammen ergeben diese Summe."
            )
        # A new project holds 0,00 € until someone enters amounts: show the fields empty, so that
        # an untouched grant field gets the proposal.
        for name in ("eligible_costs", "requested_grant"):
            if name in self.fields and not self.is_bound and self.initial.get(name) == 0:
                self.initial[name] = None

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())
        if "eligible_costs" in self.fields:
            costs = cleaned.get("eligible_costs")
            if costs is None and "eligible_costs" not in self.errors:
                costs = cleaned["eligible_costs"] = Decimal("0")
            # The form proposes the most the phase's rate allows.
            if (
                "requested_grant" in self.fields
                and cleaned.get("requested_grant") is None
                and "requested_grant" not in self.errors
                and costs is not None
            ):
                cleaned["requested_grant"] = services.proposed_grant(self.phase, costs)
        return cleaned

    def changes(self) -> dict[str, Any]:
        """The fields for `project_create`/`project_update` (topics apart)."""
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields or []
            if name != "topics" and name in self.cleaned_data
        }

    def topic_groups(self) -> list[TopicGroup]:
        """The phase's topics by field of action, a nested topic after its parent."""
        if "topics" not in self.fields:
            return []
        if self.is_bound:
            chosen = {str(value) for value in self.data.getlist(self.add_prefix("topics"))}  # type: ignore[attr-defined]
        else:
            chosen = {str(getattr(topic, "pk", topic)) for topic in self.initial.get("topics", [])}
        groups: dict[int, TopicGroup] = {}
        action_field = cast(forms.ModelChoiceField, self.fields["action_field"])
        for item in action_field.queryset:  # type: ignore[union-attr]
            groups[item.pk] = TopicGroup(action_field=item)
        topics = list(
            Topic.objects.filter(action_field__phase=self.phase).order_by("position", "id")
        )
        children: dict[int, list[Topic]] = {}
        for topic in topics:
            if topic.parent_id is not None:
                children.setdefault(topic.parent_id, []).append(topic)
        for topic in topics:
            if topic.parent_id is not None or topic.action_field_id not in groups:
                continue
            group = groups[topic.action_field_id]
            group.choices.append(TopicChoice(topic, str(topic.pk) in chosen, nested=False))
            for child in children.get(topic.pk, []):
                group.choices.append(TopicChoice(child, str(child.pk) in chosen, nested=True))
        return [group for group in groups.values() if group.choices]

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [
            (title, [self[name] for name in names if name in self.fields and name != "topics"])
            for title, names in EDIT_SECTIONS
        ]


class ProjectCreateForm(ProjectForm):
    """A new project: title and the first few fields; the office picks the owner."""

    applicant_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Projektträger"),
        empty_label=_("– bitte wählen –"),
    )

    class Meta(ProjectForm.Meta):
        fields = CREATE_FIELDS

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation] | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        if organisations is None:
            del self.fields["applicant_organisation"]
        else:
            owner = cast(forms.ModelChoiceField, self.fields["applicant_organisation"])
            owner.queryset = organisations


# --- Co-financing -------------------------------------------------------------------------------


class CoFinancingForm(forms.Form):
    """One share: an organisation of the alliance or a named payer, and the amount. A row left
    empty is no share."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Organisation im Bündnis"),
        empty_label=_("– keine –"),
    )
    name = forms.CharField(required=False, max_length=200, label=_("oder anderer Geldgeber"))
    amount = MoneyField(required=False, label=_("Betrag (€)"))

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = organisations

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())
        organisation, name, amount = (
            cleaned.get("organisation"),
            (cleaned.get("name") or "").strip(),
            cleaned.get("amount"),
        )
        if organisation is None and not name and amount is None:
            return cleaned
        if organisation is not None and name:
            self.add_error(
                "name",
                _(
                    "Bitte entweder eine Organisation wählen oder einen Namen eintragen, nicht beides."
                ),
            )
        elif organisation is None and not name:
            self.add_error(
                "organisation", _("Bitte eine Organisation wählen oder einen Geldgeber eintragen.")
            )
        if amount is None and "amount" not in self.errors:
            self.add_error("amount", _("Bitte den Betrag angeben."))
        return cleaned

    def share(self) -> services.Share | None:
        data = self.cleaned_data
        if data.get("amount") is None:
            return None
        return services.Share(
            amount=data["amount"],
            organisation=data.get("organisation"),
            name=(data.get("name") or "").strip(),
        )


class BaseCoFinancingFormSet(forms.BaseFormSet):
    def shares(self) -> list[services.Share]:
        return [share for form in self.forms if (share := form.share()) is not None]


CoFinancingFormSet = cast(
    type[BaseCoFinancingFormSet],
    forms.formset_factory(
        CoFinancingForm, formset=BaseCoFinancingFormSet, extra=2, max_num=30, validate_max=True
    ),
)


# --- The steps of the procedure -----------------------------------------------------------------


class DocumentForm(forms.Form):
    """Upload for the sketch, the description or a revised version."""

    document = document_field(_("Datei"))

    def __init__(self, *args: Any, label: Any = None, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["document"].label = label
        self.fields["document"].required = required


class ApplicationFiledForm(forms.Form):
    filed_on = forms.DateField(
        label=_("Förderantrag gestellt am"), widget=DateInput, initial=timezone.localdate
    )
    reference = forms.CharField(
        label=_("Aktenzeichen der Förderbank"),
        max_length=100,
        help_text=_("Wie es in der Eingangsbestätigung der Förderbank steht."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund für den Rückzug"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_(
            "Die Geschäftsstelle und die Gremien sehen den Grund im Verlauf des Vorhabens."
        ),
    )


class ConsultationRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Ihr Anliegen"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
        help_text=_("Worum soll es in der Beratung gehen? Was ist schon klar, was noch offen?"),
    )
    availability = forms.CharField(
        label=_("Mögliche Termine"),
        required=False,
        max_length=300,
        help_text=_("z. B. „dienstags und donnerstags vormittags“"),
    )
    phone = forms.CharField(
        label=_("Telefon für Rückfragen"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
