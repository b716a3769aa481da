"""Every step of the cycle leaves its audit row, with the actor, in the alliance."""

from decimal import Decimal

import pytest

from buendnis.core.models import AuditEntry
from buendnis.renewal import services

from .conftest import Cycle, days, today

pytestmark = pytest.mark.django_db


def test_every_step_is_audited(cycle: Cycle, contact) -> None:  # type: ignore[no-untyped-def]
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    phase = cycle.prepare()
    services.phase_draft_update(
        actor=cycle.office, phase=phase, name="2027–2030", signature_deadline=today() + days(30)
    )
    cycle.write_strategy(phase)
    field = services.action_field_add(actor=cycle.office, phase=phase, title="Matching")
    services.topic_add(actor=cycle.office, phase=phase, action_field=field, title="Börse")
    services.strategy_adopt(actor=cycle.office, phase=phase, circulation=cycle.passed_circulation())
    requests = {request.organisation.name: request for request in cycle.ask(phase)}
    city = requests.pop("Stadt Braunschweig")
    services.signature_mark_pending(actor=contact, request=city, decision_body="Rat")
    services.signature_sign(actor=cycle.office, request=city, signed_on=today())
    cycle.sign_all(requests.values())
    [late] = cycle.ask(phase, [cycle.structure.unsigned], due_on=today())
    services.signature_reminders_send(today=today())
    services.signature_decline(actor=cycle.office, request=late, declined_on=today())
    services.application_submit(actor=cycle.office, phase=phase)
    cycle.decide(phase, "changes_requested")
    services.application_submit(actor=cycle.office, phase=phase)
    cycle.decide(phase, "recognised", carry_over=Decimal("1000.00"))

    entries = AuditEntry.objects.filter(id__gt=start, action__startswith="renewal.").order_by("id")
    steps = [entry.action for entry in entries]
    assert steps == [
        "renewal.phase_prepared",
        "renewal.application_updated",
        "renewal.strategy_revised",
        "renewal.fields_adopted",
        *["renewal.signature_asked"] * 10,
        "renewal.signature_pending",
        *["renewal.signature_signed"] * 10,
        "renewal.signature_asked",
        "renewal.signature_reminded",
        "renewal.signature_declined",
        "renewal.applied",
        "renewal.recognition_decided",
        "renewal.applied",
        "renewal.recognition_decided",
    ]
    assert {entry.alliance_id for entry in entries} == {cycle.alliance.pk}
    by_actor = {entry.action: entry.actor for entry in entries}
    assert by_actor["renewal.signature_pending"] == contact
    assert by_actor["renewal.signature_reminded"] is None  # the periodic job
    assert by_actor["renewal.recognition_decided"] == cycle.ministry
    assert by_actor["renewal.applied"] == cycle.office
    # The records the cycle writes through other apps are audited there.
    others = set(
        AuditEntry.objects.filter(id__gt=start)
        .exclude(action__startswith="renewal.")
        .values_list("action", flat=True)
    )
    assert {
        "phase.create",
        "phase.update",
        "action_field.create",
        "topic.create",
        "agreement.create",
        "budget.carry_over",
    } <= others
