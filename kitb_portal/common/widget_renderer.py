"""The form renderer (settings.FORM_RENDERER): Django's ``TemplatesSetting``, with the commonest widgets,
the labels and the empty error lists written in Python.

A widget renders its template with a context of its own: a template lookup, a ``Context``, a render of
a few nodes. An admin change page with inlines renders about a hundred widgets (an event's: 116), a
quarter to a third of its time. Inputs of every type, textareas and selects, whose templates are
Django's ``input.html`` (included by ``text.html``, ``number.html``...), ``textarea.html`` and our
``select.html`` (templates/django/forms/widgets/), are written here as those templates write them,
character for character (tests/common/test_widget_markup.py holds each to Django's own templates);
every other widget, and these templates wherever another template includes them, go through the
templates as before. So do labels (``label.html``, which each field of an admin fieldset renders) and
error lists, which render their template even when empty, as an admin fieldset asks of every field:
empty, they are nothing (their templates say ``{% if errors %}``); with errors, the templates write them.
"""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.safestring import mark_safe

from .templatetags.widgets import _stringformat_s, options_html, widget_attrs

#: Django's widget templates that are ``{% include "django/forms/widgets/input.html" %}`` and nothing else.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time",
                 "search", "tel", "color", "checkbox", "file")
)
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
SELECT_TEMPLATE = "django/forms/widgets/select.html"
LABEL_TEMPLATE = "django/forms/label.html"
#: Django's error list templates, each of which writes nothing when there is no error.
ERROR_TEMPLATES = frozenset(
    f"django/forms/errors/{kind}/{name}" for kind in ("list", "dict") for name in ("default.html", "ul.html", "text.txt")
)

# What a template's {{ value }} does to a value (localise, escape), with a template context's defaults.
_CONTEXT = Context()


def _text(value) -> str:
    return render_value_in_context(value, _CONTEXT)


def input_html(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_stringformat_s(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{widget_attrs(widget["attrs"])}>'


def textarea_html(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{widget_attrs(widget["attrs"])}>\n{value}</textarea>'


def select_html(widget: dict) -> str:
    return f'<select name="{_text(widget["name"])}"{widget_attrs(widget["attrs"])}>{options_html(widget["optgroups"], _CONTEXT)}\n</select>'


def label_html(context: dict) -> str:
    """Django's ``label.html`` (its ``attrs`` those of ``django/forms/attrs.html``)."""
    label = _text(context["label"])
    if not context["use_tag"]:
        return label
    tag = _text(context["tag"])
    return f"<{tag}{widget_attrs(context['attrs'] or {})}>{label}</{tag}>"


class WidgetRenderer(TemplatesSetting):
    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            html = input_html(context["widget"])
        elif template_name == TEXTAREA_TEMPLATE:
            html = textarea_html(context["widget"])
        elif template_name == SELECT_TEMPLATE:
            html = select_html(context["widget"])
        elif template_name == LABEL_TEMPLATE:
            html = label_html(context)
        elif template_name in ERROR_TEMPLATES and not context["errors"]:
            html = ""
        else:
            return super().render(template_name, context, request)
        return mark_safe(html.strip())  # as BaseRenderer.render strips a template's output
