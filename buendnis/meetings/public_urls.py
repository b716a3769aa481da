"""Public meetings and calendar feeds: /<slug>/sitzungen/… (paths are a contract)."""

from django.urls import path

from . import public_views as views

app_name = "public_meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("kalender/", views.calendar_keys, name="calendar"),
    path("kalender/loeschen/", views.calendar_key_delete, name="calendar_delete"),
    path("kalender/<str:key>.ics", views.private_feed, name="private_feed"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    # Before the body feeds: "12.ics" is a meeting, "steuerkreis.ics" a body.
    path("<int:pk>.ics", views.meeting_ics, name="meeting_ics"),
    path("<slug:body_kind>.ics", views.body_feed, name="body_feed"),
]
