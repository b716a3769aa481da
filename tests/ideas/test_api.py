"""The ideas API: the contract outside clients rely on (paths, fields, statuses), per persona and
across alliances."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from buendnis.accounts import tokens
from buendnis.accounts.models import Role
from buendnis.core.models import AuditEntry
from buendnis.ideas.models import Idea
from tests.conftest import PERSONAS
from tests.factories import IdeaFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def ideas_url(slug: str = "son") -> str:
    return f"/api/v1/alliances/{slug}/ideas/"


def idea_url(pk: int, slug: str = "son", tail: str = "") -> str:
    return f"/api/v1/alliances/{slug}/ideas/{pk}/{tail}"


def bearer_client(user: Any) -> Client:
    _row, secret = tokens.token_create(actor=None, user=user, name="Test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def as_persona(make_persona):
    def make(name: str) -> tuple[Client, Any]:
        user = make_persona(name)
        return (Client() if user is None else bearer_client(user)), user

    return make


# Who may post: the internal roles (and admins); the applicant persona has no organisation.
CREATE = {
    "public": 401,
    "office": 201,
    "speaker": 201,
    "member": 201,
    "advisory": 201,
    "applicant": 403,
    "ministry": 403,
    "admin": 201,
    "outsider": 403,
}
READ_POOL = {"office", "speaker", "member", "advisory", "ministry", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_an_idea_per_persona(alliance, as_persona, persona):
    client, user = as_persona(persona)
    response = client.post(
        ideas_url(),
        {
            "title": "Fahrerinnen für den Güterverkehr",
            "text": "Quereinsteiger zu Berufskraftfahrern ausbilden.",
        },
        content_type="application/json",
    )
    assert response.status_code == CREATE[persona], response.content
    if response.status_code != 201:
        assert not Idea.objects.exists()
        return
    data = response.json()
    assert {"id", "url", "title", "text", "status", "version"} <= set(data)
    assert response["Location"] == data["url"]
    idea = Idea.objects.get(pk=data["id"])
    assert (idea.author, idea.alliance, idea.status) == (user, alliance, "open")
    assert AuditEntry.objects.filter(object_id=str(idea.pk), action="idea.create").exists()


def test_bad_input_gets_german_messages_and_nothing_is_stored(alliance, as_persona):
    client, _user = as_persona("office")
    response = client.post(ideas_url(), {"title": ""}, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    assert errors["text"] == ["Dieses Feld ist zwingend erforderlich."]
    assert errors["title"] == ["Dieses Feld darf nicht leer sein."]
    response = client.post(
        ideas_url(),
        {"title": "T", "text": "Text", "action_field": "Gibt es nicht", "topics": ["Unbekannt"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "action_field": ["Unbekanntes Handlungsfeld „Gibt es nicht“."],
        "topics": ["Unbekanntes Thema „Unbekannt“."],
    }
    response = client.post(
        ideas_url(),
        {"title": "T", "text": "Text", "wanted_public": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Kurztext" in str(response.json())
    assert not Idea.objects.exists()


def test_an_applicant_posts_for_their_organisation(alliance):
    organisation = OrganisationFactory(alliance=alliance, name="Bildungswerk")
    user = UserFactory(username="bewerber")
    MembershipFactory(user=user, alliance=alliance, role=Role.APPLICANT, organisation=organisation)
    client = bearer_client(user)
    response = client.post(
        ideas_url(), {"title": "Idee", "text": "Text"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["organisation"] == "Bildungswerk"
    foreign = OrganisationFactory(alliance=alliance, name="Andere GmbH")
    response = client.post(
        ideas_url(),
        {"title": "Idee", "text": "Text", "organisation": foreign.name},
        content_type="application/json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_read_list_detail_and_similar_per_persona(alliance, as_persona, persona):
    idea = IdeaFactory(alliance=alliance)
    client, _user = as_persona(persona)
    expected = 200 if persona in READ_POOL else (401 if persona == "public" else None)
    listing = client.get(ideas_url())
    detail = client.get(idea_url(idea.pk))
    similar = client.get(idea_url(idea.pk, tail="similar/"))
    if persona == "public":
        assert {listing.status_code, detail.status_code, similar.status_code} == {401}
        return
    if persona == "outsider":
        # No role in this alliance: refused outright.
        assert {listing.status_code, detail.status_code, similar.status_code} == {403}
        return
    if expected == 200:
        assert listing.status_code == 200
        assert [row["id"] for row in listing.json()["results"]] == [idea.pk]
        assert detail.status_code == 200 and detail.json()["title"] == idea.title
        assert similar.status_code == 200 and "results" in similar.json()
    else:
        # Signed in without a view of the pool: an empty list, the idea itself is not found.
        assert listing.status_code == 200 and listing.json()["results"] == []
        assert detail.status_code == 404 and similar.status_code == 404


def test_other_alliances_ideas_are_not_found(alliance, other_alliance, as_persona):
    theirs = IdeaFactory(alliance=other_alliance)
    client, _user = as_persona("office")
    assert client.get(idea_url(theirs.pk)).status_code == 404
    assert client.get(idea_url(theirs.pk, tail="similar/")).status_code == 404
    assert client.delete(idea_url(theirs.pk)).status_code == 404
    # Under its own alliance's address the office of another alliance sees nothing either.
    assert client.get(idea_url(theirs.pk, slug="leine-weser")).status_code == 403


DELETE = {
    "public": 401,
    "office": 204,
    "speaker": 403,
    "member": 403,
    "advisory": 403,
    "applicant": 404,
    "ministry": 403,
    "admin": 204,
    "outsider": 403,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_delete_is_the_offices(alliance, as_persona, persona):
    idea = IdeaFactory(alliance=alliance)
    client, _user = as_persona(persona)
    response = client.delete(idea_url(idea.pk))
    assert response.status_code == DELETE[persona], response.content
    assert Idea.objects.filter(pk=idea.pk).exists() is (DELETE[persona] != 204)


def test_patch_needs_the_version_and_refuses_a_stale_one(alliance, as_persona):
    client, user = as_persona("member")
    idea = IdeaFactory(alliance=alliance, actor=user)
    missing = client.patch(idea_url(idea.pk), {"title": "Neu"}, content_type="application/json")
    assert missing.status_code == 400
    changed = client.patch(
        idea_url(idea.pk), {"title": "Neu", "version": 1}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["title"] == "Neu"
    stale = client.patch(
        idea_url(idea.pk), {"title": "Alt", "version": 1}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert Idea.objects.get(pk=idea.pk).title == "Neu"


def test_the_list_is_paginated(alliance, as_persona):
    for number in range(3):
        IdeaFactory(alliance=alliance, title=f"Idee {number}")
    client, _user = as_persona("office")
    data = client.get(ideas_url() + "?limit=2").json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]
