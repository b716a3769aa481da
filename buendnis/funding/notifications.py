"""Mail and notifications about the procedure. Called after the commit, so a rolled-back step
sends nothing.

- `transition_mail`: the applicant's contact and the office hear of every move by mail.
- `transition_notify`: the project's subscribers (topic `project:<id>`, `notifications.topics`)
  get a notification; once the funding bank has granted a project, the public's subscribers of
  newly funded projects get a mail (`notifications.public_services`). "Funded" is the bank's
  grant (state `granted`, publicly "Bewilligt"): the public list shows projects from the
  alliance's Votum on, but until the grant they may still be declined.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from buendnis.core.templatetags.buendnis_format import money
from buendnis.notifications import public_services, services, topics
from buendnis.notifications.models import PublicTopic

from .models import Project
from .states import Status
from .topics import project_path
from .wording import PUBLIC_LABELS

log = logging.getLogger(__name__)

_muted: ContextVar[bool] = ContextVar("funding_mail_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Send no procedure mail and make no notification inside the block (the demo load walks
    many projects at once).

    Mail goes out on commit, so the block must enclose the outermost transaction of the steps it
    mutes: `with muted(), transaction.atomic(): ...`.
    """
    token = _muted.set(True)
    try:
        with services.muted():
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


def transition_committed(
    project_id: int, source: str, target: str, comment: str, actor: Any
) -> None:
    """After a step has committed: its mail, then its notifications (one callback, so that a
    step schedules exactly one side effect)."""
    try:
        transition_mail(project_id, source, target, comment)
    finally:
        transition_notify(project_id, source, target, comment, actor)


def transition_notify(project_id: int, source: str, target: str, comment: str, actor: Any) -> None:
    """Tell the project's subscribers that it moved on (not the actor); after the bank's grant,
    the public's subscribers of newly funded projects too. Logs, never raises: the step is
    committed."""
    if _muted.get():
        return
    try:
        # Stored text: in the platform's language, like mail, whatever the actor reads.
        with translation.override(settings.LANGUAGE_CODE):
            _transition_notify(project_id, source, target, comment, actor)
    except Exception:
        log.exception("Benachrichtigung zum Vorhaben %s fehlgeschlagen", project_id)


def _transition_notify(project_id: int, source: str, target: str, comment: str, actor: Any) -> None:
    project = Project.objects.select_related("alliance", "applicant_organisation").get(
        pk=project_id
    )
    alliance = project.alliance
    text = f"{Status(source).label} → {Status(target).label}"
    if comment:
        text += "\n" + _("Vermerk: %(comment)s") % {"comment": comment}
    services.notify(
        topic=topics.project(project.pk),
        alliance=alliance,
        kind="project.moved",
        title=_("Vorhaben %(reference)s „%(title)s“: neuer Stand „%(status)s“")
        % {"reference": project.reference, "title": project.title, "status": Status(target).label},
        text=text,
        link=lambda user: project_path(user, project),
        actor=actor,
    )
    if target == Status.GRANTED:
        public_services.public_notify(
            alliance=alliance,
            topic=PublicTopic.PROJECTS,
            title=_("Neu gefördert: %(title)s") % {"title": project.title},
            text=newly_funded_text(project),
            link=reverse("public:project", args=[alliance.slug, project.reference]),
        )


def newly_funded_text(project: Project) -> str:
    """What the public reads about a newly granted project (mail and Atom feed): only fields of
    its public page."""
    lines = [
        _("Träger: %(organisation)s") % {"organisation": project.applicant_organisation.name},
    ]
    if project.granted_amount is not None:
        lines.append(
            _("Bewilligter Zuschuss: %(amount)s") % {"amount": money(project.granted_amount)}
        )
    if project.summary:
        lines.append("")
        lines.append(Truncator(project.summary).words(80))
    return "\n".join(lines)
