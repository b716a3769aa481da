"""Demo inquiries for SüdOstNiedersachsen's inbox, loaded after the alliances, projects and
meetings: the office's settings, four categories and two reply templates; a message through the
contact form that is overdue, a call the office recorded and works on, a consultation request of
the `antrag` login for one of its projects (its project page says „Beratung angefragt am …“), a
question of the `steuerkreis` login that the office answered by mail, and an older closed one, so
that the response times have something to show.

Everything goes through the services with `actor=None` (mail muted); the office's answers then
name the `geschaeftsstelle` login as their author, and arrival dates are moved into the past, as
time would have. People and texts are illustrative. A second load creates and changes nothing:
the inbox is filled only while it is empty.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from buendnis.accounts.models import Membership, Role, User
from buendnis.alliances.models import Alliance
from buendnis.funding.models import Project
from buendnis.funding.states import FINAL_STATES
from buendnis.office import notifications, rules, services
from buendnis.office.models import (
    Channel,
    Delivery,
    Inquiry,
    InquiryCategory,
    InquiryMessage,
    OfficeSettings,
    ReplyTemplate,
    Source,
    Status,
)

SON = "son"
CATEGORIES = ["Förderung", "Veranstaltungen", "Presse", "Mitarbeit im Bündnis"]
TEMPLATES = [
    (
        "Eingangsbestätigung",
        "Guten Tag {name},\n\nvielen Dank für Ihre Anfrage „{betreff}“ (Nr. {anfrage}). Wir "
        "melden uns in den nächsten Tagen bei Ihnen.\n\nMit freundlichen Grüßen\n{bearbeiter}\n"
        "{geschaeftsstelle}",
    ),
    (
        "Terminvorschlag Beratung",
        "Guten Tag {name},\n\ngern beraten wir Sie zu Ihrem Vorhaben. Passt Ihnen Dienstag, "
        "10 Uhr, in der Geschäftsstelle oder per Video?\n\nMit freundlichen Grüßen\n{bearbeiter}\n"
        "{geschaeftsstelle}",
    ),
]


def _backdate(inquiry: Inquiry, days: int, *, response_days: int) -> None:
    """Move an inquiry's arrival (and its first message) `days` into the past."""
    arrived = timezone.now() - timedelta(days=days)
    Inquiry.objects.filter(pk=inquiry.pk).update(
        created_at=arrived,
        due_on=rules.due_after(timezone.localdate(arrived), response_days),
    )
    first = inquiry.messages.order_by("sent_at", "id").first()
    if first is not None:
        InquiryMessage.objects.filter(pk=first.pk).update(sent_at=arrived)


def _by(author: User, answer: InquiryMessage, **fields: str) -> None:
    """The office's login wrote the answer the system recorded."""
    InquiryMessage.objects.filter(pk=answer.pk).update(author=author, **fields)


