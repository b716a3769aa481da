"""Registration pages: /konto/registrieren/ and the confirmation link /konto/bestaetigen/…/…/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from buendnis.alliances import registration
from buendnis.alliances.models import Alliance
from buendnis.core.client import client_ip
from buendnis.core.forms import add_service_errors
from buendnis.core.rate_limit import RateLimit

from .registration_forms import RegistrationForm

# The service's field names where the form names them differently.
FIELD_MAP = {"password": "password1", "username": "email"}

# Each registration sends a mail (the link, or the notice to an address's owner): five per
# client address in ten minutes, as the contact form; three per address a day, so that nobody
# can fill someone's mailbox. Counted alike for taken and new addresses.
CLIENT_LIMIT = RateLimit("register-client", 5, 10 * 60)
ADDRESS_LIMIT = RateLimit("register-address", 3, 24 * 60 * 60)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """`?buendnis=<slug>` fixes the alliance (the link from an alliance's pages)."""
    slug = request.GET.get("buendnis", "")
    alliance = Alliance.objects.filter(slug=slug, is_active=True).first() if slug else None
    form = RegistrationForm(request.POST if request.method == "POST" else None, alliance=alliance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client, address = client_ip(request), data["email"].strip().lower()
        if CLIENT_LIMIT.exceeded(client) or ADDRESS_LIMIT.exceeded(address):
            form.add_error(
                None,
                _(
                    "In kurzer Zeit gab es zu viele Registrierungen von Ihrem Anschluss oder für "
                    "diese E-Mail-Adresse. Bitte versuchen Sie es später noch einmal."
                ),
            )
            return render(
                request, "accounts/register.html", {"form": form, "alliance": alliance}, status=429
            )
        try:
            registration.registration_start(
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password1"],
                alliance=data["alliance"],
                organisation=data["organisation_object"],
                new_organisation_name=data["new_organisation"],
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_errors(form, error, field_map=FIELD_MAP)
        else:
            # The same answer for a taken address: its owner was told by mail.
            CLIENT_LIMIT.count(client)
            ADDRESS_LIMIT.count(address)
            return redirect("accounts:register_done")
    context = {"form": form, "alliance": alliance}
    return render(request, "accounts/register.html", context)


@require_safe
def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def register_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET shows what the link confirms and a button; POST confirms. A mail scanner that follows
    the link therefore confirms nothing."""
    try:
        if request.method == "POST":
            pending = registration.registration_confirm(uidb64=uidb64, token=token)
        else:
            pending = registration.registration_check(uidb64=uidb64, token=token)
    except ValidationError as error:
        return render(
            request,
            "accounts/register_confirm.html",
            {"problem": " ".join(error.messages)},
            status=400,
        )
    if request.method == "POST":
        messages.success(
            request,
            _(
                "Ihr Zugang ist bestätigt. Melden Sie sich mit Ihrer E-Mail-Adresse %(email)s und "
                "Ihrem Passwort an."
            )
            % {"email": pending.user.email},
        )
        if pending.awaits_office:
            messages.info(
                request,
                _(
                    "„%(org)s“ ist im Bündnis bereits verzeichnet. Die Geschäftsstelle bestätigt, dass "
                    "Sie für die Organisation sprechen; bis dahin sehen Sie deren Vorhaben nicht."
                )
                % {"org": pending.organisation_name},
            )
        target = reverse("applicant:project_list", args=[pending.alliance.slug])
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
    return render(request, "accounts/register_confirm.html", {"pending": pending})
