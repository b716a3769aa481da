"""After the grant, the applicant's side: /<slug>/vorhaben/<reference>/… (paths are a contract)."""

from django.urls import path

from . import grant_views as views

app_name = "grants"

urlpatterns = [
    path("berichte/", views.reports, name="reports"),
    path("mittelabrufe/", views.payments, name="payments"),
    path("teilnehmende/", views.participants, name="participants"),
]
