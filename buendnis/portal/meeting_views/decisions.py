"""The decision on an agenda item (consensus, which drives the procedure)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance
from buendnis.meetings import selectors
from buendnis.meetings.services import decisions
from buendnis.web.pages import signed_in_user

from ..meeting_forms import (
    DecisionForm,
    Voter,
)
from ._common import (
    FORM,
    attempt,
    detail_url,
    meeting_or_404,
    meetings_view,
    render_page,
    vote_changes_before,
)
from .agenda import recused_voters

# --- Decisions -----------------------------------------------------------------------------------


@meetings_view(FORM)
def decision(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = meeting_or_404(alliance, pk, selectors.meeting_detail)
    meeting.alliance = alliance
    agenda_item = next((entry for entry in meeting.items.all() if entry.pk == item), None)
    if agenda_item is None:
        raise Http404(_("Tagesordnungspunkt nicht gefunden."))
    agenda_item.meeting = meeting
    sheet = selectors.attendance_sheet(meeting)
    recused = decisions.decision_recused(agenda_item)
    voters = [
        Voter(organisation_id=line.organisation_id, name=line.organisation)
        for line in sheet.present_voting
        if line.organisation_id not in recused
    ]
    recorded = getattr(agenda_item, "decision", None)
    form = DecisionForm(
        request.POST if request.method == "POST" else None, item=agenda_item, voters=voters
    )
    status = 200
    if request.method == "POST":
        outcome: list[Any] = []

        def record() -> None:
            outcome.append(
                decisions.decision_record(
                    actor=signed_in_user(request), item=agenda_item, **form.service_kwargs()
                )
            )

        refused = attempt(form, record)
        if refused is None:
            messages.success(
                request,
                _("Beschluss zu TOP %(number)s erfasst: %(outcome)s.")
                % {"number": agenda_item.number, "outcome": outcome[0].get_outcome_display()},
            )
            return redirect(detail_url(meeting, agenda_item))
        status = refused
    context = {
        "meeting": meeting,
        "item": agenda_item,
        "decision": recorded,
        "sheet": sheet,
        "form": form,
        # Only a voting seat can be recused: an applicant without one has nothing to abstain from.
        "recused": recused_voters(
            agenda_item,
            {
                pk: reason
                for pk, reason in recused.items()
                if pk in {line.organisation_id for line in sheet.lines if line.can_vote}
            },
        ),
        "open_for_decisions": meeting.is_open_for_decisions,
        "started": meeting.starts_at <= timezone.now(),
        "vote_changes": vote_changes_before(agenda_item),
    }
    return render_page(request, alliance, "decision.html", context, status=status)
