"""Query counts of the project list and the project page are pinned and do not grow with the
number of projects, state changes, documents, shares or consultations.

Signed-in pages start with: session; user; alliance by slug; the user's memberships (cached for
the request, so navigation and permissions ask no more); the header's count of unread
notifications.
"""

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.funding import services
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from tests.factories import AllianceStructure, ProjectFactory, advance, pdf_upload

from .test_applicant_support import *  # noqa: F403 - the shared fixtures

pytestmark = pytest.mark.django_db

# … and the two-factor check: the session's verified app (django-otp's OTPMiddleware), or,
# where the session has none, whether the user has an app (accounts.middleware).
SIGNED_IN = 6
# The next submission deadlines (Steuerkreis meetings with their body), shown on the list and on
# the page of a project that has not had its Votum yet.
DEADLINES = 1
LIST_QUERIES = {
    # the projects with phase, field and owner; the deadlines
    "office": SIGNED_IN + 1 + DEADLINES,
    # the applicant's organisations; their projects with phase, field and owner; the deadlines
    "applicant": SIGNED_IN + 2 + DEADLINES,
}
DETAIL_QUERIES = {
    # the project with alliance, phase, field, owner and creator; its topics; co-financing with
    # organisations; documents; consultations; body outcomes with bodies; transitions; the
    # open consultation request in the office's inbox („Beratung angefragt am …“); the
    # deadlines (the project waits for the bodies); whether the user follows the project (the
    # subscribe button)
    "office": SIGNED_IN + 9 + DEADLINES,
    # … and whether the user applies for the project's organisation
    # (funding.permissions.project_rights)
    "applicant": SIGNED_IN + 10 + DEADLINES,
}


def _more_projects(site: AllianceStructure, count: int) -> None:
    for number in range(count):
        project = ProjectFactory(
            phase=site.phase,
            applicant_organisation=site.organisations["city"],
            title=f"Weiteres Vorhaben {number:02d}",
        )
        if number % 2:
            advance(project, Status.SKETCH_SUBMITTED)


@pytest.mark.parametrize("persona", ["office", "applicant"])
def test_project_list_queries(
    login: Callable[[str], Client],
    site: AllianceStructure,
    project: Project,
    django_assert_num_queries: Callable[..., object],
    persona: str,
) -> None:
    client = login(persona)
    with django_assert_num_queries(LIST_QUERIES[persona]):  # type: ignore[attr-defined]
        assert client.get("/son/vorhaben/").status_code == 200
    _more_projects(site, 12)
    with django_assert_num_queries(LIST_QUERIES[persona]):  # type: ignore[attr-defined]
        response = client.get("/son/vorhaben/")
    html = response.content.decode()
    assert "Weiteres Vorhaben 11" in html
    assert "Kurzskizze in Beratung" in html


def _grow(project: Project, office: User) -> None:
    """More of everything the page lists: a revision loop (transitions, outcomes, versions),
    consultations and co-financing shares."""
    today = timezone.localdate()
    for _ in range(3):
        services.consultation_record(
            actor=office, project=project, held_on=today, participants="GS"
        )
    advance(project, Status.REVISION_REQUESTED, actor=office)
    services.project_resubmit(actor=office, project=project, document=pdf_upload("v2.pdf"))
    advance(project, Status.REVISION_REQUESTED, at=Status.SKETCH_STEERING, actor=office)
    rest = project.eligible_costs - project.requested_grant
    share = (rest / 4).quantize(rest)
    services.cofinancing_set(
        actor=office,
        project=project,
        shares=[services.Share(amount=share, name=f"Geldgeber {n}") for n in range(3)]
        + [services.Share(amount=rest - 3 * share, name="Geldgeber 3")],
    )


@pytest.mark.parametrize("persona", ["office", "applicant"])
def test_project_detail_queries(
    login: Callable[[str], Client],
    site: AllianceStructure,
    project: Project,
    office_user: User,
    django_assert_num_queries: Callable[..., object],
    persona: str,
) -> None:
    advance(project, Status.SKETCH_SUBMITTED, actor=office_user)
    client = login(persona)
    url = f"/son/vorhaben/{project.reference}/"
    with django_assert_num_queries(DETAIL_QUERIES[persona]):  # type: ignore[attr-defined]
        assert client.get(url).status_code == 200
    _grow(project, office_user)
    with django_assert_num_queries(DETAIL_QUERIES[persona]):  # type: ignore[attr-defined]
        response = client.get(url)
    html = response.content.decode()
    assert "Geldgeber 3" in html
    assert "Version 2" in html
    assert html.count("Bitte die Zielgruppe genauer beschreiben.") >= 2


@pytest.mark.parametrize("persona", ["office", "applicant"])
def test_project_list_is_paged(
    login: Callable[[str], Client],
    site: AllianceStructure,
    project: Project,
    django_assert_num_queries: Callable[..., object],
    persona: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The list shows a page at a time, with the total, in the same queries as an unpaged one."""
    from buendnis.portal import applicant_views

    monkeypatch.setattr(applicant_views, "LIST_PAGE_SIZE", 5)
    _more_projects(site, 12)
    client = login(persona)
    with django_assert_num_queries(LIST_QUERIES[persona]):  # type: ignore[attr-defined]
        first = client.get("/son/vorhaben/").content.decode()
    assert "13 Vorhaben, Seite 1 von 3" in first
    assert first.count('<th scope="row">') == 5
    assert "Weiteres Vorhaben 11" in first  # newest first
    assert 'href="?page=2" rel="next"' in first
    with django_assert_num_queries(LIST_QUERIES[persona]):  # type: ignore[attr-defined]
        last = client.get("/son/vorhaben/?page=3").content.decode()
    assert last.count('<th scope="row">') == 3
    assert project.title in last
    assert 'href="?page=2" rel="prev"' in last
