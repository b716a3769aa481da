"""The idea pool: /<slug>/intern/ideen/… (paths are a contract)."""

from django.urls import path

from . import idea_views as views

app_name = "ideas"

urlpatterns = [
    path("", views.idea_list, name="list"),
    path("neu/", views.idea_create, name="create"),
    path("<int:pk>/", views.idea_detail, name="detail"),
    path("<int:pk>/bearbeiten/", views.idea_edit, name="edit"),
    path("<int:pk>/stand/", views.idea_status, name="status"),
    path("<int:pk>/verknuepfen/", views.idea_link, name="link"),
    path("<int:pk>/zusammenbringen/", views.idea_introduce, name="introduce"),
    path("<int:pk>/zusammenfuehren/", views.idea_merge, name="merge"),
    path("<int:pk>/vorhaben/", views.idea_to_project, name="to_project"),
    path("<int:pk>/loeschen/", views.idea_delete, name="delete"),
    path("hinweise/<int:pk>/erledigt/", views.overlap_set_aside, name="overlap_set_aside"),
]
