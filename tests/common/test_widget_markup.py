"""The form widgets' markup written in Python, by ``kitb_widgets`` tags (templates/django/forms/widgets/: a
widget's attributes, an input, a select's options) and by the form renderer
(kitb_portal/common/widget_renderer.py: inputs, textareas and selects whole), is Django's own for every
kind of widget the portal and the admin show: character for character, a select's options as HTML
(their line breaks differ)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import django
import pytest
from django import forms
from django.conf import settings
from django.contrib.admin import widgets as admin_widgets
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.test.html import parse_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from kitb_portal.common.templatetags.widgets import widget_attrs

DJANGO_ATTRS = Path(django.__file__).parent / "forms/templates/django/forms/widgets/attrs.html"

ATTRS = [
    {},
    {"id": "id_name", "class": "form-control", "maxlength": 100, "required": True, "disabled": False},
    {"placeholder": 'Say "what" <fixes> & why', "data-x": 0, "step": 0.5, "min": None},
    {"aria-describedby": mark_safe("a&amp;b"), "title": gettext_lazy("Language"), "autofocus": True},
    {"value": ("a", "b"), "data-empty": ""},
]


@pytest.mark.parametrize("attrs", ATTRS)
def test_the_attributes_are_djangos(attrs):
    djangos = Template(DJANGO_ATTRS.read_text()).render(Context({"widget": {"attrs": attrs}}))
    assert widget_attrs(attrs) == djangos


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": "A & <b>"}))
    email = forms.EmailField()
    number = forms.IntegerField(min_value=0)
    decimal = forms.DecimalField(max_digits=5, decimal_places=2, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.SplitDateTimeField(widget=admin_widgets.AdminSplitDateTime())
    admin_day = forms.DateField(widget=admin_widgets.AdminDateWidget())
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput())
    agree = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(choices=[("", "---"), ("a", "A & B"), ("b", "B")])
    kinds = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple, required=False)
    mode = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    upload = forms.FileField(required=False)
    admin_text = forms.CharField(widget=admin_widgets.AdminTextInputWidget())
    admin_area = forms.CharField(widget=admin_widgets.AdminTextareaWidget(), required=False)
    admin_number = forms.IntegerField(widget=admin_widgets.AdminIntegerFieldWidget())
    admin_url = forms.URLField(widget=admin_widgets.AdminURLFieldWidget(), required=False, assume_scheme="https")
    colour = forms.CharField(widget=forms.TextInput(attrs={"type": "color"}), initial="#ffcc00")
    when_local = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), required=False)
    count = forms.TypedChoiceField(choices=[(1, "One"), (2, "Two")], coerce=int, initial=2)


BOUND = {
    "text": 'it\'s "quoted" & <tagged>', "email": "a@b.example", "number": "0", "decimal": "", "day": "2026-12-05",
    "when_0": "2026-12-05", "when_1": "10:30", "admin_day": "", "secret": "s3cr&t", "hidden": "h<i>", "agree": "on",
    "notes": "line 1\nline <2>", "kind": "a", "kinds": ["a", "b"], "mode": "y", "many": ["b"],
    "admin_text": "<x> & y", "admin_area": "", "admin_number": "12", "admin_url": "https://a.example/?a=1&b=2",
    "colour": "#000000", "when_local": "2026-12-05T10:30", "count": "1",
}


@pytest.mark.parametrize("bound", [False, True])
def test_every_widget_is_djangos_markup(bound):
    initial = {"number": 0, "day": dt.date(2026, 12, 5), "agree": True, "text": None}
    ours = EveryWidget(BOUND if bound else None, initial=initial)
    djangos = EveryWidget(BOUND if bound else None, initial=initial, renderer=DjangoTemplates())
    for name in ours.fields:
        if isinstance(ours.fields[name].widget, forms.Select):  # the options' line breaks differ (select_options)
            assert parse_html(str(ours[name])) == parse_html(str(djangos[name])), name
        else:
            assert str(ours[name]) == str(djangos[name]), name
    assert 'placeholder="A &amp; &lt;b&gt;"' in str(ours["text"])


@pytest.mark.parametrize("bound", [False, True])
def test_labels_and_error_lists_are_djangos_markup(bound):
    """Every field's label (with the required class, a suffix, other attributes, as a legend, without an
    id) and error list, empty or not, and the form's: as Django's own templates write them."""
    data = {**BOUND, "email": "not an address", "number": "-1", "day": ""} if bound else None

    def forms_of(**kwargs):
        form = EveryWidget(data, **kwargs)
        form.required_css_class = "required"
        form.fields["notes"].label = ' Notes & "more" '
        return form

    ours, djangos = forms_of(), forms_of(renderer=DjangoTemplates())
    no_ids = EveryWidget(data, auto_id=False), EveryWidget(data, auto_id=False, renderer=DjangoTemplates())
    for name in ours.fields:
        assert str(ours[name].label_tag()) == str(djangos[name].label_tag()), name
        assert str(ours[name].label_tag(attrs={"class": "x"}, label_suffix=":")) == str(djangos[name].label_tag(attrs={"class": "x"}, label_suffix=":"))
        assert str(ours[name].legend_tag()) == str(djangos[name].legend_tag()), name
        assert str(no_ids[0][name].label_tag()) == str(no_ids[1][name].label_tag()), name
        for shape in ("__str__", "as_ul", "as_text"):
            assert getattr(ours[name].errors, shape)() == getattr(djangos[name].errors, shape)(), (name, shape)
    for shape in ("__str__", "as_ul", "as_text"):
        assert getattr(ours.errors, shape)() == getattr(djangos.errors, shape)(), shape
        assert getattr(ours.non_field_errors(), shape)() == getattr(djangos.non_field_errors(), shape)(), shape
    assert ("errorlist" in str(ours["email"].errors)) is bound


def test_the_renderer_writes_only_templates_that_are_djangos_or_mirror_them():
    """What the renderer writes in Python must be what the template would: each input template it
    takes over is Django's one-line include of input.html, no template of the project or of an app
    replaces one of them (or the textarea), and the two it mirrors from templates/ are ours."""
    from django.forms.renderers import get_default_renderer

    from kitb_portal.common.widget_renderer import (
        ERROR_TEMPLATES,
        INPUT_TEMPLATES,
        LABEL_TEMPLATE,
        SELECT_TEMPLATE,
        TEXTAREA_TEMPLATE,
        WidgetRenderer,
    )

    renderer = get_default_renderer()
    assert isinstance(renderer, WidgetRenderer)
    djangos = Path(django.__file__).parent / "forms/templates"
    for name in INPUT_TEMPLATES | ERROR_TEMPLATES | {TEXTAREA_TEMPLATE, SELECT_TEMPLATE, LABEL_TEMPLATE}:
        origin = Path(renderer.get_template(name).origin.name)
        if name.endswith(("/input.html", "/select.html")):
            assert origin == Path(settings.BASE_DIR) / "templates" / name, name
        else:
            assert origin == djangos / name, name
            if name in INPUT_TEMPLATES:
                assert origin.read_text().strip() == '{% include "django/forms/widgets/input.html" %}', name
            if name in ERROR_TEMPLATES:  # nothing without an error
                assert renderer.get_template(name).render({"errors": [], "error_class": "errorlist"}).strip() == "", name
