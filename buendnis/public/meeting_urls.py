"""Public meetings and their calendars: /<slug>/sitzungen/… (paths are a contract).

A member's calendar address shares the prefix and the namespace `public_meetings`
(portal/calendar_urls.py); config/urls.py joins the two.
"""

from django.urls import path

from . import meeting_views as views

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    # Before the body feeds: "12.ics" is a meeting, "steuerkreis.ics" a body.
    path("<int:pk>.ics", views.meeting_ics, name="meeting_ics"),
    path("<slug:body_kind>.ics", views.body_feed, name="body_feed"),
]
