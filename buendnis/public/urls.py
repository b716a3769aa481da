"""The public site. The paths are a contract: people link to them (the internal area's own pages,
portal/internal_urls.py, share the namespace: config/urls.py)."""

from django.urls import path

from . import feeds, subscription_views, views

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
    # Before the project pages: "gefoerdert.atom" is no reference (and has no slash).
    path("<slug:slug>/projekte/gefoerdert.atom", feeds.funded_feed, name="funded_feed"),
    path("<slug:slug>/projekte/<str:reference>/", views.project_detail, name="project"),
    path("<slug:slug>/budget/", views.budget, name="budget"),
    path("<slug:slug>/kontakt/", views.contact, name="contact"),
    # The public's news: Atom feeds and e-mail subscriptions (double opt-in).
    path("<slug:slug>/sitzungen.atom", feeds.meetings_feed, name="meetings_feed"),
    path("<slug:slug>/abonnieren/", subscription_views.subscribe, name="subscribe"),
    path(
        "<slug:slug>/abonnieren/bestaetigen/<str:token>/",
        subscription_views.confirm,
        name="subscription_confirm",
    ),
    path(
        "<slug:slug>/abonnieren/abmelden/<str:token>/",
        subscription_views.unsubscribe,
        name="subscription_unsubscribe",
    ),
]
