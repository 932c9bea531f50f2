"""The admin's list filters (templates/admin/filter.html, its links written by ``{% filter_choice_items %}``)
are Django's ``admin/filter.html`` as HTML, for every kind of filter a changelist shows."""
from __future__ import annotations

from pathlib import Path

import django
import pytest
from django.contrib import admin
from django.template import Context, Template
from django.template.loader import get_template
from django.test.html import parse_html

from events.models import Registration
from partnerships.models import Commitment
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

DJANGO_FILTER = Path(django.__file__).parent / "contrib/admin/templates/admin/filter.html"


def _both(changelist):
    """(ours, Django's) markup of each filter the changelist shows."""
    djangos = Template(DJANGO_FILTER.read_text())
    for spec in changelist.filter_specs:
        context = {"title": spec.title, "choices": list(spec.choices(changelist)), "spec": spec}
        ours = get_template(spec.template).render(context)
        yield spec, ours, djangos.render(Context(context)) if spec.template == "admin/filter.html" else ours


@pytest.mark.parametrize("query", [
    "",
    "responsible_organization__id__exact={org}",
    "status__exact=open&responsible_organization__id__exact={org}&o=2.-5&q=road+map",
    "mou__status__exact=active&due_date__year=2026",
])
def test_the_filters_are_djangos_markup(rf, admin_user, kitb, query):
    orgs = [kitb, OrganizationFactory(name='Chungbuk <Technopark> & "Sons"'), OrganizationFactory(name="충북 테크노파크")]
    request = rf.get("/admin/partnerships/commitment/?" + query.format(org=orgs[1].pk))
    request.user = admin_user
    changelist = admin.site._registry[Commitment].get_changelist_instance(request)
    shown = 0
    for spec, ours, djangos in _both(changelist):
        assert parse_html(ours) == parse_html(djangos), spec.title
        shown += spec.template == "admin/filter.html"
    assert shown == 3  # status, responsible organisation, the MoU's status
    markup = "".join(ours for _spec, ours, _d in _both(changelist))
    assert "&lt;Technopark&gt; &amp; &quot;Sons&quot;" in markup and "충북 테크노파크" in markup
    assert markup.count('class="selected"') == 3


def test_other_kinds_of_filter(rf, admin_user):
    """Choices, fixed choices, dates and booleans (the registration list's)."""
    request = rf.get("/admin/events/registration/?status__exact=registered")
    request.user = admin_user
    changelist = admin.site._registry[Registration].get_changelist_instance(request)
    compared = [spec for spec, ours, djangos in _both(changelist) if parse_html(ours) == parse_html(djangos)]
    assert len(compared) == len(changelist.filter_specs) >= 3
