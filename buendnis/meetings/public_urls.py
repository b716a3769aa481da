"""Public meetings and calendar feeds: /<slug>/sitzungen/… (paths are a contract)."""

from django.urls import path  # noqa: F401

app_name = "public_meetings"

urlpatterns: list = []
