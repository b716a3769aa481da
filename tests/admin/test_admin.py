"""The admin, persona by persona: who gets in, who sees what, and that every write keeps the rules.

`alliance` is the office's; `other_alliance` is the outsider's (office there, nothing here).
"""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from buendnis.accounts.models import Membership, Role, User
from buendnis.alliances.models import (
    ActionField,
    Alliance,
    FundingPhase,
    Organisation,
    Seat,
    SeatRole,
    Topic,
)
from buendnis.core.models import AuditEntry

from ..conftest import PERSONAS
from ..factories import (
    ActionFieldFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PhaseFactory,
    SeatFactory,
    Structure,
    TopicFactory,
    UserFactory,
)

REGISTERED = [
    "alliances.alliance",
    "alliances.organisationgroup",
    "alliances.organisation",
    "alliances.person",
    "alliances.fundingphase",
    "alliances.cooperationagreement",
    "alliances.body",
    "alliances.seat",
    "alliances.actionfield",
    "alliances.topic",
    "accounts.user",
    "accounts.membership",
    "core.auditentry",
]

# Who enters the admin. The site's other roles (speaker, member …) are not staff: Django sends
# them to the admin's login page. The ministry enters as staff and reads (see below).
ENTERS = {"office", "ministry", "admin", "outsider"}


def url(label, view, *args):
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_errors(response):
    """All errors of the admin form, field errors and the ones on top, as one list of strings."""
    form = response.context["adminform"].form
    return [error for errors in form.errors.values() for error in errors]


