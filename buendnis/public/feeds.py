"""Atom feeds of an alliance's news for the public: /<slug>/sitzungen.atom (public meetings,
from their invitation on) and /<slug>/projekte/gefoerdert.atom (newly funded projects: granted by
the funding bank). The same news the public's e-mail subscribers receive
(`notifications.public_services`), from the same public fields only: the public items of a
meeting, a project's public facts. Served as public pages (`web.pages.public_page`): cached,
without cookies.
"""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance
from buendnis.funding import selectors as funding_selectors
from buendnis.funding.models import Project
from buendnis.meetings import public_selectors as meeting_reads
from buendnis.meetings.models import Meeting, MeetingStatus
from buendnis.web.pages import public_page


class _AllianceFeed(Feed):
    """A feed of one alliance; an instance serves one request (the views below make one)."""

    feed_type = Atom1Feed

    def __init__(self, alliance: Alliance) -> None:
        super().__init__()
        self.alliance = alliance

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> Alliance:
        return self.alliance

    def author_name(self, alliance: Alliance) -> str:
        return alliance.name


class MeetingsFeed(_AllianceFeed):
    description_template = "public/feeds/meeting.html"

    def title(self, alliance: Alliance) -> str:
        return _("Öffentliche Sitzungen – %(alliance)s") % {"alliance": alliance.name}

    def subtitle(self, alliance: Alliance) -> str:
        return _(
            "Einladungen mit der öffentlichen Tagesordnung, Absagen und genehmigte Protokolle der "
            "Sitzungen von Steuerkreis und Sprecherkreis."
        )

    def link(self, alliance: Alliance) -> str:
        return reverse("public_meetings:list", args=[alliance.slug])

    def feed_url(self, alliance: Alliance) -> str:
        return reverse("public:meetings_feed", args=[alliance.slug])

    def items(self, alliance: Alliance) -> list[Meeting]:
        return meeting_reads.announced_meetings(alliance)

    def item_title(self, meeting: Meeting) -> str:
        if meeting.status == MeetingStatus.CANCELLED:
            return _("Abgesagt: %(title)s") % {"title": meeting.display_title}
        return meeting.display_title

    def item_link(self, meeting: Meeting) -> str:
        return reverse("public_meetings:detail", args=[self.alliance.slug, meeting.pk])

    def item_pubdate(self, meeting: Meeting) -> datetime | None:
        return meeting.invited_at

    def item_updateddate(self, meeting: Meeting) -> datetime:
        return meeting.updated_at


class FundedProjectsFeed(_AllianceFeed):
    description_template = "public/feeds/project.html"

    def title(self, alliance: Alliance) -> str:
        return _("Neu geförderte Projekte – %(alliance)s") % {"alliance": alliance.name}

    def subtitle(self, alliance: Alliance) -> str:
        return _("Projekte, die die Förderbank bewilligt hat, das neueste zuerst.")

    def link(self, alliance: Alliance) -> str:
        return reverse("public:projects", args=[alliance.slug])

    def feed_url(self, alliance: Alliance) -> str:
        return reverse("public:funded_feed", args=[alliance.slug])

    def items(self, alliance: Alliance) -> list[Project]:
        return funding_selectors.newly_granted_projects(alliance)

    def item_title(self, project: Project) -> str:
        return project.title

    def item_link(self, project: Project) -> str:
        return reverse("public:project", args=[self.alliance.slug, project.reference])

    def item_pubdate(self, project: Project) -> datetime:
        if project.bank_decided_on is None:
            return project.status_changed_at
        return timezone.make_aware(datetime.combine(project.bank_decided_on, time.min))

    def item_updateddate(self, project: Project) -> datetime:
        return self.item_pubdate(project)


@public_page
def meetings_feed(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    return MeetingsFeed(alliance)(request)


@public_page
def funded_feed(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    return FundedProjectsFeed(alliance)(request)
