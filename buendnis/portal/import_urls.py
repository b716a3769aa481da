"""Bringing an alliance's records onto the platform: /<slug>/intern/import/… (paths are a
contract; the export's address is named in the README)."""

from django.urls import path

from . import import_views as views

app_name = "onboarding"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("vorschau/", views.preview, name="preview"),
    path("importieren/", views.confirm, name="confirm"),
    path("verwerfen/", views.discard, name="discard"),
    path("vorlage.xlsx", views.template, name="template"),
    path("export.xlsx", views.export, name="export"),
]
