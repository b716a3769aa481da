"""Helpers for the public pages: what of a person may be shown to everyone."""

from __future__ import annotations

from django import template

from buendnis.alliances.models import Person

register = template.Library()


@register.filter
def public_name(person: Person | None) -> str:
    """The person's name only with their consent (`show_name_publicly`), otherwise nothing.

    E-mail and phone of people never reach a public page: the public templates do not ask for
    them, and the tests look for them in every public response."""
    if person is None or not person.show_name_publicly:
        return ""
    return person.full_name
