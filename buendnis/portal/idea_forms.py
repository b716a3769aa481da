"""Forms of the idea pool. They check the shape of the input; the rules live in
`ideas.services` and come back as German errors on the same fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from buendnis.alliances.models import ActionField, FundingPhase, Organisation, Topic
from buendnis.ideas.models import IDEA_EDITABLE_FIELDS, Idea, IdeaStatus
from buendnis.ideas.services import MANUAL_MOVES


class ActionFieldChoice(forms.ModelChoiceField):
    """Fields of action repeat their titles from phase to phase: name the phase too."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.phase.name})"


class IdeaForm(forms.ModelForm):
    """Post or edit an idea. `organisations`: those the author may name (None: any of the
    alliance's, optional)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        label=_("Themen"),
        help_text=_("Die Themen der laufenden Förderphase, zu denen die Idee passt."),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Idea
        fields = list(IDEA_EDITABLE_FIELDS)
        widgets = {
            "text": forms.Textarea(attrs={"rows": 8}),
            "partners_sought": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"action_field": ActionFieldChoice}

    def __init__(
        self,
        *args: Any,
        action_fields: QuerySet[ActionField],
        organisations: QuerySet[Organisation],
        organisation_required: bool,
        topics: QuerySet[Topic],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice = cast(forms.ModelMultipleChoiceField, self.fields["topics"])
        choice.queryset = topics
        if self.instance.pk is not None:
            self.fields["topics"].initial = list(self.instance.topics.all())
        field = cast(forms.ModelChoiceField, self.fields["action_field"])
        field.queryset = action_fields.select_related("phase")
        field.empty_label = _("– keines –")
        owner = cast(forms.ModelChoiceField, self.fields["organisation"])
        owner.queryset = organisations
        owner.required = organisation_required
        owner.empty_label = _("– bitte wählen –") if organisation_required else _("– keine –")
        if self.instance.pk is None:
            del self.fields["version"]
        else:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self) -> None:
        # The service validates the model (and its constraints) under the lock.
        pass

    def changes(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in IDEA_EDITABLE_FIELDS
            if name in self.cleaned_data
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Neuer Stand"), choices=())
    comment = forms.CharField(label=_("Vermerk"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, idea: Idea, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        moves = MANUAL_MOVES.get(idea.status, frozenset())
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [(value, label) for value, label in IdeaStatus.choices if value in moves]
        self.fields["version"].initial = idea.version


class LinkForm(forms.Form):
    """Link to another idea or a project of the alliance, chosen from the similar ones shown."""

    target = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Vermerk"), required=False, max_length=500)

    def clean_target(self) -> tuple[str, int]:
        raw = self.cleaned_data["target"]
        kind, _sep, number = raw.partition(":")
        if kind not in {"idea", "project"} or not number.isdigit():
            raise forms.ValidationError(_("Bitte eine Idee oder ein Vorhaben wählen."))
        return kind, int(number)


class IntroduceForm(forms.Form):
    other = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Hinweis an beide"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(forms.Form):
    others = forms.ModelMultipleChoiceField(
        queryset=Idea.objects.none(),
        label=_("Diese Ideen hierin zusammenführen"),
        widget=forms.CheckboxSelectMultiple,
    )
    title = forms.CharField(label=_("Neuer Titel (optional)"), required=False, max_length=200)
    text = forms.CharField(
        label=_("Neue Beschreibung (optional)"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, candidates: QuerySet[Idea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = cast(forms.ModelMultipleChoiceField, self.fields["others"])
        others.queryset = candidates


class ToProjectForm(forms.Form):
    phase = forms.ModelChoiceField(queryset=FundingPhase.objects.none(), label=_("Förderphase"))
    applicant_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Projektträger"),
        empty_label=_("– bitte wählen –"),
    )

    def __init__(
        self,
        *args: Any,
        phases: QuerySet[FundingPhase],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["phase"]).queryset = phases
        cast(forms.ModelChoiceField, self.fields["applicant_organisation"]).queryset = organisations
