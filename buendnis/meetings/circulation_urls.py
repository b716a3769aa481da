"""Decisions in writing: /<slug>/intern/umlaufbeschluesse/… (paths are a contract)."""

from django.urls import path  # noqa: F401

app_name = "circulations"

urlpatterns: list = []
