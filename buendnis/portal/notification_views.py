"""A member's notifications: the centre of an alliance, opening one (which marks it read), marking
all read, the subscribe buttons' steps, and the account's settings (delivery and subscriptions).

Everything here is one member's own: never cached, a CSRF token on every form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from buendnis.alliances.models import Alliance
from buendnis.core.forms import add_service_errors
from buendnis.notifications import permissions, selectors, services, topics
from buendnis.web.pages import render_alliance_page, signed_in_page, signed_in_user

from .notification_forms import DeliveryForm, FollowForm, UnsubscribeForm

SECTION = "notifications"
REFUSED = gettext_lazy("Sie haben in diesem Bündnis keine Benachrichtigungen.")


def _to_centre(request: HttpRequest, slug: str, kwargs: dict[str, Any]) -> str:
    """After the login, a step (POST) cannot be replayed: back to the centre."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return reverse("notifications:centre", args=[slug])


def _local(request: HttpRequest, target: str) -> bool:
    """A path of this site (never another host: no open redirect)."""
    return target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


# --- The centre ---------------------------------------------------------------------------------


@signed_in_page(allowed=permissions.can_use_notifications, refused=REFUSED)
def centre(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """The member's notifications in this alliance, newest first, paged; unread ones marked."""
    user = signed_in_user(request)
    page = selectors.centre_page(user, alliance, request.GET.get("page"))
    context = {
        "page": page,
        "notifications": page.object_list,
        "unread": selectors.unread_count(user, alliance),
    }
    return render_alliance_page(
        request, alliance, "portal/notifications/centre.html", SECTION, context
    )


@signed_in_page(allowed=permissions.can_use_notifications, refused=REFUSED)
def notification_open(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    """Follow a notification's link; it is read from now on. A GET (a link in the list): it
    changes only the member's own unread mark, as opening a mail does."""
    user = signed_in_user(request)
    notification = selectors.notification_of(user, pk)
    if notification is None or notification.alliance_id != alliance.pk:
        raise Http404(_("Benachrichtigung nicht gefunden."))
    services.mark_read(user=user, notification=notification)
    if notification.link and _local(request, notification.link):
        return redirect(notification.link)
    return redirect("notifications:centre", alliance.slug)


@signed_in_page(
    methods=["POST"],
    allowed=permissions.can_use_notifications,
    refused=REFUSED,
    after_login=_to_centre,
)
def mark_all_read(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    count = services.mark_all_read(user=signed_in_user(request), alliance=alliance)
    if count:
        messages.success(
            request,
            ngettext(
                "Eine Benachrichtigung als gelesen markiert.",
                "%(count)s Benachrichtigungen als gelesen markiert.",
                count,
            )
            % {"count": count},
        )
    return redirect("notifications:centre", alliance.slug)


# --- Subscribe buttons --------------------------------------------------------------------------


def _back(request: HttpRequest, alliance: Alliance, form: FollowForm) -> HttpResponse:
    target = form.cleaned_data.get("next") or ""
    if _local(request, target):
        return redirect(target)
    return redirect("notifications:centre", alliance.slug)


# Only a tampered button lacks its hidden topic: nothing to show but the reason.
BAD_BUTTON = gettext_lazy("Das Formular ist unvollständig. Bitte laden Sie die Seite neu.")


def _label(request: HttpRequest, alliance: Alliance, topic: str) -> str:
    named = topics.describe(request.user, alliance, [topic])
    return named[topic].label if topic in named else topic


@signed_in_page(
    methods=["POST"],
    allowed=permissions.can_use_notifications,
    refused=REFUSED,
    after_login=_to_centre,
)
def follow(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """Subscribe to the button's topic, then back to the page the button is on."""
    form = FollowForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(str(BAD_BUTTON))
    topic = form.cleaned_data["topic"]
    try:
        services.subscribe(user=signed_in_user(request), alliance=alliance, topic=topic)
    except ValidationError as error:
        raise PermissionDenied(" ".join(error.messages)) from error
    messages.success(
        request,
        _(
            "Abonniert: %(topic)s. Neues dazu finden Sie unter „Benachrichtigungen“ oben auf "
            "jeder Seite."
        )
        % {"topic": _label(request, alliance, topic)},
    )
    return _back(request, alliance, form)


@signed_in_page(
    methods=["POST"],
    allowed=permissions.can_use_notifications,
    refused=REFUSED,
    after_login=_to_centre,
)
def unfollow(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    form = FollowForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(str(BAD_BUTTON))
    topic = form.cleaned_data["topic"]
    label = _label(request, alliance, topic)
    if services.unsubscribe(user=signed_in_user(request), alliance=alliance, topic=topic):
        messages.success(request, _("Abbestellt: %(topic)s.") % {"topic": label})
    return _back(request, alliance, form)


# --- The account's settings ---------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    """/konto/benachrichtigungen/: how notifications arrive, every subscription (with a button to
    end it) and where unread ones wait."""
    user = signed_in_user(request)
    status = 200
    if request.method == "POST":
        form = DeliveryForm(request.POST)
        if form.is_valid():
            try:
                services.delivery_set(user=user, delivery=form.cleaned_data["delivery"])
            except ValidationError as error:
                add_service_errors(form, error)
                status = 400
            else:
                messages.success(request, _("Ihre Einstellung ist gespeichert."))
                return redirect("accounts:notifications")
        else:
            status = 400
    else:
        form = DeliveryForm(initial={"delivery": selectors.delivery_of(user)})
    page, rows = selectors.subscriptions_page(user, request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "subscriptions": rows,
        "unread": selectors.unread_by_alliance(user),
    }
    return render(request, "portal/notifications/settings.html", context, status=status)


@never_cache
@login_required
@require_POST
def account_unsubscribe(request: HttpRequest) -> HttpResponse:
    """End one subscription from the settings page's list."""
    user = signed_in_user(request)
    form = UnsubscribeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(str(BAD_BUTTON))
    subscription = selectors.subscription_of(user, form.cleaned_data["subscription"])
    if subscription is not None:
        label = _label(request, subscription.alliance, subscription.topic)
        services.unsubscribe(user=user, alliance=subscription.alliance, topic=subscription.topic)
        messages.success(request, _("Abbestellt: %(topic)s.") % {"topic": label})
    return redirect("accounts:notifications")
