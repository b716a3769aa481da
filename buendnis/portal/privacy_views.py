"""A person's data on request (Art. 15 GDPR) and its erasure (Art. 17):
/<slug>/intern/datenschutz/…, for the office and platform admins (`privacy.permissions`).

Views stay thin: reads through `privacy.selectors`, writes through `privacy.services`. The person
is named in a POST, never in an address, so it stays out of addresses and logs. An erasure is
shown before it is done (the confirmation step) and needs a reason, which goes to the audit row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buendnis.alliances.models import Alliance
from buendnis.core.errors import refusal_status
from buendnis.core.forms import add_service_errors
from buendnis.privacy import export, permissions, selectors, services
from buendnis.web.files import file_response
from buendnis.web.pages import render_alliance_page, signed_in_page, signed_in_user

from .privacy_forms import EraseForm, PersonForm

SECTION = "privacy"
FORM_METHODS = ["GET", "HEAD", "POST"]
REFUSED = gettext_lazy("Auskunft und Löschung personenbezogener Daten gibt die Geschäftsstelle.")


def _page(
    request: HttpRequest,
    alliance: Alliance,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render_alliance_page(
        request, alliance, f"portal/privacy/{template}", SECTION, context, status=status
    )


def _personal_data(
    request: HttpRequest, alliance: Alliance, form: PersonForm
) -> selectors.PersonalData | None:
    """The data of the form's person, or None with the refusal on the form (the service says
    the same for an unknown name and for an account the office may not handle)."""
    try:
        return services.handled_person(
            actor=signed_in_user(request),
            alliance=alliance,
            identifier=form.cleaned_data["person"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _tables(data: selectors.PersonalData) -> list[dict[str, Any]]:
    """The sections as tables: one column per label, values as the page shows them."""
    tables = []
    for section in data.sections:
        if not section.rows:
            continue
        headers: list[str] = []
        for row in section.rows:
            headers += [key for key in row if key not in headers]
        # (label, value) per cell: the narrow layout labels each cell (table-stack).
        rows = [[(key, export.shown(row.get(key))) for key in headers] for row in section.rows]
        tables.append(
            {"key": section.key, "title": section.title, "headers": headers, "rows": rows}
        )
    return tables


@signed_in_page(allowed=permissions.can_handle_personal_data, refused=REFUSED)
def privacy_index(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """What the office can do and where: the export and the erasure."""
    return _page(
        request, alliance, "index.html", {"export_form": PersonForm(), "erase_form": EraseForm()}
    )


@signed_in_page(methods=FORM_METHODS, allowed=permissions.can_handle_personal_data, refused=REFUSED)
def privacy_export(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """Everything about a person as a readable, printable page or a JSON file; audited."""
    form = PersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = _personal_data(request, alliance, form)
        if data is not None:
            output = "json" if request.POST.get("format") == "json" else "html"
            services.export_record(
                actor=signed_in_user(request), alliance=alliance, data=data, output=output
            )
            now = timezone.now()
            if output == "json":
                name = f"auskunft-{alliance.slug}-{timezone.localdate(now):%Y-%m-%d}.json"
                return file_response(
                    export.as_json(data, generated_at=now),
                    content_type="application/json; charset=utf-8",
                    filename=name,
                    attachment=True,
                )
            context = {"data": data, "tables": _tables(data), "generated_at": now}
            return _page(request, alliance, "export.html", context)
    status = 400 if request.method == "POST" else 200
    return _page(request, alliance, "export_form.html", {"form": form}, status=status)


@signed_in_page(methods=FORM_METHODS, allowed=permissions.can_handle_personal_data, refused=REFUSED)
def privacy_erase(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """First POST: what would be erased, with the confirmation. Second (`confirmed`): erase."""
    form = EraseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = _personal_data(request, alliance, form)
            if data is not None and request.POST.get("confirmed") != "1":
                try:
                    preview = services.erasure_preview(
                        actor=signed_in_user(request),
                        account=data.account,
                        email=data.email,
                        alliance=alliance,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                    status = refusal_status(error)
                else:
                    context = {"form": form, "data": data, "counts": services.erasure_rows(preview)}
                    return _page(request, alliance, "erase_confirm.html", context)
            elif data is not None:
                try:
                    erasure = _erase(request, alliance, form, data)
                except ValidationError as error:
                    add_service_errors(form, error)
                    status = refusal_status(error)
                else:
                    if erasure.pseudonym:
                        text = _("Der Zugang ist gelöscht; er heißt jetzt „%(pseudonym)s“.") % {
                            "pseudonym": erasure.pseudonym
                        }
                    else:
                        text = _("Die Daten der Person sind gelöscht.")
                    messages.success(request, text)
                    return redirect("privacy:index", alliance.slug)
    return _page(request, alliance, "erase_form.html", {"form": form}, status=status)


def _erase(
    request: HttpRequest, alliance: Alliance, form: EraseForm, data: selectors.PersonalData
) -> services.Erasure:
    return services.erase(
        actor=signed_in_user(request),
        account=data.account,
        email=data.email,
        reason=form.cleaned_data["reason"],
        alliance=alliance,
    )
