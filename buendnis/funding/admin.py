"""Projects in the admin: read only.

Every change to a project is a step of the procedure (a service in `funding.services` that checks
the actor, locks the row, writes the audit trail and books the budget). The admin offers none of
them: it lists the projects of the alliances the user may see, shows what the procedure recorded,
and links to the office workspace where the steps are taken.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from buendnis.accounts import permissions
from buendnis.accounts.admin_base import ScopedAdminMixin
from buendnis.budget.models import LedgerEntry

from .models import BodyOutcome, CoFinancing, Consultation, Project, ProjectDocument, Transition


def workspace_url(project: Project) -> str:
    """The project in the office workspace (the path is the workspace's contract)."""
    return f"/{project.alliance.slug}/intern/vorhaben/{project.reference}/"


class ReadOnlyInline(admin.TabularInline):
    """What the procedure recorded about a project; readable with the project, never edited."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # `obj` is the project; the project admin scoped it already.
        if obj is None:
            return permissions.can_enter_admin(request.user)
        return permissions.can_view_in_admin(request.user, obj.alliance_id)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CoFinancingInline(ReadOnlyInline):
    model = CoFinancing
    fields = ["organisation", "name", "amount"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CoFinancing]:
        return super().get_queryset(request).select_related("organisation")


class ConsultationInline(ReadOnlyInline):
    model = Consultation
    fields = ["held_on", "participants", "notes", "recorded_by", "recorded_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Consultation]:
        return super().get_queryset(request).select_related("recorded_by")


class DocumentInline(ReadOnlyInline):
    model = ProjectDocument
    # The file link goes through the download view, which checks who may read it.
    fields = ["kind", "version", "file", "uploaded_by", "uploaded_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProjectDocument]:
        return super().get_queryset(request).select_related("uploaded_by")


class OutcomeInline(ReadOnlyInline):
    model = BodyOutcome
    fields = [
        "decided_on",
        "body",
        "stage_status",
        "outcome",
        "reference",
        "reasons",
        "recorded_by",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[BodyOutcome]:
        return super().get_queryset(request).select_related("body", "recorded_by")


class TransitionInline(ReadOnlyInline):
    model = Transition
    fields = ["created_at", "from_status", "to_status", "actor", "comment"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Transition]:
        return super().get_queryset(request).select_related("actor")


class LedgerInline(ReadOnlyInline):
    model = LedgerEntry
    fk_name = "project"
    verbose_name_plural = _("Buchungen im virtuellen Budget")
    fields = [
        "created_at",
        "kind",
        "reserved_delta",
        "committed_delta",
        "paid_delta",
        "note",
        "actor",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerEntry]:
        return super().get_queryset(request).select_related("actor")


@admin.register(Project)
class ProjectAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read only for everyone: the steps of the procedure are taken in the office workspace."""

    list_display = [
        "reference",
        "title",
        "status",
        "applicant_organisation",
        "phase",
        "requested_grant",
        "granted_amount",
        "status_changed_at",
        "alliance",
        "workspace_link",
    ]
    list_display_links = ["reference", "title"]
    list_filter = [
        ("alliance", admin.RelatedOnlyFieldListFilter),
        ("phase", admin.RelatedOnlyFieldListFilter),
        "status",
        "funding_priority",
    ]
    search_fields = ["reference", "title", "applicant_organisation__name", "contact_name"]
    list_select_related = ["alliance", "phase", "applicant_organisation"]
    list_per_page = 50
    date_hierarchy = "created_at"
    actions = None
    inlines = [
        CoFinancingInline,
        ConsultationInline,
        DocumentInline,
        OutcomeInline,
        TransitionInline,
        LedgerInline,
    ]
    # Every field, grouped with what the procedure recorded, so not derived from
    # PROJECT_EDITABLE_FIELDS; the editable ones keep that list's order here (a test checks it).
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "workspace_link",
                    "reference",
                    "title",
                    "alliance",
                    "phase",
                    "status",
                    "status_changed_at",
                    "return_status",
                    "version",
                ]
            },
        ),
        (
            _("Vorhaben"),
            {
                "fields": [
                    "summary",
                    "goals",
                    "target_group",
                    "planned_participants",
                    "participant_groups",
                    "companies_reached",
                    "region",
                    "action_field",
                    "topics",
                    "funding_priority",
                ]
            },
        ),
        (
            _("Projektträger"),
            {
                "fields": [
                    "applicant_organisation",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                    "created_by",
                    "created_at",
                ]
            },
        ),
        (
            _("Laufzeit und Finanzierung"),
            {"fields": ["starts_on", "ends_on", "eligible_costs", "requested_grant"]},
        ),
        (
            _("Förderbank und Umsetzung"),
            {
                "fields": [
                    "application_filed_on",
                    "application_reference",
                    "bank_decided_on",
                    "granted_amount",
                    "started_on",
                    "closed_on",
                    "final_eligible_costs",
                    "final_grant",
                    "participants_entered",
                    "participants_exited",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field for _name, options in self.fieldsets for field in options["fields"]]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return self.scope(request, super().get_queryset(request))

    @admin.display(description=_("Arbeitsbereich"))
    def workspace_link(self, obj: Project) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>',
            workspace_url(obj),
            _("Im Arbeitsbereich der Geschäftsstelle öffnen"),
        )

    # Read only: the procedure's services are the only writers of a project.
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
