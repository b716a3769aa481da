"""The public site and the internal area. The paths are a contract: people link to them."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.platform_home, name="platform_home"),
    path("<slug:slug>/", views.alliance_home, name="alliance_home"),
    path("<slug:slug>/gremien/", views.bodies, name="bodies"),
    path("<slug:slug>/partner/", views.partners, name="partners"),
    path("<slug:slug>/handlungsfelder/", views.action_fields, name="action_fields"),
    path("<slug:slug>/foerderphasen/", views.phases, name="phases"),
    path("<slug:slug>/intern/", views.internal_dashboard, name="internal_dashboard"),
    path("<slug:slug>/intern/kontakte/", views.internal_contacts, name="internal_contacts"),
]
