"""Forms of the office's inbox and of a member's question. Field names are the services' keyword
names, so a service's German error about a field lands on that field
(`core.forms.add_service_errors`). Choices come from lists the view loaded once: a form costs no
query of its own, except the project looked up by its reference when one is typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance, Organisation
from buendnis.core.forms import DateInput
from buendnis.funding.models import Project
from buendnis.ideas.models import Idea
from buendnis.office import selectors
from buendnis.office.models import (
    RECORDED_SOURCES,
    Channel,
    InquiryCategory,
    ReplyTemplate,
    Source,
    Status,
)
from buendnis.office.services import REPLY_CHANNELS

from .office_filters import QuickSelect


def _person(user: User) -> str:
    return user.get_full_name() or user.username


class ChoiceOf(forms.ChoiceField):
    """A choice among loaded records by id: the cleaned value is the record (or None)."""

    def __init__(
        self, records: Sequence[Any], *, label_of: Any = str, empty: Any = "–", **kwargs: Any
    ) -> None:
        self.records = {str(record.pk): record for record in records}
        choices = [("", empty), *[(key, label_of(record)) for key, record in self.records.items()]]
        kwargs.setdefault("required", False)
        super().__init__(choices=choices, widget=QuickSelect, **kwargs)

    def clean(self, value: Any) -> Any:
        key = super().clean(value)
        return self.records.get(key) if key else None


class ProjectReferenceField(forms.CharField):
    """A project of the alliance by its reference (Aktenzeichen): a select of thousands of
    projects would be useless and slow."""

    def __init__(self, alliance: Alliance, **kwargs: Any) -> None:
        self.alliance = alliance
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("label", _("Vorhaben (Aktenzeichen)"))
        kwargs.setdefault("help_text", _("z. B. SON-2021-007; leer lassen, wenn keines."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value.reference if isinstance(value, Project) else value

    def clean(self, value: Any) -> Project | None:
        reference = (super().clean(value) or "").strip()
        if not reference:
            return None
        project = Project.objects.filter(alliance=self.alliance, reference=reference).first()
        if project is None:
            raise forms.ValidationError(
                _("Kein Vorhaben mit dem Aktenzeichen „%(reference)s“ in diesem Bündnis."),
                params={"reference": reference},
            )
        return project


class IdeaNumberField(forms.IntegerField):
    """An idea of the alliance's pool by its number (as in its address): the pool may hold
    thousands."""

    def __init__(self, alliance: Alliance, **kwargs: Any) -> None:
        self.alliance = alliance
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("label", _("Idee (Nummer)"))
        kwargs.setdefault(
            "help_text", _("Die Nummer aus der Adresse der Idee; leer lassen, wenn keine.")
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value.pk if isinstance(value, Idea) else value

    def clean(self, value: Any) -> Idea | None:
        number = super().clean(value)
        if number is None:
            return None
        idea = Idea.objects.filter(alliance=self.alliance, pk=number).first()
        if idea is None:
            raise forms.ValidationError(
                _("Keine Idee mit der Nummer %(number)s in diesem Bündnis."),
                params={"number": number},
            )
        return idea


class Choices:
    """What the inbox's forms offer, loaded once per request by the view."""

    def __init__(
        self,
        *,
        categories: Sequence[InquiryCategory] = (),
        staff: Sequence[User] = (),
        organisations: Sequence[Organisation] = (),
        templates: Sequence[ReplyTemplate] = (),
    ) -> None:
        self.categories = list(categories)
        self.staff = list(staff)
        self.organisations = list(organisations)
        self.templates = list(templates)


# --- The list's filters ----------------------------------------------------------------------------


class InquiryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Suche"),
        required=False,
        max_length=200,
        help_text=_("Betreff, Name, E-Mail-Adresse, Organisation, Aktenzeichen oder #Nummer"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Stand"),
        required=False,
        choices=[
            (selectors.OPEN, _("Alle offenen")),
            *Status.choices,
            (selectors.ALL, _("Alle, auch erledigte")),
        ],
        widget=QuickSelect,
    )
    category = forms.ChoiceField(label=_("Kategorie"), required=False, widget=QuickSelect)
    assigned = forms.ChoiceField(label=_("Zuständig"), required=False, widget=QuickSelect)
    source = forms.ChoiceField(
        label=_("Eingang über"),
        required=False,
        choices=[("", _("Alle Eingänge")), *Source.choices],
        widget=QuickSelect,
    )
    overdue = forms.BooleanField(label=_("nur überfällige"), required=False)

    def __init__(self, data: Any, *, choices: Choices) -> None:
        super().__init__(data)
        category = cast(forms.ChoiceField, self.fields["category"])
        assigned = cast(forms.ChoiceField, self.fields["assigned"])
        category.choices = [
            ("", _("Alle Kategorien")),
            *[(str(category.pk), category.name) for category in choices.categories],
        ]
        assigned.choices = [
            ("", _("Alle")),
            (selectors.MINE, _("Mir zugewiesen")),
            (selectors.NOBODY, _("Niemandem zugewiesen")),
            *[(str(user.pk), _person(user)) for user in choices.staff],
        ]

    def filters(self) -> selectors.InquiryFilters:
        """The valid part of the filters; an invalid value is ignored (the field says why)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        category = data.get("category") or ""
        return selectors.InquiryFilters(
            status=data.get("status") or selectors.OPEN,
            category_id=int(category) if category.isdigit() else None,
            assigned=data.get("assigned") or "",
            source=data.get("source") or "",
            overdue=bool(data.get("overdue")),
            text=data.get("q") or "",
        )


# --- Recording an inquiry ---------------------------------------------------------------------------


class RecordForm(forms.Form):
    """A call, a letter or a mail to the office's own address, recorded by the office."""

    source = forms.ChoiceField(
        label=_("Eingang über"),
        choices=[(value, Source(value).label) for value in RECORDED_SOURCES],
        initial=Source.PHONE,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(label=_("Betreff"), max_length=200)
    message = forms.CharField(
        label=_("Inhalt der Anfrage"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Was wurde gefragt? Bei einem Brief auch die Anschrift für die Antwort."),
    )
    asker_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    asker_email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        required=False,
        error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")},
    )
    asker_phone = forms.CharField(label=_("Telefon"), max_length=50, required=False)

    def __init__(self, data: Any, *, alliance: Alliance, choices: Choices, user: User) -> None:
        super().__init__(data, initial={"assigned_to": str(user.pk)})
        self.fields["category"] = ChoiceOf(choices.categories, label=_("Kategorie"))
        self.fields["organisation"] = ChoiceOf(choices.organisations, label=_("Organisation"))
        self.fields["project"] = ProjectReferenceField(alliance)
        self.fields["assigned_to"] = ChoiceOf(
            choices.staff, label=_("Zuständig"), label_of=_person, empty=_("niemand")
        )
        self.fields["asker_name"].widget.attrs["autocomplete"] = "off"

    def clean_subject(self) -> str:
        return " ".join(str(self.cleaned_data["subject"]).split())


# --- Working on an inquiry ----------------------------------------------------------------------------


class UpdateForm(forms.Form):
    """State, who has it, when it is due, category and links: one form, one transaction."""

    status = forms.ChoiceField(label=_("Stand"), choices=Status.choices, widget=QuickSelect)
    due_on = forms.DateField(label=_("Fällig am"), widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data: Any, *, alliance: Alliance, choices: Choices, initial: Any) -> None:
        # Three forms share the inquiry's page: each its own ids.
        super().__init__(data, initial=initial, auto_id="edit-%s")
        self.fields["assigned_to"] = ChoiceOf(
            choices.staff, label=_("Zuständig"), label_of=_person, empty=_("niemand")
        )
        self.fields["category"] = ChoiceOf(choices.categories, label=_("Kategorie"))
        self.fields["organisation"] = ChoiceOf(choices.organisations, label=_("Organisation"))
        self.fields["project"] = ProjectReferenceField(alliance)
        self.fields["idea"] = IdeaNumberField(alliance)
        self.order_fields(
            [
                "status",
                "assigned_to",
                "due_on",
                "category",
                "organisation",
                "project",
                "idea",
                "version",
            ]
        )


class ReplyForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Vorlage"),
        required=False,
        widget=QuickSelect,
        help_text=_("„Vorschau“ setzt die Vorlage in ein leeres Textfeld ein."),
    )
    body = forms.CharField(
        label=_("Antwort"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Platzhalter wie {name} oder {betreff} werden beim Senden ausgefüllt; die Vorschau "
            "zeigt das Ergebnis."
        ),
    )
    channel = forms.ChoiceField(
        label=_("Antwort geht per"),
        choices=[(value, Channel(value).label) for value in REPLY_CHANNELS],
        initial=Channel.EMAIL,
        widget=forms.RadioSelect,
        help_text=_("Telefon oder Brief: die Antwort wird nur festgehalten, nicht gesendet."),
    )
    status_after = forms.ChoiceField(
        label=_("Danach"),
        choices=[
            (Status.WAITING, Status.WAITING.label),
            (Status.IN_PROGRESS, Status.IN_PROGRESS.label),
            (Status.DONE, Status.DONE.label),
        ],
        initial=Status.WAITING,
        widget=QuickSelect,
    )

    def __init__(self, data: Any = None, *, choices: Choices, initial: Any = None) -> None:
        super().__init__(data, initial=initial, auto_id="reply-%s")
        self.templates = {str(template.pk): template for template in choices.templates}
        template_field = cast(forms.ChoiceField, self.fields["template"])
        template_field.choices = [
            ("", _("ohne Vorlage")),
            *[(key, template.name) for key, template in self.templates.items()],
        ]

    def chosen_template(self) -> ReplyTemplate | None:
        return self.templates.get(self.cleaned_data.get("template") or "")


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Interne Notiz"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Nur für die Geschäftsstelle; wird nie gesendet."),
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, auto_id="note-%s")


class ExportForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse der Person"),
        error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")},
    )


class AskForm(forms.Form):
    subject = forms.CharField(label=_("Betreff"), max_length=200)
    message = forms.CharField(
        label=_("Ihre Frage"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean_subject(self) -> str:
        return " ".join(str(self.cleaned_data["subject"]).split())