def counts():
    return {
        "organisations": Organisation.objects.count(),
        "phases": FundingPhase.objects.count(),
        "seats": Seat.objects.count(),
        "memberships": Membership.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def ministry_client(client_as):
    """The ministry's client: platform role ministry, and staff, which Django needs for /admin/."""
    return client_as("ministry")


@pytest.fixture
def two_cities(alliance, other_alliance):
    """One organisation in each alliance."""
    return (
        OrganisationFactory(alliance=alliance, name="Stadt Braunschweig"),
        OrganisationFactory(alliance=other_alliance, name="Stadt Hannover"),
    )


def test_every_model_is_registered():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert set(REGISTERED) <= registered


def test_labels_are_the_german_verbose_names(client_as, db):
    page = client_as("admin").get("/admin/").content.decode()
    for label in [
        "Bündnisse",
        "Organisationen",
        "Förderphasen",
        "Kooperationsvereinbarungen",
        "Gremien",
        "Sitze",
        "Handlungsfelder",
        "Themen",
        "Rollen im Bündnis",
        "Protokoll",
    ]:
        assert label in page


# --- Who gets in --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_index_per_persona(client_as, persona):
    response = client_as(persona).get("/admin/")
    if persona in ENTERS:
        assert response.status_code == 200
    else:
        # Anonymous and non-staff users land on the admin's login page.
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_ministry_enters_only_because_it_is_staff(make_persona):
    # Django's own gate: without the staff flag even the ministry meets the admin's login page.
    ministry = make_persona("ministry")
    ministry.is_staff = False
    ministry.save()
    client = Client()
    client.force_login(ministry)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_flag_alone_is_not_enough(db):
    # Staff, but neither office, ministry nor platform admin: no app is offered, no list opens.
    user = UserFactory(username="staff-only", is_staff=True)
    client = Client()
    client.force_login(user)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert index.context["app_list"] == []
    assert client.get(url("alliances.organisation", "changelist")).status_code == 403


@pytest.mark.parametrize("label", REGISTERED)
@pytest.mark.parametrize("persona", PERSONAS)
def test_changelists_per_persona(client_as, persona, label):
    response = client_as(persona).get(url(label, "changelist"))
    if persona in ENTERS:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("label", REGISTERED)
def test_ministry_reads_every_changelist(ministry_client, label):
    assert ministry_client.get(url(label, "changelist")).status_code == 200


# --- Tenants ------------------------------------------------------------------------------------


def test_office_sees_only_its_alliances_organisations(client_as, two_cities):
    page = client_as("office").get(url("alliances.organisation", "changelist")).content.decode()
    assert "Stadt Braunschweig" in page
    assert "Stadt Hannover" not in page


def test_outsider_sees_only_its_own_alliances_organisations(client_as, two_cities):
    page = client_as("outsider").get(url("alliances.organisation", "changelist")).content.decode()
    assert "Stadt Hannover" in page
    assert "Stadt Braunschweig" not in page


@pytest.mark.parametrize("persona", ["admin", "ministry"])
def test_platform_sees_every_alliance(client_as, two_cities, persona):
    page = client_as(persona).get(url("alliances.organisation", "changelist")).content.decode()
    assert "Stadt Braunschweig" in page
    assert "Stadt Hannover" in page


@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_outsider_cannot_open_a_record_of_the_alliance(client_as, two_cities, view):
    ours, _theirs = two_cities
    response = client_as("outsider").get(url("alliances.organisation", view, ours.pk))
    # Django's answer for a record outside the user's queryset: "does not exist", back to the index.
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")


def test_outsider_cannot_change_or_delete_a_record_of_the_alliance(client_as, two_cities):
    ours, _theirs = two_cities
    client = client_as("outsider")
    before = counts()
    change = client.post(
        url("alliances.organisation", "change", ours.pk),
        {"alliance": ours.alliance_id, "name": "Übernommen", "group": ours.group_id},
    )
    delete = client.post(url("alliances.organisation", "delete", ours.pk), {"post": "yes"})
    assert change.status_code in (302, 403, 404)
    assert delete.status_code in (302, 403, 404)
    ours.refresh_from_db()
    assert ours.name == "Stadt Braunschweig"
    assert counts() == before


def test_office_cannot_add_a_record_to_another_alliance(client_as, alliance, other_alliance):
    client = client_as("office")
    foreign_group = Structure(other_alliance).groups["municipalities"]
    before = counts()
    response = client.post(
        url("alliances.organisation", "add"),
        {"alliance": other_alliance.pk, "name": "Stadt Peine", "group": foreign_group.pk},
    )
    assert response.status_code == 200
    errors = form_errors(response)
    assert any("Bitte eine gültige Auswahl treffen." in error for error in errors), errors
    assert counts() == before


def test_dropdowns_offer_only_the_offices_alliance(client_as, alliance, other_alliance):
    Structure(alliance)
    Structure(other_alliance)
    form = client_as("office").get(url("alliances.seat", "add")).context["adminform"].form
    assert {body.alliance_id for body in form.fields["body"].queryset} == {alliance.pk}
    assert {org.alliance_id for org in form.fields["organisation"].queryset} == {alliance.pk}
    alliance_form = (
        client_as("outsider").get(url("alliances.organisation", "add")).context["adminform"].form
    )
    assert list(alliance_form.fields["alliance"].queryset) == [other_alliance]


# --- The ministry reads, never writes -----------------------------------------------------------


def test_ministry_views_a_record_but_cannot_change_it(ministry_client, two_cities):
    ours, _theirs = two_cities
    page = ministry_client.get(url("alliances.organisation", "change", ours.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    before = counts()
    response = ministry_client.post(
        url("alliances.organisation", "change", ours.pk),
        {"alliance": ours.alliance_id, "name": "Vom Ministerium", "group": ours.group_id},
    )
    assert response.status_code == 403
    ours.refresh_from_db()
    assert ours.name == "Stadt Braunschweig"
    assert counts() == before


def test_ministry_cannot_add_or_delete(ministry_client, two_cities):
    ours, _theirs = two_cities
    assert ministry_client.get(url("alliances.organisation", "add")).status_code == 403
    assert (
        ministry_client.post(
            url("alliances.organisation", "delete", ours.pk), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Organisation.objects.filter(pk=ours.pk).exists()


# --- Writes go through the services -------------------------------------------------------------


def test_office_adds_an_organisation_through_the_service(client_as, alliance):
    s = Structure(alliance)
    client = client_as("office")
    response = client.post(
        url("alliances.organisation", "add"),
        {
            "alliance": alliance.pk,
            "name": "TU Braunschweig",
            "group": s.groups["other"].pk,
            "city": "Braunschweig",
        },
    )
    assert response.status_code == 302
    created = Organisation.objects.get(name="TU Braunschweig")
    entry = AuditEntry.objects.get(action="organisation.create", object_id=str(created.pk))
    assert entry.actor.username == "office"
    assert entry.alliance_id == alliance.pk
    assert entry.changes["name"] == [None, "TU Braunschweig"]


def test_office_changes_an_organisation_with_one_audit_row(client_as, alliance):
    s = Structure(alliance)
    organisation = s.org("Stadt Braunschweig")
    client = client_as("office")
    before = AuditEntry.objects.count()
    response = client.post(
        url("alliances.organisation", "change", organisation.pk),
        {
            "alliance": alliance.pk,
            "name": "Stadt Braunschweig",
            "group": organisation.group_id,
            "city": "Braunschweig",
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.latest("id").changes == {"city": ["", "Braunschweig"]}


def test_office_deletes_through_the_service(client_as, alliance):
    s = Structure(alliance)
    client = client_as("office")
    response = client.post(url("alliances.organisation", "delete", s.arl.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=s.arl.pk).exists()
    entry = AuditEntry.objects.get(action="organisation.delete")
    assert entry.actor.username == "office"


def test_bulk_delete_goes_through_the_service(client_as, alliance):
    s = Structure(alliance)
    spare = OrganisationFactory(alliance=alliance, group=s.groups["other"], name="Verein Ehrenamt")
    response = client_as("office").post(
        url("alliances.organisation", "changelist"),
        {"action": "delete_selected", "_selected_action": [s.arl.pk, spare.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk__in=[s.arl.pk, spare.pk]).exists()
    assert AuditEntry.objects.filter(action="organisation.delete").count() == 2


def test_record_in_use_is_not_deleted(client_as, alliance):
    s = Structure(alliance)
    SeatFactory(body=s.steering, organisation=s.org("Stadt Braunschweig"), role=SeatRole.MEMBER)
    client = client_as("office")
    before = counts()
    page = client.post(
        url("alliances.organisation", "delete", s.org("Stadt Braunschweig").pk), {"post": "yes"}
    )
    # Django lists the protected seat and deletes nothing.
    assert page.status_code == 200
    assert page.context["protected"]
    assert counts() == before


def test_phase_ending_before_it_starts_is_a_german_form_error(client_as, alliance):
    client = client_as("office")
    before = counts()
    response = client.post(
        url("alliances.fundingphase", "add"),
        {
            "alliance": alliance.pk,
            "name": "2018–2021",
            "starts_on": "2018-07-01",
            "ends_on": "2018-06-30",
            "virtual_budget": "1500000.00",
            "funding_rate": "50",
        },
    )
    assert response.status_code == 200
    assert "Das Ende der Förderphase muss nach ihrem Beginn liegen." in form_errors(response)
    assert counts() == before


def test_overlapping_phase_is_a_german_form_error(client_as, alliance):
    PhaseFactory(alliance=alliance)
    client = client_as("office")
    before = counts()
    response = client.post(
        url("alliances.fundingphase", "add"),
        {
            "alliance": alliance.pk,
            "name": "2021–2024",
            "starts_on": "2021-01-01",
            "ends_on": "2024-06-30",
            "virtual_budget": "1500000.00",
            "funding_rate": "50",
        },
    )
    assert response.status_code == 200
    assert (
        "Die Förderphase überschneidet sich mit „2018–2021“ (01.07.2018–30.06.2021)."
        in form_errors(response)
    )
    assert counts() == before


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("120", "Der Fördersatz darf höchstens 100 % betragen."),
        ("0", "Der Fördersatz muss größer als 0 % sein."),
    ],
)
def test_rate_out_of_range_is_a_german_form_error(client_as, alliance, rate, message):
    client = client_as("office")
    before = counts()
    response = client.post(
        url("alliances.fundingphase", "add"),
        {
            "alliance": alliance.pk,
            "name": "2018–2021",
            "starts_on": "2018-07-01",
            "ends_on": "2021-06-30",
            "virtual_budget": "1500000.00",
            "funding_rate": rate,
        },
    )
    assert response.status_code == 200
    assert form_errors(response) == [message]
    assert counts() == before


def seat_form(s, organisation, role, starts_on="2019-03-01", **extra):
    return {
        "body": s.speakers.pk,
        "organisation": organisation.pk,
        "role": role,
        "starts_on": starts_on,
        **extra,
    }


def test_second_deputy_of_a_group_is_a_german_form_error(client_as, alliance):
    s = Structure(alliance)
    SeatFactory(
        body=s.speakers, organisation=s.org("Stadt Braunschweig"), role=SeatRole.DEPUTY_SPEAKER
    )
    client = client_as("office")
    before = counts()
    response = client.post(
        url("alliances.seat", "add"),
        seat_form(s, s.org("Landkreis Wolfenbüttel"), SeatRole.DEPUTY_SPEAKER),
    )
    assert response.status_code == 200
    assert form_errors(response) == [
        "Die Gruppe Kommunen hat bereits eine/n stellvertretende/n Sprecher/in: Stadt Braunschweig. "
        "Jede Gruppe entsendet genau eine Person."
    ]
    assert counts() == before


def test_office_seats_a_deputy_and_the_seat_takes_the_bodys_alliance(client_as, alliance):
    s = Structure(alliance)
    response = client_as("office").post(
        url("alliances.seat", "add"),
        seat_form(s, s.org("Stadt Braunschweig"), SeatRole.DEPUTY_SPEAKER),
    )
    assert response.status_code == 302
    created = Seat.objects.get(body=s.speakers)
    assert created.alliance_id == alliance.pk
    assert AuditEntry.objects.filter(action="seat.create", actor__username="office").count() == 1


def test_form_without_a_body_shows_field_errors_not_a_crash(client_as, alliance):
    s = Structure(alliance)
    client = client_as("office")
    before = counts()
    response = client.post(
        url("alliances.seat", "add"),
        {
            "organisation": s.org("Stadt Braunschweig").pk,
            "role": SeatRole.DEPUTY_SPEAKER,
            "starts_on": "2019-03-01",
        },
    )
    assert response.status_code == 200
    assert "body" in response.context["adminform"].form.errors
    assert counts() == before


def test_office_seat_without_a_person_is_a_german_form_error(client_as, alliance):
    s = Structure(alliance)
    client = client_as("office")
    before = counts()
    response = client.post(
        url("alliances.seat", "add"),
        {
            "body": s.office.pk,
            "organisation": s.arl.pk,
            "role": SeatRole.OFFICE_STAFF,
            "starts_on": "2019-03-01",
        },
    )
    assert response.status_code == 200
    assert form_errors(response) == ["Ein Sitz in der Geschäftsstelle gehört einer Person."]
    assert counts() == before


def test_cross_alliance_reference_is_a_german_form_error_for_platform_admins(
    client_as, alliance, other_alliance
):
    # Platform admins see every alliance's groups in the dropdown; the service's validator refuses.
    foreign_group = Structure(other_alliance).groups["municipalities"]
    client = client_as("admin")
    before = counts()
    response = client.post(
        url("alliances.organisation", "add"),
        {"alliance": alliance.pk, "name": "Stadt Peine", "group": foreign_group.pk},
    )
    assert response.status_code == 200
    assert form_errors(response) == ["„Kommunen“ gehört zu einem anderen Bündnis."]
    assert counts() == before


def test_race_lost_after_the_form_check_is_a_message_not_a_crash(client_as, alliance, monkeypatch):
    """The form's check passes, then another writer takes the place before the save."""
    from buendnis.alliances import services

    s = Structure(alliance)
    real_save = services.seat_save

    def someone_else_first(*, actor, instance):
        SeatFactory(
            body=s.speakers,
            organisation=s.org("Landkreis Wolfenbüttel"),
            role=SeatRole.DEPUTY_SPEAKER,
        )
        return real_save(actor=actor, instance=instance)

    from buendnis.alliances.admin import SeatAdmin

    monkeypatch.setattr(SeatAdmin, "service_save", staticmethod(someone_else_first))
    before_audit = AuditEntry.objects.count()
    response = client_as("office").post(
        url("alliances.seat", "add"),
        seat_form(s, s.org("Stadt Braunschweig"), SeatRole.DEPUTY_SPEAKER),
    )
    assert response.status_code == 302
    assert messages_of(response) == [
        "Die Gruppe Kommunen hat bereits eine/n stellvertretende/n Sprecher/in: Landkreis Wolfenbüttel. "
        "Jede Gruppe entsendet genau eine Person."
    ]
    # The whole request rolled back, the competitor's seat included (it ran in the same request).
    assert Seat.objects.count() == 0
    assert AuditEntry.objects.count() == before_audit


def test_action_field_with_inline_topics_goes_through_the_services(client_as, alliance):
    phase = PhaseFactory(alliance=alliance)
    response = client_as("office").post(
        url("alliances.actionfield", "add"),
        {
            "phase": phase.pk,
            "title": "Rekrutierung und Matching",
            "position": "3",
            "topics-TOTAL_FORMS": "2",
            "topics-INITIAL_FORMS": "0",
            "topics-MIN_NUM_FORMS": "0",
            "topics-MAX_NUM_FORMS": "1000",
            "topics-0-title": "Rückkehrprogramme",
            "topics-0-position": "0",
            "topics-1-title": "Duale Karriere",
            "topics-1-position": "1",
        },
    )
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    field = ActionField.objects.get(title="Rekrutierung und Matching")
    assert field.alliance_id == alliance.pk
    assert sorted(Topic.objects.filter(action_field=field).values_list("title", "alliance_id")) == [
        ("Duale Karriere", alliance.pk),
        ("Rückkehrprogramme", alliance.pk),
    ]
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == [
        "action_field.create",
        "topic.create",
        "topic.create",
    ]


def test_inline_topic_under_a_parent_of_another_field_is_refused(client_as, alliance):
    phase = PhaseFactory(alliance=alliance)
    field = ActionFieldFactory(phase=phase, title="Digitalisierung / Innovation")
    stranger = TopicFactory(
        action_field=ActionFieldFactory(phase=phase, title="Beratungsinfrastruktur")
    )
    client = client_as("office")
    inline = client.get(url("alliances.actionfield", "change", field.pk)).context[
        "inline_admin_formsets"
    ][0]
    # The dropdown offers topics of this field only.
    assert stranger not in inline.formset.empty_form.fields["parent"].queryset
    before = Topic.objects.count()
    response = client.post(
        url("alliances.actionfield", "change", field.pk),
        {
            "phase": phase.pk,
            "title": field.title,
            "position": "0",
            "topics-TOTAL_FORMS": "1",
            "topics-INITIAL_FORMS": "0",
            "topics-MIN_NUM_FORMS": "0",
            "topics-MAX_NUM_FORMS": "1000",
            "topics-0-title": "Arbeit 4.0",
            "topics-0-position": "0",
            "topics-0-parent": stranger.pk,
        },
    )
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[0]["parent"][0].startswith("Bitte eine gültige Auswahl treffen.")
    assert Topic.objects.count() == before


def test_inline_topic_with_a_parent_of_the_same_field_is_saved(client_as, alliance):
    phase = PhaseFactory(alliance=alliance)
    field = ActionFieldFactory(phase=phase, title="Beratungsinfrastruktur")
    parent = TopicFactory(action_field=field, title="Geflüchtete", position=0)
    client = client_as("office")
    response = client.post(
        url("alliances.actionfield", "change", field.pk),
        {
            "phase": phase.pk,
            "title": field.title,
            "position": "0",
            "topics-TOTAL_FORMS": "2",
            "topics-INITIAL_FORMS": "1",
            "topics-MIN_NUM_FORMS": "0",
            "topics-MAX_NUM_FORMS": "1000",
            "topics-0-id": parent.pk,
            "topics-0-action_field": field.pk,
            "topics-0-title": "Geflüchtete",
            "topics-0-position": "0",
            "topics-1-action_field": field.pk,
            "topics-1-title": "Beschäftigung geflüchteter Frauen",
            "topics-1-position": "1",
            "topics-1-parent": parent.pk,
        },
    )
    assert response.status_code == 302
    child = Topic.objects.get(title="Beschäftigung geflüchteter Frauen")
    assert (child.parent, child.alliance_id) == (parent, alliance.pk)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["topic.create"]


# --- Alliances ----------------------------------------------------------------------------------


def test_office_edits_its_alliance_but_not_its_address(client_as, alliance):
    client = client_as("office")
    page = client.get(url("alliances.alliance", "change", alliance.pk))
    assert page.status_code == 200
    assert "slug" not in page.context["adminform"].form.fields
    response = client.post(
        url("alliances.alliance", "change", alliance.pk),
        {
            "name": alliance.name,
            "short_name": alliance.short_name,
            "office_email": "info@example.org",
            "slug": "admin",
        },
    )
    assert response.status_code == 302
    alliance.refresh_from_db()
    assert (alliance.office_email, alliance.slug) == ("info@example.org", "son")
    assert client.get(url("alliances.alliance", "add")).status_code == 403


def test_reserved_slug_is_a_german_form_error(client_as, db):
    before = Alliance.objects.count()
    response = client_as("admin").post(
        url("alliances.alliance", "add"),
        {"slug": "admin", "name": "Fachkräftebündnis Nordwest", "is_active": "on"},
    )
    assert response.status_code == 200
    assert form_errors(response) == ["Der Kurzname „admin“ ist für die Plattform reserviert."]
    assert Alliance.objects.count() == before


# --- Bodies show what they lack ---------------------------------------------------------------


def test_speakers_circle_page_warns_about_what_is_missing(client_as, alliance):
    s = Structure(alliance)
    SeatFactory(
        body=s.speakers,
        organisation=s.org("IHK Braunschweig"),
        role=SeatRole.SPEAKER,
        starts_on=date(2000, 1, 1),
    )
    response = client_as("office").get(url("alliances.body", "change", s.speakers.pk))
    assert response.status_code == 200
    warnings = messages_of(response)
    assert "Es fehlt der/die stellvertretende Sprecher/in der Gruppe Kommunen." in warnings
    assert "Es fehlt der/die Sprecher/in des Bündnisses." not in warnings
    assert (
        "Es fehlt der/die stellvertretende Sprecher/in der Gruppe Kommunen."
        in response.content.decode()
    )


def test_steering_committee_page_warns_about_members_without_agreement(client_as, alliance):
    s = Structure(alliance)
    # A phase running today, which the member did not sign.
    today_phase = PhaseFactory(
        alliance=alliance, name="laufend", starts_on=date(2024, 7, 1), ends_on=date(2099, 12, 31)
    )
    SeatFactory(body=s.steering, organisation=s.org("Stadt Braunschweig"), role=SeatRole.MEMBER)
    response = client_as("office").get(url("alliances.body", "change", s.steering.pk))
    assert messages_of(response) == [
        f"Stadt Braunschweig hat einen stimmberechtigten Sitz, aber für {today_phase.name} nicht unterzeichnet."
    ]


# --- Roles and accounts -----------------------------------------------------------------------


def test_office_grants_a_role_in_its_alliance(client_as, alliance):
    UserFactory(username="erika")
    client = client_as("office")
    response = client.post(
        url("accounts.membership", "add"),
        {"user": "erika", "alliance": alliance.pk, "role": Role.STEERING},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="erika")
    assert (membership.alliance, membership.role) == (alliance, Role.STEERING)
    assert (
        AuditEntry.objects.filter(action="membership.create", actor__username="office").count() == 1
    )


def test_office_cannot_grant_a_role_in_another_alliance(client_as, alliance, other_alliance):
    UserFactory(username="erika")
    client = client_as("office")
    before = counts()
    response = client.post(
        url("accounts.membership", "add"),
        {"user": "erika", "alliance": other_alliance.pk, "role": Role.OFFICE},
    )
    assert response.status_code == 200
    assert any("Bitte eine gültige Auswahl treffen." in error for error in form_errors(response))
    assert counts() == before


def test_unknown_username_is_a_german_form_error(client_as, alliance):
    client = client_as("office")
    before = counts()
    response = client.post(
        url("accounts.membership", "add"),
        {"user": "niemand", "alliance": alliance.pk, "role": Role.STEERING},
    )
    assert form_errors(response) == ["Es gibt keinen Zugang mit diesem Benutzernamen."]
    assert counts() == before


def test_office_sees_memberships_and_accounts_of_its_alliance_only(
    client_as, make_persona, alliance, other_alliance
):
    make_persona("speaker")
    stranger = UserFactory(username="fremd")
    MembershipFactory(user=stranger, alliance=other_alliance, role=Role.STEERING)
    client = client_as("office")
    memberships = client.get(url("accounts.membership", "changelist")).context["cl"].result_list
    assert {m.alliance_id for m in memberships} == {alliance.pk}
    users = {
        u.username for u in client.get(url("accounts.user", "changelist")).context["cl"].result_list
    }
    assert users == {"office", "speaker"}
    assert client.get(url("accounts.user", "change", stranger.pk)).status_code == 302


def test_office_reads_an_account_without_its_password_data(client_as, make_persona):
    speaker = make_persona("speaker")
    page = client_as("office").get(url("accounts.user", "change", speaker.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "speaker@example.org" in html
    assert "md5" not in html
    shown = [
        name
        for _title, options in page.context["adminform"].fieldsets
        for name in options["fields"]
    ]
    assert "password" not in shown
    assert "user_permissions" not in shown


def test_office_cannot_change_accounts(client_as, make_persona):
    speaker = make_persona("speaker")
    client = client_as("office")
    response = client.post(
        url("accounts.user", "change", speaker.pk), {"username": "speaker", "is_superuser": "on"}
    )
    assert response.status_code == 403
    speaker.refresh_from_db()
    assert speaker.is_superuser is False
    assert client.get(url("accounts.user", "add")).status_code == 403


def test_platform_admin_changes_an_account_with_audit_row_without_password(client_as, make_persona):
    speaker = make_persona("speaker")
    client = client_as("admin")
    response = client.post(
        url("accounts.user", "change", speaker.pk),
        {
            "username": "speaker",
            "email": "speaker@example.org",
            "first_name": "Sabine",
            "is_active": "on",
            "platform_role": "",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    entry = AuditEntry.objects.get(action="user.update")
    assert entry.changes["first_name"] == ["", "[entfernt]"]
    assert "password" not in entry.changes


def test_office_role_granted_in_the_admin_makes_the_account_staff(client_as, alliance):
    erika = UserFactory(username="erika")
    response = client_as("office").post(
        url("accounts.membership", "add"),
        {"user": "erika", "alliance": alliance.pk, "role": Role.OFFICE},
    )
    assert response.status_code == 302
    erika.refresh_from_db()
    assert erika.is_staff is True
    staff = AuditEntry.objects.get(action="user.update", object_id=str(erika.pk))
    assert (staff.actor.username, staff.alliance_id) == ("office", alliance.pk)
    assert staff.changes == {"is_staff": [False, True]}


def test_platform_admin_creates_an_account_through_the_service(client_as, db):
    response = client_as("admin").post(
        url("accounts.user", "add"),
        {
            "username": "erika",
            "usable_password": "true",
            "password1": "lange-genug-2026",
            "password2": "lange-genug-2026",
        },
    )
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    erika = User.objects.get(username="erika")
    assert response["Location"] == url("accounts.user", "change", erika.pk)
    assert erika.check_password("lange-genug-2026")
    entry = AuditEntry.objects.get(action="user.create")
    assert (entry.actor.username, entry.object_id) == ("admin", str(erika.pk))
    assert entry.changes["username"] == [None, "[entfernt]"]
    assert "password" not in entry.changes


def test_platform_admin_sets_a_password_through_the_service(client_as, make_persona):
    speaker = make_persona("speaker")
    client = client_as("admin")
    password_url = reverse("admin:auth_user_password_change", args=[speaker.pk])
    weak = client.post(password_url, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 200
    assert "Dieses Passwort ist zu kurz" in weak.content.decode()
    assert not AuditEntry.objects.filter(action="user.password").exists()
    response = client.post(
        password_url, {"password1": "ein-neues-passwort-9", "password2": "ein-neues-passwort-9"}
    )
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert speaker.check_password("ein-neues-passwort-9")
    entry = AuditEntry.objects.get(action="user.password")
    assert (entry.actor.username, entry.object_id, entry.changes) == ("admin", str(speaker.pk), {})
    assert speaker.password not in str(entry.changes)


def test_account_that_acted_is_not_deleted_but_can_be_deactivated(
    client_as, make_persona, alliance
):
    office = make_persona("office")
    from buendnis.alliances import services

    services.group_create(actor=office, alliance=alliance, name="Hochschulen")
    client = client_as("admin")
    before = AuditEntry.objects.count()
    response = client.post(url("accounts.user", "delete", office.pk), {"post": "yes"})
    assert response.status_code == 302
    assert messages_of(response) == [
        "Der Zugang „office“ steht im Protokoll und kann nicht gelöscht werden. Deaktivieren Sie ihn stattdessen."
    ]
    assert User.objects.filter(pk=office.pk).exists()
    assert AuditEntry.objects.count() == before

    response = client.post(
        url("accounts.user", "changelist"),
        {"action": "deactivate", "_selected_action": [office.pk]},
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.is_active is False
    entry = AuditEntry.objects.get(action="user.deactivate")
    assert (entry.actor.username, entry.changes) == ("admin", {"is_active": [True, False]})


def test_account_that_never_acted_is_deleted_with_an_audit_row(client_as, db):
    typo = UserFactory(username="eirka")
    response = client_as("admin").post(url("accounts.user", "delete", typo.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(username="eirka").exists()
    entry = AuditEntry.objects.get(action="user.delete")
    assert (entry.actor.username, entry.changes["username"]) == ("admin", "[entfernt]")
    assert "password" not in entry.changes


def test_office_and_ministry_cannot_deactivate_accounts(client_as, make_persona):
    speaker = make_persona("speaker")
    for persona in ("office", "ministry"):
        client_as(persona).post(
            url("accounts.user", "changelist"),
            {"action": "deactivate", "_selected_action": [speaker.pk]},
        )
    speaker.refresh_from_db()
    assert speaker.is_active is True
    assert not AuditEntry.objects.filter(action="user.deactivate").exists()


# --- The audit trail is read-only --------------------------------------------------------------


@pytest.fixture
def audit_rows(alliance, other_alliance):
    from buendnis.alliances import services

    ours = services.group_create(actor=None, alliance=alliance, name="Hochschulen")
    theirs = services.group_create(
        actor=None, alliance=other_alliance, name="Hochschulen Leine-Weser"
    )
    return (
        AuditEntry.objects.get(object_id=str(ours.pk), action="group.create"),
        AuditEntry.objects.get(object_id=str(theirs.pk), action="group.create"),
    )


def test_office_reads_its_alliances_audit_trail_only(client_as, audit_rows):
    ours, theirs = audit_rows
    client = client_as("office")
    listed = list(client.get(url("core.auditentry", "changelist")).context["cl"].result_list)
    assert listed == [ours]
    assert client.get(url("core.auditentry", "change", ours.pk)).status_code == 200
    assert client.get(url("core.auditentry", "change", theirs.pk)).status_code == 302


@pytest.mark.parametrize("persona", ["office", "admin"])
def test_nobody_adds_changes_or_deletes_audit_entries(client_as, audit_rows, persona):
    ours, _theirs = audit_rows
    client = client_as(persona)
    assert client.get(url("core.auditentry", "add")).status_code == 403
    assert (
        client.post(url("core.auditentry", "change", ours.pk), {"action": "x"}).status_code == 403
    )
    assert (
        client.post(url("core.auditentry", "delete", ours.pk), {"post": "yes"}).status_code == 403
    )
    ours.refresh_from_db()
    assert ours.action == "group.create"
    assert AuditEntry.objects.count() == 2


def test_ministry_reads_every_audit_entry(ministry_client, audit_rows):
    listed = set(
        ministry_client.get(url("core.auditentry", "changelist")).context["cl"].result_list
    )
    assert listed == set(audit_rows)


def test_person_dropdown_offers_logins_of_the_alliance_only(
    client_as, make_persona, alliance, other_alliance
):
    make_persona("speaker")
    MembershipFactory(
        user=UserFactory(username="fremd"), alliance=other_alliance, role=Role.STEERING
    )
    organisation = OrganisationFactory(alliance=alliance)
    PersonFactory(organisation=organisation)
    form = client_as("office").get(url("alliances.person", "add")).context["adminform"].form
    assert {user.username for user in form.fields["user"].queryset} == {"office", "speaker"}
    assert User.objects.filter(username="fremd").exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_task_queue_is_for_platform_superusers_only(client_as, persona):
    """Queued mail holds whole messages (personal data of every alliance): django-tasks-db's
    admin goes by Django's model permissions, which only superusers hold here."""
    response = client_as(persona).get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist")
    )
    if persona == "admin":
        assert response.status_code == 200
    elif persona in ENTERS:
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
