"""User accounts and their roles in the alliances.

Accounts are the platform's: platform admins maintain them, the ministry reads them, the office
sees the accounts that hold a role in its alliance. Roles (Membership) are the office's: it grants
and withdraws roles in its own alliance. Every write goes through `accounts.services`.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from buendnis.accounts.admin_base import ServiceAdmin, ServiceForm, actor_of, service_form
from buendnis.core.audit import object_label
from buendnis.core.models import AuditEntry

from . import permissions, services, tokens
from .models import ApiToken, Membership, User


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
    actions = ["deactivate"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not permissions.can_manage_platform(request.user):
            # Readers (office, ministry) need to know who it is, not how the login is secured.
            return (
                (None, {"fields": ("username", "first_name", "last_name", "email", "is_active")}),
            )
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

    # --- writes through the services ---

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = actor_of(request)
        if change:
            # Many-to-many fields (groups, permissions) follow in save_related, as in Django.
            changes = {
                name: getattr(obj, name)
                for name in form.changed_data
                if name in services.USER_UPDATABLE
            }
            if changes:
                services.user_update(actor=actor, user=obj, **changes)
            return
        # Django's add form asks for the login name and the password, nothing else.
        password = (
            form.cleaned_data["password1"] if form.cleaned_data["set_usable_password"] else None
        )
        created = services.user_create(
            actor=actor, username=obj.username, email=obj.email, password=password
        )
        # The admin goes on with its own instance (log entry, redirect): it takes the saved state.
        vars(obj).update(vars(created))

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        user = self.get_object(request, unquote(object_id))
        try:
            if user is not None and self.has_delete_permission(request, user):
                # Refused before Django would list the audit entries as "protected objects".
                services.user_delete_validate(user)
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            if user is None:
                return HttpResponseRedirect(reverse("admin:accounts_user_changelist"))
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.user_delete(actor=actor_of(request), user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # All or nothing, like the other admins' bulk delete.
        try:
            with transaction.atomic():
                for user in queryset:
                    services.user_delete(actor=actor_of(request), user=user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    @admin.action(description=_("Ausgewählte Zugänge deaktivieren"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        try:
            with transaction.atomic():
                for user in queryset:
                    services.user_deactivate(actor=actor_of(request), user=user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d Zugang ist deaktiviert.", "%(count)d Zugänge sind deaktiviert.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Django builds the password form from `change_password_form`, without the request, and
        # saves through the form. The form needs the acting user for the service: a copy of this
        # admin, for this one request, carries a form class bound to that user. (The admin object
        # itself is shared by every request, so it must not be changed.)
        bound = copy.copy(self)
        bound.change_password_form = _password_form_for(actor_of(request))
        return DjangoUserAdmin.user_change_password(bound, request, id, form_url)


class _ServicePasswordForm(AdminPasswordChangeForm):
    actor: ClassVar[User | None] = None

    def save(self, commit: bool = True) -> Any:
        password = (
            self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        )
        return services.user_set_password(actor=self.actor, user=self.user, password=password)


def _password_form_for(actor: User | None) -> type[AdminPasswordChangeForm]:
    return type("PasswordForm", (_ServicePasswordForm,), {"actor": actor, "__module__": __name__})


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


# --- API tokens ------------------------------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Lists tokens and revokes them; never shows a secret (only its hash is stored).

    Tokens are made with `manage.py create_api_token` (README, "API and tokens"), which shows the
    secret once. Platform admins and the ministry see every token, everyone else in the admin their
    own; platform admins revoke any token, everyone their own (`permissions.can_revoke_api_token`).
    Tokens are never deleted, so the audit trail keeps pointing at them.
    """

    # Nothing of a token is edited here: revoking is the admin action's, the rest is fixed.
    readonly_fields = fields = (
        "user",
        "name",
        "prefix",
        "read_only",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_display = [
        "name",
        "user",
        "prefix",
        "read_only",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "is_live",
    ]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]

    @admin.display(boolean=True, description=_("gültig"))
    def is_live(self, obj: ApiToken) -> bool:
        return tokens.token_is_live(obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        queryset: QuerySet[ApiToken] = super().get_queryset(request)
        if permissions.sees_all_api_tokens(request.user):
            return queryset
        if request.user.pk is None:
            return queryset.none()
        return queryset.filter(user_id=request.user.pk)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.can_enter_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not permissions.can_enter_admin(request.user):
            return False
        return (
            obj is None
            or permissions.sees_all_api_tokens(request.user)
            or (obj.user_id == request.user.pk)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the secret must be shown once: `manage.py create_api_token`

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return permissions.can_enter_admin(request.user)

    @admin.action(description=_("Ausgewählte API-Schlüssel widerrufen"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        allowed = [
            token for token in queryset if permissions.can_revoke_api_token(request.user, token)
        ]
        if len(allowed) != len(queryset):
            self.message_user(
                request, _("Sie dürfen nur Ihre eigenen API-Schlüssel widerrufen."), messages.ERROR
            )
            return
        with transaction.atomic():
            for token in allowed:
                tokens.token_revoke(actor=actor_of(request), token=token)
        count = len(allowed)
        self.message_user(
            request,
            ngettext(
                "%(count)d API-Schlüssel ist widerrufen.",
                "%(count)d API-Schlüssel sind widerrufen.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


# --- The audit trail: read-only for everyone, scoped like every other record -------------------


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
        "object_now",
        "from_state",
        "to_state",
        "changes",
        "comment",
    )
    fields = readonly_fields
    actions = None

    @admin.display(description=_("Objekt heute"))
    def object_now(self, entry: AuditEntry) -> str:
        """A person's record by its name today (the pseudonym after an erasure): the row itself
        keeps only the reference. On the detail page only: one query."""
        return object_label(entry)

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
