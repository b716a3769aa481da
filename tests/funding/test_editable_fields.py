"""The project's editable fields are one list (models.PROJECT_EDITABLE_FIELDS): the services accept
it, and the applicant form, the API and the admin show it in its order."""

from django.contrib import admin

from buendnis.api.project_serializers import ProjectInputSerializer
from buendnis.funding import services
from buendnis.funding.models import PROJECT_EDITABLE_FIELDS, Project
from buendnis.portal.applicant_forms import EDIT_FIELDS, EDIT_SECTIONS, ProjectForm

EDITABLE = list(PROJECT_EDITABLE_FIELDS)


def test_the_list_names_each_editable_model_field_once() -> None:
    assert len(set(EDITABLE)) == len(EDITABLE)
    for name in EDITABLE:
        field = Project._meta.get_field(name)
        assert field.editable and field.concrete and not field.many_to_many, name


def test_the_services_accept_exactly_the_list() -> None:
    assert set(EDITABLE) == services.EDITABLE_FIELDS


def test_the_form_shows_the_list_with_the_topics_after_the_field_of_action() -> None:
    assert [name for name in EDIT_FIELDS if name != "topics"] == EDITABLE
    assert EDIT_FIELDS[EDIT_FIELDS.index("action_field") + 1] == "topics"
    assert list(ProjectForm.base_fields) == [*EDIT_FIELDS, "version"]
    # A field the page leaves out would be posted empty and so erase what was saved.
    assert [name for _title, names in EDIT_SECTIONS for name in names] == EDIT_FIELDS


def test_the_api_takes_the_list_with_the_named_records_last() -> None:
    assert list(ProjectInputSerializer().fields) == [
        *(name for name in EDITABLE if name != "action_field"),
        "action_field",
        "topics",
        "cofinancing",
    ]


def test_the_admin_shows_the_list_in_its_order() -> None:
    shown = [
        name
        for _title, options in admin.site._registry[Project].fieldsets
        for name in options["fields"]
    ]
    assert [name for name in shown if name in PROJECT_EDITABLE_FIELDS] == EDITABLE
    assert shown[shown.index("action_field") + 1] == "topics"
