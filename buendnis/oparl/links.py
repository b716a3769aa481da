"""The OParl API's addresses. They are a contract with outside clients: add, never rename.

Every object's `id` is its absolute URL. Ids are stable: they carry database keys and fixed
prefixes only, never titles or positions that change.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

OPARL_VERSION = "https://schema.oparl.org/1.1/"

# The lists each OParl Body offers, by the last part of their address.
BODY_LISTS = (
    "organization",
    "person",
    "meeting",
    "paper",
    "membership",
    "agendaitem",
    "consultation",
    "file",
    "legislativeterm",
)


def type_url(name: str) -> str:
    return f"{OPARL_VERSION}{name}"


class Links:
    """Absolute addresses for one request (host and scheme as the client asked)."""

    __slots__ = ("request", "root")

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.root = request.build_absolute_uri(reverse("oparl:system")).removesuffix("system")

    def system(self) -> str:
        return f"{self.root}system"

    def body_list(self) -> str:
        return f"{self.root}body"

    def body(self, slug: str) -> str:
        return f"{self.root}body/{slug}"

    def body_part(self, slug: str, name: str) -> str:
        return f"{self.root}body/{slug}/{name}"

    def obj(self, kind: str, key: object) -> str:
        return f"{self.root}{kind}/{key}"

    # --- The Organization type carries three kinds of record: the prefix tells them apart. ---

    def body_organization(self, body_id: int) -> str:
        return self.obj("organization", f"body-{body_id}")

    def organisation(self, organisation_id: int) -> str:
        return self.obj("organization", f"org-{organisation_id}")

    def paper(self, kind: str, project_id: int) -> str:
        return self.obj("paper", f"{kind}-{project_id}")

    def minutes_file(self, minutes_id: int) -> str:
        return self.obj("file", f"minutes-{minutes_id}")

    def minutes_download(self, minutes_id: int) -> str:
        return f"{self.minutes_file(minutes_id)}/download"

    def site(self, path: str) -> str:
        """An address on the public web site (OParl's `web`)."""
        return self.request.build_absolute_uri(path)
