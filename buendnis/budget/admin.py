"""The budget ledger in the admin: read only for everyone, scoped like every other record.

Bookings come from the procedure's steps and from "Budgetänderung buchen" on a funding phase
(`alliances.admin.FundingPhaseAdmin`), both through `budget.services`; a booking is never edited,
a correction is a new booking.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buendnis.accounts import permissions
from buendnis.accounts.admin_base import ScopedAdminMixin, actor_of
from buendnis.alliances.admin import FundingPhaseAdmin
from buendnis.alliances.models import FundingPhase
from buendnis.core.forms import add_service_errors, parse_amount
from buendnis.core.templatetags.buendnis_format import money

from . import services
from .models import LedgerEntry
from .selectors import budget_figures

LEDGER_FIELDS = (
    "created_at",
    "alliance",
    "phase",
    "project",
    "kind",
    "budget_delta",
    "reserved_delta",
    "committed_delta",
    "paid_delta",
    "note",
    "actor",
)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "phase",
        "project",
        "budget_delta",
        "reserved_delta",
        "committed_delta",
        "paid_delta",
        "note",
        "actor",
        "alliance",
    ]
    list_filter = [
        ("alliance", admin.RelatedOnlyFieldListFilter),
        ("phase", admin.RelatedOnlyFieldListFilter),
        "kind",
    ]
    search_fields = ["note", "project__reference", "project__title"]
    list_select_related = ["alliance", "phase", "project", "actor"]
    date_hierarchy = "created_at"
    list_per_page = 100
    actions = None
    fields = LEDGER_FIELDS
    readonly_fields = LEDGER_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerEntry]:
        return self.scope(request, super().get_queryset(request))

    # Append-only: the model refuses changes, the admin does not even offer them.
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- "Budgetänderung buchen" on a funding phase ------------------------------------------------


class BudgetAdjustForm(forms.Form):
    amount = forms.CharField(
        label=_("Betrag (€)"),
        max_length=30,
        help_text=_(
            "Positiv erhöht das Budget, mit Minus senkt es: z. B. 250.000,00 oder -12.345,67."
        ),
    )
    note = forms.CharField(
        label=_("Begründung"),
        max_length=LedgerEntry._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("z. B. „Aufstockung laut Erlass des Ministeriums vom 01.03.2019“."),
    )

    def clean_amount(self) -> Decimal:
        return parse_amount(self.cleaned_data["amount"])


class BudgetAdjustMixin:
    """Adds "Budgetänderung buchen" to the funding phase admin: a form that books an adjustment
    through `budget.services.budget_adjust`, and the phase's figures on its change page.

    The phase's `virtual_budget` is the budget first assigned; every later change is a booking,
    so the field is read only once the phase exists.
    """

    change_form_template: Any = "admin/budget/phase_change_form.html"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.budget_adjust_view)  # type: ignore[attr-defined]
        return [
            path("<path:object_id>/budget/", view, name="alliances_fundingphase_budget"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if obj is not None:
            fields += ["virtual_budget", "budget_overview"]
        return fields

    @admin.display(description=_("Virtuelles Budget heute"))
    def budget_overview(self, obj: FundingPhase) -> SafeString:
        figures = budget_figures(obj)
        summary = format_html(
            "{}: {} · {}: {} · {}: {} · {}: {} · <strong>{}: {}</strong>",
            gettext("Budget mit Änderungen"),
            money(figures.budget),
            gettext("reserviert"),
            money(figures.reserved),
            gettext("gebunden"),
            money(figures.committed),
            gettext("ausgezahlt"),
            money(figures.paid),
            gettext("verfügbar"),
            money(figures.available),
        )
        return summary

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The button above the form, for those who may book (not the ministry, which reads).
        context = dict(extra_context or {})
        phase = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if phase is not None and permissions.can_manage_alliance_id(
            request.user, phase.alliance_id
        ):
            context["budget_adjust_url"] = reverse(
                "admin:alliances_fundingphase_budget", args=[phase.pk]
            )
        return super().change_view(request, object_id, form_url, context)  # type: ignore[misc]

    def budget_adjust_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        admin_: Any = self
        phase = admin_.get_object(request, unquote(object_id))  # scoped to the user's alliances
        if phase is None:
            return admin_._get_obj_does_not_exist_redirect(request, admin_.opts, object_id)
        if not admin_.has_change_permission(request, phase):
            raise PermissionDenied
        form = BudgetAdjustForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.budget_adjust(
                    actor=actor_of(request),
                    phase=phase,
                    amount=form.cleaned_data["amount"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                figures = budget_figures(phase)
                admin_.message_user(
                    request,
                    gettext(
                        "Budgetänderung um %(amount)s gebucht. Das Budget der Förderphase "
                        "%(phase)s beträgt jetzt %(budget)s, verfügbar sind %(available)s."
                    )
                    % {
                        "amount": money(form.cleaned_data["amount"]),
                        "phase": phase.name,
                        "budget": money(figures.budget),
                        "available": money(figures.available),
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:alliances_fundingphase_change", args=[phase.pk])
                )
        context = {
            **admin_.admin_site.each_context(request),
            "opts": admin_.opts,
            "original": phase,
            "title": gettext("Budgetänderung buchen"),
            "subtitle": str(phase),
            "form": form,
            "figures": budget_figures(phase),
            "media": admin_.media + form.media,
        }
        return TemplateResponse(request, "admin/budget/budget_adjust.html", context)


# The phase admin gains the budget form here: budget builds on alliances, not the reverse.
admin.site.unregister(FundingPhase)


@admin.register(FundingPhase)
class FundingPhaseBudgetAdmin(BudgetAdjustMixin, FundingPhaseAdmin):
    """The alliances' phase admin with the budget's adjustment form and figures."""
