"""The alliance's own cycle: /<slug>/intern/phasen/… and a partner's /<slug>/intern/vereinbarung/
(config/urls.py includes them under /<slug>/intern/)."""

from django.urls import path

from . import renewal_views as views

app_name = "renewal"

urlpatterns = [
    path("phasen/", views.phase_list, name="list"),
    path("phasen/neu/", views.phase_create, name="create"),
    path("phasen/<int:pk>/", views.phase_detail, name="phase"),
    path("phasen/<int:pk>/bearbeiten/", views.phase_edit, name="edit"),
    path("phasen/<int:pk>/strategie/", views.strategy, name="strategy"),
    path("phasen/<int:pk>/handlungsfelder/", views.field_add, name="field_add"),
    path("phasen/<int:pk>/beschluss/", views.strategy_adopt, name="adopt"),
    path("phasen/<int:pk>/partner/", views.partners_ask, name="ask"),
    path("phasen/<int:pk>/partner/<int:request_pk>/", views.partner_answer, name="answer"),
    path("phasen/<int:pk>/antrag/", views.application_submit, name="submit"),
    path("phasen/<int:pk>/antrag.pdf", views.dossier_pdf, name="dossier_pdf"),
    path("phasen/<int:pk>/antrag.xlsx", views.dossier_xlsx, name="dossier_xlsx"),
    path("phasen/<int:pk>/entscheidung/", views.recognition_decide, name="decide"),
    path("vereinbarung/", views.my_requests, name="my_requests"),
]
