"""The office's admin for the alliance's structure. Writes go through `services`; scoping and
permissions through `buendnis.accounts.permissions` (see `buendnis.accounts.admin_base`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from buendnis.accounts import permissions
from buendnis.accounts.admin_base import ServiceAdmin, ServiceInline, actor_of, service_form
from buendnis.accounts.models import User

from . import selectors, services
from .models import (
    ActionField,
    Alliance,
    Body,
    BodyKind,
    CooperationAgreement,
    FundingPhase,
    Organisation,
    OrganisationGroup,
    Person,
    RecognitionStatus,
    Seat,
    Topic,
)

# Filters on relations list only what the user's own records point to, so an office never sees
# another alliance's groups or phases in a sidebar.
related_only = admin.RelatedOnlyFieldListFilter


@admin.register(Alliance)
class AllianceAdmin(ServiceAdmin):
    alliance_path = "pk"
    # New alliances and their removal are the platform's business; the office keeps its own data.
    platform_only_add = True
    platform_only_delete = True
    service_save = services.alliance_save
    form = service_form(validator=services.alliance_validate)
    list_display = ["name", "short_name", "slug", "region", "office_host", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "short_name", "slug", "region"]
    prepopulated_fields = {"slug": ["short_name"]}

    def delete_record(self, request: HttpRequest, obj: Any) -> None:
        services.record_delete(actor=actor_of(request), instance=obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if permissions.can_manage_platform(request.user):
            return ["created_at"]
        # The address and the activation belong to the platform.
        return ["slug", "is_active", "created_at"]

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        return super().get_prepopulated_fields(request, obj)


@admin.register(OrganisationGroup)
class OrganisationGroupAdmin(ServiceAdmin):
    service_save = services.group_save
    form = service_form(validator=None)
    list_display = ["name", "kind", "sends_deputy_speaker", "position", "alliance"]
    list_filter = [("alliance", related_only), "kind", "sends_deputy_speaker"]
    search_fields = ["name"]
    list_select_related = ["alliance"]


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    service_save = services.organisation_save
    form = service_form(validator=services.organisation_validate)
    list_display = ["name", "short_name", "group", "city", "alliance"]
    list_filter = [("alliance", related_only), ("group", related_only), "group__kind"]
    search_fields = ["name", "short_name", "city"]
    list_select_related = ["alliance", "group"]


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
    service_save = services.person_save
    form = service_form(validator=services.person_validate, alliance_from="organisation")
    exclude = ["alliance"]
    list_display = ["full_name", "organisation", "function", "position_title", "alliance"]
    list_filter = [("alliance", related_only), "function", "show_name_publicly"]
    search_fields = ["first_name", "last_name", "email", "organisation__name"]
    list_select_related = ["alliance", "organisation"]

    @admin.display(description=_("Name"), ordering="last_name")
    def full_name(self, obj: Person) -> str:
        return obj.full_name

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and formfield is not None:
            # Logins of the alliances the user manages, not the platform's whole user list.
            ids = permissions.managed_alliance_ids(request.user)
            if ids is not None:
                formfield.queryset = User.objects.filter(
                    memberships__alliance_id__in=ids
                ).distinct()
        return formfield


@admin.register(FundingPhase)
class FundingPhaseAdmin(ServiceAdmin):
    """Phases; their budget changes are bookings ("Budgetänderung buchen", see BudgetAdjustMixin)."""

    service_save = services.phase_save
    form = service_form(validator=services.phase_validate)
    list_display = [
        "name",
        "starts_on",
        "ends_on",
        "virtual_budget",
        "funding_rate",
        "project_volume",
        "alliance",
    ]
    list_filter = [("alliance", related_only)]
    search_fields = ["name", "recognition_reference"]
    date_hierarchy = "starts_on"
    list_select_related = ["alliance"]

    @admin.display(description=_("Projektvolumen (€)"))
    def project_volume(self, obj: FundingPhase) -> Any:
        return obj.project_volume

    # Recognition is the ministry's decision (renewal.services.recognition_decide): an office
    # neither sets it nor adds a phase that counts as recognised. Platform admins may record the
    # history of an alliance that arrives with past phases.
    RECOGNITION_FIELDS = (
        "recognition_status",
        "recognised_on",
        "recognition_reference",
        "recognition_conditions",
        "extension_applied_on",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not permissions.is_platform_admin(request.user):
            fields.extend(self.RECOGNITION_FIELDS)
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change and not permissions.is_platform_admin(request.user):
            obj.recognition_status = RecognitionStatus.DRAFT
        super().save_model(request, obj, form, change)


@admin.register(CooperationAgreement)
class CooperationAgreementAdmin(ServiceAdmin):
    service_save = services.agreement_save
    form = service_form(validator=services.agreement_validate, alliance_from="phase")
    exclude = ["alliance"]
    list_display = ["organisation", "phase", "signed_on", "decision_reference", "alliance"]
    list_filter = [("alliance", related_only), ("phase", related_only)]
    search_fields = ["organisation__name", "decision_reference", "decision_body"]
    list_select_related = ["alliance", "organisation", "phase"]


@admin.register(Body)
class BodyAdmin(ServiceAdmin):
    service_save = services.body_save
    form = service_form(validator=None)
    list_display = ["name", "kind", "meeting_rhythm", "alliance"]
    list_filter = [("alliance", related_only), "kind"]
    search_fields = ["name"]
    list_select_related = ["alliance"]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        # What the body lacks today, where the office maintains it. Only on reading the page,
        # so a failed save does not repeat the warnings under its own errors.
        if obj is not None and request.method == "GET":
            problems: list[str] = []
            if obj.kind == BodyKind.SPEAKERS:
                problems = selectors.speakers_circle_problems(obj)
            elif obj.kind == BodyKind.STEERING:
                problems = selectors.steering_problems(obj)
            for problem in problems:
                self.message_user(request, problem, messages.WARNING)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Seat)
class SeatAdmin(ServiceAdmin):
    service_save = services.seat_save
    form = service_form(validator=services.seat_validate, alliance_from="body")
    exclude = ["alliance"]
    list_display = [
        "organisation",
        "role",
        "body",
        "person",
        "starts_on",
        "ends_on",
        "votes",
    ]
    list_filter = [("alliance", related_only), "body__kind", "role"]
    search_fields = ["organisation__name", "person__last_name", "person__first_name"]
    list_select_related = ["body__alliance", "organisation", "person"]
    date_hierarchy = "starts_on"

    @admin.display(description=_("stimmberechtigt"), boolean=True)
    def votes(self, obj: Seat) -> bool:
        return obj.can_vote


class TopicInline(ServiceInline):
    model = Topic
    service_save = services.topic_save
    form = service_form(validator=services.topic_validate, alliance_from="action_field")
    exclude = ["alliance"]
    fields = ["title", "parent", "position"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent" and formfield is not None:
            # A parent topic lies in the same field of action; the validator checks it again.
            field_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            queryset: QuerySet[Topic] = formfield.queryset
            formfield.queryset = (
                queryset.filter(action_field_id=field_id) if field_id else queryset.none()
            )
        return formfield


@admin.register(ActionField)
class ActionFieldAdmin(ServiceAdmin):
    service_save = services.action_field_save
    form = service_form(validator=services.action_field_validate, alliance_from="phase")
    exclude = ["alliance"]
    inlines = [TopicInline]
    list_display = ["title", "phase", "position", "is_open", "alliance"]
    list_filter = [("alliance", related_only), ("phase", related_only), "is_open"]
    search_fields = ["title", "topics__title"]
    list_select_related = ["alliance", "phase"]


@admin.register(Topic)
class TopicAdmin(ServiceAdmin):
    service_save = services.topic_save
    form = service_form(validator=services.topic_validate, alliance_from="action_field")
    exclude = ["alliance"]
    list_display = ["title", "action_field", "parent", "position", "alliance"]
    list_filter = [("alliance", related_only), ("action_field__phase", related_only)]
    search_fields = ["title"]
    list_select_related = ["alliance", "action_field", "parent"]
