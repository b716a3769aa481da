"""Budget dashboard and documents for the ministry and the bank: /<slug>/intern/budget/…"""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.budget, name="budget"),
]
