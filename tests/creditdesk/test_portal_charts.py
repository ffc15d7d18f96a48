"""The portal's charts as inline SVG: labelled axes, the intake minimum and the SLA target
as labelled lines, accessible text, both languages, plain numbers inside the SVG."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from creditdesk.web.charts import (
    ZERO_BAR_HEIGHT,
    balance_burn_chart,
    compliance_chart,
    nice_step,
)
from creditdesk.web.selectors import PortalCharts

MONTHS = [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _render(language: str) -> str:
    charts = PortalCharts(
        balance=balance_burn_chart(
            month_starts=MONTHS,
            closing=[Decimal("10"), Decimal("6.5"), Decimal("1250.75"), Decimal("-3")],
            used=[Decimal("2"), Decimal("3.5"), Decimal("0"), Decimal("4")],
            minimum=Decimal("2"),
            language=language,
        ),
        compliance=compliance_chart(
            month_starts=MONTHS,
            response=[Decimal("1"), Decimal("0.5"), None, Decimal("0.9375")],
            resolution=[Decimal("0.75"), None, None, Decimal("1")],
            target=Decimal("0.90"),
            language=language,
        ),
    )
    with translation.override(language):
        return render_to_string("portal/_charts.html", {"charts": charts})


def _svg(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[html.index("<svg", start) : html.index("</svg>", start)]


# Words come from the catalogue (the integrator translates `locale/` at the end), figures
# from core.formatting: both in the reader's language.
WORDS = {
    "balance": [
        "Saldo y créditos usados por mes",
        'data-axis="x">{Mes}<',
        'data-axis="y">{Créditos}<',
        "{Mínimo para abrir una solicitud}: ",
    ],
    "compliance": [
        "Cumplimiento del SLA por mes",
        'data-axis="y">{% a tiempo}<',
        "{Objetivo}: ",
    ],
}
FIGURES = {
    "es": [
        "Mínimo para abrir una solicitud}: 2,00",
        ">nov 2025<",
        ">ene 2026<",
        ">1.250,75<",
        "Objetivo}: 90 %",
        ">100 %<",
    ],
    "en": [
        "Mínimo para abrir una solicitud}: 2.00",
        ">Nov 2025<",
        ">Jan 2026<",
        ">1,250.75<",
        "Objetivo}: 90 %",
        ">100 %<",
    ],
}


def _translated(source: str) -> str:
    # As {% translate %} looks a text up: a percent sign is doubled in the catalogue's msgid.
    return translation.gettext(source.replace("%", "%%")).replace("%%", "%")


def _words(text: str) -> str:
    """`text` with each {source} replaced by its translation in the active language."""
    if "{" not in text:
        return _translated(text)
    return re.sub(r"\{([^}]*)\}", lambda match: _translated(match.group(1)), text)


@pytest.mark.parametrize("language", ["es", "en"])
def test_charts_have_titles_labelled_axes_and_a_labelled_reference_line(language):
    html = _render(language)
    for name in ("balance", "compliance"):
        svg = _svg(html, f"{name}-chart")
        assert 'role="img"' in svg
        assert f'aria-labelledby="{name}-chart-title {name}-chart-desc"' in svg
        assert f'<title id="{name}-chart-title">' in svg
        assert f'<desc id="{name}-chart-desc">' in svg
        assert f'data-testid="{name}-chart-reference"' in svg
        assert "stroke-dasharray" in svg
    with translation.override(language):
        for name, texts in WORDS.items():
            for text in texts:
                assert _words(text) in html, (language, name, text)
        for text in FIGURES[language]:
            text = text if "}" not in text else _words("{" + text)
            assert text in html, (language, text)
    # The hidden table repeats the figures for screen readers, months in full.
    assert '<div class="visually-hidden"><table>' in html
    month = "noviembre 2025" if language == "es" else "November 2025"
    assert f'<th scope="row">{month}</th>' in html


@pytest.mark.parametrize("language", ["es", "en"])
def test_numbers_inside_the_svg_are_plain_decimals(language):
    html = _render(language)
    for name in ("balance", "compliance"):
        svg = _svg(html, f"{name}-chart")
        numbers = re.findall(r'\s(?:x|y|x1|x2|y1|y2|cx|cy|width|height)="([^"]*)"', svg)
        numbers += re.search(r'viewBox="([^"]*)"', svg).group(1).split()
        points = re.search(r'points="([^"]*)"', svg)
        if points:
            numbers += points.group(1).replace(",", " ").split()
        assert numbers
        for value in numbers:
            assert NUMBER.match(value), (language, name, value)


def test_bars_and_line_sit_where_their_values_are():
    chart = balance_burn_chart(
        month_starts=MONTHS[:2],
        closing=[Decimal("8"), Decimal("4")],
        used=[Decimal("2"), Decimal("4")],
        minimum=Decimal("2"),
        language="es",
    )
    # 0..8 on a nice step of 2; the plot runs from y=14 (8) to y=204 (0).
    assert [tick.label for tick in chart.y_ticks] == ["0,00", "2,00", "4,00", "6,00", "8,00"]
    bottom, top = chart.plot_bottom, chart.top
    scale = (bottom - top) / 8
    assert chart.reference_y == pytest.approx(bottom - 2 * scale, abs=0.1)
    assert [bar.height for bar in chart.bars] == [
        pytest.approx(2 * scale - 0, abs=0.1),
        pytest.approx(4 * scale, abs=0.1),
    ]
    assert [dot.y for dot in chart.dots] == [
        pytest.approx(top, abs=0.1),
        pytest.approx(bottom - 4 * scale, abs=0.1),
    ]


def test_a_month_without_decided_targets_has_no_bar():
    chart = compliance_chart(
        month_starts=MONTHS[:2],
        response=[None, Decimal("1")],
        resolution=[None, Decimal("0.5")],
        target=Decimal("0.9"),
        language="es",
    )
    assert len(chart.bars) == 2
    assert {bar.series for bar in chart.bars} == {0, 1}
    assert chart.rows[0] == ("noviembre 2025", ["-", "-"])


def test_a_month_at_zero_has_a_bar_on_the_axis_unlike_a_month_without_data():
    """0 % on time is a result: its bar must not vanish like a month with nothing decided."""
    chart = compliance_chart(
        month_starts=MONTHS[:2],
        response=[None, Decimal("0")],
        resolution=[None, Decimal("0")],
        target=Decimal("0.9"),
        language="es",
    )
    assert len(chart.bars) == 2
    for bar in chart.bars:
        assert bar.height == ZERO_BAR_HEIGHT
        assert bar.y + bar.height == pytest.approx(chart.plot_bottom, abs=0.1)


@pytest.mark.parametrize(
    ("span", "step"),
    [("8", "2"), ("10", "5"), ("1250.75", "500"), ("100", "50"), ("0.3", "0.1"), ("0", "1")],
)
def test_nice_steps(span, step):
    assert nice_step(Decimal(span)) == Decimal(step)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_reference_label_sits_above_the_plot_never_on_a_bar(language):
    # A 100 % bar reaches past the 90 % target: the label, on the line, sat on that bar.
    html = _render(language)
    for name in ("balance", "compliance"):
        svg = _svg(html, f"{name}-chart")
        group = svg[svg.index(f'data-testid="{name}-chart-reference"') :]
        label = re.search(r'<text x="[^"]*" y="([^"]*)"[^>]*>([^<]*)</text>', group)
        assert label
        assert ": " in label.group(2)
        axis = r'<line x1="\d+" x2="\d+" y1="(\d+)" y2="\d+" stroke="#3d4652"'
        top = int(re.search(axis, svg)[1])
        assert float(label.group(1)) < top  # in the margin above the plot's top edge


def test_the_compliance_reference_is_the_target_given():
    chart = compliance_chart(
        month_starts=MONTHS[:1],
        response=[Decimal("1")],
        resolution=[Decimal("1")],
        target=Decimal("0.85"),
        language="es",
    )
    assert chart.reference_text == "85 %"
    bottom, top = chart.plot_bottom, chart.top
    assert chart.reference_y == pytest.approx(bottom - (bottom - top) * 0.85, abs=0.1)
