"""Domain errors: a rule of the alliance was broken. The message is German and shown to the user."""

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A business rule refused the change. Subclass of ValidationError so forms and admin show it."""


class NotPermitted(DomainError):
    """The actor may not do this (the API answers 403). Not Django's `PermissionDenied`: this one
    carries a German message to the form that caused it."""


class TransitionNotAllowed(DomainError):
    """The move is not allowed from the record's current state (the API answers 409)."""


class StaleEdit(DomainError):
    """The record changed since the form was loaded (the API answers 409)."""


def refusal_status(error: ValidationError) -> int:
    """The HTTP status of a refused change, the same for pages and the API: 403 when the role may
    not, 409 when the record's state or version no longer allows it, 400 for a broken rule."""
    if isinstance(error, NotPermitted):
        return 403
    if isinstance(error, TransitionNotAllowed | StaleEdit):
        return 409
    return 400
