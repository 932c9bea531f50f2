"""Fixtures of the performance tests: the demo's organisations and partner, made with factories."""
import pytest

from kitb_portal.accounts import demo
from tests.factories import UserFactory


@pytest.fixture
def demo_partner(db, kitb, technopark, province):
    """The demo partner of Chungbuk Technopark (seed_bulk gives them records in their scope)."""
    email, full_name, _org, _group, language = demo.DEMO_USERS["partner-technopark"]
    return UserFactory(email=email, full_name=full_name, organization=technopark, preferred_language=language)
