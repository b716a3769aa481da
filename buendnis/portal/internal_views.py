"""The internal area's own pages: the dashboard, the contact list and the inbox of the contact
form (`/<slug>/intern/`, `…/kontakte/`, `…/kontakt/`). They serve the alliance's circle, so they
live in the portal; their URL names stay in the `public` namespace (config/urls.py), as before."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buendnis.accounts import permissions
from buendnis.accounts.models import Role
from buendnis.alliances import selectors
from buendnis.alliances.models import Alliance
from buendnis.core.paging import page_of
from buendnis.public import permissions as contact_permissions
from buendnis.public import selectors as public_selectors
from buendnis.public import services as public_services
from buendnis.public.models import ContactMessage
from buendnis.web.pages import internal_page, render_alliance_page, signed_in_page


@internal_page
def internal_dashboard(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    _phases, phase = selectors.phase_overview(alliance)
    show_problems = permissions.sees_structure_problems(request.user, alliance)
    roles = permissions.roles_in(request.user, alliance)
    context = {
        "phase": phase,
        "overview": selectors.bodies_overview(alliance),
        "role_labels": [label for value, label in Role.choices if value in roles],
        "is_ministry": permissions.is_ministry(request.user),
        "is_platform_admin": permissions.is_platform_admin(request.user),
        "can_open_admin": permissions.can_open_admin(request.user, alliance),
        "show_problems": show_problems,
        "problems": selectors.structure_problems(alliance) if show_problems else [],
    }
    return render_alliance_page(
        request, alliance, "public/internal_dashboard.html", "internal", context
    )


@internal_page
def internal_contacts(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    if not permissions.can_view_contacts(request.user, alliance):
        raise PermissionDenied(_("Kein Zugang zu den Kontaktdaten dieses Bündnisses."))
    organisations = selectors.contacts_by_organisation(alliance)
    return render_alliance_page(
        request,
        alliance,
        "public/internal_contacts.html",
        "contacts",
        {"organisations": organisations},
    )


@internal_page
def contact_messages(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """The messages from the contact page: the internal circle reads, the office marks them."""
    if not contact_permissions.can_view_contact_messages(request.user, alliance):
        raise PermissionDenied(_("Kein Zugang zu den Kontaktanfragen dieses Bündnisses."))
    page = page_of(public_selectors.contact_messages(alliance), request.GET.get("page"), 50)
    context = {
        "page": page,
        "can_handle": contact_permissions.can_handle_contact_messages(request.user, alliance),
    }
    return render_alliance_page(
        request, alliance, "public/contact_messages.html", "contact_messages", context
    )


@signed_in_page(
    methods=["POST"],
    allowed=contact_permissions.can_handle_contact_messages,
    refused=gettext_lazy("Nur die Geschäftsstelle erledigt Kontaktanfragen."),
    # A POST cannot be replayed: after the login the person sees the messages again.
    after_login=lambda request, slug, kwargs: reverse("public:contact_messages", args=[slug]),
)
def contact_message_handled(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    message = get_object_or_404(ContactMessage, pk=pk, alliance=alliance)
    public_services.contact_message_mark_handled(actor=request.user, message=message)
    messages.success(
        request,
        _("Die Anfrage „%(subject)s“ ist als erledigt markiert.") % {"subject": message.subject},
    )
    return redirect("public:contact_messages", alliance.slug)
