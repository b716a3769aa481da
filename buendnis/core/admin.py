"""The audit trail in the admin: read-only for everyone, scoped like every other record."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from buendnis.accounts import permissions

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "object_repr", "actor", "alliance"]
    list_filter = [("alliance", admin.RelatedOnlyFieldListFilter), "object_type"]
    search_fields = ["action", "object_repr", "object_id", "actor__username", "comment"]
    list_select_related = ["actor", "alliance"]
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "alliance",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "from_state",
        "to_state",
        "changes",
        "comment",
    )
    fields = readonly_fields
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        return permissions.limit_to_alliances(
            super().get_queryset(request), permissions.admin_alliance_ids(request.user)
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.can_enter_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return permissions.can_enter_admin(request.user)
        return permissions.can_view_in_admin(request.user, obj.alliance_id)

    # Append-only: the model refuses changes, the admin does not even offer them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
