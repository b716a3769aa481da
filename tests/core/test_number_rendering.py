from decimal import Decimal

from django.template import Context, Template
from django.utils import translation


def test_ids_and_versions_render_without_grouping_while_money_is_grouped():
    # Form values such as topic ids or the optimistic-lock version are read back as integers: a
    # German "4.315" there broke saving once ids passed 999 (seen on PostgreSQL).
    template = Template('{% load buendnis_format %}<input value="{{ pk }}"> {{ amount|money }}')
    with translation.override("de"):
        html = template.render(Context({"pk": 4315, "amount": Decimal("1500000")}))
    assert html == '<input value="4315"> 1.500.000,00 €'
