from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from buendnis.api import views as api_views
from buendnis.core.views import healthz, language_switch, ping
from buendnis.portal import calendar_urls, internal_urls
from buendnis.public import meeting_urls as public_meeting_urls
from buendnis.public import urls as public_urls
from buendnis.public.documents import document_download

admin.site.site_header = _("Bündnisportal – Verwaltung")
admin.site.site_title = _("Bündnisportal")
admin.site.index_title = _("Verwaltung der Bündnisse")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
    path("admin/", admin.site.urls),
    path("konto/", include("buendnis.portal.account_urls")),
    # The header's language links (GET, no CSRF token on the page); Django's POST view stays for
    # forms and scripts that still use it.
    path("sprache/<str:code>/", language_switch, name="language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("buendnis.api.urls")),
    path("oparl/v1/", include("buendnis.oparl.urls")),
    # The ministry's overview across every alliance (reports app); a platform path, before the
    # alliances' addresses (`ministerium` is a reserved slug).
    path("ministerium/", include("buendnis.reports.ministry_urls")),
    # Uploads go through a permission check, in development and production alike.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", document_download, name="document"),
    # After the grant: reports, payment requests, participant figures (applicant's side).
    path("<slug:slug>/vorhaben/<str:reference>/", include("buendnis.portal.grant_urls")),
    path("<slug:slug>/vorhaben/", include("buendnis.portal.applicant_urls")),
    # The Stellungnahme (reports app) lives among the office's project addresses: before them.
    path(
        "<slug:slug>/intern/vorhaben/<str:reference>/stellungnahme.pdf",
        include("buendnis.reports.statement_urls"),
    ),
    # After the grant: the office's schedule, reviews, payments, co-financing and closing.
    path(
        "<slug:slug>/intern/vorhaben/<str:reference>/",
        include("buendnis.portal.grant_office_urls"),
    ),
    path("<slug:slug>/intern/vorhaben/", include("buendnis.portal.office_urls")),
    path("<slug:slug>/intern/budget/", include("buendnis.reports.urls")),
    path("<slug:slug>/intern/sitzungen/", include("buendnis.portal.meeting_urls")),
    path("<slug:slug>/intern/umlaufbeschluesse/", include("buendnis.portal.circulation_urls")),
    # A member's notifications in the alliance (for everyone with a role in it, applicants too).
    path("<slug:slug>/intern/benachrichtigungen/", include("buendnis.portal.notification_urls")),
    # Bringing an alliance's records onto the platform: upload, preview, import, template, export.
    path("<slug:slug>/intern/import/", include("buendnis.portal.import_urls")),
    # The office's inbox (anfragen/…) and a member's questions (meine-anfragen/).
    path("<slug:slug>/intern/", include("buendnis.portal.inquiry_urls")),
    # A person's data on request and its erasure (GDPR): the office and platform admins.
    path("<slug:slug>/intern/datenschutz/", include("buendnis.portal.privacy_urls")),
    path("<slug:slug>/intern/ideen/", include("buendnis.portal.idea_urls")),
    # The alliance's own cycle: phases, strategy, renewal, recognition (phasen/…, vereinbarung/).
    path("<slug:slug>/intern/", include("buendnis.portal.renewal_urls")),
    # The public meeting pages (public app) and a member's private calendar (portal) share the
    # prefix and one namespace: the addresses and names are a contract.
    path(
        "<slug:slug>/sitzungen/",
        include(
            (calendar_urls.urlpatterns + public_meeting_urls.urlpatterns, "public_meetings"),
        ),
    ),
    # Alliance pages live at /<slug>/…; keep this last so platform paths win. The internal area's
    # own pages (portal) keep their names in the `public` namespace.
    path("", include((public_urls.urlpatterns + internal_urls.urlpatterns, "public"))),
]


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Below /api/ a 404 is JSON for the clients of the API, wherever it arises (an address no
    route matches included); every other address gets the site's page. (/oparl/v1/ answers its
    own error objects through a catch-all route.)"""
    if request.path_info.startswith("/api/"):
        return api_views.not_found(request, exception)
    return defaults.page_not_found(request, exception)


handler404 = page_not_found
