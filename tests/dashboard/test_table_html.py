"""DataTable.html (the {% dashboard_table %} tag) writes byte for byte what the template
dashboard/_table.html wrote (kept as tests/dashboard/reference_table.html) for every shape of table."""
from pathlib import Path

import pytest
from django.template import Context, Engine
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from kitb_portal.charts import DataTable, cell

REFERENCE = Engine(libraries={}).from_string((Path(__file__).parent / "reference_table.html").read_text())


def _tables():
    yield DataTable(caption="Empty", columns=["A", "B"])
    yield DataTable(caption=gettext_lazy("Commitments"), columns=[gettext_lazy("MoU"), "Count"], id="dash-x",
                    rows=[[cell("KITB/1 — <b>&</b>", "/admin/x/?a=1&b=2"), cell(3)],
                          [cell("Plain"), cell(1234567, "/l")]])
    yield DataTable(caption='Quote " and <tag>', columns=["Who", "When", "Amount", "Note"],
                    rows=[[cell("a"), cell("1 Jan", nowrap=True), cell(1.5), cell("x", numeric=True)],
                          [cell(None), cell("", nowrap=True), cell(2), cell(mark_safe("<i>safe</i>"))]],
                    foot=[cell("Total"), cell(""), cell(3.5, "/sum?x=1&y=2"), cell("t", nowrap=True)])
    yield DataTable(caption="Ragged", columns=["One", "Two", "Three"], rows=[[cell("a"), cell(1)], [cell("b")]],
                    foot=[])
    yield DataTable(caption="Korean 한국어", columns=["이름"], rows=[[cell("청주", "/k")]], id="")


@pytest.mark.parametrize("portal", [True, False, None])
@pytest.mark.parametrize("caption_id", ["", "chart-1-caption"])
def test_python_table_is_the_template_table(portal, caption_id):
    for table in _tables():
        context = {"table": table, "caption_id": caption_id}
        if portal is not None:
            context["portal"] = portal
        expected = REFERENCE.render(Context(context))
        assert table.html(caption_id=caption_id, portal=bool(portal)) == expected


def test_the_tag_in_the_sections_template_uses_the_context_portal_flag():
    from django.template.loader import render_to_string

    from kitb_portal.dashboard import Panel, Section

    table = DataTable(caption="C", columns=["A", "B"], rows=[[cell("x", "/x"), cell(2)]])
    for portal in (True, False):
        html = render_to_string("dashboard/_sections.html",
                                {"sections": [Section(key="s", title="S", panels=[Panel(title="P", tables=[table])])],
                                 "portal": portal})
        assert table.html(portal=portal) in html
