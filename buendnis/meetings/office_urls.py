"""The office's meetings: /<slug>/intern/sitzungen/… (paths are a contract)."""

from django.urls import path  # noqa: F401

app_name = "meetings"

urlpatterns: list = []
