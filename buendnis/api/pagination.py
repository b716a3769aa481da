"""Paging of every list (`limit`, `offset`; the settings' DEFAULT_PAGINATION_CLASS).

DRF's LimitOffsetPagination falls back to its defaults for a value it cannot read: `?offset=abc`
answered the first page with 200, and a client never learned that it pages wrongly. Here a value
that is not a whole number in range answers 400 with a German message under the parameter's
name, like every other query parameter of the API; an empty parameter means none (a form's empty
field), as before. The schema documents the bounds and the 400 (schema.AutoSchema).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.request import Request

# ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() refuses or reads.
WHOLE_NUMBER = re.compile(r"[0-9]+")


def whole_number(raw: str) -> int | None:
    """The value of a query parameter as a whole number ≥ 0, or None when it is none."""
    return int(raw) if WHOLE_NUMBER.fullmatch(raw) else None


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    def get_limit(self, request: Request) -> int | None:
        raw = request.query_params.get(self.limit_query_param)
        if not raw:
            return self.default_limit
        limit = whole_number(raw)
        if limit is None or limit < 1:
            raise exceptions.ValidationError(
                {
                    self.limit_query_param: [
                        _("Bitte für „%(name)s“ eine ganze Zahl größer als 0 angeben.")
                        % {"name": self.limit_query_param}
                    ]
                }
            )
        return min(limit, self.max_limit) if self.max_limit else limit

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if not raw:
            return 0
        offset = whole_number(raw)
        if offset is None:
            raise exceptions.ValidationError(
                {
                    self.offset_query_param: [
                        _("Bitte für „%(name)s“ eine ganze Zahl ab 0 angeben.")
                        % {"name": self.offset_query_param}
                    ]
                }
            )
        return offset
