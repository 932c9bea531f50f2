"""The SVG charts: accessible names, text instead of colour, escaping, and nothing drawn outside."""
import re

from kitb_portal.charts import WIDTH, Bar, DataTable, Series, Stack, _text_width, bar_chart, cell, column_chart, stacked_bar_chart


def _table():
    return DataTable(caption="Numbers", columns=["Label", "Value"], rows=[[cell("a"), cell(1)]])


def _texts(svg):
    return [(float(x), size, text) for x, size, text in re.findall(r'<text x="([\d.]+)"[^>]*font-size="(\d+)"[^>]*>([^<]*)</text>', svg)]


def test_bar_chart_writes_every_value_inside_the_picture():
    chart = bar_chart(chart_id="c1", title="Planned investment", description="By sector", table=_table(), bars=[
        Bar("Energi baru (motor, baterai)", 153400000, text="USD 153.400.000"),
        Bar("Kesehatan", 34560000, text="USD 34.560.000"),
        Bar("Nothing yet", 0, text="—"),
    ])
    texts = _texts(chart.svg)
    assert {t for _x, _s, t in texts} >= {"USD 153.400.000", "USD 34.560.000", "—", "Kesehatan"}
    for x, size, text in texts:
        assert x + _text_width(text, int(size)) * 1.1 <= WIDTH + 1, text
    assert 'role="img"' in chart.svg and '<title id="c1-title">Planned investment</title>' in chart.svg
    assert '<desc id="c1-desc">By sector</desc>' in chart.svg and 'aria-labelledby="c1-title c1-desc"' in chart.svg
    assert f'viewBox="0 0 {WIDTH} ' in chart.svg and "style=" not in chart.svg


def test_percentages_are_drawn_against_100():
    chart = bar_chart(chart_id="c2", title="Fill", description="d", table=_table(), max_value=100,
                      bars=[Bar("Half full", 50, text="2 / 4 · 50%")])
    track, bar = re.findall(r'<rect x="8" y="[\d.]+" width="([\d.]+)" height="18"', chart.svg)
    assert abs(float(bar) * 2 - float(track)) < 1


def test_labels_are_escaped():
    chart = bar_chart(chart_id="c3", title="<b>t</b>", description="d & e", table=_table(),
                      bars=[Bar('<script>alert("x")</script>', 1)])
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert "<b>" not in chart.svg and "d &amp; e" in chart.svg


def test_stacked_series_differ_by_pattern_and_name_their_values():
    series = [Series("allocated", "Allocated"), Series("reserved", "Reserved"), Series("free", "Free")]
    chart = stacked_bar_chart(chart_id="land", title="Land", description="d", series=series, table=_table(),
                              stacks=[Stack("Phase 1", [20, 20, 410], ["20 ha", "20 ha", "410 ha"], total_text="450 ha")])
    # The first series is solid, the others patterned; each swatch in the legend repeats its pattern.
    assert chart.svg.count("<pattern") == 2
    assert 'fill="url(#land-fill-1)"' in chart.svg and 'fill="url(#land-fill-2)"' in chart.svg
    legend = [t for _x, _s, t in _texts(chart.svg)]
    assert {"Allocated", "Reserved", "Free", "Phase 1 — 450 ha"} <= set(legend)
    assert any("Allocated 20 ha" in t and "Reserved 20 ha" in t for t in legend)
    assert any("Free 410 ha" in t for t in legend)


def test_columns_carry_totals_and_two_line_labels():
    series = [Series("conference", "Conference"), Series("seminar", "Seminar")]
    chart = column_chart(chart_id="q", title="Quarters", description="d", series=series, table=_table(),
                         stacks=[Stack("Q1\n2026", [2, 3]), Stack("Q2\n2026", [0, 0])])
    texts = [t for _x, _s, t in _texts(chart.svg)]
    assert texts.count("2026") == 2 and "Q1" in texts and "5" in texts and "0" in texts
    assert chart.svg.count("<pattern") == 1


def test_clip_cuts_where_the_char_by_char_loop_cut():
    """_clip in one pass gives what trimming one character at a time gave (the old loop)."""
    import random

    from kitb_portal.charts import _clip

    def old_clip(text, size, width):
        if _text_width(text, size) <= width:
            return text
        while text and _text_width(text + "…", size) > width:
            text = text[:-1]
        return text.rstrip() + "…"

    rnd = random.Random(7)
    alphabet = "abc XYZ 청주충북 테크노파크 — 0123456789"
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60)))
        size = rnd.choice([11, 12, 13, 14])
        width = rnd.choice([0, 5, 7.84, 50, 100.8, 140, 200, 333.3])
        assert _clip(text, size, width) == old_clip(text, size, width), (text, size, width)
