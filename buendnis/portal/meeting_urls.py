"""The office's meetings: /<slug>/intern/sitzungen/… (paths are a contract)."""

from django.urls import path

from . import meeting_views as views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("planen/", views.meeting_plan, name="plan"),
    path("neu/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/bearbeiten/", views.meeting_edit, name="edit"),
    path("<int:pk>/einladen/", views.meeting_invite, name="invite"),
    path("<int:pk>/absagen/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/abschliessen/", views.meeting_close, name="close"),
    path("<int:pk>/tagesordnung/vorschlagen/", views.agenda_propose, name="agenda_propose"),
    path("<int:pk>/tagesordnung/reihenfolge/", views.agenda_reorder, name="agenda_reorder"),
    path("<int:pk>/punkte/neu/", views.item_create, name="item_create"),
    path("<int:pk>/punkte/<int:item>/bearbeiten/", views.item_edit, name="item_edit"),
    path("<int:pk>/punkte/<int:item>/loeschen/", views.item_delete, name="item_delete"),
    path("<int:pk>/punkte/<int:item>/verschieben/", views.item_move, name="item_move"),
    path("<int:pk>/punkte/<int:item>/unterlage/", views.item_document, name="item_document"),
    path("<int:pk>/punkte/<int:item>/befangenheit/", views.item_recusal, name="item_recusal"),
    path("<int:pk>/punkte/<int:item>/beschluss/", views.decision, name="decision"),
    path("<int:pk>/anwesenheit/", views.attendance, name="attendance"),
    path("<int:pk>/gaeste/", views.guest_add, name="guest_add"),
    path("<int:pk>/gaeste/<int:guest>/entfernen/", views.guest_remove, name="guest_remove"),
    path("<int:pk>/protokoll/", views.minutes_page, name="minutes"),
    path("<int:pk>/protokoll/erzeugen/", views.minutes_generate, name="minutes_generate"),
    path("<int:pk>/protokoll/genehmigen/", views.minutes_approve, name="minutes_approve"),
    path("<int:pk>/protokoll.pdf", views.minutes_pdf, name="minutes_pdf"),
]
