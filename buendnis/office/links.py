"""Addresses of the inbox's pages, for mail (absolute, from `settings.BUENDNIS_SITE_URL`: mail is
made after the request) and for the pages themselves."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from buendnis.alliances.models import Alliance

from .models import Inquiry


def absolute(path: str) -> str:
    return f"{settings.BUENDNIS_SITE_URL}{path}"


def inquiry_path(inquiry: Inquiry, alliance: Alliance | None = None) -> str:
    slug = (alliance or inquiry.alliance).slug
    return reverse("inquiries:detail", args=[slug, inquiry.pk])


def inbox_path(alliance: Alliance) -> str:
    return reverse("inquiries:list", args=[alliance.slug])


def my_inquiries_path(alliance: Alliance) -> str:
    return reverse("inquiries:mine", args=[alliance.slug])
