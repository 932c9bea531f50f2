"""Fixtures of the accounts tests."""
import pytest

from kitb_portal.accounts import services
from tests.factories import UserFactory


@pytest.fixture
def org_admin_a(partner_a):
    """Partner A, made their organisation's (Chungbuk Technopark's) administrator."""
    partner_a.is_org_admin = True
    partner_a.save(update_fields=["is_org_admin"])
    return partner_a


@pytest.fixture
def org_admin_b(partner_b):
    partner_b.is_org_admin = True
    partner_b.save(update_fields=["is_org_admin"])
    return partner_b


@pytest.fixture
def colleague_a(technopark):
    """A second, ordinary partner user of Chungbuk Technopark."""
    return UserFactory(organization=technopark, email="colleague@technopark.example", full_name="Park Ji-hoon")


@pytest.fixture
def invite(admin_user, technopark, django_capture_on_commit_callbacks):
    """Invite someone into Chungbuk Technopark as the KITB superuser; returns the invitation
    (with ``.token``) after its e-mail was delivered to mail.outbox."""

    def _invite(email="new.partner@technopark.example", full_name="Choi Yu-na", language="ko", organization=None, actor=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.user_invite(
                actor=actor or admin_user,
                email=email,
                full_name=full_name,
                organization=organization or technopark,
                language=language,
                **kwargs,
            )

    return _invite
