"""Forms of the notification pages: the choice of delivery, and the subscribe buttons."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buendnis.notifications.models import Delivery
from buendnis.notifications.topics import MAX_LENGTH


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("Wie möchten Sie benachrichtigt werden?"),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Im Bündnisportal stehen alle Benachrichtigungen in jedem Fall. Die tägliche "
            "Zusammenfassung kommt einmal am Tag, wenn es etwas Neues gibt."
        ),
        error_messages={
            "required": _("Bitte wählen Sie eine Zustellung."),
            "invalid_choice": _("Bitte wählen Sie eine der angebotenen Zustellungen."),
        },
    )


class FollowForm(forms.Form):
    """The hidden fields of a subscribe or unsubscribe button."""

    topic = forms.CharField(max_length=MAX_LENGTH)
    next = forms.CharField(max_length=1000, required=False)


class UnsubscribeForm(forms.Form):
    subscription = forms.IntegerField(min_value=1)
