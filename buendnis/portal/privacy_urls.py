"""A person's data on request and its erasure: /<slug>/intern/datenschutz/… (paths are a
contract, named in the README; config/urls.py includes them under /<slug>/intern/)."""

from django.urls import path

from . import privacy_views as views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_index, name="index"),
    path("auskunft/", views.privacy_export, name="export"),
    path("loeschen/", views.privacy_erase, name="erase"),
]