def _fill(alliance: Alliance) -> None:
    office = User.objects.get(username="geschaeftsstelle")
    settings = services.office_settings_save(
        actor=None, instance=OfficeSettings(alliance=alliance, response_days=5, retention_days=180)
    )
    days = settings.response_days
    categories = {
        name: services.category_save(
            actor=None,
            instance=InquiryCategory(alliance=alliance, name=name, position=position),
        )
        for position, name in enumerate(CATEGORIES)
    }
    for position, (name, body) in enumerate(TEMPLATES):
        services.reply_template_save(
            actor=None,
            instance=ReplyTemplate(alliance=alliance, name=name, body=body, position=position),
        )

    # Closed long ago, answered after a day: the response times' history.
    old = services.inquiry_submit_contact(
        alliance=alliance,
        name="Tobias Beispiel",
        email="tobias.beispiel@example.org",
        subject="Fachkräftekonferenz 2026",
        message="Wann findet die nächste Fachkräftekonferenz statt?",
    )
    _by(
        office,
        services.inquiry_reply(
            actor=None,
            inquiry=old,
            body="Guten Tag {name},\n\ndie Konferenz ist am 12. November.\n\n{geschaeftsstelle}",
            status_after=Status.DONE,
        ),
    )
    _backdate(old, 40, response_days=days)
    Inquiry.objects.filter(pk=old.pk).update(
        first_answered_at=timezone.now() - timedelta(days=39),
        closed_at=timezone.now() - timedelta(days=39),
        category=categories["Veranstaltungen"],
    )

    # Through the contact form, nobody has it yet, overdue.
    late = services.inquiry_submit_contact(
        alliance=alliance,
        name="Jana Beispiel",
        email="jana.beispiel@example.org",
        subject="Zuschuss für Sprachkurse im Betrieb?",
        message=(
            "Guten Tag, wir sind ein Pflegedienst mit 40 Beschäftigten und möchten Sprachkurse "
            "für neue Kolleginnen anbieten. Gibt es dafür Fördermittel über das Bündnis?"
        ),
    )
    _backdate(late, 9, response_days=days)

    # A call the office recorded and works on.
    call = services.inquiry_record(
        actor=None,
        alliance=alliance,
        source=Source.PHONE,
        subject="Rückruf: Stand beim Projektmarkt",
        message="Möchte beim nächsten Projektmarkt einen Stand; bittet um Rückruf mit den Bedingungen.",
        asker_name="Herr Beispiel (Arbeitgeberverband)",
        asker_phone="0531 000000",
        category=categories["Veranstaltungen"],
        assigned_to=office,
    )
    services.inquiry_set_status(actor=None, inquiry=call, status=Status.IN_PROGRESS)
    _backdate(call, 2, response_days=days)

    # The applicant asks for a consultation of an open project of its organisation.
    applicant = User.objects.get(username="antrag")
    organisation_ids = Membership.objects.filter(
        user=applicant, alliance=alliance, role=Role.APPLICANT
    ).values_list("organisation_id", flat=True)
    project = (
        Project.objects.filter(alliance=alliance, applicant_organisation_id__in=organisation_ids)
        .exclude(status__in=FINAL_STATES)
        .order_by("created_at", "id")
        .first()
    )
    if project is not None:
        request = services.inquiry_request_consultation(
            actor=None,
            asker=applicant,
            project=project,
            message="Wir möchten die Zielgruppe und die Kofinanzierung besprechen.",
            availability="dienstags und donnerstags vormittags",
        )
        Inquiry.objects.filter(pk=request.inquiry.pk).update(category=categories["Förderung"])
        _backdate(request.inquiry, 1, response_days=days)

    # A member's question, answered by mail.
    member = User.objects.get(username="steuerkreis")
    question = services.inquiry_ask(
        actor=None,
        asker=member,
        alliance=alliance,
        subject="Unterlagen zur nächsten Steuerkreissitzung",
        message="Wann kommen die Unterlagen zur nächsten Sitzung? Ich möchte sie mit dem Rat abstimmen.",
    )
    _backdate(question, 3, response_days=days)
    answer = services.inquiry_reply(
        actor=None,
        inquiry=question,
        body=(
            "Guten Tag {name},\n\ndie Unterlagen gehen zwei Wochen vor der Sitzung mit der "
            "Einladung heraus.\n\nMit freundlichen Grüßen\n{geschaeftsstelle}"
        ),
        channel=Channel.EMAIL,
    )
    # Mail is muted during the load: the demo pretends the answer went out.
    _by(office, answer, delivery=Delivery.SENT)


def load_demo_inquiries() -> int:
    """Fill SüdOstNiedersachsen's inbox once; returns how many inquiries were created (0 when
    loaded, or without the demo alliance)."""
    alliance = Alliance.objects.filter(slug=SON).first()
    if alliance is None or Inquiry.objects.filter(alliance=alliance).exists():
        return 0
    with notifications.muted(), transaction.atomic():
        _fill(alliance)
    return Inquiry.objects.filter(alliance=alliance).count()
