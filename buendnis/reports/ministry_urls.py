"""The ministry's overview across every alliance: /ministerium/… (a platform path: the slug
`ministerium` is reserved, alliances.models.RESERVED_SLUGS)."""

from django.urls import path

from . import ministry_views

app_name = "ministry"

urlpatterns = [
    path("", ministry_views.overview, name="overview"),
    path("uebersicht.xlsx", ministry_views.overview_xlsx, name="overview_xlsx"),
]
