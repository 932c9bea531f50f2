"""The portal event list's filter form, written by a plain template, is crispy-forms' Bootstrap 5
markup as HTML: labels, ids, classes, the error messages and their aria links."""
from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import translation

from events.forms import EventFilterForm

pytestmark = pytest.mark.django_db

FORM = re.compile(r'<form method="get" class="row g-2.*?</form>', re.S)
CRISPY = Template(
    '{% load crispy_forms_tags %}<form method="get" class="row g-2 align-items-end mb-3" role="search">'
    '<div class="col-md-4">{{ form.q|as_crispy_field }}</div><div class="col-md-2">{{ form.kind|as_crispy_field }}</div>'
    '<div class="col-md-3">{{ form.topic|as_crispy_field }}</div><div class="col-md-2">{{ form.mode|as_crispy_field }}</div>'
    '<div class="col-md-1 mb-3"><button class="btn btn-primary w-100" type="submit">{{ filter }}</button></div></form>'
)


class _CrispyForm(EventFilterForm):
    bound_field_class = None  # Django's BoundField: crispy adds the classes itself


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("query", [
    "", "?kind=workshop&topic=msme&mode=online&q=Batang", "?kind=bogus&topic=nope", "?q=" + "x" * 120, '?q="<b>',
])
def test_the_filter_form_is_crispys_markup(client_a, query, language):
    client_a.cookies["django_language"] = language
    response = client_a.get("/portal/events/" + query)
    assert response.status_code == 200
    ours = FORM.search(response.content.decode()).group(0)
    assert not any((t.name or "").startswith("bootstrap5/") for t in response.templates)  # no crispy template
    with translation.override(language):
        form = _CrispyForm(response.wsgi_request.GET or None)
        form.is_valid()
        theirs = CRISPY.render(Context({"form": form, "filter": translation.gettext("Filter")}))
    assert parse_html(ours) == parse_html(theirs)
    if "bogus" in query:
        assert 'aria-invalid="true"' in ours and "is-invalid" in ours and 'id="id_kind_error"' in ours
