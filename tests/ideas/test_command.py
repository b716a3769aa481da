"""`manage.py ideas_encode`: what is missing or stale is encoded, nothing twice; --all in place."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from buendnis.ideas.models import Encoding
from tests.factories import IdeaFactory, PhaseFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("ideas_encode", *args, stdout=out)
    return out.getvalue()


def test_encodes_what_is_missing_once_and_everything_with_all(alliance, other_alliance):
    IdeaFactory(alliance=alliance)
    ProjectFactory(phase=PhaseFactory(alliance=alliance))
    IdeaFactory(alliance=other_alliance)
    assert run("--alliance", "son").startswith("1 Ideen und 1 Vorhaben kodiert")
    assert Encoding.objects.filter(alliance=alliance).count() == 2
    assert run("--alliance", "son").startswith("0 Ideen und 0 Vorhaben kodiert")
    first = set(Encoding.objects.filter(alliance=alliance).values_list("pk", flat=True))
    assert run("--all", "--alliance", "son").startswith("1 Ideen und 1 Vorhaben kodiert")
    # In place: the rows stay, so the workers never see an empty pool.
    assert set(Encoding.objects.filter(alliance=alliance).values_list("pk", flat=True)) == first
    assert run().startswith("1 Ideen und 0 Vorhaben kodiert")  # the other alliance's idea


def test_an_unknown_alliance_is_refused(alliance):
    with pytest.raises(CommandError, match="Kein Bündnis"):
        run("--alliance", "gibt-es-nicht")
