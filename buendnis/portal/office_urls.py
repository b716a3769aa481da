"""The office workspace: /<slug>/intern/vorhaben/… (paths are a contract)."""

from django.urls import path

from . import office_views as views

app_name = "office"

urlpatterns = [
    path("", views.pipeline, name="pipeline"),
]
