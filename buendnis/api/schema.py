"""drf-spectacular extensions: what the generator cannot see by itself. Imported by ApiConfig.ready.

- The Bearer token scheme (`authentication.BearerTokenAuthentication`), and our session class
  (German CSRF message) as the session cookie scheme it is.
- The project's non-public fields are absent for those who may not see them, so the schema must
  not list them as required.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension


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
