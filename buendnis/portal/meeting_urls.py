"""The office's meetings: /<slug>/intern/sitzungen/… (paths are a contract)."""

from django.urls import path

from .meeting_views import agenda, attendance, decisions, minutes, planning

app_name = "meetings"

urlpatterns = [
    path("", planning.meeting_list, name="list"),
    path("planen/", planning.meeting_plan, name="plan"),
    path("neu/", planning.meeting_create, name="create"),
    path("<int:pk>/", planning.meeting_detail, name="detail"),
    path("<int:pk>/bearbeiten/", planning.meeting_edit, name="edit"),
    path("<int:pk>/einladen/", planning.meeting_invite, name="invite"),
    path("<int:pk>/absagen/", planning.meeting_cancel, name="cancel"),
    path("<int:pk>/abschliessen/", planning.meeting_close, name="close"),
    path("<int:pk>/tagesordnung/vorschlagen/", agenda.agenda_propose, name="agenda_propose"),
    path("<int:pk>/tagesordnung/reihenfolge/", agenda.agenda_reorder, name="agenda_reorder"),
    path("<int:pk>/punkte/neu/", agenda.item_create, name="item_create"),
    path("<int:pk>/punkte/<int:item>/bearbeiten/", agenda.item_edit, name="item_edit"),
    path("<int:pk>/punkte/<int:item>/loeschen/", agenda.item_delete, name="item_delete"),
    path("<int:pk>/punkte/<int:item>/verschieben/", agenda.item_move, name="item_move"),
    path("<int:pk>/punkte/<int:item>/unterlage/", agenda.item_document, name="item_document"),
    path("<int:pk>/punkte/<int:item>/befangenheit/", agenda.item_recusal, name="item_recusal"),
    path("<int:pk>/punkte/<int:item>/beschluss/", decisions.decision, name="decision"),
    path("<int:pk>/anwesenheit/", attendance.attendance, name="attendance"),
    path("<int:pk>/anwesenheit/alle/", attendance.attendance_all, name="attendance_all"),
    path("<int:pk>/gaeste/", attendance.guest_add, name="guest_add"),
    path("<int:pk>/gaeste/<int:guest>/entfernen/", attendance.guest_remove, name="guest_remove"),
    path("<int:pk>/protokoll/", minutes.minutes_page, name="minutes"),
    path("<int:pk>/protokoll/erzeugen/", minutes.minutes_generate, name="minutes_generate"),
    path("<int:pk>/protokoll/genehmigen/", minutes.minutes_approve, name="minutes_approve"),
    path("<int:pk>/protokoll.pdf", minutes.minutes_pdf, name="minutes_pdf"),
]
