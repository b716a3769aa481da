"""The public site. The paths are a contract: people link to them (the internal area's own pages,
portal/internal_urls.py, share the namespace: config/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.platform_home, name="platform_home"),
    path("<slug:slug>/", views.alliance_home, name="alliance_home"),
    path("<slug:slug>/gremien/", views.bodies, name="bodies"),
    path("<slug:slug>/partner/", views.partners, name="partners"),
    path("<slug:slug>/handlungsfelder/", views.action_fields, name="action_fields"),
    path("<slug:slug>/foerderphasen/", views.phases, name="phases"),
    path("<slug:slug>/partner-gesucht/", views.partners_wanted, name="partners_wanted"),
    path("<slug:slug>/projekte/", views.project_list, name="projects"),
    path("<slug:slug>/projekte.csv", views.project_csv, name="projects_csv"),
    path("<slug:slug>/projekte.xlsx", views.project_xlsx, name="projects_xlsx"),
    path("<slug:slug>/projekte/<str:reference>/", views.project_detail, name="project"),
    path("<slug:slug>/budget/", views.budget, name="budget"),
    path("<slug:slug>/kontakt/", views.contact, name="contact"),
]
