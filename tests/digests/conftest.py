"""Fixtures of the digest and preference tests."""
import pytest
from django.contrib.auth.models import Group

from kitb_portal.accounts import roles
from tests.factories import UserFactory


def staff_in(role: str, **kwargs):
    """A KITB staff user in one role group (permissions from the role, not superuser)."""
    user = UserFactory(staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def officer(db, kitb):
    """A partnerships officer (sees every MoU, events and applications read-only)."""
    return staff_in(roles.PARTNERSHIPS_OFFICER, organization=kitb, email="officer@kitb.example", full_name="Budi Santoso")
