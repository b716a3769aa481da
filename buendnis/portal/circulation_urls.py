"""Decisions in writing: /<slug>/intern/umlaufbeschluesse/… (paths are a contract)."""

from django.urls import path

from . import circulation_views as views

app_name = "circulations"

urlpatterns = [
    path("", views.circulation_list, name="list"),
    path("neu/", views.circulation_create, name="create"),
    path("<int:pk>/", views.circulation_detail, name="detail"),
    path("<int:pk>/antworten/", views.circulation_answer, name="answer"),
    path("<int:pk>/auswerten/", views.circulation_close, name="close"),
    path("<int:pk>/zurueckziehen/", views.circulation_cancel, name="cancel"),
]
