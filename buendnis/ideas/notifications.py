"""Mail about ideas, sent after the commit (a rolled-back change sends nothing)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from buendnis.accounts.models import User
from buendnis.notifications import services as notification_services
from buendnis.notifications import topics

from .models import Idea

log = logging.getLogger(__name__)

_muted: ContextVar[bool] = ContextVar("ideas_mail_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Send no idea mail inside the block (the demo load). Mail goes out on commit, so the block
    must enclose the outermost transaction: `with muted(), transaction.atomic(): ...`."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def introduction_on_commit(idea_id: int, other_id: int, note: str) -> None:
    if not _muted.get():
        transaction.on_commit(lambda: introduction_mail(idea_id, other_id, note))


def introduction_mail(idea_id: int, other_id: int, note: str) -> None:
    """One mail to both contacts, each seeing the other's idea and contact; the office in Reply-To
    and copy, so the conversation it started stays in its view."""
    ideas = {
        idea.pk: idea
        for idea in Idea.objects.select_related("alliance", "organisation").filter(
            pk__in=[idea_id, other_id]
        )
    }
    if len(ideas) != 2:
        return
    first, second = ideas[idea_id], ideas[other_id]
    alliance = first.alliance
    with translation.override(settings.LANGUAGE_CODE):
        context = {"alliance": alliance, "first": first, "second": second, "note": note}
        subject = render_to_string("ideas/mail/introduction_subject.txt", context).strip()
        body = render_to_string("ideas/mail/introduction.txt", context)
    recipients = sorted({first.contact_email, second.contact_email} - {""})
    message = EmailMessage(
        subject=subject,
        body=body,
        to=recipients,
        cc=[alliance.office_email] if alliance.office_email else [],
        reply_to=[alliance.office_email] if alliance.office_email else [],
    )
    try:
        message.send()
    except OSError:
        log.exception("Mail zur Idee %s konnte nicht gesendet werden", idea_id)


def idea_posted_on_commit(idea_id: int, actor_id: int | None) -> None:
    if not _muted.get():
        transaction.on_commit(lambda: idea_posted(idea_id, actor_id), robust=True)


def idea_posted(idea_id: int, actor_id: int | None) -> None:
    """Subscribers of the pool and of the idea's field of action hear of a new idea (never its
    author)."""
    idea = Idea.objects.select_related("alliance", "action_field").filter(pk=idea_id).first()
    if idea is None:
        return
    keys = [topics.IDEAS_ALL]
    if idea.action_field_id is not None:
        keys.append(topics.ideas_field(idea.action_field_id))
    with translation.override(settings.LANGUAGE_CODE):
        title = translation.gettext("Neue Idee im Ideenpool: %(title)s") % {"title": idea.title}
        text = idea.target_group or idea.text[:300]
    notification_services.notify(
        topic=keys,
        alliance=idea.alliance,
        kind="idea.created",
        title=title[:200],
        text=text,
        link=reverse("ideas:detail", args=[idea.alliance.slug, idea.pk]),
        actor=User.objects.filter(pk=actor_id).first() if actor_id else None,
    )
