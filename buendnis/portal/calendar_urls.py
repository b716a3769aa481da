"""A member's private calendar: /<slug>/sitzungen/kalender/… (paths are a contract: calendar
programs poll them).

Among the public meeting pages and in their namespace `public_meetings` (public/meeting_urls.py);
config/urls.py joins the two.
"""

from django.urls import path

from . import calendar_views as views

urlpatterns = [
    path("kalender/", views.calendar_keys, name="calendar"),
    path("kalender/loeschen/", views.calendar_key_delete, name="calendar_delete"),
    path("kalender/<str:key>.ics", views.private_feed, name="private_feed"),
]
