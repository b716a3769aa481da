"""The filters of the public project list and its exports (one FilterSet, so the CSV and the
Excel file hold exactly the projects the list shows)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from buendnis.alliances.models import (
    ActionField,
    Alliance,
    FundingPhase,
    Organisation,
    RecognitionStatus,
    Topic,
)
from buendnis.funding import permissions as funding_permissions
from buendnis.funding.models import FundingPriority, Project
from buendnis.funding.states import PUBLIC_STATES, Status
from buendnis.funding.wording import PUBLIC_LABELS

from . import selectors

# The public states in procedure order, named as the public reads them.
PUBLIC_STATUS_CHOICES = [
    (value, PUBLIC_LABELS[value]) for value in Status.values if value in PUBLIC_STATES
]

# `sort=` values and what they order by; every order ends on the reference, so pages are stable.
SORTS: dict[str, tuple[Any, ...]] = {
    "title": ("title", "reference"),
    "-grant": (F("grant").desc(), "title", "reference"),
    "start": (F("starts_on").asc(nulls_last=True), "title", "reference"),
    "-start": (F("starts_on").desc(nulls_last=True), "title", "reference"),
    "applicant": ("applicant_organisation__name", "title", "reference"),
}
SORT_CHOICES = [
    ("title", _("Titel (A–Z)")),
    ("-grant", _("Zuschuss (höchster zuerst)")),
    ("start", _("Beginn (früheste zuerst)")),
    ("-start", _("Beginn (neueste zuerst)")),
    ("applicant", _("Projektträger (A–Z)")),
]
DEFAULT_SORT = "title"


class TopicChoice(forms.ModelChoiceField):
    """Topics repeat from phase to phase: name the field of action's phase too."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.action_field.phase.name})"


class FieldChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.phase.name})"


class TopicFilter(django_filters.ModelChoiceFilter):
    field_class = TopicChoice


class FieldFilter(django_filters.ModelChoiceFilter):
    field_class = FieldChoice


class PublicProjectFilter(django_filters.FilterSet):
    """Choices are limited to the alliance: a value of another alliance, or a state that is not
    public, is refused as invalid (the form says so) and ignored."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Suchbegriff"),
        help_text=_("Titel, Beschreibung, Ziele, Projektträger oder Region"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    phase = django_filters.ModelChoiceFilter(
        queryset=FundingPhase.objects.none(),
        label=_("Förderphase"),
        empty_label=_("Alle Förderphasen"),
    )
    action_field = FieldFilter(
        queryset=ActionField.objects.none(),
        label=_("Handlungsfeld"),
        empty_label=_("Alle Handlungsfelder"),
    )
    topic = TopicFilter(
        field_name="topics",
        queryset=Topic.objects.none(),
        label=_("Thema"),
        empty_label=_("Alle Themen"),
    )
    funding_priority = django_filters.ChoiceFilter(
        choices=FundingPriority.choices,
        label=_("Förderschwerpunkt"),
        empty_label=_("Alle Förderschwerpunkte"),
    )
    district = django_filters.CharFilter(
        field_name="region",
        lookup_expr="icontains",
        label=_("Landkreis oder Stadt"),
        help_text=_("z. B. Wolfenbüttel"),
    )
    applicant_organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(),
        label=_("Projektträger"),
        empty_label=_("Alle Projektträger"),
    )
    status = django_filters.ChoiceFilter(
        choices=PUBLIC_STATUS_CHOICES, label=_("Stand"), empty_label=_("Alle Stände")
    )
    sort = django_filters.ChoiceFilter(
        method="order",
        choices=SORT_CHOICES,
        label=_("Sortierung"),
        empty_label=None,
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data: Any, queryset: QuerySet[Project], *, alliance: Alliance) -> None:
        super().__init__(data, queryset)
        # Recognised phases only: a phase in preparation never shows on a public page.
        recognised = RecognitionStatus.RECOGNISED
        self.filters["phase"].queryset = FundingPhase.objects.filter(
            alliance=alliance, recognition_status=recognised
        ).order_by("-starts_on")
        self.filters["action_field"].queryset = (
            ActionField.objects.filter(alliance=alliance, phase__recognition_status=recognised)
            .select_related("phase")
            .order_by("-phase__starts_on", "is_open", "position", "title")
        )
        self.filters["topic"].queryset = (
            Topic.objects.filter(
                alliance=alliance, action_field__phase__recognition_status=recognised
            )
            .select_related("action_field__phase")
            .order_by("-action_field__phase__starts_on", "title", "id")
        )
        # Only organisations that run a public project: the list of every partner is elsewhere.
        self.filters["applicant_organisation"].queryset = (
            Organisation.objects.filter(
                funding_permissions.public_projects_q("projects__"), alliance=alliance
            )
            .distinct()
            .order_by("name")
        )

    def search(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return selectors.search_projects(queryset, value)

    def order(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset.order_by(*SORTS.get(value, SORTS[DEFAULT_SORT]))

    @property
    def qs(self) -> QuerySet[Project]:
        # Without (or with an invalid) `sort`, the default order still applies.
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS[DEFAULT_SORT])
        return queryset

    @property
    def current_sort(self) -> str:
        self.form.is_valid()
        return str(self.form.cleaned_data.get("sort") or DEFAULT_SORT)

    @property
    def is_narrowed(self) -> bool:
        """Does anything besides the order narrow the list?"""
        self.form.is_valid()
        return any(self.form.cleaned_data.get(name) for name in self.filters if name != "sort")
