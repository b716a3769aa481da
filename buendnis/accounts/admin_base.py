"""The shared base of every admin page: tenant scoping, permissions and writes through services.

Django's admin would write with `obj.save()` and decide with Django's model permissions. Here the
office needs no model permissions: every decision comes from `buendnis.accounts.permissions`, and
every write goes through the service of the record (validation, audit row, one transaction).
Forms run the service's validator too, so a broken rule is a German form error, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from buendnis.accounts import permissions
from buendnis.accounts.models import User
from buendnis.core.audit import record_delete

Validator = Callable[[Any], None]
Saver = Callable[..., Any]


def actor_of(request: HttpRequest) -> User | None:
    """The signed-in user as the services' actor (the admin lets no anonymous user through)."""
    user = request.user
    return user if isinstance(user, User) else None


def _only_known_fields(error: ValidationError, form: forms.BaseForm) -> ValidationError:
    """Errors for fields the form does not show (read-only, derived) go to the top of the form.

    Django refuses `add_error` for unknown field names; services name model fields freely.
    """
    if not hasattr(error, "error_dict"):
        return error
    regrouped: dict[str, list[ValidationError]] = {}
    for name, errors in error.error_dict.items():
        key = name if name in form.fields else NON_FIELD_ERRORS
        regrouped.setdefault(key, []).extend(errors)
    return ValidationError(regrouped)


class ServiceForm(forms.ModelForm):
    """A model form that also runs the record's service validator.

    `alliance_from` names the relation the record's alliance follows (the body for a seat, the
    phase for an agreement): the alliance is derived, never chosen, so it cannot contradict.
    `validator` is the service's validator; it runs only once the fields themselves are valid,
    because the validators read related records that a broken field leaves unset.
    """

    alliance_from: ClassVar[str | None] = None
    validator: ClassVar[Validator | None] = None

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.alliance_from is not None:
            try:
                parent = getattr(self.instance, self.alliance_from)
            except ObjectDoesNotExist:
                parent = None
            if parent is not None:
                self.instance.alliance_id = parent.alliance_id
        validator = type(self).validator
        if validator is None or self.errors:
            return
        try:
            validator(self.instance)
        except ObjectDoesNotExist:
            # A relation the validator needs is missing; the field errors already say so.
            return
        except ValidationError as error:
            self._update_errors(_only_known_fields(error, self))  # type: ignore[attr-defined]


def service_form(
    *, validator: Validator | None, alliance_from: str | None = None, base: type = ServiceForm
) -> type[ServiceForm]:
    """A ServiceForm subclass bound to one validator (a plain function, not a method)."""
    attrs: dict[str, Any] = {
        "alliance_from": alliance_from,
        "validator": staticmethod(validator) if validator is not None else None,
        "__module__": __name__,
    }
    return type("ServiceValidatedForm", (base,), attrs)


def _alliance_id_of(obj: models.Model, path: str) -> int | None:
    """The alliance id of a record: its own pk for an alliance, else its `<path>_id`."""
    if path == "pk":
        return obj.pk
    return getattr(obj, f"{path}_id", None)


class ScopedAdminMixin:
    """Permissions and queryset scoping by alliance, for model admins and inlines alike.

    `alliance_path` is the model's foreign key to its alliance ("pk" for the alliance itself).
    """

    alliance_path: ClassVar[str] = "alliance"
    # Only platform admins add or delete (alliances, user accounts).
    platform_only_add: ClassVar[bool] = False
    platform_only_delete: ClassVar[bool] = False

    def alliance_id_of(self, obj: models.Model) -> int | None:
        return _alliance_id_of(obj, self.alliance_path)

    def scope(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return permissions.limit_to_alliances(
            queryset, permissions.admin_alliance_ids(request.user), self.alliance_path
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.can_enter_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return permissions.can_enter_admin(request.user)
        return permissions.can_view_in_admin(request.user, self.alliance_id_of(obj))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # Inlines pass the parent record as well; the parent's change permission covers it.
        if self.platform_only_add:
            return permissions.can_manage_platform(request.user)
        return permissions.can_manage_any(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return permissions.can_manage_any(request.user)
        return permissions.can_manage_alliance_id(request.user, self.alliance_id_of(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.platform_only_delete:
            return permissions.can_manage_platform(request.user)
        return self.has_change_permission(request, obj)

    def limit_choices(
        self, request: HttpRequest, model: type[models.Model], queryset: QuerySet[Any]
    ) -> QuerySet[Any]:
        """Dropdowns offer records of the alliances the user manages, nothing else."""
        ids = permissions.managed_alliance_ids(request.user)
        if model._meta.label_lower == "alliances.alliance":
            return permissions.limit_to_alliances(queryset, ids, "pk")
        if any(field.name == "alliance" for field in model._meta.get_fields()):
            return permissions.limit_to_alliances(queryset, ids)
        return queryset

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = self.limit_choices(
                request, db_field.related_model, formfield.queryset
            )
        return formfield


class ServiceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A model admin whose writes go through `service_save(actor=…, instance=…)`.

    Subclasses set `service_save`, and `form` through `service_form(...)` for the validator.
    """

    service_save: ClassVar[Saver | None] = None
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(request, super().get_queryset(request))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        ids = permissions.managed_alliance_ids(request.user)
        # The office of a single alliance does not have to pick it each time.
        if ids is not None and len(ids) == 1 and "alliance" not in initial:
            initial["alliance"] = next(iter(ids))
        return initial

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        save = type(self).service_save
        if save is None:
            raise NotImplementedError(f"{type(self).__name__} has no service_save")
        if change and not form.has_changed():
            # Saved only for its inlines: nothing to write, nothing to audit.
            return
        save(actor=actor_of(request), instance=obj)

    def delete_record(self, request: HttpRequest, obj: Any) -> None:
        """Every delete of the admin: with an audit row (the alliance admin records an
        alliance's own deletion as its own)."""
        record_delete(actor=actor_of(request), instance=obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_record(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # All or nothing: one record still in use keeps every other one as well.
        try:
            with transaction.atomic():
                for obj in queryset:
                    self.delete_record(request, obj)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline records go through their inline's service as well."""
        save: Saver | None = getattr(formset, "service_save", None)
        if save is None:
            raise NotImplementedError(f"{type(formset).__name__} has no service_save")
        for obj in formset.save(commit=False):
            save(actor=actor_of(request), instance=obj)
        for obj in formset.deleted_objects:
            record_delete(actor=actor_of(request), instance=obj)
        formset.save_m2m()

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The form ran the service's validator already. Between that check and the save another
        # writer may have taken the last free place; the service then refuses under its lock (a
        # DomainError, or a ValidationError from a constraint), the admin's transaction rolls
        # back, and the user reads why instead of a server error.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ServiceInline(ScopedAdminMixin, admin.TabularInline):
    """An inline whose records the parent admin saves through `service_save`."""

    service_save: ClassVar[Saver | None] = None
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # The parent admin's save_formset finds the service on the formset class.
        formset.service_save = staticmethod(type(self).service_save)  # type: ignore[arg-type,attr-defined]
        return formset

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(request, super().get_queryset(request))
