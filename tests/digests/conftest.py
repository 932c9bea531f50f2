"""Fixtures of the digest and preference tests."""
import pytest
from django.contrib.auth.models import Group

from kitb_portal.accounts import roles
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _celery_eager():
    """Run tasks in-process (the settings were read before tests/conftest.py set the environment)."""
    from kitb_portal.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


def staff_in(role: str, **kwargs):
    """A KITB staff user in one role group (permissions from the role, not superuser)."""
    user = UserFactory(staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def officer(db, kitb):
    """A partnerships officer (sees every MoU, events and applications read-only)."""
    return staff_in(roles.PARTNERSHIPS_OFFICER, organization=kitb, email="officer@kitb.example", full_name="Budi Santoso")
