"""Filters of the pipeline board and its lists: phase, state, who is next, field of action,
applicant, free text."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from buendnis.alliances.models import ActionField, Alliance, FundingPhase, Organisation
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.funding.wording import WAITING_FOR

WAITING_BY_KEY = {group.key: group for group in WAITING_FOR}


class QuickSelect(forms.Select):
    """A single select rendered in Python: Django renders each option through a template, which
    cost the board a third of its time for the hundred-odd options of its filters. The same
    markup (attributes from the bound field: id, aria-describedby, aria-invalid), no optgroups."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            text = "" if option_value is None else str(option_value)
            selected = text in chosen
            chosen.discard(text)  # only the first match, as Django's Select
            options.append(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    text,
                    mark_safe(" selected") if selected else "",  # noqa: S308 (a constant)
                    label,
                )
            )
        return format_html(
            "<select{}>\n{}\n</select>",
            flatatt({"name": name, **self.build_attrs(self.attrs, attrs)}),
            mark_safe("\n".join(options)),  # noqa: S308 (each escaped by format_html)
        )


class ActionFieldChoice(forms.ModelChoiceField):
    """Fields of action repeat their titles from phase to phase: name the phase too."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.phase.name})"


class ActionFieldFilter(django_filters.ModelChoiceFilter):
    field_class = ActionFieldChoice


class PipelineFilter(django_filters.FilterSet):
    """The choices are limited to the alliance; a value of another alliance is refused as
    invalid and ignored."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Titel oder Aktenzeichen"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    # Choices from the phases the view has already loaded: validating and rendering cost no query.
    phase = django_filters.ChoiceFilter(
        field_name="phase_id",
        choices=[],
        label=_("Förderphase"),
        empty_label=_("Alle Förderphasen"),
        widget=QuickSelect,
    )
    status = django_filters.ChoiceFilter(
        choices=Status.choices,
        label=_("Stand"),
        empty_label=_("Alle Stände"),
        widget=QuickSelect,
    )
    waiting = django_filters.ChoiceFilter(
        method="waiting_for",
        choices=[(group.key, group.label) for group in WAITING_FOR],
        label=_("Am Zug"),
        empty_label=_("Alle"),
        widget=QuickSelect,
    )
    action_field = ActionFieldFilter(
        queryset=ActionField.objects.none(),
        label=_("Handlungsfeld"),
        empty_label=_("Alle Handlungsfelder"),
        widget=QuickSelect,
    )
    applicant_organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(),
        label=_("Projektträger"),
        empty_label=_("Alle Projektträger"),
        widget=QuickSelect,
    )

    class Meta:
        model = Project
        fields = ["q", "phase", "status", "waiting", "action_field", "applicant_organisation"]

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[Project],
        *,
        alliance: Alliance,
        phases: list[FundingPhase],
    ) -> None:
        """`phases`: the alliance's phases (selectors.pipeline_phases)."""
        super().__init__(data, queryset)
        self.filters["phase"].extra["choices"] = [(str(phase.pk), phase.name) for phase in phases]
        self.filters["action_field"].queryset = (
            ActionField.objects.filter(alliance=alliance)
            .select_related("phase")
            .order_by("-phase__starts_on", "is_open", "position", "title")
        )
        self.filters["applicant_organisation"].queryset = Organisation.objects.filter(
            alliance=alliance
        ).order_by("name")

    def search(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(reference__icontains=value))

    def waiting_for(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        group = WAITING_BY_KEY.get(value)
        return queryset if group is None else queryset.filter(status__in=group.statuses)

    @property
    def is_narrowed(self) -> bool:
        """Does any filter besides the phase narrow the board?"""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return any(data.get(name) for name in self.filters if name != "phase")
