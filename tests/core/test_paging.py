"""One query per page of a long list (buendnis/core/paging.py)."""

from collections.abc import Callable

import pytest

from buendnis.alliances.models import Alliance
from buendnis.core.paging import page_of
from tests.factories import AllianceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alliances() -> list[Alliance]:
    return [AllianceFactory(slug=f"b{number:02d}") for number in range(7)]


def slugs(page: object) -> list[str]:
    return [alliance.slug for alliance in page.object_list]  # type: ignore[attr-defined]


@pytest.mark.parametrize("number", [1, "2", 3])
def test_a_page_and_its_total_in_one_query(
    alliances: list[Alliance], number: object, django_assert_num_queries: Callable[..., object]
) -> None:
    with django_assert_num_queries(1):  # type: ignore[attr-defined]
        page = page_of(Alliance.objects.order_by("slug"), number, 3)
        assert page.paginator.count == 7
        assert page.paginator.num_pages == 3
        assert page.has_other_pages()
    expected = [f"b{n:02d}" for n in range(7)][(int(str(number)) - 1) * 3 :][:3]
    assert slugs(page) == expected


@pytest.mark.parametrize("number", [None, "", "x", "0", "-2"])
def test_anything_else_is_the_first_page(alliances: list[Alliance], number: object) -> None:
    page = page_of(Alliance.objects.order_by("slug"), number, 3)
    assert page.number == 1
    assert slugs(page) == ["b00", "b01", "b02"]


def test_past_the_end_is_the_last_page(alliances: list[Alliance]) -> None:
    page = page_of(Alliance.objects.order_by("slug"), 9, 3)
    assert page.number == 3
    assert slugs(page) == ["b06"]


def test_an_empty_list_has_one_empty_page(
    django_assert_num_queries: Callable[..., object], db: None
) -> None:
    with django_assert_num_queries(1):  # type: ignore[attr-defined]
        page = page_of(Alliance.objects.order_by("slug"), None, 3)
        assert page.paginator.count == 0
    assert page.number == 1
    assert list(page.object_list) == []
    assert page_of(Alliance.objects.order_by("slug"), "4", 3).number == 1
