"""The office keeps its inbox's settings, categories and reply templates in the admin. Writes go
through `services` (validation, audit row); scoping and permissions through
`buendnis.accounts.admin_base`.

The inquiries themselves are not in the admin: they are worked on the inbox's pages
(`/<slug>/intern/anfragen/`), where every change is a service with its rules and audit row, and
they carry people's data that the admin's lists and history would spread further.
"""

from __future__ import annotations

from django.contrib import admin

from buendnis.accounts.admin_base import ServiceAdmin, service_form

from . import services
from .models import InquiryCategory, OfficeSettings, ReplyTemplate

related_only = admin.RelatedOnlyFieldListFilter


@admin.register(OfficeSettings)
class OfficeSettingsAdmin(ServiceAdmin):
    service_save = services.office_settings_save
    form = service_form(validator=None)
    list_display = ["alliance", "response_days", "retention_days"]
    list_select_related = ["alliance"]


@admin.register(InquiryCategory)
class InquiryCategoryAdmin(ServiceAdmin):
    service_save = services.category_save
    form = service_form(validator=None)
    list_display = ["name", "position", "is_active", "alliance"]
    list_filter = [("alliance", related_only), "is_active"]
    search_fields = ["name"]
    list_select_related = ["alliance"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(ServiceAdmin):
    service_save = services.reply_template_save
    form = service_form(validator=services.reply_template_validate)
    list_display = ["name", "position", "is_active", "alliance"]
    list_filter = [("alliance", related_only), "is_active"]
    search_fields = ["name", "body"]
    list_select_related = ["alliance"]
