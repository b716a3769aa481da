"""The applicant portal: /<slug>/vorhaben/… (paths are a contract)."""

from django.urls import path

from . import applicant_views as views

app_name = "applicant"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("neu/", views.project_create, name="project_create"),
    path("<str:reference>/", views.project_detail, name="project_detail"),
    path("<str:reference>/bearbeiten/", views.project_edit, name="project_edit"),
    path("<str:reference>/kurzskizze/", views.sketch, name="sketch"),
    path("<str:reference>/beschreibung/", views.description, name="description"),
    path("<str:reference>/ueberarbeitung/", views.revision, name="revision"),
    path("<str:reference>/antrag-gestellt/", views.application_filed, name="application_filed"),
    path("<str:reference>/zurueckziehen/", views.withdraw, name="withdraw"),
    path("<str:reference>/beratung/", views.consultation_request, name="consultation_request"),
]
