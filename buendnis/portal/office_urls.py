"""The office workspace: /<slug>/intern/vorhaben/… (paths are a contract)."""

from django.urls import path

from . import office_views as views

app_name = "office"

urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    # Before <reference>/: no reference is "liste".
    path("liste/", views.project_list, name="list"),
    path("<str:reference>/", views.project_detail, name="project"),
    # <action> is a name of funding.states.ACTIONS (those the workspace offers).
    path("<str:reference>/aktion/<str:action>/", views.project_action, name="action"),
    # Corrections of what was recorded: audited, the old values stay in the audit trail.
    path(
        "<str:reference>/beratung/<int:pk>/korrigieren/",
        views.consultation_correct,
        name="consultation_correct",
    ),
    path(
        "<str:reference>/ergebnis/<int:pk>/korrigieren/",
        views.outcome_correct,
        name="outcome_correct",
    ),
]
