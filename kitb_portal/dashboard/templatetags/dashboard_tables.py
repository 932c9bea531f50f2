"""``{% load dashboard_tables %}`` (registered in settings.TEMPLATES' ``libraries``: the dashboard
is not an installed app): ``{% dashboard_table table caption_id=... %}`` writes a
:class:`~kitb_portal.charts.DataTable` in Python (``DataTable.html``), not through a template
looping over every cell; ``portal`` comes from the context (``dashboard/_sections.html``)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_table(context, table, caption_id=""):
    return table.html(caption_id=caption_id or "", portal=bool(context.get("portal")))
