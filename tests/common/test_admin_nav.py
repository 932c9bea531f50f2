"""The admin's navigation sidebar, written in Python ({% admin_nav_app_list %}), is Django's
``admin/nav_sidebar.html`` (with its ``admin/app_list.html``) as HTML; the app list keeps Django's order,
and its entries (written without a ``reverse()`` per URL) are Django's."""
from __future__ import annotations

import re
from pathlib import Path

import django
import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.test.html import parse_html

from kitb_portal.accounts.roles import (
    EVENTS_OFFICER,
    KITB_ADMINISTRATOR,
    PARTNERSHIPS_OFFICER,
    SCREENING_COMMITTEE,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DJANGO_NAV_SIDEBAR = Path(django.__file__).parent / "contrib/admin/templates/admin/nav_sidebar.html"
SIDEBAR = re.compile(r'<button class="sticky toggle-nav-sidebar".*?</nav>', re.S)


def _sidebar_as_django_writes_it(response) -> str:
    context = {key: response.context[key] for key in ("available_apps", "request")}
    return Template(DJANGO_NAV_SIDEBAR.read_text()).render(Context(context))


@pytest.fixture
def events_officer(kitb):
    user = UserFactory(staff=True, organization=kitb, email="events@kitb.example")
    user.groups.add(Group.objects.get(name=EVENTS_OFFICER))
    return user


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("who", ["admin_user", "events_officer"])
@pytest.mark.parametrize("path", ["/admin/events/venue/", "/admin/events/venue/add/", "/admin/accounts/organization/"])
def test_the_sidebar_is_djangos_markup(client, request, who, path, language):
    user = request.getfixturevalue(who)
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code in (200, 403), path
    if response.status_code == 403:  # a page this role may not open has no sidebar to compare
        return
    ours = SIDEBAR.search(response.content.decode()).group(0)
    assert len(response.context["available_apps"]) > 1
    assert parse_html(ours) == parse_html(_sidebar_as_django_writes_it(response))
    if path.startswith("/admin/events/venue/"):
        assert 'aria-current="page"' in ours and "current-model" in ours and "current-app" in ours


def test_a_user_who_may_see_nothing_is_told_so(rf, kitb):
    from kitb_portal.common.templatetags.admin_nav import admin_nav_app_list

    html = admin_nav_app_list(Context({"available_apps": [], "request": rf.get("/admin/")}))
    assert html == "<p>You don’t have permission to view or edit anything.</p>"


def test_the_app_list_is_in_djangos_order(rf, admin_user, events_officer):
    for user in (admin_user, events_officer):
        request = rf.get("/admin/")
        request.user = user
        ours = admin.site.get_app_list(request)
        djangos = AdminSite.get_app_list(admin.site, request)
        assert [(a["app_label"], [m["object_name"] for m in a["models"]]) for a in ours] == [
            (a["app_label"], [m["object_name"] for m in a["models"]]) for a in djangos
        ]



@pytest.mark.parametrize("role", [None, KITB_ADMINISTRATOR, PARTNERSHIPS_OFFICER, EVENTS_OFFICER, SCREENING_COMMITTEE])
def test_the_app_dictionary_is_djangos(rf, kitb, role):
    """Every entry, URLs included, as Django's ``_build_app_dict`` makes it with ``reverse()``: for a
    superuser (every model, every URL) and for each staff role, for the whole site and for one app."""
    user = UserFactory(staff=True, organization=kitb, email="role@kitb.example", is_superuser=role is None)
    if role:
        user.groups.add(Group.objects.get(name=role))
    request = rf.get("/admin/")
    request.user = user
    ours = admin.site._build_app_dict(request)
    assert ours == AdminSite._build_app_dict(admin.site, request)
    assert ours, role
    for label in ("partnerships", "events", "tenants", "accounts"):
        assert admin.site._build_app_dict(request, label) == AdminSite._build_app_dict(admin.site, request, label)
    if role is None:
        assert sum(len(app["models"]) for app in ours.values()) > 40
        assert all(model["add_url"] or not model["perms"]["add"] for app in ours.values() for model in app["models"])


DJANGO_APP_LIST = Path(django.__file__).parent / "contrib/admin/templates/admin/app_list.html"


@pytest.mark.parametrize("who", ["admin_user", "events_officer"])
@pytest.mark.parametrize("path", ["/admin/", "/admin/events/"])
def test_the_index_app_list_is_djangos_markup(client, request, who, path):
    """The app list with its change links (the index, an app's page): view links for what the role
    may only view, change links for the rest."""
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    context = {"app_list": response.context["app_list"], "show_changelinks": True, "request": response.wsgi_request}
    djangos = Template(DJANGO_APP_LIST.read_text()).render(Context(context))
    ours = Template("{% include 'admin/app_list.html' %}").render(Context(context))
    assert parse_html(ours) == parse_html(djangos)
    assert 'class="changelink"' in ours and 'class="viewlink"' in ours  # read-only admins, and the officer's
    assert ours.strip() in response.content.decode()  # the page's own list is this one
