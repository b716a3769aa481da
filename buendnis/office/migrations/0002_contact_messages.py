"""Every message of the old contact inbox (public.ContactMessage) becomes an inquiry of the
contact form: its text the first message of the thread, its time of arrival kept; a handled one is
closed ("erledigt") at the time and by the person who handled it. Each gets an audit row that
names the old message's number, so the old rows' history (contact_message.handled) stays
traceable. Nothing of the old record is dropped.

Reversible: going back copies the contact form's inquiries into the old table again (their first
message as the text) and removes them from the inbox. The rules are copied here, not imported:
a migration must not change when the code does.
"""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

RESPONSE_DAYS = 5  # the default of OfficeSettings: no alliance has settings yet


def working_days_after(start, days):
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def forward(apps, schema_editor):
    ContactMessage = apps.get_model("public", "ContactMessage")
    Inquiry = apps.get_model("office", "Inquiry")
    InquiryMessage = apps.get_model("office", "InquiryMessage")
    AuditEntry = apps.get_model("core", "AuditEntry")
    for old in ContactMessage.objects.order_by("created_at", "id").iterator(chunk_size=500):
        handled = bool(old.handled)
        closed_at = (old.handled_at or old.created_at) if handled else None
        inquiry = Inquiry.objects.create(
            alliance_id=old.alliance_id,
            source="contact_form",
            subject=" ".join(old.subject.split())[:200] or "(ohne Betreff)",
            asker_name=old.name,
            asker_email=old.email,
            status="done" if handled else "new",
            due_on=working_days_after(timezone.localdate(old.created_at), RESPONSE_DAYS),
            created_at=old.created_at,
            closed_at=closed_at,
            closed_by_id=old.handled_by_id if handled else None,
        )
        InquiryMessage.objects.create(
            inquiry=inquiry,
            direction="in",
            channel="web",
            author_name=old.name,
            author_email=old.email,
            body=old.message,
            sent_at=old.created_at,
        )
        AuditEntry.objects.create(
            alliance_id=old.alliance_id,
            actor=None,
            action="inquiry.migrate",
            object_type="office.inquiry",
            object_id=str(inquiry.pk),
            object_repr=f"Anfrage #{inquiry.pk}",
            to_state=inquiry.status,
            changes={"contact_message": old.pk},
            comment="Aus dem Kontaktpostfach übernommen",
        )


def backward(apps, schema_editor):
    ContactMessage = apps.get_model("public", "ContactMessage")
    Inquiry = apps.get_model("office", "Inquiry")
    InquiryMessage = apps.get_model("office", "InquiryMessage")
    inquiries = Inquiry.objects.filter(source="contact_form").order_by("created_at", "id")
    for inquiry in inquiries.iterator(chunk_size=500):
        first = (
            InquiryMessage.objects.filter(inquiry=inquiry, direction="in")
            .order_by("sent_at", "id")
            .first()
        )
        done = inquiry.status == "done"
        stored = ContactMessage.objects.create(
            alliance_id=inquiry.alliance_id,
            name=inquiry.asker_name or "–",
            email=inquiry.asker_email or "geloescht@example.invalid",
            subject=inquiry.subject,
            message=first.body if first is not None else "",
            handled=done,
            handled_at=inquiry.closed_at if done else None,
            handled_by_id=inquiry.closed_by_id if done else None,
        )
        # auto_now_add set the time of the copy: give it back its time of arrival.
        ContactMessage.objects.filter(pk=stored.pk).update(created_at=inquiry.created_at)
    Inquiry.objects.filter(source="contact_form").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("office", "0001_initial"),
        ("public", "0001_contact_message"),
        ("core", "0003_auditentry_append_only"),
    ]

    operations = [migrations.RunPython(forward, backward)]
