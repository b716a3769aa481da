"""The idea pool's services: posting, editing, the office's coordination; each audited, each
refusing what its rules forbid with a German message and without a change."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from buendnis.core.errors import DomainError, NotPermitted, StaleEdit, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.funding.states import Status
from buendnis.ideas import services
from buendnis.ideas.models import Encoding, Idea, IdeaLink, IdeaStatus
from tests.factories import (
    IdeaFactory,
    OrganisationFactory,
    PhaseFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(make_persona):
    return make_persona("office")


@pytest.fixture
def member(make_persona):
    return make_persona("member")


def _audited(idea: Idea, action: str) -> bool:
    return AuditEntry.objects.filter(
        object_type="ideas.idea", object_id=str(idea.pk), action=action
    ).exists()


def test_posting_records_author_contact_audit_and_encoding(alliance, member):
    idea = services.idea_create(
        actor=member,
        alliance=alliance,
        title="Mentoring für Langzeitarbeitslose",
        text="Menschen, die seit mehr als einem Jahr keine Arbeit finden, begleiten.",
    )
    assert idea.author == member
    assert idea.status == IdeaStatus.OPEN
    # Without contact details the author's own are taken.
    assert idea.contact_email == member.email
    assert _audited(idea, "idea.create")
    assert Encoding.objects.filter(idea=idea).exists()


def test_posting_refused_for_the_ministry_and_outsiders(alliance, make_persona):
    for name in ("ministry", "outsider", "applicant"):
        with pytest.raises(NotPermitted):
            services.idea_create(
                actor=make_persona(name), alliance=alliance, title="Titel", text="Text"
            )
    assert not Idea.objects.exists()


def test_a_blank_title_is_a_german_field_error(alliance, member):
    with pytest.raises(ValidationError) as caught:
        services.idea_create(actor=member, alliance=alliance, title="", text="Text")
    assert "title" in caught.value.message_dict
    assert not Idea.objects.exists()


def test_public_wanted_entry_needs_its_short_text(alliance, member):
    with pytest.raises(ValidationError):
        services.idea_create(
            actor=member, alliance=alliance, title="Titel", text="Text", wanted_public=True
        )


def test_field_of_action_of_another_alliance_refused(alliance, other_alliance, member):
    from tests.factories import ActionFieldFactory

    foreign = ActionFieldFactory(phase=PhaseFactory(alliance=other_alliance))
    with pytest.raises(DomainError):
        services.idea_create(
            actor=member, alliance=alliance, title="T", text="Text", action_field=foreign
        )


def test_update_refuses_a_stale_form_and_others(alliance, member, make_persona):
    idea = IdeaFactory(alliance=alliance, actor=member)
    services.idea_update(actor=member, idea=idea, expected_version=1, title="Neuer Titel")
    assert idea.version == 2 and idea.title == "Neuer Titel"
    with pytest.raises(StaleEdit):
        services.idea_update(actor=member, idea=idea, expected_version=1, title="Alt")
    with pytest.raises(NotPermitted):
        services.idea_update(actor=make_persona("speaker"), idea=idea, title="Fremd")
    idea.refresh_from_db()
    assert idea.title == "Neuer Titel"
    assert _audited(idea, "idea.update")


def test_status_moves_by_the_office_and_withdrawal_by_the_author(alliance, member, office):
    idea = IdeaFactory(alliance=alliance, actor=member)
    with pytest.raises(NotPermitted):
        services.idea_set_status(actor=member, idea=idea, status=IdeaStatus.IN_TALKS)
    services.idea_set_status(actor=office, idea=idea, status=IdeaStatus.IN_TALKS)
    assert idea.status == IdeaStatus.IN_TALKS
    services.idea_set_status(actor=member, idea=idea, status=IdeaStatus.WITHDRAWN)
    assert idea.status == IdeaStatus.WITHDRAWN
    # "merged" and "project" come only from their own steps.
    with pytest.raises(TransitionNotAllowed):
        services.idea_set_status(actor=office, idea=idea, status=IdeaStatus.MERGED)
    entry = (
        AuditEntry.objects.filter(object_id=str(idea.pk), action="idea.status")
        .order_by("id")
        .last()
    )
    assert (entry.from_state, entry.to_state) == (IdeaStatus.IN_TALKS, IdeaStatus.WITHDRAWN)


def test_link_once_in_either_direction_and_only_within_the_alliance(
    alliance, other_alliance, office
):
    first, second = IdeaFactory(alliance=alliance), IdeaFactory(alliance=alliance)
    link = services.idea_link(actor=office, idea=first, other_idea=second, note="gleiches Ziel")
    assert services.idea_link(actor=office, idea=second, other_idea=first) == link
    assert IdeaLink.objects.count() == 1
    with pytest.raises(DomainError):
        services.idea_link(actor=office, idea=first, other_idea=first)
    with pytest.raises(DomainError):
        services.idea_link(
            actor=office, idea=first, other_idea=IdeaFactory(alliance=other_alliance)
        )
    project = ProjectFactory(phase=PhaseFactory(alliance=alliance))
    services.idea_link(actor=office, idea=first, project=project)
    assert IdeaLink.objects.filter(idea=first, project=project).exists()


def test_introduction_mails_both_with_each_others_contact(
    alliance, office, django_capture_on_commit_callbacks
):
    alliance.office_email = "info@buendnis.example"
    alliance.save()
    first = IdeaFactory(alliance=alliance, contact_email="a@example.org", contact_name="Anna A.")
    second = IdeaFactory(alliance=alliance, contact_email="b@example.org", contact_name="Bert B.")
    with django_capture_on_commit_callbacks(execute=True):
        link = services.ideas_introduce(actor=office, idea=first, other=second, note="Bitte reden")
    assert link.brought_together_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["a@example.org", "b@example.org"]
    assert message.cc == ["info@buendnis.example"]
    assert "Anna A." in message.body and "Bert B." in message.body and "Bitte reden" in message.body
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == IdeaStatus.IN_TALKS


def test_merge_keeps_co_authors_and_moves_links(alliance, office, member, make_persona):
    speaker = make_persona("speaker")
    target = IdeaFactory(alliance=alliance, actor=member)
    other = IdeaFactory(alliance=alliance, actor=speaker)
    third = IdeaFactory(alliance=alliance)
    services.idea_link(actor=office, idea=other, other_idea=third)
    services.ideas_merge(actor=office, target=target, others=[other], title="Gemeinsam")
    other.refresh_from_db()
    assert other.status == IdeaStatus.MERGED and other.merged_into == target
    assert target.title == "Gemeinsam"
    assert list(target.co_authors.all()) == [speaker]
    assert IdeaLink.objects.filter(idea=target, other_idea=third).exists()
    assert _audited(target, "idea.merge_into") and _audited(other, "idea.merge")
    # A merged idea cannot be merged again.
    with pytest.raises(TransitionNotAllowed):
        services.ideas_merge(actor=office, target=target, others=[other])
    with pytest.raises(NotPermitted):
        services.ideas_merge(actor=member, target=target, others=[third])


def test_turning_an_idea_into_a_project_carries_it_over(alliance, office):
    phase = PhaseFactory(alliance=alliance)
    organisation = OrganisationFactory(alliance=alliance, name="Bildungswerk Nord")
    idea = IdeaFactory(
        alliance=alliance,
        title="Pflege-Azubis gewinnen",
        text="Schülerinnen und Schüler für die Pflegeausbildung begeistern.",
        aim="Mehr Auszubildende in der Pflege",
        target_group="Schülerinnen und Schüler ab Klasse 8",
        districts="Landkreis Goslar",
        partners_sought="Pflegeschulen, Kliniken",
        organisation=organisation,
    )
    project = services.idea_to_project(
        actor=office, idea=idea, phase=phase, applicant_organisation=organisation
    )
    assert project.status == Status.IDEA
    assert project.title == "Pflege-Azubis gewinnen"
    assert project.goals == "Mehr Auszubildende in der Pflege"
    assert project.target_group == "Schülerinnen und Schüler ab Klasse 8"
    assert project.region == "Landkreis Goslar"
    assert "Bildungswerk Nord" in project.summary and "Pflegeschulen, Kliniken" in project.summary
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PROJECT and idea.project == project
    # The consultation the procedure begins with waits in the office's inbox, linked to both.
    from buendnis.office.models import Inquiry, Source

    inquiry = Inquiry.objects.get(project=project)
    assert (inquiry.source, inquiry.idea) == (Source.CONSULTATION, idea)
    assert "Pflege-Azubis gewinnen" in inquiry.messages.get().body
    with pytest.raises(TransitionNotAllowed):
        services.idea_to_project(
            actor=office, idea=idea, phase=phase, applicant_organisation=organisation
        )


def test_delete_is_the_offices_and_audited(alliance, office, member):
    idea = IdeaFactory(alliance=alliance, actor=member)
    with pytest.raises(NotPermitted):
        services.idea_delete(actor=member, idea=idea)
    pk = idea.pk
    services.idea_delete(actor=office, idea=idea)
    assert not Idea.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(object_id=str(pk), action="idea.delete").exists()


def test_subscribers_hear_of_a_new_idea_but_not_its_author(
    alliance, member, make_persona, django_capture_on_commit_callbacks
):
    from buendnis.notifications import services as notification_services
    from buendnis.notifications import topics
    from buendnis.notifications.models import Notification

    speaker = make_persona("speaker")
    for user in (speaker, member):
        notification_services.subscribe(user=user, alliance=alliance, topic=topics.IDEAS_ALL)
    with django_capture_on_commit_callbacks(execute=True):
        idea = services.idea_create(actor=member, alliance=alliance, title="Neu", text="Text")
    told = Notification.objects.get()
    assert (told.recipient, told.kind) == (speaker, "idea.created")
    assert told.link == f"/son/intern/ideen/{idea.pk}/"


def test_merging_ideas_linked_to_the_same_project_keeps_one_link(alliance, office):
    project = ProjectFactory(phase=PhaseFactory(alliance=alliance))
    target, other = IdeaFactory(alliance=alliance), IdeaFactory(alliance=alliance)
    services.idea_link(actor=office, idea=target, project=project)
    services.idea_link(actor=office, idea=other, project=project)
    services.idea_link(actor=office, idea=other, other_idea=target)
    services.ideas_merge(actor=office, target=target, others=[other])
    assert list(IdeaLink.objects.values_list("idea_id", "project_id")) == [(target.pk, project.pk)]


def test_only_open_ideas_are_introduced(alliance, office):
    first, second = IdeaFactory(alliance=alliance), IdeaFactory(alliance=alliance)
    services.idea_set_status(actor=office, idea=second, status=IdeaStatus.WITHDRAWN)
    with pytest.raises(TransitionNotAllowed):
        services.ideas_introduce(actor=office, idea=first, other=second)
    assert not mail.outbox and not IdeaLink.objects.exists()
