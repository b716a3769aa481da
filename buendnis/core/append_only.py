"""Records that are written once and never changed: the audit trail, the budget ledger."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.db import models
from django_stubs_ext import StrOrPromise


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk writes would bypass the model's `save`/`delete`; they are refused just the same.
    Writers that skip the ORM meet the database trigger (`buendnis.core.db.append_only_trigger`)."""

    def _refuse(self) -> NoReturn:
        raise ValueError(str(self.model.append_only_message))

    def update(self, **kwargs: Any) -> int:
        self._refuse()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        # Refused before Django opens its transaction, which the error would leave broken.
        self._refuse()

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse()


class AppendOnlyModel(models.Model):
    """A row is created once; a correction is a new row. Subclasses name the German message."""

    append_only_message: ClassVar[StrOrPromise]

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            self.refuse_change()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self.refuse_change()

    @classmethod
    def refuse_change(cls) -> NoReturn:
        raise ValueError(str(cls.append_only_message))
