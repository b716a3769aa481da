"""Meetings, minutes and written circulations in the admin.

A meeting's life (invitation, attendance, decisions, closing, approving the minutes) and every
step of a circulation are services with their own rules, taken in the office workspace
(/<slug>/intern/sitzungen/, /<slug>/intern/umlaufbeschluesse/). The admin corrects only what
those services allow to correct, through them: a meeting's date, place and title
(`meeting_update`, which tells the invited of a new time or place), its free agenda items
(`agenda_item_create`/`_update`/`_delete`) and draft minutes (`minutes_update`, refused once a
newer version was saved). What the services record — attendance, decisions with their vote,
circulation answers and results — is read only: nobody writes it by hand.

Scoping and permissions come from `buendnis.accounts.permissions` (see `core.admin_base`): the
office sees and corrects its own alliance's records, the ministry and platform admins read all.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from buendnis.accounts import permissions
from buendnis.accounts.admin_base import (
    ScopedAdminMixin,
    ServiceAdmin,
    ServiceForm,
    ServiceInline,
    actor_of,
    service_form,
)

from .models import (
    AgendaItem,
    Attendance,
    Circulation,
    CirculationAnswer,
    Decision,
    Guest,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from .services import agenda, minutes, planning

related_only = admin.RelatedOnlyFieldListFilter


def meeting_workspace_url(meeting: Meeting) -> str:
    """The meeting in the office workspace (the path is the workspace's contract)."""
    return f"/{meeting.alliance.slug}/intern/sitzungen/{meeting.pk}/"


def circulation_workspace_url(circulation: Circulation) -> str:
    return f"/{circulation.alliance.slug}/intern/umlaufbeschluesse/{circulation.pk}/"


# --- Writes through the services ----------------------------------------------------------------
# The admin hands a model instance filled from the form; the services take keyword fields. These
# adapters translate, and leave the instance as saved (the admin redirects to its pk).


def meeting_save(*, actor: Any, instance: Meeting) -> Meeting:
    fields = {name: getattr(instance, name) for name in planning.MEETING_FIELDS}
    if instance.pk is None:
        starts_at = fields.pop("starts_at")
        created = planning.meeting_create(
            actor=actor, body=instance.body, starts_at=starts_at, **fields
        )
        instance.pk = created.pk
        instance.refresh_from_db()
        return instance
    return planning.meeting_update(actor=actor, meeting=instance, **fields)


ITEM_ADMIN_FIELDS = ("title", "is_public", "proposed_decision", "notes")


def agenda_item_save(*, actor: Any, instance: AgendaItem) -> AgendaItem:
    fields = {name: getattr(instance, name) for name in ITEM_ADMIN_FIELDS}
    if instance.pk is None:
        created = agenda.agenda_item_create(actor=actor, meeting=instance.meeting, **fields)
        instance.pk = created.pk
        instance.refresh_from_db()
        return instance
    return agenda.agenda_item_update(actor=actor, item=instance, **fields)


def minutes_save(*, actor: Any, instance: Minutes) -> Minutes:
    # `version` is the one the form was loaded with: a save over a newer version is refused.
    return minutes.minutes_update(
        actor=actor,
        minutes=instance,
        public_text=instance.public_text,
        nonpublic_text=instance.nonpublic_text,
        expected_version=instance.version,
    )


# --- Read-only inlines --------------------------------------------------------------------------


class RecordedInline(ScopedAdminMixin, admin.TabularInline):
    """What the services recorded, shown with its parent and never edited here."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # `obj` is the parent, scoped by its own admin already.
        if obj is None:
            return permissions.can_enter_admin(request.user)
        return permissions.can_view_in_admin(request.user, obj.alliance_id)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttendanceInline(RecordedInline):
    model = Attendance
    fields = ["organisation", "can_vote", "presence", "attendee_name"]
    verbose_name_plural = _("Anwesenheit (erfasst im Arbeitsbereich der Geschäftsstelle)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attendance]:
        return super().get_queryset(request).select_related("organisation")


class GuestInline(RecordedInline):
    model = Guest
    fields = ["name", "affiliation"]


class CirculationAnswerInline(RecordedInline):
    model = CirculationAnswer
    fields = ["organisation", "answer", "comment", "answered_by", "answered_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CirculationAnswer]:
        return super().get_queryset(request).select_related("organisation", "answered_by")


# --- Meetings -----------------------------------------------------------------------------------


class AgendaItemInline(ServiceInline):
    """The agenda: free items are added, corrected and removed here; project items come from
    the proposal in the workspace (their project and stage are fixed), and an item with a
    decision stays as it is (the service refuses)."""

    model = AgendaItem
    service_save = agenda_item_save
    fields = ["number", "title", "is_public", "proposed_decision", "notes", "project", "outcome"]
    readonly_fields = ["number", "project", "outcome"]
    ordering = ["position", "id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgendaItem]:
        return super().get_queryset(request).select_related("project", "decision")

    @admin.display(description=_("TOP"))
    def number(self, obj: AgendaItem) -> str:
        return str(obj.number) if obj.pk else ""

    @admin.display(description=_("Beschluss"))
    def outcome(self, obj: AgendaItem) -> str:
        decision = getattr(obj, "decision", None) if obj.pk else None
        return decision.get_outcome_display() if decision is not None else "–"


class MeetingForm(ServiceForm):
    class Meta:
        model = Meeting
        fields = [
            "body",
            "title",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "has_public_part",
            "prepares",
            "submission_deadline",
        ]


@admin.register(Meeting)
class MeetingAdmin(ServiceAdmin):
    service_save = meeting_save
    form = service_form(validator=planning.meeting_validate, alliance_from="body", base=MeetingForm)
    list_display = ["__str__", "body", "starts_at", "status", "location", "alliance"]
    list_filter = [("alliance", related_only), "body__kind", "status"]
    search_fields = ["title", "location", "body__name"]
    list_select_related = ["alliance", "body__alliance"]
    date_hierarchy = "starts_at"
    actions = None
    inlines = [AgendaItemInline, AttendanceInline, GuestInline]
    recorded = [
        "workspace_link",
        "alliance",
        "status",
        "invited_at",
        "cancelled_reason",
        "uid",
        "sequence",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        editable = list(MeetingForm.Meta.fields)
        return editable if obj is None else [*self.recorded, *editable]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        # The body of an existing meeting is fixed; a cancelled or finished one is history.
        finished = obj.status in (MeetingStatus.CANCELLED, MeetingStatus.MINUTES_APPROVED)
        editable = list(MeetingForm.Meta.fields) if finished else ["body"]
        return [*self.recorded, *editable]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        # Attendance and guests exist once the meeting does.
        return [AgendaItemInline] if obj is None else self.inlines

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A meeting is cancelled (with its reason, and the invited are told), never deleted.
        return False

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not AgendaItem:
            # Attendance and guests are read only here: nothing is saved (commit=False only
            # fills in what the admin's change message reads).
            formset.save(commit=False)
            return
        actor = actor_of(request)
        for obj in formset.save(commit=False):
            agenda_item_save(actor=actor, instance=obj)
        # Removing an item renumbers the rest and is refused once it carries a decision.
        for obj in formset.deleted_objects:
            agenda.agenda_item_delete(actor=actor, item=obj)

    @admin.display(description=_("Arbeitsbereich"))
    def workspace_link(self, obj: Meeting) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>',
            meeting_workspace_url(obj),
            _("Im Arbeitsbereich der Geschäftsstelle öffnen (Einladung, Anwesenheit, Beschlüsse)"),
        )


# --- Decisions: read only -----------------------------------------------------------------------

DECISION_FIELDS = (
    "item",
    "outcome",
    "text",
    "decided_at",
    "recorded_by",
    "body_outcome",
    "objections",
    "recusals",
    "quorum",
    "alliance",
)


@admin.register(Decision)
class DecisionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Written only by `decision_record`, with who was entitled, present, objecting and recused at
    that moment: a correction is a new item in a later meeting, not an edit."""

    list_display = ["item", "meeting", "outcome", "decided_at", "alliance"]
    list_filter = [("alliance", related_only), "outcome", "item__meeting__body__kind"]
    search_fields = ["item__title", "text"]
    list_select_related = ["alliance", "item__meeting__body"]
    date_hierarchy = "decided_at"
    actions = None
    fields = DECISION_FIELDS
    readonly_fields = DECISION_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Decision]:
        return self.scope(request, super().get_queryset(request))

    @admin.display(description=_("Sitzung"))
    def meeting(self, obj: Decision) -> Meeting:
        return obj.item.meeting

    @admin.display(description=_("Einwände"))
    def objections(self, obj: Decision) -> str:
        return (
            "; ".join(
                f"{entry['name']}: {entry.get('reason', '')}"
                for entry in obj.snapshot.get("objecting", [])
            )
            or "–"
        )

    @admin.display(description=_("Befangen"))
    def recusals(self, obj: Decision) -> str:
        return (
            "; ".join(
                f"{entry['name']} ({entry.get('reason', '')})"
                for entry in obj.snapshot.get("recused", [])
            )
            or "–"
        )

    @admin.display(description=_("Beschlussfähigkeit"))
    def quorum(self, obj: Decision) -> str:
        quorum = obj.snapshot.get("quorum") or {}
        if not quorum:
            return "–"
        return str(
            _("%(present)s von %(seats)s Stimmsitzen vertreten, nötig %(required)s")
            % {
                "present": quorum.get("present"),
                "seats": quorum.get("voting_seats"),
                "required": quorum.get("required"),
            }
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Minutes ------------------------------------------------------------------------------------


class MinutesForm(ServiceForm):
    # The version the page was loaded with travels with the form: minutes_update refuses a save
    # over a version someone saved in the meantime.
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Minutes
        fields = ["public_text", "nonpublic_text", "version"]


@admin.register(Minutes)
class MinutesAdmin(ServiceAdmin):
    """Draft minutes are corrected here or in the workspace; generating and approving them are
    steps of the meeting, taken in the workspace. Approved minutes are fixed."""

    service_save = minutes_save
    form = service_form(validator=None, base=MinutesForm)
    list_display = ["__str__", "status", "approved_in", "approved_at", "alliance"]
    list_filter = [("alliance", related_only), "status"]
    search_fields = ["public_text", "nonpublic_text", "meeting__title"]
    list_select_related = ["alliance", "meeting__body", "approved_in__body"]
    actions = None
    recorded = ["meeting", "status", "approved_in", "approved_at", "created_at", "updated_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.recorded, "public_text", "nonpublic_text", "version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status == MinutesStatus.APPROVED:
            return [*self.recorded, "public_text", "nonpublic_text", "version"]
        return self.recorded

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # Minutes are generated from the meeting's attendance and decisions.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Circulations: read only --------------------------------------------------------------------

CIRCULATION_FIELDS = (
    "workspace_link",
    "alliance",
    "body",
    "title",
    "text",
    "project",
    "stage_status",
    "deadline",
    "status",
    "is_public",
    "silence_is_consent",
    "entitled_names",
    "recused_names",
    "result",
    "body_outcome",
    "reminder_sent_at",
    "opened_by",
    "opened_at",
    "closed_at",
)


@admin.register(Circulation)
class CirculationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Opened, answered, evaluated and withdrawn in the workspace: who is asked is fixed when it
    opens, and its result may move a project on. The admin shows it with its answers."""

    list_display = ["title", "status", "deadline", "project", "opened_at", "alliance"]
    list_filter = [("alliance", related_only), "status"]
    search_fields = ["title", "text", "project__reference", "project__title"]
    list_select_related = ["alliance", "project"]
    date_hierarchy = "opened_at"
    actions = None
    inlines = [CirculationAnswerInline]
    fields = CIRCULATION_FIELDS
    readonly_fields = CIRCULATION_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Circulation]:
        return self.scope(request, super().get_queryset(request))

    @admin.display(description=_("Arbeitsbereich"))
    def workspace_link(self, obj: Circulation) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>',
            circulation_workspace_url(obj),
            _("Im Arbeitsbereich der Geschäftsstelle öffnen"),
        )

    @admin.display(description=_("Stimmberechtigte"))
    def entitled_names(self, obj: Circulation) -> str:
        return ", ".join(entry["name"] for entry in obj.entitled) or "–"

    @admin.display(description=_("Befangene"))
    def recused_names(self, obj: Circulation) -> str:
        return ", ".join(f"{entry['name']} ({entry['reason']})" for entry in obj.recused) or "–"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
