"""User accounts and their roles in the alliances.

Accounts are the platform's: platform admins maintain them, the ministry reads them, the office
sees the accounts that hold a role in its alliance. Roles (Membership) are the office's: it grants
and withdraws roles in its own alliance, through `services.membership_save`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from buendnis.alliances import services
from buendnis.core.admin_base import ServiceAdmin, ServiceForm, service_form
from buendnis.core.audit import audit_record, diff, snapshot

from . import permissions
from .models import Membership, User

# Never into the audit trail: the password hash, and the login time that changes on every login.
_NOT_AUDITED = frozenset({"password", "last_login"})


def _user_snapshot(user: User) -> dict[str, Any]:
    return {key: value for key, value in snapshot(user).items() if key not in _NOT_AUDITED}


def _users_of_alliances(ids: set[int]) -> QuerySet[User]:
    return User.objects.filter(memberships__alliance_id__in=ids).distinct()


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Bündnisportal"), {"fields": ("platform_role", "is_demo")}),
    )
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "platform_role",
        "is_staff",
        "is_active",
    )
    list_filter = ("platform_role", "is_staff", "is_superuser", "is_active", "is_demo")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not permissions.can_manage_platform(request.user):
            # Readers (office, ministry) need to know who it is, not how the login is secured.
            return ((None, {"fields": ("username", "first_name", "last_name", "email", "is_active")}),)
        return super().get_fieldsets(request, obj)

    # --- who may do what: accounts are the platform's ---

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.can_enter_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return permissions.can_enter_admin(request.user)
        ids = permissions.admin_alliance_ids(request.user)
        return ids is None or _users_of_alliances(ids).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.can_manage_platform(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_manage_platform(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_manage_platform(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset: QuerySet[User] = super().get_queryset(request)
        ids = permissions.admin_alliance_ids(request.user)
        if ids is None:
            return queryset
        return queryset.filter(pk__in=_users_of_alliances(ids).values("pk"))

    # --- writes with their audit row ---

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = _user_snapshot(User.objects.get(pk=obj.pk)) if change else {}
            obj.save()
            audit_record(
                actor=request.user,
                action="user.update" if change else "user.create",
                instance=obj,
                changes=diff(before, _user_snapshot(obj)),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(
                actor=request.user, action="user.delete", instance=obj, changes=_user_snapshot(obj)
            )
            obj.delete()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            # Success redirects to the account; a refusal renders the form or returns to it.
            changed = (
                request.method == "POST"
                and response.status_code == 302
                and response.get("Location") != request.get_full_path()
            )
            if changed:
                user = User.objects.get(pk=id)
                audit_record(actor=request.user, action="user.password", instance=user)
        return response


class MembershipFormBase(ServiceForm):
    # The account by its login name: the office grants roles to people it knows, without a list
    # of every account of the platform.
    user = forms.ModelChoiceField(
        queryset=User.objects.all(),
        to_field_name="username",
        widget=forms.TextInput,
        label=_("Benutzername"),
        error_messages={"invalid_choice": _("Es gibt keinen Zugang mit diesem Benutzernamen.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["user"] = self.instance.user.username


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    service_save = services.membership_save
    form = service_form(validator=services.membership_validate, base=MembershipFormBase)
    fields = ["user", "alliance", "role", "organisation"]
    list_display = ["user", "role", "alliance", "organisation"]
    list_filter = [("alliance", admin.RelatedOnlyFieldListFilter), "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "alliance", "organisation"]

