"""The public's subscriptions: /<slug>/abonnieren/ (the form, with the Atom and calendar feeds),
the confirmation link of the double opt-in, and the one-click unsubscribe link of every mail.

No page here renders a CSRF token, so none sets a cookie on a GET (tests/public/test_no_cookies):
- the form's POST is checked by its Fetch Metadata and Origin headers like the contact form's
  (buendnis/core/origin.py) and limited per client address with the contact form's numbers;
- confirming and unsubscribing need the signed link (`notifications.tokens`), which is the whole
  credential: nobody without the mail can forge one. A GET only shows what the link would do (mail
  scanners open links; only people press buttons); the button POSTs. Unsubscribing also accepts
  the mail provider's one-click POST (RFC 8058, `List-Unsubscribe=One-Click`), which comes from
  the provider's server, from no page of this site: that POST needs no origin check.

Never cached: each answer belongs to one visitor or one link.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import Alliance
from buendnis.core.client import client_ip
from buendnis.core.forms import add_service_errors
from buendnis.core.origin import is_same_origin_request
from buendnis.core.rate_limit import RateLimit
from buendnis.meetings import links as meeting_links
from buendnis.notifications import public_services, tokens
from buendnis.notifications.models import PublicTopic
from buendnis.web.pages import render_alliance_page

from .subscription_forms import PublicSubscribeForm

SECTION = "subscribe"
# The contact form's allowance (public/services.py): five per client address in ten minutes.
FORM_LIMIT = RateLimit("public-subscribe", 5, 10 * 60)


def _feeds(alliance: Alliance) -> dict[str, Any]:
    return {
        "atom_feeds": [
            (
                _("Öffentliche Sitzungen"),
                reverse("public:meetings_feed", args=[alliance.slug]),
            ),
            (
                _("Neu geförderte Projekte"),
                reverse("public:funded_feed", args=[alliance.slug]),
            ),
        ],
        "calendar_feeds": meeting_links.public_feeds(alliance),
    }


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    """The form: an address and the topics. The answer is the same for a new, an unconfirmed and
    a subscribed address (the page tells nobody who subscribes)."""
    alliance = alliance_selectors.get_alliance_for_user(request.user, slug)
    status = 200
    if request.method == "POST":
        if not is_same_origin_request(request):
            raise PermissionDenied(_("Das Formular wurde von einer anderen Website abgeschickt."))
        form = PublicSubscribeForm(request.POST)
        client = client_ip(request)
        if FORM_LIMIT.exceeded(client):
            messages.error(
                request,
                _(
                    "Von Ihrem Anschluss kamen in kurzer Zeit zu viele Anmeldungen. Bitte "
                    "versuchen Sie es in zehn Minuten noch einmal."
                ),
            )
            status = 429
        elif form.is_valid():
            FORM_LIMIT.count(client)
            try:
                if not form.is_spam:
                    public_services.public_subscribe(
                        alliance=alliance,
                        email=form.cleaned_data["email"],
                        topics=form.cleaned_data["topics"],
                    )
            except ValidationError as error:
                add_service_errors(form, error)
                status = 400
            else:
                # A filled honeypot is told the same, so that a script learns nothing.
                messages.success(
                    request,
                    _(
                        "Fast geschafft: Wir haben Ihnen eine E-Mail geschickt. Bitte bestätigen "
                        "Sie Ihr Abonnement mit dem Link darin; er gilt sieben Tage. Ohne "
                        "Bestätigung erhalten Sie nichts."
                    ),
                )
                return redirect("public:subscribe", alliance.slug)
        else:
            status = 400
    else:
        form = PublicSubscribeForm()
    context = {"form": form, **_feeds(alliance)}
    return render_alliance_page(
        request, alliance, "public/subscriptions/subscribe.html", SECTION, context, status=status
    )


def _topic_labels(topics: tuple[str, ...]) -> list[str]:
    return [str(PublicTopic(topic).label) for topic in topics]


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The confirmation link: a GET shows what will be subscribed, the button confirms."""
    alliance = alliance_selectors.get_alliance_for_user(request.user, slug)
    context: dict[str, Any] = {"token": token}
    status = 200
    try:
        claim = tokens.read_confirm(token)
        context["topics"] = _topic_labels(claim.topics)
        if request.method == "POST":
            if not is_same_origin_request(request):
                raise PermissionDenied(
                    _("Das Formular wurde von einer anderen Website abgeschickt.")
                )
            subscription = public_services.public_confirm(alliance=alliance, token=token)
            context["done"] = True
            context["email"] = subscription.email
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        status = 400
    return render_alliance_page(
        request, alliance, "public/subscriptions/confirm.html", SECTION, context, status=status
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def unsubscribe(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The unsubscribe link of every mail: a GET asks, the button (or the mail provider's
    one-click POST) deletes the subscription. Answered with a page, never a redirect."""
    alliance = alliance_selectors.get_alliance_for_user(request.user, slug)
    context: dict[str, Any] = {"token": token}
    status = 200
    try:
        tokens.read_unsubscribe(token)
        if request.method == "POST":
            context["done"] = True
            context["was_subscribed"] = public_services.public_unsubscribe(
                alliance=alliance, token=token
            )
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        status = 400
    return render_alliance_page(
        request,
        alliance,
        "public/subscriptions/unsubscribe.html",
        SECTION,
        context,
        status=status,
    )
