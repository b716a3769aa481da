"""After the grant, the office's side: /<slug>/intern/vorhaben/<reference>/… (paths are a
contract)."""

from django.urls import path

from . import grant_office_views as views

app_name = "grants_office"

urlpatterns = [
    path("berichte/", views.reports, name="reports"),
    path("mittelabrufe/", views.payments, name="payments"),
    path("kofinanzierung/", views.cofinancing, name="cofinancing"),
    path("abschliessen/", views.conclude, name="conclude"),
]
