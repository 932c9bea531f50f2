"""``{% load portal_tables %}``: the portal's table markup in one place.

::

    {% portal_table _("Your API tokens") _("Name") _("Status") actions=True striped=False %}
      {% for token in tokens %}<tr>…</tr>{% endfor %}
    {% endportal_table %}

The first argument is the (visually hidden) caption, the others the column headings; ``actions=True``
adds a last, visually hidden "Actions" heading, ``striped=True`` stripes the rows. What stands between
the tags becomes the table's body (``templates/portal/_table.html`` draws the rest).
"""
from __future__ import annotations

from django import template
from django.template.base import token_kwargs
from django.template.loader import get_template

register = template.Library()


class PortalTableNode(template.Node):
    def __init__(self, caption, columns, options, nodelist):
        self.caption = caption
        self.columns = columns
        self.options = options
        self.nodelist = nodelist

    def render(self, context):
        options = {name: value.resolve(context) for name, value in self.options.items()}
        return get_template("portal/_table.html").render(
            {
                "caption": self.caption.resolve(context),
                "columns": [column.resolve(context) for column in self.columns],
                "actions": bool(options.get("actions")),
                "striped": bool(options.get("striped")),
                "body": self.nodelist.render(context),
            },
            context.get("request"),
        )


@register.tag("portal_table")
def portal_table(parser, token):
    bits = token.split_contents()[1:]
    positional = [bit for bit in bits if "=" not in bit.split('"')[0]]
    if not positional:
        raise template.TemplateSyntaxError("portal_table needs a caption")
    options = token_kwargs([bit for bit in bits if bit not in positional], parser)
    unknown = set(options) - {"actions", "striped"}
    if unknown:
        raise template.TemplateSyntaxError(f"portal_table does not take {', '.join(sorted(unknown))}")
    caption, *columns = (parser.compile_filter(bit) for bit in positional)
    nodelist = parser.parse(("endportal_table",))
    parser.delete_first_token()
    return PortalTableNode(caption, columns, options, nodelist)
