"""``{% load kitb_widgets %}`` (registered in settings.TEMPLATES' ``libraries``): form widget markup
written in Python where a template loop costs too much per item.

``{% widget_attrs widget.attrs %}``: a widget's attributes (templates/django/forms/widgets/attrs.html and the
templates that included it).

``{% select_options widget.optgroups %}``: a select's options (and optgroups), exactly the markup of
``templates/django/forms/widgets/select.html``'s former loop. An organisation select (200 options at
scale 100) cost a template loop per option, and a change page with inlines has several. An option
with attributes other than ``selected`` (a widget with ``option_inherits_attrs``) goes through
Django's option template.
"""

from __future__ import annotations

from django import template
from django.template.base import render_value_in_context
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def select_options(context, optgroups):
    return mark_safe(options_html(optgroups, context))


def options_html(optgroups, context) -> str:
    """The options of ``select_options``; ``context`` localises and escapes their labels."""
    parts = []
    for group_name, group_choices, _group_index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{render_value_in_context(group_name, context)}">')
        for option in group_choices:
            if option["attrs"].keys() - {"selected"}:  # a widget that gives its options attributes
                parts.append("\n  " + render_to_string(option["template_name"], {"widget": option}).strip())
                continue
            value = _stringformat_s(option["value"])  # the template's |stringformat:'s'
            selected = " selected" if option["selected"] else ""
            parts.append(f'\n  <option value="{value}"{selected}>{render_value_in_context(option["label"], context)}</option>')
        if group_name:
            parts.append("\n  </optgroup>")
    return "".join(parts)


@register.simple_tag
def widget_attrs(attrs):
    """A widget's attributes, exactly the markup of Django's ``django/forms/widgets/attrs.html`` (a
    template loop with an ``if`` and a filter per attribute), which every input, select and textarea
    includes: an admin change page with inlines writes some hundreds (templates/django/forms/widgets/)."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{_stringformat_s(value)}"')
    return mark_safe("".join(parts))


def _stringformat_s(value) -> str:
    """``{{ value|stringformat:'s' }}``: the text of the value, escaped unless it is safe already."""
    try:
        text = str(value)  # what "%s" gives, a tuple included (the filter turns one into text first)
    except (TypeError, ValueError):  # as the filter answers
        return ""
    return text if isinstance(value, SafeData) else conditional_escape(text)
