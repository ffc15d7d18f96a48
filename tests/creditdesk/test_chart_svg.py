"""Numbers inside the balance chart's SVG are plain decimals in every language."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from creditdesk.web.charts import step_chart

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@pytest.mark.parametrize("language", ["es", "en"])
def test_svg_coordinates_are_plain_decimals(language):
    chart = step_chart(
        [
            (datetime(2026, 11, 2, 9, tzinfo=UTC), Decimal("12.50")),
            (datetime(2026, 11, 9, 9, tzinfo=UTC), Decimal("-3.25")),
            (datetime(2026, 11, 20, 9, tzinfo=UTC), Decimal("1250.75")),
        ],
        width=1280,
    )
    with translation.override(language):
        html = render_to_string("workspace/_balance_chart.html", {"chart": chart})
    svg = html[html.index("<svg") : html.index("</svg>")]
    view_box = re.search(r'viewBox="([^"]*)"', svg).group(1).split()
    line = re.search(r'<line x1="([^"]*)" x2="([^"]*)" y1="([^"]*)" y2="([^"]*)"', svg).groups()
    points = re.search(r'points="([^"]*)"', svg).group(1).replace(",", " ").split()
    for value in [*view_box, *line, *points]:
        assert NUMBER.match(value), (language, value)
    # The zero baseline is where the chart puts it, not at the top.
    assert Decimal(line[2]) == Decimal(str(chart.zero_y)) > 8
