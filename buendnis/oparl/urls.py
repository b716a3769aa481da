"""OParl 1.1 addresses under /oparl/v1/. A contract with outside clients: add, never rename."""

from django.urls import path, re_path

from . import views

app_name = "oparl"

urlpatterns = [
    path("system", views.system, name="system"),
    path("body", views.body_list, name="body-list"),
    path("body/<slug:slug>", views.body_detail, name="body"),
    path("body/<slug:slug>/organization", views.organization_list, name="organization-list"),
    path("body/<slug:slug>/person", views.person_list, name="person-list"),
    path("body/<slug:slug>/meeting", views.meeting_list, name="meeting-list"),
    path("body/<slug:slug>/paper", views.paper_list, name="paper-list"),
    path("body/<slug:slug>/membership", views.membership_list, name="membership-list"),
    path("body/<slug:slug>/agendaitem", views.agenda_item_list, name="agendaitem-list"),
    path("body/<slug:slug>/consultation", views.consultation_list, name="consultation-list"),
    path("body/<slug:slug>/file", views.file_list, name="file-list"),
    path(
        "body/<slug:slug>/legislativeterm",
        views.legislative_term_list,
        name="legislativeterm-list",
    ),
    path("organization/body-<int:pk>", views.body_organization_detail, name="organization-body"),
    path("organization/org-<int:pk>", views.organisation_detail, name="organization-org"),
    path("person/<int:pk>", views.person_detail, name="person"),
    path("membership/<int:pk>", views.membership_detail, name="membership"),
    path("legislativeterm/<int:pk>", views.legislative_term_detail, name="legislativeterm"),
    path("meeting/<int:pk>", views.meeting_detail, name="meeting"),
    path("agendaitem/<int:pk>", views.agenda_item_detail, name="agendaitem"),
    re_path(
        r"^paper/(?P<kind>sketch|description)-(?P<pk>[0-9]+)$",
        views.paper_detail,
        name="paper",
    ),
    path("consultation/<int:pk>", views.consultation_detail, name="consultation"),
    path("file/minutes-<int:pk>", views.file_detail, name="file"),
    path("file/minutes-<int:pk>/download", views.file_download, name="file-download"),
    # Every other address below /oparl/v1/ answers with an OParl error object, not a web page.
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not-found"),
]
