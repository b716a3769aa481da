"""A member's notification centre in an alliance and the subscribe buttons' steps:
/<slug>/intern/benachrichtigungen/… (config/urls.py; the paths are a contract). The account's
settings page is /konto/benachrichtigungen/ (account_urls.py)."""

from django.urls import path

from . import notification_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("<int:pk>/", views.notification_open, name="open"),
    path("alle-gelesen/", views.mark_all_read, name="mark_all_read"),
    path("abonnieren/", views.follow, name="follow"),
    path("abbestellen/", views.unfollow, name="unfollow"),
]
