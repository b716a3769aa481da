"""Mail about meetings and circulations. Called after the commit, so a refused step sends nothing.

Filled in by the invitations work: invitation with agenda and .ics, cancellation, circulation
opened, reminder, result.
"""

from __future__ import annotations


def send_invitations(meeting_id: int, *, update: bool = False) -> None:
    return None


def send_cancellation(meeting_id: int) -> None:
    return None


def send_circulation(circulation_id: int) -> None:
    return None


def send_circulation_reminder(circulation_id: int) -> None:
    return None


def send_circulation_result(circulation_id: int) -> None:
    return None
