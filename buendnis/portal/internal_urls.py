"""The internal area's own pages (/<slug>/intern/…); config/urls.py puts them in the `public`
namespace, where their names have always been."""

from django.urls import path

from . import internal_views as views
from . import search_views

urlpatterns = [
    path("<slug:slug>/intern/", views.internal_dashboard, name="internal_dashboard"),
    path("<slug:slug>/intern/kontakte/", views.internal_contacts, name="internal_contacts"),
    # The search across the alliance (?q=…).
    path("<slug:slug>/intern/suche/", search_views.search, name="internal_search"),
    path("<slug:slug>/intern/kontakt/", views.contact_messages, name="contact_messages"),
    path(
        "<slug:slug>/intern/kontakt/<int:pk>/erledigt/",
        views.contact_message_handled,
        name="contact_message_handled",
    ),
]
