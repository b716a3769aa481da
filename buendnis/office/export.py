"""A person's inquiries as data (Art. 15 and 20 GDPR): what was asked, what was answered, what the
office noted, with dates and states. The readable page shows the same records; this is its
machine-readable form (JSON). Field names are German, like everything the person reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance

from .models import Inquiry


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _who(user: User | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


def export_document(
    alliance: Alliance, email: str, inquiries: list[Inquiry], *, now: datetime
) -> dict[str, Any]:
    """Precondition: `inquiries` come from `selectors.inquiries_of_person` (thread and notes
    prefetched): building the document asks the database nothing."""
    return {
        "buendnis": alliance.name,
        "verantwortlich": alliance.office_host or alliance.name,
        "e_mail_adresse": email,
        "erstellt_am": _when(now),
        "anzahl": len(inquiries),
        "anfragen": [
            {
                "nummer": inquiry.pk,
                "eingang_ueber": inquiry.get_source_display(),
                "betreff": inquiry.subject,
                "name": inquiry.asker_name,
                "e_mail_adresse": inquiry.asker_email,
                "telefon": inquiry.asker_phone,
                "kategorie": inquiry.category.name if inquiry.category else None,
                "organisation": inquiry.organisation.name if inquiry.organisation else None,
                "vorhaben": inquiry.project.reference if inquiry.project else None,
                "stand": inquiry.get_status_display(),
                "eingegangen_am": _when(inquiry.created_at),
                "faellig_am": inquiry.due_on.isoformat(),
                "erste_antwort_am": _when(inquiry.first_answered_at),
                "erledigt_am": _when(inquiry.closed_at),
                "nachrichten": [
                    {
                        "richtung": message.get_direction_display(),
                        "weg": message.get_channel_display(),
                        "zeitpunkt": _when(message.sent_at),
                        "von": _who(message.author) or message.author_name or None,
                        "e_mail_adresse": message.author_email or None,
                        "text": message.body,
                        "nicht_uebernommene_anhaenge": message.attachment_note or None,
                    }
                    for message in inquiry.messages.all()
                ],
                "interne_notizen": [
                    {
                        "zeitpunkt": _when(note.created_at),
                        "von": _who(note.author),
                        "text": note.body,
                    }
                    for note in inquiry.notes.all()
                ],
            }
            for inquiry in inquiries
        ],
    }
