"""Mail about the procedure. Called after the commit, so a rolled-back step sends nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from .models import Project
from .states import Status
from .wording import PUBLIC_LABELS

log = logging.getLogger(__name__)

_muted: ContextVar[bool] = ContextVar("funding_mail_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Send no procedure mail inside the block (the demo load walks many projects at once).

    Mail goes out on commit, so the block must enclose the outermost transaction of the steps it
    mutes: `with muted(), transaction.atomic(): ...`.
    """
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def transition_mail(project_id: int, source: str, target: str, comment: str) -> None:
    """Tell the applicant's contact and the alliance's office that the project moved on."""
    if _muted.get():
        return
    project = Project.objects.select_related("alliance", "phase", "applicant_organisation").get(
        pk=project_id
    )
    recipients = sorted(
        {address for address in (project.contact_email, project.alliance.office_email) if address}
    )
    if not recipients:
        return
    # Mail speaks the platform's language, not whatever the acting user chose for the screen.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "project": project,
            "source_label": Status(source).label,
            "target_label": Status(target).label,
            "public_label": PUBLIC_LABELS[target],
            "comment": comment,
        }
        subject = render_to_string("funding/mail/transition_subject.txt", context).strip()
        body = render_to_string("funding/mail/transition.txt", context)
    try:
        send_mail(subject, body, None, recipients)
    except OSError:
        # The step is committed; a mail server hiccup must not turn it into an error page.
        log.exception("Mail zum Vorhaben %s konnte nicht gesendet werden", project.reference)
