"""The inbox's services: new inquiries from every source, the office's work on them (moves, due
dates, assignment, links, notes), answers by mail with their threading headers, mail that comes
back, erasure and export. Every write leaves an audit row without personal data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from buendnis.accounts.models import Role, User
from buendnis.core.errors import NotPermitted, StaleEdit, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.funding.models import Project
from buendnis.office import export, rules, selectors, services
from buendnis.office.incoming import IncomingMail
from buendnis.office.models import (
    Channel,
    Delivery,
    Direction,
    Inquiry,
    InquiryMessage,
    InquiryNote,
    OfficeSettings,
    ReplyTemplate,
    Source,
    Status,
)
from buendnis.office.services import MailOutcome
from tests.factories import (
    AllianceStructure,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    applicant_of,
    project_in_state,
)

from .factories import category, contact_inquiry, reply_template, stored_inquiry

pytestmark = pytest.mark.django_db

PERSONAL = ["Erika Fragesteller", "erika.frage@example.org", "Wie beantrage", "Frage zur Förderung"]


def _audit_text() -> str:
    """Every audit row as text: personal data must never be in it (the audit trail is
    append-only and survives every erasure)."""
    return " ".join(
        f"{row.object_repr} {row.changes} {row.comment} {row.from_state} {row.to_state}"
        for row in AuditEntry.objects.all()
    )


def _incoming(**fields: Any) -> IncomingMail:
    values: dict[str, Any] = {
        "message_id": "<antwort-1@mail.example.org>",
        "in_reply_to": [],
        "references": [],
        "from_name": "Erika Fragesteller",
        "from_email": "erika.frage@example.org",
        "subject": "Re: Frage",
        "sent_at": None,
        "body": "Danke, das hilft!",
    }
    values.update(fields)
    return IncomingMail(**values)


# --- New inquiries --------------------------------------------------------------------------------


def test_contact_form_inquiry(
    site: AllianceStructure, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = contact_inquiry(site.alliance, subject="Frage\r\nBcc: x@example.org")
    assert inquiry.source == Source.CONTACT_FORM and inquiry.status == Status.NEW
    assert inquiry.subject == "Frage Bcc: x@example.org"
    assert inquiry.due_on == rules.working_days_after(timezone.localdate(), 5)
    first = inquiry.messages.get()
    assert (first.direction, first.channel, first.body) == (
        Direction.IN,
        Channel.WEB,
        "Wie beantrage ich einen Zuschuss?",
    )
    assert first.author_email == "erika.frage@example.org"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [site.alliance.office_email]
    entry = AuditEntry.objects.get(action="inquiry.create")
    assert entry.object_repr == f"Anfrage #{inquiry.pk}" and entry.to_state == Status.NEW
    for text in PERSONAL:
        assert text not in _audit_text()


def test_due_date_follows_the_alliances_response_target(site: AllianceStructure) -> None:
    OfficeSettings.objects.create(alliance=site.alliance, response_days=2)
    inquiry = contact_inquiry(site.alliance)
    assert inquiry.due_on == rules.working_days_after(timezone.localdate(), 2)


def test_member_question_links_the_members_organisation(
    site: AllianceStructure, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    member = UserFactory(username="steuer", first_name="Sven", last_name="Steuer")
    MembershipFactory(
        user=member,
        alliance=site.alliance,
        role=Role.STEERING,
        organisation=site.organisations["union"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = services.inquiry_ask(
            actor=member, alliance=site.alliance, subject=" Frage\n zur Sitzung ", message="Wann?"
        )
    assert inquiry.source == Source.MEMBER and inquiry.asker_user == member
    assert inquiry.subject == "Frage zur Sitzung"
    assert inquiry.asker_name == "Sven Steuer" and inquiry.asker_email == member.email
    assert inquiry.organisation == site.organisations["union"]
    assert "Frage an die Geschäftsstelle" in mail.outbox[0].subject


def test_member_question_needs_an_internal_role(
    site: AllianceStructure, make_persona: Callable[[str], User | None]
) -> None:
    applicant = make_persona("applicant")
    with pytest.raises(NotPermitted):
        services.inquiry_ask(actor=applicant, alliance=site.alliance, subject="S", message="M")  # type: ignore[arg-type]
    member = make_persona("member")
    with pytest.raises(ValidationError) as refused:
        services.inquiry_ask(actor=member, alliance=site.alliance, subject=" ", message=" ")  # type: ignore[arg-type]
    assert "Bitte geben Sie einen Betreff ein." in str(refused.value)


def test_consultation_request_and_a_second_one(
    site: AllianceStructure, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    project = ProjectFactory(phase=site.phase, applicant_organisation=site.organisations["city"])
    applicant = applicant_of(project)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.inquiry_request_consultation(
            actor=applicant, project=project, message="Bitte um Termin", availability="montags"
        )
    assert first.created
    inquiry = first.inquiry
    assert (inquiry.source, inquiry.project, inquiry.organisation) == (
        Source.CONSULTATION,
        project,
        project.applicant_organisation,
    )
    assert inquiry.assigned_to is None and inquiry.status == Status.NEW
    assert "Mögliche Termine: montags" in first.message.body
    assert selectors.open_consultation(project) == inquiry
    # The office waits for the applicant; the applicant writes again: no second inquiry.
    Inquiry.objects.filter(pk=inquiry.pk).update(status=Status.WAITING)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.inquiry_request_consultation(
            actor=applicant, project=project, message="Noch eine Frage", phone="0531 1"
        )
    assert not second.created and second.inquiry.pk == inquiry.pk
    inquiry.refresh_from_db()
    assert inquiry.status == Status.IN_PROGRESS and inquiry.asker_phone == "0531 1"
    assert inquiry.messages.count() == 2
    assert len(mail.outbox) == 2 and "erneut" in mail.outbox[1].body
    # Someone else's applicant may not ask for this project.
    stranger = applicant_of(ProjectFactory(phase=site.phase))
    with pytest.raises(NotPermitted):
        services.inquiry_request_consultation(actor=stranger, project=project, message="x")


def test_the_same_consultation_request_twice_writes_nothing(
    site: AllianceStructure, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """A double click or the back button: the same message of the same person again."""
    project = ProjectFactory(phase=site.phase, applicant_organisation=site.organisations["city"])
    applicant = applicant_of(project)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.inquiry_request_consultation(
            actor=applicant, project=project, message="Bitte um Termin"
        )
        audit = AuditEntry.objects.count()
        again = services.inquiry_request_consultation(
            actor=applicant, project=project, message="Bitte um Termin"
        )
    assert (again.created, again.repeated) == (False, True)
    assert (again.inquiry, again.message) == (first.inquiry, first.message)
    assert first.inquiry.messages.count() == 1
    assert AuditEntry.objects.count() == audit
    assert len(mail.outbox) == 1
    # Another message, or the same after the office answered, joins the thread.
    other = services.inquiry_request_consultation(
        actor=applicant, project=project, message="Und noch eine Frage"
    )
    assert (other.created, other.repeated) == (False, False)
    assert first.inquiry.messages.count() == 2


def test_no_consultation_request_once_the_bank_has_granted(site: AllianceStructure) -> None:
    from buendnis.funding.states import Status as ProjectStatus

    project = project_in_state(site, ProjectStatus.GRANTED)
    with pytest.raises(TransitionNotAllowed, match="Verfahren des Bündnisses vorüber"):
        services.inquiry_request_consultation(
            actor=applicant_of(project), project=project, message="Eine Frage"
        )
    assert not Inquiry.objects.filter(project=project).exists()


def test_office_records_a_call(site: AllianceStructure, office: User, colleague: User) -> None:
    topic = category(site.alliance)
    project = ProjectFactory(phase=site.phase)
    inquiry = services.inquiry_record(
        actor=office,
        alliance=site.alliance,
        source=Source.PHONE,
        subject="Rückruf erbeten",
        message="Fragt nach Fristen",
        asker_name="Herr Anrufer",
        asker_phone="0531 999",
        category=topic,
        project=project,
        assigned_to=colleague,
    )
    assert inquiry.created_by == office and inquiry.assigned_to == colleague
    assert inquiry.messages.get().channel == Channel.PHONE


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"source": Source.CONTACT_FORM}, "source", "Telefon, Brief oder E-Mail"),
        ({"subject": "  "}, "subject", "Betreff"),
        ({"asker_name": "", "asker_phone": ""}, "asker_name", "wer gefragt hat"),
        ({"source": Source.EMAIL}, "asker_email", "braucht die Adresse"),
        ({"asker_email": "keine-adresse"}, "asker_email", "gültige E-Mail-Adresse"),
        ({"message": ""}, "message", "Inhalt der Anfrage"),
    ],
)
def test_recording_refuses_bad_input(
    site: AllianceStructure, office: User, changes: dict[str, str], field: str, message: str
) -> None:
    data: dict[str, Any] = {
        "source": Source.PHONE,
        "subject": "Rückruf",
        "message": "Text",
        "asker_name": "Herr Anrufer",
        "asker_phone": "0531 1",
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        services.inquiry_record(actor=office, alliance=site.alliance, **data)
    assert message in " ".join(refused.value.message_dict[field])
    assert Inquiry.objects.count() == 0


def test_recording_refuses_records_of_another_alliance_and_non_office_assignees(
    site: AllianceStructure, other_site: AllianceStructure, office: User
) -> None:
    member = UserFactory(username="member2")
    MembershipFactory(user=member, alliance=site.alliance, role=Role.STEERING)
    with pytest.raises(ValidationError) as refused:
        services.inquiry_record(
            actor=office,
            alliance=site.alliance,
            source=Source.LETTER,
            subject="Brief",
            message="Text",
            asker_name="Frau Schreiber",
            organisation=other_site.organisations["city"],
            category=category(other_site.alliance),
            assigned_to=member,
        )
    assert set(refused.value.message_dict) == {"organisation", "category", "assigned_to"}


def test_only_the_office_records(site: AllianceStructure, make_persona: Callable[..., Any]) -> None:
    with pytest.raises(NotPermitted):
        services.inquiry_record(
            actor=make_persona("speaker"),
            alliance=site.alliance,
            source=Source.PHONE,
            subject="x",
            message="y",
            asker_name="z",
        )


# --- Working on an inquiry ------------------------------------------------------------------------


def _update(inquiry: Inquiry, actor: User, **changes: Any) -> Inquiry:
    data: dict[str, Any] = {
        "expected_version": inquiry.version,
        "status": inquiry.status,
        "assigned_to": inquiry.assigned_to,
        "due_on": inquiry.due_on,
        "category": inquiry.category,
        "organisation": inquiry.organisation,
        "project": inquiry.project,
        **changes,
    }
    return services.inquiry_update(actor=actor, inquiry=inquiry, **data)


def test_update_moves_assigns_dates_and_links_with_one_audit_row_each(
    site: AllianceStructure, office: User, colleague: User
) -> None:
    inquiry = contact_inquiry(site.alliance)
    project = ProjectFactory(phase=site.phase)
    topic = category(site.alliance)
    due = inquiry.due_on + timedelta(days=3)
    updated = _update(
        inquiry,
        office,
        status=Status.IN_PROGRESS,
        assigned_to=colleague,
        due_on=due,
        category=topic,
        organisation=site.organisations["ihk"],
        project=project,
    )
    assert (updated.status, updated.assigned_to, updated.due_on) == (
        Status.IN_PROGRESS,
        colleague,
        due,
    )
    assert (updated.category, updated.organisation, updated.project) == (
        topic,
        site.organisations["ihk"],
        project,
    )
    assert updated.version == inquiry.version + 1
    actions = list(
        AuditEntry.objects.filter(object_type="office.inquiry", object_id=str(inquiry.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "inquiry.create",
        "inquiry.status",
        "inquiry.assign",
        "inquiry.due",
        "inquiry.link",
    ]
    link = AuditEntry.objects.get(action="inquiry.link")
    assert link.changes == {
        "category": [None, topic.pk],
        "organisation": [None, site.organisations["ihk"].pk],
        "project": [None, project.pk],
    }
    # Nothing changed: nothing written.
    written = AuditEntry.objects.count()
    again = _update(updated, office)
    assert again.version == updated.version
    assert AuditEntry.objects.count() == written


def test_closing_and_reopening(site: AllianceStructure, office: User) -> None:
    inquiry = contact_inquiry(site.alliance)
    closed = services.inquiry_set_status(actor=office, inquiry=inquiry, status=Status.DONE)
    assert closed.closed_at is not None and closed.closed_by == office
    reopened = services.inquiry_set_status(actor=office, inquiry=closed, status=Status.IN_PROGRESS)
    assert reopened.closed_at is None and reopened.closed_by is None
    with pytest.raises(TransitionNotAllowed) as refused:
        services.inquiry_set_status(actor=office, inquiry=reopened, status=Status.NEW)
    assert "„in Bearbeitung“ kann nicht auf „neu“" in str(refused.value)
    entry = AuditEntry.objects.filter(action="inquiry.status").order_by("id").last()
    assert entry is not None and (entry.from_state, entry.to_state) == (Status.DONE, "in_progress")


def test_update_refuses_a_stale_form_and_a_wrong_move(
    site: AllianceStructure, office: User, colleague: User
) -> None:
    inquiry = contact_inquiry(site.alliance)
    stale = Inquiry.objects.get(pk=inquiry.pk)
    _update(inquiry, colleague, status=Status.WAITING)
    with pytest.raises(StaleEdit):
        _update(stale, office, status=Status.DONE)
    fresh = Inquiry.objects.get(pk=inquiry.pk)
    with pytest.raises(ValidationError) as refused:
        _update(fresh, office, status=Status.NEW, due_on=None)
    assert set(refused.value.message_dict) == {"status", "due_on"}
    assert Inquiry.objects.get(pk=inquiry.pk).status == Status.WAITING


def test_update_refuses_another_alliances_project_and_a_non_office_assignee(
    site: AllianceStructure, other_site: AllianceStructure, office: User
) -> None:
    inquiry = contact_inquiry(site.alliance)
    member = UserFactory(username="steuer2")
    MembershipFactory(user=member, alliance=site.alliance, role=Role.STEERING)
    with pytest.raises(ValidationError) as refused:
        _update(inquiry, office, project=ProjectFactory(phase=other_site.phase), assigned_to=member)
    assert set(refused.value.message_dict) == {"project", "assigned_to"}


def test_only_the_office_works_on_inquiries(
    site: AllianceStructure, make_persona: Callable[..., Any]
) -> None:
    inquiry = contact_inquiry(site.alliance)
    for persona in ("ministry", "speaker", "outsider"):
        user = make_persona(persona)
        with pytest.raises(NotPermitted):
            services.inquiry_set_status(actor=user, inquiry=inquiry, status=Status.DONE)
        with pytest.raises(NotPermitted):
            services.inquiry_note_add(actor=user, inquiry=inquiry, body="x")
        with pytest.raises(NotPermitted):
            services.inquiry_reply(actor=user, inquiry=inquiry, body="x")


def test_notes_are_internal(site: AllianceStructure, office: User) -> None:
    inquiry = contact_inquiry(site.alliance)
    note = services.inquiry_note_add(actor=office, inquiry=inquiry, body=" Rückruf am Montag ")
    assert note.body == "Rückruf am Montag" and note.author == office
    assert AuditEntry.objects.get(action="inquiry.note").changes == {"note": note.pk}
    with pytest.raises(ValidationError):
        services.inquiry_note_add(actor=office, inquiry=inquiry, body="  ")


# --- Answers --------------------------------------------------------------------------------------


def test_answer_by_mail_with_template_and_threading_headers(
    site: AllianceStructure,
    office: User,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.BUENDNIS_MAIL_DOMAIN = "portal.example.org"
    settings.BUENDNIS_INQUIRY_REPLY_TO = "anfragen@portal.example.org"
    settings.DEFAULT_FROM_EMAIL = "Bündnisportal <noreply@portal.example.org>"
    inquiry = contact_inquiry(site.alliance)
    # The person had answered by mail once: the answer replies to that mail.
    asked = InquiryMessage.objects.create(
        inquiry=inquiry,
        direction=Direction.IN,
        channel=Channel.EMAIL,
        body="Nachtrag",
        message_id="<nachtrag@mail.example.org>",
        references="<root@mail.example.org>",
    )
    template = reply_template(site.alliance)
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.inquiry_reply(actor=office, inquiry=inquiry, body=template.body)
    assert answer.body.startswith("Guten Tag Erika Fragesteller,")
    assert "„Frage zur Förderung“" in answer.body and "Maria Lindner" in answer.body
    assert site.alliance.office_host in answer.body
    assert answer.message_id.endswith("@portal.example.org>")
    assert answer.in_reply_to == asked.message_id
    assert answer.references == "<root@mail.example.org> <nachtrag@mail.example.org>"
    answer.refresh_from_db()
    assert answer.delivery == Delivery.SENT
    inquiry.refresh_from_db()
    assert inquiry.status == Status.WAITING and inquiry.first_answered_at is not None
    sent = mail.outbox[-1]
    assert sent.subject == f"Re: Frage zur Förderung [Anfrage #{inquiry.pk}]"
    assert sent.to == ["Erika Fragesteller <erika.frage@example.org>"]
    assert sent.reply_to == ["anfragen@portal.example.org"]
    raw = message_from_bytes(sent.message().as_bytes(), policy=policy.default)
    # (A long header is folded onto a second line: its value starts with the fold's space.)
    assert raw["Message-ID"].strip() == answer.message_id
    assert raw["In-Reply-To"].strip() == "<nachtrag@mail.example.org>"
    assert raw["References"].strip() == "<root@mail.example.org> <nachtrag@mail.example.org>"
    assert raw["From"].addresses[0].addr_spec == "noreply@portal.example.org"
    assert "SüdOstNiedersachsen" in raw["From"].addresses[0].display_name
    entry = AuditEntry.objects.get(action="inquiry.reply")
    assert entry.changes == {"message": answer.pk, "channel": Channel.EMAIL}
    for text in PERSONAL:
        assert text not in _audit_text()


def test_first_answer_to_a_contact_message_starts_the_thread(
    site: AllianceStructure, office: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    inquiry = contact_inquiry(site.alliance)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.inquiry_reply(actor=office, inquiry=inquiry, body="Erste Antwort")
        second = services.inquiry_reply(
            actor=office, inquiry=inquiry, body="Zweite Antwort", status_after=Status.DONE
        )
    assert first.in_reply_to == "" and first.references == ""
    # The second answer replies to the first one (the person has not written by mail).
    assert second.in_reply_to == first.message_id and second.references == first.message_id
    inquiry.refresh_from_db()
    assert inquiry.first_answered_at == first.sent_at and inquiry.status == Status.DONE
    assert inquiry.closed_by == office


def test_answer_placeholders_cannot_inject_templates(
    site: AllianceStructure, office: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    inquiry = contact_inquiry(site.alliance, name="{betreff} {{ settings.SECRET_KEY }}")
    body = "Hallo {name}! {{ settings.SECRET_KEY }} {% now 'Y' %} {name.__class__}"
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.inquiry_reply(actor=office, inquiry=inquiry, body=body)
    assert answer.body == (
        "Hallo {betreff} {{ settings.SECRET_KEY }}! {{ settings.SECRET_KEY }} {% now 'Y' %} "
        "{name.__class__}"
    )
    assert "test-only-not-secret" not in mail.outbox[-1].body


def test_answer_by_phone_is_recorded_not_sent(site: AllianceStructure, office: User) -> None:
    inquiry = services.inquiry_record(
        actor=office,
        alliance=site.alliance,
        source=Source.PHONE,
        subject="Rückruf",
        message="Frage",
        asker_name="Herr Anrufer",
    )
    with pytest.raises(ValidationError) as refused:
        services.inquiry_reply(actor=office, inquiry=inquiry, body="Antwort")
    assert "keine E-Mail-Adresse bekannt" in str(refused.value)
    answer = services.inquiry_reply(
        actor=office,
        inquiry=inquiry,
        body="Am Telefon erklärt",
        channel=Channel.PHONE,
        status_after=Status.DONE,
    )
    assert answer.message_id == "" and answer.delivery == Delivery.NONE
    assert mail.outbox == []


def test_a_failed_mail_is_marked_and_sent_again(
    site: AllianceStructure,
    office: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    inquiry = contact_inquiry(site.alliance)

    def broken(*args: Any, **kwargs: Any) -> int:
        raise OSError("Mailserver weg")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.inquiry_reply(actor=office, inquiry=inquiry, body="Antwort")
    answer.refresh_from_db()
    assert answer.delivery == Delivery.FAILED
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        resent = services.inquiry_reply_resend(actor=office, message=answer)
    resent.refresh_from_db()
    assert resent.delivery == Delivery.SENT and len(mail.outbox) == 1
    with pytest.raises(TransitionNotAllowed):
        services.inquiry_reply_resend(actor=office, message=resent)


@pytest.mark.django_db(transaction=True)
def test_with_the_queue_the_worker_marks_a_refused_answer(
    site: AllianceStructure, office: User
) -> None:
    # The answer is its own task that sends to the real mail server: a refusal in the worker
    # still marks it for sending again (not merely "queued").
    from django.core.management import call_command
    from django.test import override_settings

    queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mailers = {
        "default": {"BACKEND": "buendnis.core.mail.TaskMailBackend"},
        "outgoing": {"BACKEND": "tests.core.test_mail_queue.RefusingBackend"},
    }

    def work_off_queue() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    inquiry = contact_inquiry(site.alliance)
    mail.outbox = []
    with override_settings(TASKS=queue, MAILERS=mailers):
        answer = services.inquiry_reply(actor=office, inquiry=inquiry, body="Antwort")
        answer.refresh_from_db()
        assert answer.delivery == Delivery.PENDING
        work_off_queue()
        answer.refresh_from_db()
        assert answer.delivery == Delivery.FAILED
        locmem = {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
        with override_settings(MAILERS={**mailers, "outgoing": locmem}):
            services.inquiry_reply_resend(actor=office, message=answer)
            assert mail.outbox == []
            work_off_queue()
    answer.refresh_from_db()
    assert answer.delivery == Delivery.SENT
    (sent,) = mail.outbox
    assert sent.extra_headers["Message-ID"] == answer.message_id


def test_answer_refuses_a_wrong_move(site: AllianceStructure, office: User) -> None:
    inquiry = stored_inquiry(site.alliance, status=Status.DONE)
    with pytest.raises(ValidationError) as refused:
        services.inquiry_reply(actor=office, inquiry=inquiry, body="x", status_after=Status.WAITING)
    assert "status_after" in refused.value.message_dict
    assert not InquiryMessage.objects.filter(direction=Direction.OUT).exists()


# --- Mail that came back --------------------------------------------------------------------------


def _answered(site: AllianceStructure, office: User) -> tuple[Inquiry, InquiryMessage]:
    inquiry = contact_inquiry(site.alliance)
    answer = services.inquiry_reply(actor=office, inquiry=inquiry, body="Antwort")
    return inquiry, answer


def test_answer_by_in_reply_to_joins_and_reopens(
    site: AllianceStructure,
    office: User,
    colleague: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    inquiry, answer = _answered(site, office)
    Inquiry.objects.filter(pk=inquiry.pk).update(status=Status.DONE, assigned_to=colleague)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.inquiry_receive_mail(
            mail=_incoming(in_reply_to=[answer.message_id], subject="AW: etwas anderes")
        )
    assert outcome == MailOutcome.STORED
    inquiry.refresh_from_db()
    assert inquiry.status == Status.IN_PROGRESS and inquiry.closed_at is None
    came = inquiry.messages.get(message_id="<antwort-1@mail.example.org>")
    assert came.direction == Direction.IN and came.body == "Danke, das hilft!"
    assert came.in_reply_to == answer.message_id
    # Whoever has the inquiry hears of it.
    assert mail.outbox[-1].to == [colleague.email]
    # The same mail again: stored once.
    assert services.inquiry_receive_mail(mail=_incoming()) == MailOutcome.DUPLICATE
    assert inquiry.messages.count() == 3


def test_an_answer_is_never_dated_before_the_message_it_answers(
    site: AllianceStructure, office: User
) -> None:
    """The Date header is the sender's clock in whole seconds: a clock behind ours (or an answer
    within the second) must not put the answer above our mail in the thread."""
    inquiry, answer = _answered(site, office)
    sent = timezone.now() - timedelta(minutes=10)
    InquiryMessage.objects.filter(pk=answer.pk).update(sent_at=sent)
    inquiry.messages.exclude(pk=answer.pk).update(sent_at=sent - timedelta(hours=1))
    mail_in = _incoming(in_reply_to=[answer.message_id], sent_at=sent - timedelta(minutes=3))
    assert services.inquiry_receive_mail(mail=mail_in) == MailOutcome.STORED
    came = inquiry.messages.get(message_id="<antwort-1@mail.example.org>")
    assert came.sent_at == sent
    assert selectors.thread(inquiry)[-1] == came
    # A plausible date is kept as the sender gave it.
    later = sent + timedelta(seconds=30)
    again = _incoming(
        message_id="<antwort-2@mail.example.org>", in_reply_to=[answer.message_id], sent_at=later
    )
    assert services.inquiry_receive_mail(mail=again) == MailOutcome.STORED
    assert inquiry.messages.get(message_id="<antwort-2@mail.example.org>").sent_at == later


def test_answer_by_references_when_in_reply_to_is_unknown(
    site: AllianceStructure, office: User
) -> None:
    inquiry, answer = _answered(site, office)
    mail_in = _incoming(in_reply_to=["<fremd@x>"], references=[answer.message_id, "<fremd@x>"])
    assert services.inquiry_receive_mail(mail=mail_in) == MailOutcome.STORED
    assert inquiry.messages.filter(direction=Direction.IN).count() == 2


def test_answer_by_the_subjects_token_only_from_the_askers_address(
    site: AllianceStructure, office: User
) -> None:
    inquiry, _answer = _answered(site, office)
    subject = f"Re: Frage [Anfrage #{inquiry.pk}]"
    stranger = _incoming(subject=subject, from_email="fremd@example.org")
    assert services.inquiry_receive_mail(mail=stranger) == MailOutcome.UNMATCHED
    asker = _incoming(subject=subject, from_email="ERIKA.frage@example.org")
    assert services.inquiry_receive_mail(mail=asker) == MailOutcome.STORED


def test_unknown_and_automatic_mail_is_left_alone(site: AllianceStructure, office: User) -> None:
    inquiry, answer = _answered(site, office)
    assert services.inquiry_receive_mail(mail=_incoming()) == MailOutcome.UNMATCHED
    out_of_office = _incoming(in_reply_to=[answer.message_id], automatic=True)
    assert services.inquiry_receive_mail(mail=out_of_office) == MailOutcome.AUTOMATIC
    assert inquiry.messages.count() == 2


def test_an_erased_inquiry_takes_no_more_mail(site: AllianceStructure, office: User) -> None:
    inquiry, answer = _answered(site, office)
    services.inquiry_erase(actor=None, inquiry=inquiry)
    assert (
        services.inquiry_receive_mail(mail=_incoming(in_reply_to=[answer.message_id]))
        == MailOutcome.UNMATCHED
    )


# --- Erasure and export ---------------------------------------------------------------------------


def test_erase_after_the_retention_period(
    site: AllianceStructure, other_site: AllianceStructure, office: User
) -> None:
    OfficeSettings.objects.create(alliance=site.alliance, retention_days=30)
    now = timezone.now()
    old = now - timedelta(days=31)
    due = stored_inquiry(site.alliance, status=Status.DONE, created_at=old, source=Source.PHONE)
    services.inquiry_note_add(actor=office, inquiry=due, body="Rief wegen Erika an")
    Inquiry.objects.filter(pk=due.pk).update(first_answered_at=old + timedelta(hours=5))
    fresh = stored_inquiry(site.alliance, status=Status.DONE, created_at=now - timedelta(days=29))
    still_open = stored_inquiry(site.alliance, status=Status.WAITING, created_at=old)
    member_question = stored_inquiry(
        site.alliance, status=Status.DONE, created_at=old, source=Source.MEMBER
    )
    consultation = stored_inquiry(
        site.alliance, status=Status.DONE, created_at=old, source=Source.CONSULTATION
    )
    # The other alliance keeps the default (180 days).
    elsewhere = stored_inquiry(other_site.alliance, status=Status.DONE, created_at=old)

    assert services.inquiries_erase_due(now=now) == {site.alliance.pk: 1}

    due.refresh_from_db()
    assert due.erased_at is not None
    assert (due.asker_name, due.asker_email, due.asker_phone) == ("", "", "")
    assert due.subject == services.ERASED_SUBJECT
    assert list(due.messages.values_list("body", "author_name", "author_email")) == [("", "", "")]
    assert list(InquiryNote.objects.filter(inquiry=due).values_list("body", flat=True)) == [""]
    # What the statistics need stays.
    assert due.first_answered_at is not None and due.source == Source.PHONE
    assert due.status == Status.DONE and due.closed_at is not None
    for kept in (fresh, still_open, member_question, consultation, elsewhere):
        kept.refresh_from_db()
        assert kept.erased_at is None and kept.asker_name == "Olaf Gespeichert"
    entry = AuditEntry.objects.get(action="inquiry.erase")
    assert entry.actor is None and entry.object_id == str(due.pk)
    assert entry.changes["messages"] == 1 and entry.changes["notes"] == 1
    assert "Olaf" not in _audit_text() and "Erika" not in _audit_text()
    # Nothing left to do the second time.
    assert services.inquiries_erase_due(now=now) == {}
    assert AuditEntry.objects.filter(action="inquiry.erase").count() == 1
    # An erased inquiry is frozen.
    with pytest.raises(TransitionNotAllowed):
        services.inquiry_set_status(actor=office, inquiry=due, status=Status.IN_PROGRESS)


def test_export_of_a_persons_inquiries(
    site: AllianceStructure,
    other_site: AllianceStructure,
    office: User,
    make_persona: Callable[..., Any],
) -> None:
    mine = contact_inquiry(site.alliance, email="Erika.Frage@example.org")
    services.inquiry_note_add(actor=office, inquiry=mine, body="Notiz")
    services.inquiry_reply(actor=office, inquiry=mine, body="Antwort an {name}")
    contact_inquiry(site.alliance, email="andere@example.org")
    contact_inquiry(other_site.alliance, email="erika.frage@example.org")
    found = selectors.inquiries_of_person(site.alliance, " erika.frage@EXAMPLE.org ")
    assert [inquiry.pk for inquiry in found] == [mine.pk]
    document = export.export_document(
        site.alliance, "erika.frage@example.org", found, now=timezone.now()
    )
    assert document["anzahl"] == 1
    entry = document["anfragen"][0]
    assert entry["nummer"] == mine.pk and entry["eingang_ueber"] == "Kontaktformular"
    assert [m["text"] for m in entry["nachrichten"]] == [
        "Wie beantrage ich einen Zuschuss?",
        "Antwort an Erika Fragesteller",
    ]
    assert entry["interne_notizen"][0]["text"] == "Notiz"
    services.inquiry_export_record(actor=office, alliance=site.alliance, inquiries=found)
    audit = AuditEntry.objects.get(action="inquiry.export")
    assert audit.changes == {"inquiries": [mine.pk]} and audit.alliance == site.alliance
    assert "erika" not in _audit_text().lower()
    with pytest.raises(NotPermitted):
        services.inquiry_export_record(
            actor=make_persona("ministry"), alliance=site.alliance, inquiries=found
        )


# --- Reply templates (the admin) ------------------------------------------------------------------


def test_reply_template_refuses_unknown_placeholders(site: AllianceStructure, office: User) -> None:
    template = ReplyTemplate(alliance=site.alliance, name="Vorlage", body="Hallo {Name} {foo}")
    with pytest.raises(ValidationError) as refused:
        services.reply_template_save(actor=office, instance=template)
    assert "Unbekannte Platzhalter: {Name}, {foo}" in str(refused.value)
    template.body = "Hallo {name}"
    services.reply_template_save(actor=office, instance=template)
    assert AuditEntry.objects.filter(action="reply_template.create").count() == 1


def test_project_link_survives_nothing_but_its_project(site: AllianceStructure) -> None:
    project = ProjectFactory(phase=site.phase)
    inquiry = stored_inquiry(site.alliance, project=project)
    Project.objects.filter(pk=project.pk).delete()
    inquiry.refresh_from_db()
    assert inquiry.project is None


def test_a_recorded_consultation_closes_the_request(make_persona):
    from django.utils import timezone

    from buendnis.accounts.models import Membership, Role
    from buendnis.funding import services as funding_services
    from buendnis.funding.states import Status as ProjectStatus
    from buendnis.office.models import Inquiry, Source
    from buendnis.office.models import Status as InquiryStatus
    from tests.factories import PhaseFactory, project_in_state

    office = make_persona("office")
    alliance = Membership.objects.get(user=office, role=Role.OFFICE).alliance
    project = project_in_state(PhaseFactory(alliance=alliance), ProjectStatus.IDEA)
    services.inquiry_request_consultation(actor=office, project=project, message="Bitte beraten")
    funding_services.consultation_record(
        actor=office, project=project, held_on=timezone.localdate(), participants="Frau A., Herr B."
    )
    inquiry = Inquiry.objects.get(project=project, source=Source.CONSULTATION)
    assert inquiry.status == InquiryStatus.DONE
    assert "Frau A., Herr B." in inquiry.notes.get().body
