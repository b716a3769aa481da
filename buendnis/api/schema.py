"""drf-spectacular extensions: what the generator cannot see by itself. Imported by ApiConfig.ready.

- The Bearer token scheme (`authentication.BearerTokenAuthentication`), and our session class
  (German CSRF message) as the session cookie scheme it is.
- The project's non-public fields are absent for those who may not see them, so the schema must
  not list them as required.
- `AutoSchema` (the settings' DEFAULT_SCHEMA_CLASS) documents what the answers really hold where
  the generator cannot see it: a read-only link, e-mail address or choice the model allows to be
  blank may be "" (DRF drops `allow_blank` from read-only fields), a read-only field whose model
  column is nullable may be null, and a method field typed `… | None` may be null even when
  `@extend_schema_field` names its type. Every paged list documents the bounds of `limit` and
  `offset` and the 400 for a value out of them (pagination.py), whether the paginator or the
  view's own parameters describe them.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.drainage import get_override
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from .base import INVALID

# The bounds pagination.LimitOffsetPagination checks.
_PAGING_MINIMUM = {"limit": 1, "offset": 0}


def _model_field(field: serializers.Field[Any, Any, Any, Any]) -> models.Field[Any, Any] | None:
    """The model column a serializer field of a ModelSerializer reads (following relations in a
    dotted source), or None when it reads something else (a method, a property, `*`)."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or field.source == "*" or not field.source_attrs:
        return None
    column: models.Field[Any, Any] | None = None
    for name in field.source_attrs:
        if model is None:
            return None
        try:
            found = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not isinstance(found, models.Field):
            return None  # a reverse relation
        column = found
        model = found.related_model if found.is_relation else None
    return column


def _returns_none(method: Any) -> bool:
    """The method's return annotation admits None (`str | None`, `Optional[date]`)."""
    try:
        hint = typing.get_type_hints(method).get("return")
    except (NameError, TypeError):
        return False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return type(None) in typing.get_args(hint)
    return False


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's generator, documenting blank and null answers the way they are sent."""

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        for parameter in parameters:
            if parameter.get("in") == "query" and parameter.get("name") in _PAGING_MINIMUM:
                parameter["schema"] = {
                    **parameter["schema"],
                    "minimum": _PAGING_MINIMUM[parameter["name"]],
                }
        names = {parameter.get("name") for parameter in parameters}
        responses = operation.get("responses", {})
        if "limit" in names and "400" not in responses:
            responses["400"] = self._get_response_for_code(INVALID, "400")
            operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _map_response_type_hint(self, method: Any) -> Any:
        schema = super()._map_response_type_hint(method)
        # `@extend_schema_field(OpenApiTypes.DATE)` replaces the type hint, and with it the None.
        if (
            get_override(method, "field") is not None
            and isinstance(schema, dict)
            and "type" in schema
            and _returns_none(method)
        ):
            schema["nullable"] = True
        return schema

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        blank_column = (
            field.read_only
            and isinstance(field, serializers.CharField | serializers.ChoiceField)
            and not field.allow_blank
            and isinstance(column := _model_field(field), models.CharField | models.TextField)
            and column.blank
        )
        if blank_column:
            # The answer may be "" all the same. Set on the schema generator's own serializer
            # instance, so drf-spectacular writes it as for a writable field that may be blank
            # (`oneOf` with an empty string for a URI or e-mail address, BlankEnum for a choice).
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        if not field.read_only or isinstance(field, serializers.SerializerMethodField):
            return
        column = _model_field(field)
        nullable = (
            column is not None
            and column.null
            # A relation's own field names its key (or a slug) and answers null for no object;
            # a field reading through the relation (`organisation.name`) says so itself.
            and (not column.is_relation or isinstance(field, serializers.RelatedField))
        )
        if nullable and "$ref" not in schema and "allOf" not in schema:
            schema["nullable"] = True


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "buendnis.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "API-Schlüssel aus `manage.py create_api_token` (siehe README). / API token "
                "from `manage.py create_api_token` (see README)."
            ),
        }


class GermanSessionScheme(SessionScheme):
    target_class = "buendnis.api.authentication.SessionAuthentication"


class ProjectSchema(OpenApiSerializerExtension):
    target_class = "buendnis.api.project_serializers.ProjectSerializer"

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        from .project_serializers import RESTRICTED_FIELDS

        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["required"] = [
            name for name in schema.get("required", []) if name not in RESTRICTED_FIELDS
        ]
        return schema
