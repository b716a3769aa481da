"""The one-off scrub of older audit rows (buendnis/core/audit_scrub.py, migration core 0005)."""

from buendnis.core.audit_scrub import REDACTED, scrubbed


def row(**fields):
    return {
        "object_type": "meetings.meeting",
        "object_id": "4",
        "object_repr": "Steuerkreis 05.06.2026",
        "changes": {},
        "comment": "",
        **fields,
    }


def test_a_calendar_feeds_owner_and_a_guest_by_name_are_scrubbed():
    assert scrubbed(row(changes={"user": "erika"}), {}) == {"changes": {"user": REDACTED}}
    assert scrubbed(row(changes={"guest": "Max Gast"}), {}) == {"changes": {"guest": REDACTED}}


def test_an_accounts_address_becomes_a_reference_and_a_row_without_data_stays():
    users = {"erika@example.org": 12}
    assert scrubbed(row(comment="Einladung an erika@example.org"), users) == {
        "comment": "Einladung an Benutzer/in #12"
    }
    assert scrubbed(row(changes={"guest_id": 7, "title": "Sitzung"}), users) == {}
