from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from . import (
    agreement_views,
    decision_views,
    grant_views,
    idea_views,
    meeting_views,
    overview_views,
    project_views,
    views,
)

app_name = "api"

# The paths are a contract with outside clients: add, never rename.
urlpatterns = [
    # Like every view here, the schema is public and reads no session (see views.py).
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=(), permission_classes=(AllowAny,)),
        name="schema",
    ),
    path("alliances/", views.AllianceListView.as_view(), name="alliance-list"),
    # The ministry's overview across every alliance: ministry and platform admins only.
    path("overview/", overview_views.OverviewView.as_view(), name="overview"),
    path("alliances/<slug:slug>/", views.AllianceDetailView.as_view(), name="alliance-detail"),
    path(
        "alliances/<slug:slug>/organisations/",
        views.OrganisationListView.as_view(),
        name="alliance-organisations",
    ),
    path("alliances/<slug:slug>/bodies/", views.BodyListView.as_view(), name="alliance-bodies"),
    path("alliances/<slug:slug>/phases/", views.PhaseListView.as_view(), name="alliance-phases"),
    # The partners' signatures of a phase: internal, login required (agreement_views.py).
    path(
        "alliances/<slug:slug>/phases/<int:pk>/agreements/",
        agreement_views.PhaseAgreementListView.as_view(),
        name="alliance-phase-agreements",
    ),
    path("alliances/<slug:slug>/themes/", views.ThemeListView.as_view(), name="alliance-themes"),
    # Projects: the answer depends on who asks (see project_views.py).
    path(
        "alliances/<slug:slug>/projects/",
        project_views.ProjectListView.as_view(),
        name="alliance-projects",
    ),
    path(
        "alliances/<slug:slug>/projects/<int:pk>/",
        project_views.ProjectDetailView.as_view(),
        name="alliance-project-detail",
    ),
    path(
        "alliances/<slug:slug>/projects/<int:pk>/transitions/",
        project_views.ProjectTransitionView.as_view(),
        name="alliance-project-transitions",
    ),
    # After the grant: reports, payment requests, participant figures (grant_views.py).
    path(
        "alliances/<slug:slug>/projects/<int:pk>/reports/",
        grant_views.ReportListView.as_view(),
        name="alliance-project-reports",
    ),
    path(
        "alliances/<slug:slug>/projects/<int:pk>/payment-requests/",
        grant_views.PaymentRequestListView.as_view(),
        name="alliance-project-payment-requests",
    ),
    path(
        "alliances/<slug:slug>/projects/<int:pk>/participants/",
        grant_views.ParticipantListView.as_view(),
        name="alliance-project-participants",
    ),
    # The partners' idea pool: internal, login required (idea_views.py).
    path("alliances/<slug:slug>/ideas/", idea_views.IdeaListView.as_view(), name="alliance-ideas"),
    path(
        "alliances/<slug:slug>/ideas/<int:pk>/",
        idea_views.IdeaDetailView.as_view(),
        name="alliance-idea-detail",
    ),
    path(
        "alliances/<slug:slug>/ideas/<int:pk>/similar/",
        idea_views.IdeaSimilarView.as_view(),
        name="alliance-idea-similar",
    ),
    # Meetings: the public sees the public ones; circulations are internal (meeting_views.py).
    path(
        "alliances/<slug:slug>/meetings/",
        meeting_views.MeetingListView.as_view(),
        name="alliance-meetings",
    ),
    path(
        "alliances/<slug:slug>/meetings/<int:pk>/",
        meeting_views.MeetingDetailView.as_view(),
        name="alliance-meeting-detail",
    ),
    # Decisions of meetings and circulations in one list (decision_views.py).
    path(
        "alliances/<slug:slug>/decisions/",
        decision_views.DecisionListView.as_view(),
        name="alliance-decisions",
    ),
    path(
        "alliances/<slug:slug>/decisions/<slug:key>/",
        decision_views.DecisionDetailView.as_view(),
        name="alliance-decision-detail",
    ),
    path(
        "alliances/<slug:slug>/circulations/",
        meeting_views.CirculationListView.as_view(),
        name="alliance-circulations",
    ),
    path(
        "alliances/<slug:slug>/circulations/<int:pk>/",
        meeting_views.CirculationDetailView.as_view(),
        name="alliance-circulation-detail",
    ),
    path(
        "alliances/<slug:slug>/circulations/<int:pk>/answer/",
        meeting_views.CirculationAnswerView.as_view(),
        name="alliance-circulation-answer",
    ),
]
