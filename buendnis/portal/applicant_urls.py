"""The applicant portal: /<slug>/vorhaben/… (paths are a contract)."""

from django.urls import path

from . import applicant_views as views

app_name = "applicant"

urlpatterns = [
    path("", views.project_list, name="project_list"),
]
