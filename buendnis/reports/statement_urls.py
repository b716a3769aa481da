"""The Stellungnahme of a project: /<slug>/intern/vorhaben/<reference>/stellungnahme.pdf

Mounted by config/urls.py at the full path, before the office workspace's include, because the
statement belongs to the reports app while its address sits among the office's project pages.
"""

from django.urls import path

from . import views

app_name = "statement"

urlpatterns = [
    path("", views.statement, name="pdf"),
]
