"""The office's inbox of every inquiry (/<slug>/intern/anfragen/…) and a member's questions to the
office (/<slug>/intern/meine-anfragen/).

The office works the inbox; the ministry reads it; the rest of the internal circle asks its own
questions and sees them (`office.permissions`). Views stay thin: reads through
`office.selectors`, writes through `office.services`, whose German errors land on the form that
caused them. Every form posts, redirects and shows a message (POST-redirect-GET); a refused one
shows the page again with the input kept.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buendnis.alliances.models import Alliance, Organisation
from buendnis.core.errors import StaleEdit, refusal_status
from buendnis.core.forms import add_service_errors
from buendnis.core.paging import page_of
from buendnis.core.templatetags.buendnis_format import day
from buendnis.office import export, permissions, rules, selectors, services
from buendnis.office.mail import mailbox, reply_to
from buendnis.office.models import Channel, Delivery, Inquiry, Status
from buendnis.web.files import file_response
from buendnis.web.pages import render_alliance_page, signed_in_page, signed_in_user

from .inquiry_forms import (
    AskForm,
    Choices,
    ExportForm,
    InquiryFilterForm,
    NoteForm,
    RecordForm,
    ReplyForm,
    UpdateForm,
)

SECTION = "inquiries"
LIST_PAGE_SIZE = 25
FORM_METHODS = ["GET", "HEAD", "POST"]

INBOX_REFUSED = gettext_lazy("Die Anfragen an die Geschäftsstelle sieht nur die Geschäftsstelle.")
HANDLE_REFUSED = gettext_lazy("Anfragen bearbeitet die Geschäftsstelle.")
EXPORT_REFUSED = gettext_lazy("Auskünfte über gespeicherte Anfragen gibt die Geschäftsstelle.")
ASK_REFUSED = gettext_lazy(
    "Fragen an die Geschäftsstelle stellen hier die Mitglieder der Gremien des Bündnisses."
)


def _detail_url(alliance: Alliance, pk: int) -> str:
    return reverse("inquiries:detail", args=[alliance.slug, pk])


def _back_to_detail(request: HttpRequest, slug: str, kwargs: dict[str, Any]) -> str:
    """After the login a POST cannot be replayed: the person sees the inquiry again."""
    return reverse("inquiries:detail", args=[slug, kwargs["pk"]])


def _inquiry_or_404(alliance: Alliance, pk: int) -> Inquiry:
    inquiry = selectors.inquiry_of(alliance, pk)
    if inquiry is None:
        raise Http404(_("Anfrage nicht gefunden."))
    inquiry.alliance = alliance
    return inquiry


def _erased(request: HttpRequest, alliance: Alliance, inquiry: Inquiry) -> HttpResponse | None:
    """An erased inquiry takes no more changes: say so above the page (its forms are gone)."""
    if not inquiry.is_erased:
        return None
    messages.error(
        request,
        _("Die Personendaten dieser Anfrage sind gelöscht; sie lässt sich nicht mehr ändern."),
    )
    return redirect(_detail_url(alliance, inquiry.pk))


def _page(
    request: HttpRequest,
    alliance: Alliance,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    section: str = SECTION,
) -> HttpResponse:
    return render_alliance_page(
        request, alliance, f"portal/inquiries/{template}", section, context, status=status
    )


def _mark(inquiries: list[Any], today: Any) -> None:
    """Overdue is a word on the row, not a colour only (set on the loaded inquiries)."""
    for inquiry in inquiries:
        inquiry.overdue = rules.is_overdue(inquiry.status, inquiry.due_on, today)


# --- The list ----------------------------------------------------------------------------------------


@signed_in_page(allowed=permissions.can_view_inquiries, refused=INBOX_REFUSED)
def inquiry_list(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """The inbox: open ones by default, the oldest due first, filtered and paged."""
    today = timezone.localdate()
    choices = Choices(
        categories=list(selectors.categories(alliance)),
        staff=list(selectors.office_staff(alliance)),
    )
    data = request.GET.copy()
    data.pop("page", None)
    form = InquiryFilterForm(data, choices=choices)
    filters = form.filters()
    found = selectors.inquiry_list(alliance, filters, today=today, user=signed_in_user(request))
    page = page_of(found, request.GET.get("page"), LIST_PAGE_SIZE)
    inquiries = list(page.object_list)
    _mark(inquiries, today)
    context = {
        "form": form,
        "page": page,
        "inquiries": inquiries,
        "query": data.urlencode(),
        "is_narrowed": filters != selectors.InquiryFilters(),
        "can_handle": permissions.can_handle_inquiries(request.user, alliance),
        "can_export": permissions.can_export_inquiries(request.user, alliance),
    }
    return _page(request, alliance, "list.html", context)


# --- Recording a call or a letter ------------------------------------------------------------------


@signed_in_page(
    methods=FORM_METHODS, allowed=permissions.can_handle_inquiries, refused=HANDLE_REFUSED
)
def inquiry_create(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    user = signed_in_user(request)
    choices = Choices(
        categories=list(selectors.categories(alliance, active_only=True)),
        staff=list(selectors.office_staff(alliance)),
        organisations=list(Organisation.objects.filter(alliance=alliance).order_by("name")),
    )
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        alliance=alliance,
        choices=choices,
        user=user,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                inquiry = services.inquiry_record(
                    actor=user,
                    alliance=alliance,
                    source=data["source"],
                    subject=data["subject"],
                    message=data["message"],
                    asker_name=data["asker_name"],
                    asker_email=data["asker_email"],
                    asker_phone=data["asker_phone"],
                    category=data["category"],
                    organisation=data["organisation"],
                    project=data["project"],
                    assigned_to=data["assigned_to"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
                status = refusal_status(error)
            else:
                messages.success(
                    request,
                    _("Die Anfrage #%(number)s ist erfasst, fällig am %(due)s.")
                    % {"number": inquiry.pk, "due": day(inquiry.due_on)},
                )
                return redirect(_detail_url(alliance, inquiry.pk))
        else:
            status = 400
    return _page(request, alliance, "create.html", {"form": form}, status=status)


# --- One inquiry ----------------------------------------------------------------------------------


def _choices_for_detail(alliance: Alliance) -> Choices:
    """Four queries: reply templates, categories, the office's people, organisations."""
    return Choices(
        templates=list(selectors.reply_templates(alliance)),
        categories=list(selectors.categories(alliance)),
        staff=list(selectors.office_staff(alliance)),
        organisations=list(Organisation.objects.filter(alliance=alliance).order_by("name")),
    )


