"""The internal area's own pages: the dashboard and the contact list (`/<slug>/intern/`,
`…/kontakte/`), and the old addresses of the contact inbox (`…/kontakt/`), which lead to the
office's inbox now. They serve the alliance's circle, so they live in the portal; their URL names
stay in the `public` namespace (config/urls.py), as before."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from buendnis.accounts import permissions
from buendnis.accounts.models import Role
from buendnis.alliances import selectors
from buendnis.alliances.models import Alliance
from buendnis.office.models import Source
from buendnis.web.pages import internal_page, render_alliance_page


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


# The old contact inbox (/<slug>/intern/kontakt/…) is the inbox of every inquiry now
# (/<slug>/intern/anfragen/, buendnis.office): its addresses and names stay, answering with a
# permanent redirect. The inbox itself decides who may see it.


def contact_messages(request: HttpRequest, slug: str) -> HttpResponsePermanentRedirect:
    """`/<slug>/intern/kontakt/` → the inbox, narrowed to the contact form's inquiries."""
    return HttpResponsePermanentRedirect(
        f"{reverse('inquiries:list', args=[slug])}?source={Source.CONTACT_FORM}"
    )


def contact_message_handled(
    request: HttpRequest, slug: str, pk: int
) -> HttpResponsePermanentRedirect:
    """`/<slug>/intern/kontakt/<n>/erledigt/` (the old "mark handled" button) → the inbox. The
    old message numbers are not the inquiries' numbers; nothing is marked by this address."""
    return HttpResponsePermanentRedirect(reverse("inquiries:list", args=[slug]))
