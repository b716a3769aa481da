"""The office's inbox and a member's questions: /<slug>/intern/anfragen/… and
/<slug>/intern/meine-anfragen/ (paths are a contract; config/urls.py includes them under
/<slug>/intern/)."""

from django.urls import path

from . import inquiry_views as views

app_name = "inquiries"

urlpatterns = [
    path("anfragen/", views.inquiry_list, name="list"),
    path("anfragen/neu/", views.inquiry_create, name="create"),
    path("anfragen/auskunft/", views.inquiry_export, name="export"),
    path("anfragen/<int:pk>/", views.inquiry_detail, name="detail"),
    path("anfragen/<int:pk>/bearbeiten/", views.inquiry_update, name="update"),
    path("anfragen/<int:pk>/antwort/", views.inquiry_reply, name="reply"),
    path(
        "anfragen/<int:pk>/antwort/<int:message_pk>/erneut/",
        views.inquiry_resend,
        name="resend",
    ),
    path("anfragen/<int:pk>/notiz/", views.inquiry_note, name="note"),
    path("meine-anfragen/", views.my_inquiries, name="mine"),
]
