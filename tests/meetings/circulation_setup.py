"""What the circulation tests (pages, periodic command, API) share: a staffed alliance, a member
of the Steuerkreis who answers for the city, and circulations opened through the service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from buendnis.accounts.models import Membership, Role, User
from buendnis.alliances.models import Alliance, Organisation
from buendnis.funding.models import Project
from buendnis.meetings.models import Circulation
from buendnis.meetings.services import circulations
from tests.factories import AllianceStructure, build_alliance_structure

# The organisation the `member` persona sits for in the Steuerkreis.
MEMBER_ORGANISATION = "city"


@dataclass
class Circle:
    structure: AllianceStructure
    make_persona: Callable[[str], User | None]
    users: dict[str, User | None] = field(default_factory=dict)

    @property
    def alliance(self) -> Alliance:
        return self.structure.alliance

    def org(self, key: str) -> Organisation:
        return self.structure.organisations[key]

    def user(self, name: str) -> User | None:
        if name not in self.users:
            user = self.make_persona(name)
            if name == "member":
                Membership.objects.filter(user=user, role=Role.STEERING).update(
                    organisation=self.org(MEMBER_ORGANISATION)
                )
            self.users[name] = user
        return self.users[name]

    def client(self, name: str) -> Client:
        client = Client()
        user = self.user(name)
        if user is not None:
            client.force_login(user)
        return client

    def open(
        self,
        *,
        title: str = "Anschlussprojekt Praktikumsbörse",
        project: Project | None = None,
        deadline: datetime | None = None,
        **extra: Any,
    ) -> Circulation:
        return circulations.circulation_open(
            actor=None,
            alliance=self.alliance,
            title=title,
            text="Der Steuerkreis befürwortet das Anschlussprojekt.",
            deadline=deadline or timezone.now() + timedelta(days=5),
            project=project,
            **extra,
        )

    def voter_keys(self, circulation: Circulation) -> list[str]:
        """The keys of the organisations that vote in the circulation (entitled, not recused)."""
        recused = {entry["id"] for entry in circulation.recused}
        ids = circulation.entitled_ids - recused
        return [key for key, org in self.structure.organisations.items() if org.pk in ids]

    def answer_all(self, circulation: Circulation, answer: str = "agree", **skip: bool) -> None:
        for key in self.voter_keys(circulation):
            if not skip.get(key):
                circulations.circulation_answer(
                    actor=None, circulation=circulation, organisation=self.org(key), answer=answer
                )


def make_circle(alliance: Alliance, make_persona: Callable[[str], User | None]) -> Circle:
    """For a `circle` fixture in each module (a fixture imported from here would need a noqa)."""
    return Circle(
        structure=build_alliance_structure(alliance, place="Braunschweig"),
        make_persona=make_persona,
    )


def expire(circulation: Circulation, *, minutes: int = 1) -> None:
    """Move the deadline into the past, in the database."""
    Circulation.objects.filter(pk=circulation.pk).update(
        deadline=timezone.now() - timedelta(minutes=minutes)
    )
    circulation.refresh_from_db()
