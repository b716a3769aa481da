"""Domain errors: a rule of the alliance was broken. The message is German and shown to the user."""

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A business rule refused the change. Subclass of ValidationError so forms and admin show it."""


class PermissionDenied(DomainError):
    """The actor may not do this."""


class TransitionNotAllowed(DomainError):
    """The move is not allowed from the record's current state (the API answers 409)."""


class StaleEdit(DomainError):
    """The record changed since the form was loaded (the API answers 409)."""