def _update_initial(inquiry: Inquiry) -> dict[str, Any]:
    return {
        "status": inquiry.status,
        "assigned_to": str(inquiry.assigned_to_id or ""),
        "due_on": inquiry.due_on,
        "category": str(inquiry.category_id or ""),
        "organisation": str(inquiry.organisation_id or ""),
        "project": inquiry.project.reference if inquiry.project else "",
        "idea": inquiry.idea_id,
        "version": inquiry.version,
    }


def _reply_initial(inquiry: Inquiry) -> dict[str, Any]:
    return {
        "channel": Channel.EMAIL if inquiry.asker_email else Channel.PHONE,
        "status_after": Status.WAITING,
    }


def _render_detail(
    request: HttpRequest,
    alliance: Alliance,
    inquiry: Inquiry,
    *,
    update_form: UpdateForm | None = None,
    reply_form: ReplyForm | None = None,
    note_form: NoteForm | None = None,
    preview: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_handle = permissions.can_handle_inquiries(request.user, alliance) and not inquiry.is_erased
    today = timezone.localdate()
    context: dict[str, Any] = {
        "inquiry": inquiry,
        "thread": selectors.thread(inquiry),
        "notes": selectors.notes(inquiry),
        "overdue": rules.is_overdue(inquiry.status, inquiry.due_on, today),
        "can_handle": can_handle,
        "preview": preview,
        "placeholders": rules.PLACEHOLDERS,
    }
    if can_handle:
        choices = _choices_for_detail(alliance)
        context.update(
            {
                "update_form": update_form
                or UpdateForm(
                    None, alliance=alliance, choices=choices, initial=_update_initial(inquiry)
                ),
                "reply_form": reply_form
                or ReplyForm(choices=choices, initial=_reply_initial(inquiry)),
                "note_form": note_form or NoteForm(),
                "moves": sorted(rules.TRANSITIONS[inquiry.status]),
            }
        )
    return _page(request, alliance, "detail.html", context, status=status)


@signed_in_page(allowed=permissions.can_view_inquiries, refused=INBOX_REFUSED)
def inquiry_detail(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    return _render_detail(request, alliance, _inquiry_or_404(alliance, pk))


@signed_in_page(
    methods=["POST"],
    allowed=permissions.can_handle_inquiries,
    refused=HANDLE_REFUSED,
    after_login=_back_to_detail,
)
def inquiry_update(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    inquiry = _inquiry_or_404(alliance, pk)
    if refused := _erased(request, alliance, inquiry):
        return refused
    user = signed_in_user(request)
    choices = _choices_for_detail(alliance)
    form = UpdateForm(
        request.POST, alliance=alliance, choices=choices, initial=_update_initial(inquiry)
    )
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.inquiry_update(
                actor=user,
                inquiry=inquiry,
                expected_version=data["version"],
                status=data["status"],
                assigned_to=data["assigned_to"],
                due_on=data["due_on"],
                category=data["category"],
                organisation=data["organisation"],
                project=data["project"],
                idea=data["idea"],
            )
        except StaleEdit as error:
            add_service_errors(form, error)
            status = refusal_status(error)
            # Shown with the current state; a deliberate second submission may pass.
            inquiry = _inquiry_or_404(alliance, pk)
            data_copy = request.POST.copy()
            data_copy["version"] = str(inquiry.version)
            form.data = data_copy
        except ValidationError as error:
            add_service_errors(form, error)
            status = refusal_status(error)
        else:
            messages.success(request, _("Die Anfrage ist geändert."))
            return redirect(_detail_url(alliance, pk))
    return _render_detail(request, alliance, inquiry, update_form=form, status=status)


def _preview(inquiry: Inquiry, user: Any, body: str, channel: str) -> dict[str, Any]:
    """What the person will receive (or what is recorded), with the placeholders filled."""
    return {
        "by_mail": channel == Channel.EMAIL,
        "to": mailbox(inquiry.asker_name, inquiry.asker_email) if inquiry.asker_email else "",
        "reply_to": ", ".join(reply_to(inquiry.alliance)),
        "subject": rules.reply_subject(inquiry.subject, inquiry.pk),
        "body": services.reply_fill(inquiry=inquiry, actor=user, text=body),
    }


@signed_in_page(
    methods=["POST"],
    allowed=permissions.can_handle_inquiries,
    refused=HANDLE_REFUSED,
    after_login=_back_to_detail,
)
def inquiry_reply(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    """ "Vorschau" fills a chosen template into an empty text and shows the mail as it will go
    out; "Senden" sends it (or records an answer by phone or letter)."""
    inquiry = _inquiry_or_404(alliance, pk)
    if refused := _erased(request, alliance, inquiry):
        return refused
    user = signed_in_user(request)
    choices = _choices_for_detail(alliance)
    form = ReplyForm(request.POST, choices=choices)
    if not form.is_valid():
        return _render_detail(request, alliance, inquiry, reply_form=form, status=400)
    data = form.cleaned_data
    template = form.chosen_template()
    body = data["body"].strip() or (template.body if template else "")
    if request.POST.get("action") == "preview":
        filled = services.reply_fill(inquiry=inquiry, actor=user, text=body)
        shown = ReplyForm(
            {**request.POST.dict(), "body": filled, "template": ""},
            choices=choices,
        )
        shown.is_valid()
        preview = _preview(inquiry, user, filled, data["channel"]) if filled else None
        if not filled:
            shown.add_error(
                "body", _("Bitte schreiben Sie eine Antwort oder wählen Sie eine Vorlage.")
            )
        return _render_detail(request, alliance, inquiry, reply_form=shown, preview=preview)
    try:
        answer = services.inquiry_reply(
            actor=user,
            inquiry=inquiry,
            body=body,
            channel=data["channel"],
            status_after=data["status_after"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_detail(
            request, alliance, inquiry, reply_form=form, status=refusal_status(error)
        )
    answer.refresh_from_db(fields=["delivery"])
    if answer.delivery == Delivery.FAILED:
        messages.error(
            request,
            _(
                "Die Antwort ist gespeichert, aber die E-Mail konnte nicht gesendet werden. "
                "Bitte versuchen Sie es unten bei der Antwort noch einmal."
            ),
        )
    elif answer.delivery == Delivery.NONE:
        messages.success(request, _("Die Antwort ist festgehalten."))
    else:
        messages.success(request, _("Die Antwort ist gesendet."))
    return redirect(_detail_url(alliance, pk))


@signed_in_page(
    methods=["POST"],
    allowed=permissions.can_handle_inquiries,
    refused=HANDLE_REFUSED,
    after_login=_back_to_detail,
)
def inquiry_resend(
    request: HttpRequest, alliance: Alliance, pk: int, message_pk: int
) -> HttpResponseBase:
    inquiry = _inquiry_or_404(alliance, pk)
    answer = inquiry.messages.filter(pk=message_pk).first()
    if answer is None:
        raise Http404(_("Nachricht nicht gefunden."))
    answer.inquiry = inquiry
    try:
        answer = services.inquiry_reply_resend(actor=signed_in_user(request), message=answer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_detail_url(alliance, pk))
    if answer.delivery == Delivery.SENT:
        messages.success(request, _("Die Antwort ist gesendet."))
    else:
        messages.error(request, _("Die E-Mail konnte wieder nicht gesendet werden."))
    return redirect(_detail_url(alliance, pk))


@signed_in_page(
    methods=["POST"],
    allowed=permissions.can_handle_inquiries,
    refused=HANDLE_REFUSED,
    after_login=_back_to_detail,
)
def inquiry_note(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    inquiry = _inquiry_or_404(alliance, pk)
    if refused := _erased(request, alliance, inquiry):
        return refused
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.inquiry_note_add(
                actor=signed_in_user(request), inquiry=inquiry, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return _render_detail(
                request, alliance, inquiry, note_form=form, status=refusal_status(error)
            )
        messages.success(request, _("Die Notiz ist gespeichert."))
        return redirect(_detail_url(alliance, pk))
    return _render_detail(request, alliance, inquiry, note_form=form, status=400)


# --- A person's data on request -------------------------------------------------------------------


@signed_in_page(
    methods=FORM_METHODS, allowed=permissions.can_export_inquiries, refused=EXPORT_REFUSED
)
def inquiry_export(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """Every inquiry of one e-mail address, as a readable page or a JSON file (Art. 15 GDPR).
    A POST: the address stays out of addresses and logs, and the export is audited."""
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        inquiries = selectors.inquiries_of_person(alliance, email)
        user = signed_in_user(request)
        services.inquiry_export_record(actor=user, alliance=alliance, inquiries=inquiries)
        now = timezone.now()
        document = export.export_document(alliance, email, inquiries, now=now)
        if request.POST.get("format") == "json":
            content = json.dumps(document, ensure_ascii=False, indent=2).encode()
            name = f"anfragen-{alliance.slug}-{timezone.localdate(now):%Y-%m-%d}.json"
            return file_response(
                content,
                content_type="application/json; charset=utf-8",
                filename=name,
                attachment=True,
            )
        context = {"email": email, "inquiries": inquiries, "generated_at": now}
        return _page(request, alliance, "export.html", context)
    status = 400 if request.method == "POST" else 200
    return _page(request, alliance, "export_form.html", {"form": form}, status=status)


# --- A member's questions ---------------------------------------------------------------------------


@signed_in_page(methods=FORM_METHODS, allowed=permissions.can_ask_office, refused=ASK_REFUSED)
def my_inquiries(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """„Frage an die Geschäftsstelle“ and the questions the person asked, with the answers."""
    user = signed_in_user(request)
    form = AskForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                inquiry = services.inquiry_ask(
                    actor=user,
                    alliance=alliance,
                    subject=form.cleaned_data["subject"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
                status = refusal_status(error)
            else:
                messages.success(
                    request,
                    _(
                        "Ihre Frage ist bei der Geschäftsstelle eingegangen (Anfrage "
                        "#%(number)s). Die Antwort erhalten Sie per E-Mail und finden sie hier."
                    )
                    % {"number": inquiry.pk},
                )
                return redirect("inquiries:mine", alliance.slug)
        else:
            status = 400
    page, inquiries = selectors.my_inquiries(user, alliance, request.GET.get("page"))
    context = {"form": form, "page": page, "inquiries": inquiries}
    return _page(request, alliance, "mine.html", context, status=status, section="my_inquiries")
