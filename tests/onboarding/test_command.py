"""`manage.py import_alliance`: the same service, the preview or the problems in German, exit
code 1 on a problem."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from buendnis.alliances.models import Organisation
from buendnis.funding.models import Project

pytestmark = pytest.mark.django_db


def command(*args):
    out, err = StringIO(), StringIO()
    call_command("import_alliance", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_shows_the_plan_and_writes_nothing(empty, land, tmp_path):
    path = tmp_path / "musterland.xlsx"
    path.write_bytes(land.xlsx())

    out, _err = command("musterland", str(path), "--dry-run", "--verbosity", "2")

    assert "Organisationen: 30 neu, 0 geändert, 0 unverändert" in out
    assert "Vorhaben: 40 neu, 0 geändert, 0 unverändert" in out
    assert "  + Zeile 2: MUS-2012-01 – Vorhaben 1: Stille Reserve" in out
    assert "Probelauf: es wurde nichts geschrieben." in out
    assert Organisation.objects.count() == 0


def test_import_and_again(empty, land, tmp_path):
    path = tmp_path / "musterland.xlsx"
    path.write_bytes(land.xlsx())

    out, _err = command("musterland", str(path))
    assert "Übernommen in „Fachkräftebündnis Musterland“." in out
    assert Project.objects.count() == 40

    out, _err = command("musterland", str(path))
    assert "Vorhaben: 0 neu, 0 geändert, 40 unverändert" in out
    assert "Nichts zu ändern" in out


def test_problems_go_to_stderr_and_exit_with_1(empty, land, tmp_path):
    land.set("Vorhaben", 17, "Laufzeit ab", "31.02.2019")
    path = tmp_path / "musterland.xlsx"
    path.write_bytes(land.xlsx())
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_alliance", "musterland", str(path), stdout=StringIO(), stderr=err)

    assert caught.value.returncode == 1
    assert "1 Fehler; es wurde nichts übernommen." in str(caught.value)
    assert (
        "– Blatt „Vorhaben“, Zeile 19, Spalte „Laufzeit ab“: Den 31.02.2019 gibt es nicht"
        in err.getvalue()
    )
    assert Organisation.objects.count() == 0


def test_a_csv_file_with_its_sheet(empty, land, tmp_path):
    path = tmp_path / "partner.csv"
    path.write_bytes(land.csv("Organisationen"))
    out, _err = command("musterland", str(path), "--sheet", "organisationen")
    assert "Organisationen: 30 neu" in out
    with pytest.raises(CommandError, match="Ein Blatt „Partner“ gibt es nicht"):
        command("musterland", str(path), "--sheet", "Partner")
    with pytest.raises(CommandError, match="Ein Bündnis „nirgendwo“ gibt es nicht"):
        command("nirgendwo", str(path))
